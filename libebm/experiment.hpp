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
  arma::uword n_visible = 0, n_hidden = 0;
  arma::uword n_train = 0, n_test = 0;
  arma::uword epochs = 0, updates = 0;
  double train_seconds = 0;        ///< time in updates, monitors excluded
  double samples_per_second = 0;   ///< training samples processed per second of updates
  std::vector<EpochRecord> history;
  Measurements final_measurements;
  std::vector<std::string> notes;  ///< e.g. why a monitor was skipped

  /// One-line JSON object of the whole result (without the history).
  std::string to_json(const ExperimentConfig& config) const;
  /// The history as CSV: epoch, seconds, then every measurement name.
  std::string history_csv() const;
};

/// Runs the experiment.  Throws InputError for bad data or settings that
/// only show once the data is loaded (e.g. a model too large for
/// monitor.exact_log_likelihood = true).
ExperimentResult run_experiment(const ExperimentConfig& config, TrainingObserver* observer = nullptr);

/// Writes `text` to `path` atomically: to a temporary file in the same
/// folder, flushed, then renamed over `path`, so a crash leaves either the
/// old file or the new one, never a torn one.  Throws InputError naming the
/// path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ebm
