#include "libebm/experiment.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "libebm/data/binarize.hpp"
#include "libebm/data/csv_reader.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/monitors/exact_log_likelihood.hpp"
#include "libebm/monitors/free_energy_gap.hpp"
#include "libebm/monitors/pseudo_likelihood.hpp"
#include "libebm/monitors/reconstruction_error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/units/bernoulli_layer.hpp"
#include "libebm/units/spin_layer.hpp"
#include "models/rbm.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"

namespace ebm {

namespace {

// Separate, fixed streams for data preparation and for training, so that
// e.g. changing the binarization does not change the training draws.
constexpr std::uint64_t data_stream = 0x9e3779b97f4a7c15ull;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <typename eT>
arma::Mat<eT> load(const DataConfig& d, const std::string& path, std::uint64_t limit) {
  std::string format = d.format;
  if (format == "auto") format = (ends_with(path, ".csv") || ends_with(path, ".txt")) ? "csv" : "idx";
  if (format == "csv") {
    CsvOptions o;
    o.delimiter = d.csv_delimiter[0];
    o.header = d.csv_header;
    o.limit = limit;
    return read_csv<eT>(path, o);
  }
  return read_idx_images<eT>(path, limit);
}

template <typename eT>
void prepare(const DataConfig& d, arma::Mat<eT>& x, Rng& rng) {
  if (d.binarize == "threshold") binarize_threshold(x, eT(d.threshold));
  else if (d.binarize == "stochastic") binarize_stochastic(x, rng);
}

template <typename eT>
std::unique_ptr<Layer<eT>> make_layer(const std::string& type, arma::uword size) {
  if (type == BernoulliLayer<eT>::name) return std::make_unique<BernoulliLayer<eT>>(size);
  if (type == SpinLayer<eT>::name) return std::make_unique<SpinLayer<eT>>(size);
  throw InputError("unknown unit type '" + type + "'; expected bernoulli or spin");
}

template <typename eT>
std::unique_ptr<GradientEstimator<eT>> make_estimator(const TrainingConfig& t) {
  if (t.estimator == ExactGradient<eT>::name) return std::make_unique<ExactGradient<eT>>();
  auto sampler = std::make_unique<BlockGibbsSampler<eT>>();
  if (t.estimator == ContrastiveDivergence<eT>::name)
    return std::make_unique<ContrastiveDivergence<eT>>(std::move(sampler), t.k);
  if (t.estimator == PersistentContrastiveDivergence<eT>::name)
    return std::make_unique<PersistentContrastiveDivergence<eT>>(std::move(sampler), t.k, t.chains);
  throw InputError("unknown estimator '" + t.estimator + "'; expected cd, pcd or exact");
}

template <typename eT>
ExperimentResult run(const ExperimentConfig& c, TrainingObserver* observer) {
  ExperimentResult result;
  if (c.data.train.empty()) throw InputError("data.train: no training data given (set data.train = PATH)");
  Rng data_rng(c.seed ^ data_stream);
  arma::Mat<eT> train = load<eT>(c.data, c.data.train, c.data.train_limit);
  prepare(c.data, train, data_rng);
  arma::Mat<eT> test;
  if (!c.data.test.empty()) {
    test = load<eT>(c.data, c.data.test, c.data.test_limit);
    if (test.n_rows != train.n_rows)
      throw InputError(c.data.test + ": samples have " + std::to_string(test.n_rows) + " values, the training data " +
                       std::to_string(train.n_rows));
    prepare(c.data, test, data_rng);
  }
  if (train.n_cols == 0) throw InputError(c.data.train + ": no samples");
  if (c.model.visible_units == SpinLayer<eT>::name) {
    // Spin units take the values -1 and +1: map binary data x to 2x - 1.
    if (c.data.binarize == "none")
      throw InputError("model.visible_units = spin needs binary data: set data.binarize to threshold or stochastic");
    train = 2 * train - 1;
    if (test.n_cols) test = 2 * test - 1;
  }

  Rng rng(c.seed);
  Rbm<eT> model(make_layer<eT>(c.model.visible_units, train.n_rows), make_layer<eT>(c.model.hidden_units, c.model.hidden));
  model.initialize(train, rng, c.model.weight_init_stddev);
  auto estimator = make_estimator<eT>(c.training);

  SgdOptions sgd;
  sgd.schedule = LearningRateSchedule(LearningRateSchedule::parse_kind(c.training.schedule), c.training.learning_rate,
                                      c.training.final_learning_rate, c.training.decay);
  sgd.momentum = c.training.momentum;
  sgd.initial_momentum = c.training.initial_momentum;
  sgd.momentum_warmup_epochs = c.training.momentum_warmup_epochs;
  sgd.weight_decay = c.training.weight_decay;
  Sgd<eT> update_rule(sgd);

  TrainerOptions options;
  options.epochs = c.training.epochs;
  options.batch_size = c.training.batch_size;
  options.monitor_every = c.monitor.every;
  Trainer<eT> trainer(model, *estimator, update_rule, options);
  const arma::uword samples = c.monitor.samples;
  if (c.monitor.reconstruction) trainer.add_monitor(std::make_unique<ReconstructionError<eT>>(samples));
  if (c.monitor.free_energy) trainer.add_monitor(std::make_unique<FreeEnergyGap<eT>>(samples));
  if (c.monitor.pseudo_likelihood) {
    if (!model.visible().is_binary())
      throw InputError("monitor.pseudo_likelihood: needs binary visible units, not '" + c.model.visible_units + "'");
    trainer.add_monitor(std::make_unique<PseudoLikelihood<eT>>(c.monitor.pseudo_likelihood_samples));
  }
  if (c.monitor.exact_log_likelihood != "false") {
    const double cost = exact_log_partition_cost(model);
    if (cost >= 0 && cost <= c.monitor.exact_max_log2_states) {
      trainer.add_monitor(std::make_unique<ExactLogLikelihood<eT>>(samples, c.monitor.exact_max_log2_states));
    } else if (c.monitor.exact_log_likelihood == "true") {
      throw InputError("monitor.exact_log_likelihood = true: enumerating log Z needs 2^" + std::to_string(int(cost)) +
                       " states, above monitor.exact_max_log2_states = " +
                       std::to_string(c.monitor.exact_max_log2_states) + "; use fewer hidden units");
    } else {
      result.notes.push_back(cost < 0 ? std::string("exact log-likelihood skipped: both layers are too large to enumerate")
                                      : "exact log-likelihood skipped: log Z would need 2^" +
                                            std::to_string(int(cost)) + " states (limit 2^" +
                                            std::to_string(c.monitor.exact_max_log2_states) + ")");
    }
  }
  trainer.set_observer(observer);
  trainer.train(train, test.n_cols ? &test : nullptr, rng);

  result.model_type = model.type_name();
  result.scalar = c.model.scalar;
  result.n_visible = train.n_rows;
  result.n_hidden = c.model.hidden;
  result.n_train = train.n_cols;
  result.n_test = test.n_cols;
  result.epochs = c.training.epochs;
  result.updates = trainer.steps_taken();
  result.history = trainer.history();
  for (const auto& r : result.history) result.train_seconds += r.seconds;
  result.samples_per_second = result.train_seconds > 0 ? double(train.n_cols) * c.training.epochs / result.train_seconds : 0;
  if (!result.history.empty()) result.final_measurements = result.history.back().measurements;
  return result;
}

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  std::ostringstream out;
  out << std::setprecision(10) << x;
  return out.str();
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\', out += ch;
    else if (ch == '\n') out += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else out += ch;
  }
  return out + "\"";
}

}  // namespace

ExperimentResult run_experiment(const ExperimentConfig& config, TrainingObserver* observer) {
  ExperimentResult r = config.model.scalar == "double" ? run<double>(config, observer) : run<float>(config, observer);
  if (!config.output.log.empty()) write_file_atomically(config.output.log, r.history_csv());
  if (!config.output.results.empty()) write_file_atomically(config.output.results, r.to_json(config) + "\n");
  return r;
}

std::string ExperimentResult::to_json(const ExperimentConfig& c) const {
  std::ostringstream out;
  out << "{\"model\":" << json_string(model_type) << ",\"scalar\":" << json_string(scalar)
      << ",\"visible\":" << n_visible << ",\"hidden\":" << n_hidden << ",\"estimator\":" << json_string(c.training.estimator)
      << ",\"k\":" << c.training.k << ",\"seed\":" << c.seed << ",\"train_samples\":" << n_train
      << ",\"test_samples\":" << n_test << ",\"epochs\":" << epochs << ",\"updates\":" << updates
      << ",\"train_seconds\":" << json_number(train_seconds) << ",\"samples_per_second\":" << json_number(samples_per_second);
  for (const auto& [name, value] : final_measurements) out << "," << json_string(name) << ":" << json_number(value);
  out << ",\"version\":" << json_string(EBM_VERSION) << "}";
  return out.str();
}

std::string ExperimentResult::history_csv() const {
  std::vector<std::string> names;
  for (const auto& r : history)
    for (const auto& m : r.measurements)
      if (std::find(names.begin(), names.end(), m.first) == names.end()) names.push_back(m.first);
  std::ostringstream out;
  out << "epoch,seconds";
  for (const auto& n : names) out << "," << n;
  out << "\n" << std::setprecision(10);
  for (const auto& r : history) {
    out << r.epoch << "," << r.seconds;
    for (const auto& n : names) {
      const double v = r.get(n);
      out << ",";
      if (std::isfinite(v)) out << v;
    }
    out << "\n";
  }
  return out.str();
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (!f) throw InputError(path + ": cannot write (cannot create " + temporary + ")");
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                    ::fsync(fileno(f)) == 0;
    if (std::fclose(f) != 0 || !ok) {
      std::remove(temporary.c_str());
      throw InputError(path + ": write failed");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw InputError(path + ": cannot replace the file");
  }
}

}  // namespace ebm
