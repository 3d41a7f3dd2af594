// ebm sample MODEL: draws samples from the model (Model::generate: its
// sampler from its starting distribution, plus whatever the family adds; or
// Model::generate_class with --class, for models with label units) and
// writes the visible layer as CSV (one sample per line) and, for
// image-shaped data, as a PNG grid.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/io/png_grid.hpp"
#include "libebm/registry/kinds.hpp"
#include "samplers/parallel_tempering_sampler.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

struct SampleArguments {
  std::string model, csv, png, shape, label;
  std::uint64_t chains = 64, steps = 1000, seed = 1, grid_cols = 0;
  bool mean = false;
};

template <typename eT>
int sample_model(const SampleArguments& a) {
  LoadedModel<eT> loaded = load_model<eT>(a.model);
  const ExperimentConfig config = parse_experiment_config(a.model + " (its stored config)", loaded.config, {});
  const Model<eT>& model = *loaded.model;
  auto sampler = SamplerKind::registry<eT>::instance().create(config.sampler, config.block(config.sampler));
  Rng rng(a.seed);
  // Each model family generates in its own way (Model::generate): the
  // sampler's chains for an RBM, the top RBM then a top-down pass for a DBN.
  // With --mean, the visible conditional mean: smoother pictures than the
  // binary samples themselves.
  arma::Mat<eT> visible;
  GridOptions grid;
  grid.grid_cols = a.grid_cols;
  std::string how = a.label.empty() ? config.sampler : "Gibbs with the labels held";
  if (a.label.empty()) {
    model.generate(*sampler, a.chains, unsigned(a.steps), rng, visible, a.mean);
  } else {
    // --class K: every chain of class K; --class all: chain j of class
    // j mod K (a grid column per class).
    const arma::uword n_classes = model.n_classes();
    if (n_classes == 0)
      throw InputError("ebm sample: --class " + a.label + ": " + a.model +
                       " has no label units (a dbn trained with dbn.labels)");
    arma::urowvec classes(a.chains);
    if (a.label == "all") {
      for (arma::uword j = 0; j < classes.n_elem; ++j) classes[j] = j % n_classes;
      if (grid.grid_cols == 0) grid.grid_cols = n_classes;
    } else {
      const bool digits = !a.label.empty() && a.label.size() <= 9 &&
                          a.label.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoul(a.label) >= n_classes)
        throw InputError("ebm sample: --class " + a.label + ": expected a class 0 to " +
                         std::to_string(n_classes - 1) + " or 'all'");
      classes.fill(std::stoul(a.label));
    }
    model.generate_class(classes, unsigned(a.steps), rng, visible, a.mean);
  }
  if (!a.csv.empty()) {
    std::ostringstream text;
    text.precision(std::is_same_v<eT, float> ? 9 : 17);
    for (arma::uword c = 0; c < visible.n_cols; ++c)
      for (arma::uword r = 0; r < visible.n_rows; ++r) text << visible(r, c) << (r + 1 == visible.n_rows ? "\n" : ",");
    write_file_atomically(a.csv, text.str());
  }
  if (!a.png.empty()) {
    if (!a.shape.empty()) {
      unsigned long rows = 0, cols = 0;
      char x = 0;
      std::istringstream in(a.shape);
      if (!(in >> rows >> x >> cols) || x != 'x' || rows == 0 || cols == 0)
        throw InputError("ebm sample: --image-shape '" + a.shape + "': expected ROWSxCOLS, e.g. 28x28");
      grid.image_rows = rows, grid.image_cols = cols;
    }
    // Spin units are in [-1, 1]: map to [0, 1] for the picture.
    arma::Mat<eT> picture = visible;
    if (visible.min() < 0) picture = (visible + 1) / 2;
    write_png_grid(a.png, picture, grid);
  }
  std::fprintf(stderr, "drew %llu samples after %llu steps of %s from %s\n", (unsigned long long)a.chains,
               (unsigned long long)a.steps, how.c_str(), a.model.c_str());
  if (const auto* pt = dynamic_cast<const ParallelTemperingSampler<eT>*>(sampler.get())) {
    std::fprintf(stderr, "swap rates between neighbouring temperatures:");
    for (double r : pt->swap_rates()) std::fprintf(stderr, " %.3f", r);
    std::fprintf(stderr, "\n");
  }
  return 0;
}

}  // namespace

int sample(int argc, char** argv) {
  const std::string usage =
      "ebm sample MODEL [--chains N] [--steps K] [--seed S] [--output FILE.csv] [--png FILE.png] "
      "[--image-shape RxC] [--mean] [--class K|all]";
  SampleArguments a;
  po::options_description options("options");
  options.add_options()("chains", po::value<std::uint64_t>(&a.chains)->default_value(64), "independent chains (samples)")(
      "steps", po::value<std::uint64_t>(&a.steps)->default_value(1000), "sampler steps from the starting distribution")(
      "seed", po::value<std::uint64_t>(&a.seed)->default_value(1), "seed of the sampler's draws")(
      "output", po::value<std::string>(&a.csv), "write the samples as CSV, one per line")(
      "png", po::value<std::string>(&a.png), "write the samples as a PNG grid")(
      "image-shape", po::value<std::string>(&a.shape), "ROWSxCOLS of one image (default: square)")(
      "grid-cols", po::value<std::uint64_t>(&a.grid_cols), "images per row of the grid (default: square grid)")(
      "mean", po::bool_switch(&a.mean), "write the visible conditional means instead of the samples")(
      "class", po::value<std::string>(&a.label),
      "models with label units (dbn.labels): draw every sample of class K, or with 'all' sample j of class j mod "
      "the number of classes (one grid column per class)")(
      "model", po::value<std::string>(&a.model)->required(), "model archive");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map values;
  if (!parse_command_line("sample", usage, argc, argv, options, positional, values)) return 0;
  if (a.chains == 0) throw InputError("ebm sample: --chains must be >= 1");
  if (a.csv.empty() && a.png.empty()) throw InputError("ebm sample: give --output FILE.csv and/or --png FILE.png");
  return read_archive_header(a.model).scalar == "double" ? sample_model<double>(a) : sample_model<float>(a);
}

}  // namespace ebm::tool
