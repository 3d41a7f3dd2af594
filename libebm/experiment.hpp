// One training run from an ExperimentConfig: load the data, build the model
// and the training blocks, train with the one Trainer, and report.
//
// This is what `ebm train` does; it lives in the library so that programs
// and tests can run an experiment without the command line.
#pragma once

#include <string>
#include <vector>

#include "libebm/config/experiment_config.hpp"
#include "libebm/training/trainer.hpp"

namespace ebm {

struct ExperimentResult {
  std::string model_type;
  std::string scalar;
  std::vector<arma::uword> layer_sizes;
  arma::uword n_train = 0, n_test = 0;
  arma::uword epochs = 0, updates = 0;
  double train_seconds = 0;        ///< time in updates of this run (monitors, and epochs before a resume, excluded)
  double samples_per_second = 0;   ///< training samples processed per second of updates
  std::vector<EpochRecord> history;
  Measurements final_measurements;
  std::vector<std::string> notes;  ///< e.g. why a monitor was skipped

  /// One-line JSON object of the whole result (without the history).
  std::string to_json(const ExperimentConfig& config) const;
  /// The history as CSV: epoch, seconds, then every measurement name.
  std::string history_csv() const;
};

/// Runs the experiment; writes output.model, output.checkpoint (every
/// output.checkpoint_every epochs), output.log and output.results when set.
/// Throws InputError for bad data or settings that only show once the data
/// is loaded (e.g. a monitor that does not apply to the model).
///
/// With a communicator of several processes (mpirun; docs/distributed.md)
/// every process runs this with the same config: training is split over
/// them (Trainer::set_communicator) and only rank 0 writes files and calls
/// the observer's on_epoch with measurements.
ExperimentResult run_experiment(const ExperimentConfig& config, TrainingObserver* observer = nullptr,
                                Communicator* communicator = nullptr);

/// Continues the run saved in `checkpoint` (its stored config, with
/// `overrides` applied, e.g. more epochs) up to its configured epochs; a run
/// stopped at an epoch boundary and resumed ends bit-identical to the
/// uninterrupted run.  The config used is returned through `config`.
/// A checkpoint written by any number of processes resumes on any other.
ExperimentResult resume_experiment(const std::string& checkpoint, const std::vector<std::string>& overrides,
                                   TrainingObserver* observer = nullptr, ExperimentConfig* config = nullptr,
                                   Communicator* communicator = nullptr);

/// Reads a data set as the config's [data] section says (format, limit,
/// binarization with `data_rng` for the stochastic kind); one sample per
/// column.  Throws InputError naming the file for missing or malformed data.
/// The Trainer's options a config gives (batch size, monitoring, centering)
/// for a run of `epochs` epochs.
TrainerOptions trainer_options(const ExperimentConfig& config, std::uint64_t epochs);

/// Adds the monitors the config lists to `trainer`.  A monitor that does
/// not apply to the model is skipped with a note in `notes` when its
/// section says `required = false`, and is an InputError otherwise.
template <typename eT>
void add_config_monitors(const ExperimentConfig& config, Trainer<eT>& trainer, std::vector<std::string>& notes);

template <typename eT>
arma::Mat<eT> load_data(const DataConfig& data, const std::string& path, std::uint64_t limit, Rng& data_rng);

/// The generator for data preparation of a run with this seed: a stream
/// separate from training's, so changing the binarization does not change
/// the training draws.
Rng data_rng_for(std::uint64_t seed);

/// Writes `text` to `path` atomically: to a temporary file in the same
/// folder, flushed, then renamed over `path`, so a crash leaves either the
/// old file or the new one, never a torn one.  Throws InputError naming the
/// path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ebm
