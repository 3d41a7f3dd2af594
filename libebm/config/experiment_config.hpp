// Everything `ebm train` reads from a config file.
//
// Reading is two-pass.  The fixed keys (seed, [data], [model] type, [training]
// estimator/sampler/update, [monitor] list, [output]) name the block types;
// each named type's own options are then read from the section named after
// it -- [rbm], [pcd], [block_gibbs], [sgd], [bernoulli], [reconstruction],
// ... -- as declared by the type itself when it registered.  Unknown keys,
// malformed and out-of-range values are errors naming file:line and key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libebm/config/block_options.hpp"
#include "libebm/config/config_file.hpp"

namespace ebm {

struct DataConfig {
  std::string train;            ///< path of the training data (IDX, optionally .gz, or CSV)
  std::string test;             ///< path of held-out data (optional)
  std::string train_labels;     ///< class labels of train (optional; dbn.labels needs them)
  std::string test_labels;      ///< class labels of test (optional)
  std::string format = "auto";  ///< idx | csv | auto (by extension) | ratings ([ratings] section)
  std::string binarize = "threshold";  ///< none | threshold | stochastic
  double threshold = 0.5;
  std::uint64_t train_limit = 0;  ///< use only the first N training samples (0: all)
  std::uint64_t test_limit = 0;
  bool csv_header = false;
  std::string csv_delimiter = ",";
};

/// [ratings]: how `data.format = ratings` reads and models (user, item,
/// rating) data (issue 4; docs/recommender.md).
struct RatingsConfig {
  std::string format = "auto";        ///< tab | dat | csv | plain | auto (libebm/data/ratings.hpp)
  std::string orientation = "user";   ///< user: one sample per user over items; item: per item over users
  std::uint64_t levels = 5;           ///< rating levels K: value * scale is an integer in 1..K
  double scale = 1;                   ///< e.g. 2 for half stars
  bool binarize = false;              ///< liked (value >= liked_threshold) / not liked, 2 levels
  double liked_threshold = 3;
  double validation = 0;              ///< fraction of data.train held out to measure per epoch (0: none)
  std::string k_schedule = "1";       ///< CD steps over equal parts of training, e.g. "1 3 5 9"
  std::string items;                  ///< item titles (u.item or movies.dat), optional
  std::string unknown_ids = "allow";  ///< data.test ids without training ratings: allow (predicted from the biases) | error
};

struct OutputConfig {
  std::string directory;  ///< experiment record folder (optional): config, metadata, log, results, model, pictures
  bool pictures = true;   ///< filters, samples, reconstructions and curves in the record folder
  std::string image_shape;  ///< ROWSxCOLS of one sample for pictures ("": square)
  std::uint64_t sample_steps = 1000;  ///< sampler steps for samples.png
  std::string log;      ///< per-epoch CSV (optional)
  std::string results;  ///< final JSON (optional)
  std::string model;    ///< model archive written at the end (optional)
  std::string format = "binary";  ///< binary | text | xml, for the model and checkpoints
  std::string checkpoint;          ///< checkpoint written every checkpoint_every epochs (optional)
  std::uint64_t checkpoint_every = 1;
};

struct ExperimentConfig {
  std::uint64_t seed = 1;
  DataConfig data;
  RatingsConfig ratings;  ///< used when data.format = ratings
  std::string model_type = "rbm";
  std::string scalar = "float";
  double weight_init_stddev = 0.01;
  std::string estimator = "pcd";
  std::string sampler = "block_gibbs";
  std::string update = "sgd";
  std::uint64_t epochs = 10;
  std::uint64_t batch_size = 100;
  std::string centering = "none";  ///< none | data | data+hidden (libebm/training/centering.hpp)
  double centering_rate = 0.01;
  std::string monitors = "reconstruction, free_energy, exact_log_likelihood";
  std::uint64_t monitor_every = 1;
  OutputConfig output;

  /// The options of every block type the config names, by section (= type name).
  std::map<std::string, BlockOptions> blocks;
  /// The resolved config (every key with its final value) as INI text; it
  /// is stored in archives and checkpoints.
  std::string resolved_text;

  /// The monitor names of `monitors` (comma- or space-separated).
  std::vector<std::string> monitor_names() const;
  /// The options of the block named `name`; ContractError if not selected.
  const BlockOptions& block(const std::string& name) const;
};

/// Reads `path` with `overrides` ("section.key=value").  Relative data and
/// output paths in the file are taken relative to the file's folder.
ExperimentConfig load_experiment_config(const std::string& path, const std::vector<std::string>& overrides);

/// The same from config text (e.g. stored in a checkpoint); `name` is used
/// in error messages and relative paths are kept as they are.
ExperimentConfig parse_experiment_config(const std::string& name, const std::string& text,
                                         const std::vector<std::string>& overrides);

/// Every fixed key and every registered type's options, with defaults.
std::string experiment_config_reference();

}  // namespace ebm
