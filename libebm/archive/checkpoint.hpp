// Checkpoints: the whole training state, so that a run stopped at an epoch
// boundary and resumed ends bit-identical to the uninterrupted run:
// parameters, the gradient estimator (persistent chains), the update rule
// (momentum), the random generator, the step count and the monitor history,
// plus the config.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libebm/archive/archive_file.hpp"
#include "libebm/gradient_estimator.hpp"
#include "libebm/model.hpp"
#include "libebm/random.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/training/update_rule.hpp"

namespace ebm {

template <typename eT>
struct TrainingCheckpoint {
  ArchiveHeader header;
  std::string config;
  std::unique_ptr<Model<eT>> model;
  std::unique_ptr<GradientEstimator<eT>> estimator;
  std::unique_ptr<UpdateRule<eT>> update_rule;
  std::string rng_state;
  std::uint64_t steps = 0;
  std::vector<EpochRecord> history;
};

template <typename eT>
void save_checkpoint(const std::string& path, const std::string& config, const Model<eT>& model,
                     const GradientEstimator<eT>& estimator, const UpdateRule<eT>& update_rule, const Rng& rng,
                     std::uint64_t steps, const std::vector<EpochRecord>& history,
                     ArchiveEncoding encoding = ArchiveEncoding::binary);

/// Throws InputError as load_model does; also when the file is a model
/// archive rather than a checkpoint.
template <typename eT>
TrainingCheckpoint<eT> load_checkpoint(const std::string& path);

}  // namespace ebm
