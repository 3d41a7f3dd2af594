#include "libebm/config/experiment_config.hpp"

#include <filesystem>
#include <set>

namespace ebm {

namespace {

std::function<bool()> one_of(const std::string* value, std::set<std::string> allowed) {
  return [value, allowed] { return allowed.count(*value) > 0; };
}

}  // namespace

void ExperimentConfig::declare_options(ConfigFile& f) {
  f.declare("seed", &seed, "seed of every random draw of the run", "an unsigned integer");

  f.declare("data.train", &data.train, "training data: IDX file (.gz or not) or CSV, one sample per record",
            "a file path");
  f.declare("data.test", &data.test, "held-out data for the monitors (optional)", "a file path");
  f.declare("data.format", &data.format, "file format", "idx, csv or auto");
  f.check("data.format", one_of(&data.format, {"idx", "csv", "auto"}), "idx, csv or auto");
  f.declare("data.binarize", &data.binarize, "how intensities become binary", "none, threshold or stochastic");
  f.check("data.binarize", one_of(&data.binarize, {"none", "threshold", "stochastic"}),
          "none, threshold or stochastic");
  f.declare("data.threshold", &data.threshold, "pixel > threshold is on (binarize = threshold)", "a number");
  f.declare("data.train_limit", &data.train_limit, "use the first N training samples (0: all)", "an integer >= 0");
  f.declare("data.test_limit", &data.test_limit, "use the first N held-out samples (0: all)", "an integer >= 0");
  f.declare("data.csv_header", &data.csv_header, "CSV files start with a header line", "true or false");
  f.declare("data.csv_delimiter", &data.csv_delimiter, "CSV field separator", "one character");
  f.check("data.csv_delimiter", [this] { return data.csv_delimiter.size() == 1; }, "one character");

  f.declare("model.type", &model.type, "model family", "rbm");
  f.check("model.type", one_of(&model.type, {"rbm"}), "rbm");
  f.declare("model.scalar", &model.scalar, "element type of the parameters", "float or double");
  f.check("model.scalar", one_of(&model.scalar, {"float", "double"}), "float or double");
  f.declare("model.visible_units", &model.visible_units, "unit type of the visible layer", "bernoulli or spin");
  f.check("model.visible_units", one_of(&model.visible_units, {"bernoulli", "spin"}), "bernoulli or spin");
  f.declare("model.hidden_units", &model.hidden_units, "unit type of the hidden layer", "bernoulli or spin");
  f.check("model.hidden_units", one_of(&model.hidden_units, {"bernoulli", "spin"}), "bernoulli or spin");
  f.declare("model.hidden", &model.hidden, "number of hidden units", "an integer >= 1");
  f.check("model.hidden", [this] { return model.hidden >= 1; }, "an integer >= 1");
  f.declare("model.weight_init_stddev", &model.weight_init_stddev, "standard deviation of the initial weights",
            "a number >= 0");
  f.check("model.weight_init_stddev", [this] { return model.weight_init_stddev >= 0; }, "a number >= 0");

  f.declare("training.estimator", &training.estimator, "gradient estimator", "cd, pcd or exact");
  f.check("training.estimator", one_of(&training.estimator, {"cd", "pcd", "exact"}), "cd, pcd or exact");
  f.declare("training.sampler", &training.sampler, "sampler moving the chains", "block_gibbs");
  f.check("training.sampler", one_of(&training.sampler, {"block_gibbs"}), "block_gibbs");
  f.declare("training.k", &training.k, "sampler steps per update (the k of CD-k / PCD-k)", "an integer >= 0");
  f.declare("training.chains", &training.chains, "persistent chains for pcd (0: the batch size)", "an integer >= 0");
  f.declare("training.epochs", &training.epochs, "passes over the training data", "an integer >= 1");
  f.check("training.epochs", [this] { return training.epochs >= 1; }, "an integer >= 1");
  f.declare("training.batch_size", &training.batch_size, "samples per minibatch", "an integer >= 1");
  f.check("training.batch_size", [this] { return training.batch_size >= 1; }, "an integer >= 1");
  f.declare("training.update", &training.update, "update rule", "sgd");
  f.check("training.update", one_of(&training.update, {"sgd"}), "sgd");
  f.declare("training.learning_rate", &training.learning_rate, "initial learning rate", "a number > 0");
  f.check("training.learning_rate", [this] { return training.learning_rate > 0; }, "a number > 0");
  f.declare("training.schedule", &training.schedule, "learning-rate schedule",
            "constant, linear, exponential or inverse");
  f.check("training.schedule", one_of(&training.schedule, {"constant", "linear", "exponential", "inverse"}),
          "constant, linear, exponential or inverse");
  f.declare("training.final_learning_rate", &training.final_learning_rate,
            "learning rate at the end of the run (linear, exponential)", "a number > 0");
  f.check("training.final_learning_rate", [this] { return training.final_learning_rate > 0; }, "a number > 0");
  f.declare("training.decay", &training.decay, "inverse schedule: lr / (1 + decay * epoch)", "a number >= 0");
  f.check("training.decay", [this] { return training.decay >= 0; }, "a number >= 0");
  f.declare("training.momentum", &training.momentum, "momentum after the warm-up", "a number in [0, 1)");
  f.check("training.momentum", [this] { return training.momentum >= 0 && training.momentum < 1; },
          "a number in [0, 1)");
  f.declare("training.initial_momentum", &training.initial_momentum, "momentum during the warm-up",
            "a number in [0, 1)");
  f.check("training.initial_momentum",
          [this] { return training.initial_momentum >= 0 && training.initial_momentum < 1; }, "a number in [0, 1)");
  f.declare("training.momentum_warmup_epochs", &training.momentum_warmup_epochs,
            "epochs that use initial_momentum", "an integer >= 0");
  f.declare("training.weight_decay", &training.weight_decay, "L2 penalty on the weights (not the biases)",
            "a number >= 0");
  f.check("training.weight_decay", [this] { return training.weight_decay >= 0; }, "a number >= 0");

  f.declare("monitor.every", &monitor.every, "measure every N epochs (and after the last)", "an integer >= 1");
  f.check("monitor.every", [this] { return monitor.every >= 1; }, "an integer >= 1");
  f.declare("monitor.samples", &monitor.samples, "monitors use the first N samples of each set (0: all)",
            "an integer >= 0");
  f.declare("monitor.reconstruction", &monitor.reconstruction, "mean squared reconstruction error",
            "true or false");
  f.declare("monitor.free_energy", &monitor.free_energy, "free energy of training and held-out data, and the gap",
            "true or false");
  f.declare("monitor.pseudo_likelihood", &monitor.pseudo_likelihood, "pseudo-log-likelihood (binary visible units)",
            "true or false");
  f.declare("monitor.pseudo_likelihood_samples", &monitor.pseudo_likelihood_samples,
            "samples for the pseudo-likelihood (it costs one free energy per visible unit)", "an integer >= 1");
  f.check("monitor.pseudo_likelihood_samples", [this] { return monitor.pseudo_likelihood_samples >= 1; },
          "an integer >= 1");
  f.declare("monitor.exact_log_likelihood", &monitor.exact_log_likelihood,
            "exact log-likelihood by enumeration; auto: when the model is small enough", "auto, true or false");
  f.check("monitor.exact_log_likelihood", one_of(&monitor.exact_log_likelihood, {"auto", "true", "false"}),
          "auto, true or false");
  f.declare("monitor.exact_max_log2_states", &monitor.exact_max_log2_states,
            "largest enumeration allowed, as log2 of the number of states", "an integer in [1, 34]");
  f.check("monitor.exact_max_log2_states",
          [this] { return monitor.exact_max_log2_states >= 1 && monitor.exact_max_log2_states <= 34; },
          "an integer in [1, 34]");

  f.declare("output.log", &output.log, "per-epoch measurements as CSV (optional)", "a file path");
  f.declare("output.results", &output.results, "final results as JSON (optional)", "a file path");
}

ExperimentConfig load_experiment_config(const std::string& path, const std::vector<std::string>& overrides,
                                        std::vector<std::pair<std::string, std::string>>* resolved) {
  ExperimentConfig config;
  ConfigFile file;
  config.declare_options(file);
  file.parse(path, overrides);
  // Paths in a config file are relative to the file, so a config works from
  // any working directory.
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  // Paths given with --set stay relative to the working directory.
  const std::pair<const char*, std::string*> paths[] = {{"data.train", &config.data.train},
                                                        {"data.test", &config.data.test},
                                                        {"output.log", &config.output.log},
                                                        {"output.results", &config.output.results}};
  for (const auto& [key, p] : paths)
    if (!p->empty() && std::filesystem::path(*p).is_relative() && file.origin(key).rfind("--set", 0) != 0)
      *p = (base / *p).lexically_normal().string();
  if (resolved) *resolved = file.resolved();
  return config;
}

std::string experiment_config_reference() {
  ExperimentConfig config;
  ConfigFile file;
  config.declare_options(file);
  return file.reference();
}

}  // namespace ebm
