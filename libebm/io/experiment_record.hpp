// The record of one experiment: a folder that holds what is needed to
// reproduce and compare the run.
//
//   config.ini           the resolved config (every key with its final value)
//   run.json             seed, ebm version, git revision, start and end time
//   log.csv              the per-epoch monitor log
//   results.json         the final results
//   model.ebm            the trained model
//   filters.png          the first connection's weights as images (per-image contrast)
//   samples.png          samples drawn from the model by its sampler
//   reconstructions.png  held-out data (odd rows) above its reconstructions (even rows)
//   curves/*.svg         each monitored quantity over the epochs (gnuplot)
//
// Pictures of image data need an image shape: output.image_shape (ROWSxCOLS)
// or a square number of visible units.
#pragma once

#include <string>
#include <vector>

#include "libebm/model.hpp"
#include "libebm/training/trainer.hpp"

namespace ebm {

struct PictureOptions {
  arma::uword image_rows = 0, image_cols = 0;  ///< 0, 0: square
  arma::uword count = 100;                     ///< filters, samples and reconstructions drawn
  arma::uword sample_steps = 1000;             ///< sampler steps for samples.png
  std::string sampler = "block_gibbs";         ///< registered sampler for samples.png
  std::uint64_t seed = 1;
};

/// Writes filters.png, samples.png and reconstructions.png into `folder`.
/// Returns notes about pictures that could not be drawn (e.g. no image
/// shape); throws InputError only for unwritable files.
template <typename eT>
std::vector<std::string> write_pictures(const std::string& folder, const Model<eT>& model, const arma::Mat<eT>& data,
                                        const PictureOptions& options);

/// Writes one SVG per monitored quantity (train and test on one plot) into
/// `folder` with gnuplot.  Returns a note (and draws nothing) when gnuplot
/// is not installed (Debian package gnuplot-nox).
std::vector<std::string> write_curves(const std::string& folder, const std::vector<EpochRecord>& history);

/// The git revision ebm was built from ("unknown" outside a git checkout).
std::string git_revision();

}  // namespace ebm
