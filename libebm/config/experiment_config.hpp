// Everything `ebm train` reads from a config file, with defaults.
//
// The accepted keys, their defaults and ranges are declared once in
// declare_options(); docs/config.md and `ebm help config` show them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libebm/config/config_file.hpp"

namespace ebm {

struct DataConfig {
  std::string train;            ///< path of the training data (IDX, optionally .gz, or CSV)
  std::string test;             ///< path of held-out data (optional)
  std::string format = "auto";  ///< idx | csv | auto (by extension)
  std::string binarize = "threshold";  ///< none | threshold | stochastic
  double threshold = 0.5;
  std::uint64_t train_limit = 0;  ///< use only the first N training samples (0: all)
  std::uint64_t test_limit = 0;
  bool csv_header = false;
  std::string csv_delimiter = ",";
};

struct ModelConfig {
  std::string type = "rbm";
  std::string scalar = "float";        ///< float | double
  std::string visible_units = "bernoulli";
  std::string hidden_units = "bernoulli";
  std::uint64_t hidden = 100;
  double weight_init_stddev = 0.01;
};

struct TrainingConfig {
  std::string estimator = "pcd";  ///< cd | pcd | exact
  std::string sampler = "block_gibbs";
  unsigned k = 1;
  std::uint64_t chains = 0;       ///< PCD chains (0: batch size)
  std::uint64_t epochs = 10;
  std::uint64_t batch_size = 100;
  std::string update = "sgd";
  double learning_rate = 0.01;
  std::string schedule = "constant";
  double final_learning_rate = 0.001;
  double decay = 0.0;
  double momentum = 0.9;
  double initial_momentum = 0.5;
  std::uint64_t momentum_warmup_epochs = 5;
  double weight_decay = 0.0002;
};

struct MonitorConfig {
  std::uint64_t every = 1;
  std::uint64_t samples = 10000;  ///< monitors use the first N samples of each set (0: all)
  bool reconstruction = true;
  bool free_energy = true;
  bool pseudo_likelihood = false;
  std::uint64_t pseudo_likelihood_samples = 500;
  std::string exact_log_likelihood = "auto";  ///< auto | true | false
  unsigned exact_max_log2_states = 25;
};

struct OutputConfig {
  std::string log;      ///< per-epoch CSV (optional)
  std::string results;  ///< final JSON (optional)
};

struct ExperimentConfig {
  std::uint64_t seed = 1;
  DataConfig data;
  ModelConfig model;
  TrainingConfig training;
  MonitorConfig monitor;
  OutputConfig output;

  /// Declares every key on `file`, bound to the fields of this object.
  void declare_options(ConfigFile& file);
};

/// Reads `path` with `overrides` ("section.key=value"); relative data and
/// output paths are taken relative to the config file's folder.  Returns the
/// config and the ConfigFile (for the resolved listing).
ExperimentConfig load_experiment_config(const std::string& path, const std::vector<std::string>& overrides,
                                        std::vector<std::pair<std::string, std::string>>* resolved = nullptr);

/// The reference of every key with its default and description.
std::string experiment_config_reference();

}  // namespace ebm
