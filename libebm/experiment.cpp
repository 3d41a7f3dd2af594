#include "libebm/experiment.hpp"

#include <unistd.h>

#include <cmath>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/data/binarize.hpp"
#include "libebm/data/csv_reader.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/io/experiment_record.hpp"
#include "libebm/io/json.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/dbm_pretraining.hpp"
#include "samplers/parallel_tempering_sampler.hpp"

namespace ebm {

template <typename eT>
arma::Mat<eT> load_data(const DataConfig& d, const std::string& path, std::uint64_t limit, Rng& data_rng);

namespace {

// Separate, fixed streams for data preparation and for training, so that
// e.g. changing the binarization does not change the training draws.
constexpr std::uint64_t data_stream = 0x9e3779b97f4a7c15ull;

/// Local time as ISO 8601, for the experiment record.
std::string now_text() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  return buf;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <typename eT>
ModelContext<eT> model_context(const ExperimentConfig& c, arma::uword n_visible) {
  ModelContext<eT> context;
  context.n_visible = n_visible;
  context.make_layer = [&c](const std::string& type, arma::uword size) {
    return UnitsKind::registry<eT>::instance().create(type, c.block(type), size);
  };
  return context;
}

/// Saves the checkpoint after every output.checkpoint_every epochs and
/// after the last, then passes the epoch on to the user's observer.
template <typename eT>
class CheckpointWriter : public TrainingObserver {
 public:
  CheckpointWriter(const ExperimentConfig& c, TrainingObserver* next, const Model<eT>& model,
                   const GradientEstimator<eT>& estimator, const UpdateRule<eT>& rule, const Rng& rng,
                   const Trainer<eT>*& trainer)
      : c_(c), next_(next), model_(model), estimator_(estimator), rule_(rule), rng_(rng), trainer_(trainer) {}

  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (next_) next_->on_batch(step, batch, n_batches);
  }
  void on_epoch(const EpochRecord& record) override {
    if (!c_.output.checkpoint.empty() && record.epoch > 0 &&
        (record.epoch % c_.output.checkpoint_every == 0 || record.epoch == c_.epochs))
      save_checkpoint(c_.output.checkpoint, c_.resolved_text, model_, estimator_, rule_, rng_, trainer_->steps_taken(),
                      trainer_->history(), parse_encoding(c_.output.format));
    if (next_) next_->on_epoch(record);
  }

 private:
  const ExperimentConfig& c_;
  TrainingObserver* next_;
  const Model<eT>& model_;
  const GradientEstimator<eT>& estimator_;
  const UpdateRule<eT>& rule_;
  const Rng& rng_;
  const Trainer<eT>*& trainer_;
};

template <typename eT>
ExperimentResult run(const ExperimentConfig& c, TrainingObserver* observer, TrainingCheckpoint<eT>* resume) {
  ExperimentResult result;
  if (c.data.train.empty()) throw InputError("data.train: no training data given (set data.train = PATH)");
  const std::string started = now_text();
  if (!c.output.directory.empty()) {
    std::error_code error;
    std::filesystem::create_directories(c.output.directory, error);
    if (error) throw InputError(c.output.directory + ": cannot create the record folder (" + error.message() + ")");
    write_file_atomically((std::filesystem::path(c.output.directory) / "config.ini").string(), c.resolved_text);
  }
  Rng data_rng = data_rng_for(c.seed);
  arma::Mat<eT> train = load_data<eT>(c.data, c.data.train, c.data.train_limit, data_rng);
  arma::Mat<eT> test;
  if (!c.data.test.empty()) {
    test = load_data<eT>(c.data, c.data.test, c.data.test_limit, data_rng);
    if (test.n_rows != train.n_rows)
      throw InputError(c.data.test + ": samples have " + std::to_string(test.n_rows) + " values, the training data " +
                       std::to_string(train.n_rows));
  }
  if (train.n_cols == 0) throw InputError(c.data.train + ": no samples");

  Rng rng(c.seed);
  std::unique_ptr<Model<eT>> model;
  std::unique_ptr<GradientEstimator<eT>> estimator;
  std::unique_ptr<UpdateRule<eT>> update_rule;
  if (resume) {
    model = std::move(resume->model);
    estimator = std::move(resume->estimator);
    update_rule = std::move(resume->update_rule);
    rng.set_state(resume->rng_state);
    if (model->n_visible() != train.n_rows)
      throw InputError(c.data.train + ": samples have " + std::to_string(train.n_rows) +
                       " values, the checkpoint's model has " + std::to_string(model->n_visible()) + " visible units");
  } else {
    model = ModelKind::registry<eT>::instance().create(c.model_type, c.block(c.model_type),
                                                      model_context<eT>(c, train.n_rows));
  }
  if (c.data.binarize != "none") {
    // Binary data in the visible unit type's own encoding (e.g. spins: -1/+1).
    model->layer(0).from_binary(train);
    if (test.n_cols) model->layer(0).from_binary(test);
  }
  if (!resume) {
    // A sampler that cannot handle the model (block Gibbs on lateral
    // couplings) is a config error: say so before any work, with a probe
    // chain on its own generator so the run's draws are untouched.
    try {
      auto probe_sampler = SamplerKind::registry<eT>::instance().create(c.sampler, c.block(c.sampler));
      State<eT> probe;
      Rng probe_rng(c.seed);
      probe_sampler->initialize_chains(*model, probe, 1, probe_rng);
      probe_sampler->run(*model, probe, 0, probe_rng);
    } catch (const ContractError& e) {
      throw InputError("training.sampler = " + c.sampler + ": " + e.what());
    }
    model->initialize(train, rng, c.weight_init_stddev);
    estimator = EstimatorKind::registry<eT>::instance().create(
        c.estimator, c.block(c.estimator), SamplerKind::registry<eT>::instance().create(c.sampler, c.block(c.sampler)));
    update_rule = UpdateKind::registry<eT>::instance().create(c.update, c.block(c.update));
    // Greedy layer-wise pretraining for the models that have it (the DBM),
    // through the same Trainer and block types, before the joint training.
    // A resumed run is past it.
    for (auto& note : pretrain_from_config<eT>(c, *model, train, rng)) result.notes.push_back(note);
  }

  TrainerOptions options;
  options.epochs = c.epochs;
  options.batch_size = c.batch_size;
  options.monitor_every = c.monitor_every;
  Trainer<eT> trainer(*model, *estimator, *update_rule, options);
  for (const std::string& name : c.monitor_names()) {
    const BlockOptions& o = c.block(name);
    try {
      trainer.add_monitor(MonitorKind::registry<eT>::instance().create(name, o));
    } catch (const ContractError& e) {
      if (o.has("required") && !o.get<bool>("required")) result.notes.push_back(std::string(e.what()) + "; skipped");
      else throw InputError(std::string(e.what()));
    }
  }
  if (resume) trainer.restore(resume->steps, std::move(resume->history));
  const Trainer<eT>* trainer_pointer = &trainer;
  CheckpointWriter<eT> writer(c, observer, *model, *estimator, *update_rule, rng, trainer_pointer);
  trainer.set_observer(&writer);
  const arma::uword first_epoch = trainer.history().empty() ? 0 : trainer.history().back().epoch;
  trainer.train(train, test.n_cols ? &test : nullptr, rng);

  if (!c.output.model.empty()) save_model(c.output.model, *model, c.resolved_text, parse_encoding(c.output.format));
  if (const auto* pt = dynamic_cast<const ParallelTemperingSampler<eT>*>(estimator->sampler_if_any())) {
    std::ostringstream rates;
    rates << "parallel tempering swap rates between neighbouring temperatures:";
    for (double r : pt->swap_rates()) rates << " " << std::setprecision(3) << r;
    result.notes.push_back(rates.str());
  }

  result.model_type = model->type_name();
  result.scalar = scalar_name<eT>();
  for (arma::uword l = 0; l < model->n_layers(); ++l) result.layer_sizes.push_back(model->layer(l).size());
  result.n_train = train.n_cols;
  result.n_test = test.n_cols;
  result.epochs = c.epochs;
  result.updates = trainer.steps_taken();
  result.history = trainer.history();
  for (const auto& r : result.history)
    if (r.epoch > first_epoch) result.train_seconds += r.seconds;
  result.samples_per_second =
      result.train_seconds > 0 ? double(train.n_cols) * double(c.epochs - first_epoch) / result.train_seconds : 0;
  if (!result.history.empty()) result.final_measurements = result.history.back().measurements;

  if (!c.output.directory.empty()) {
    const std::filesystem::path dir(c.output.directory);
    if (c.output.pictures) {
      PictureOptions pictures;
      if (!c.output.image_shape.empty()) {
        unsigned long rows = 0, cols = 0;
        std::sscanf(c.output.image_shape.c_str(), "%lux%lu", &rows, &cols);
        pictures.image_rows = rows, pictures.image_cols = cols;
      }
      pictures.sample_steps = c.output.sample_steps;
      pictures.sampler = c.sampler;
      pictures.seed = c.seed;
      for (const auto& n : write_pictures(dir.string(), *model, test.n_cols ? test : train, pictures))
        result.notes.push_back(n);
      for (const auto& n : write_curves(dir.string(), result.history)) result.notes.push_back(n);
    }
    std::ostringstream run;
    run << "{\"seed\":" << c.seed << ",\"version\":\"" << EBM_VERSION << "\",\"git_revision\":\"" << git_revision()
        << "\",\"scalar\":\"" << scalar_name<eT>() << "\",\"started\":\"" << started << "\",\"finished\":\"" << now_text()
        << "\",\"resumed\":" << (resume ? "true" : "false") << ",\"train_seconds\":" << result.train_seconds << "}\n";
    write_file_atomically((dir / "run.json").string(), run.str());
  }
  return result;
}

}  // namespace


template <typename eT>
arma::Mat<eT> load_data(const DataConfig& d, const std::string& path, std::uint64_t limit, Rng& data_rng) {
  std::string format = d.format;
  if (format == "auto") format = (ends_with(path, ".csv") || ends_with(path, ".txt")) ? "csv" : "idx";
  arma::Mat<eT> x;
  if (format == "csv") {
    CsvOptions o;
    o.delimiter = d.csv_delimiter[0];
    o.header = d.csv_header;
    o.limit = limit;
    x = read_csv<eT>(path, o);
  } else {
    x = read_idx_images<eT>(path, limit);
  }
  if (d.binarize == "threshold") binarize_threshold(x, eT(d.threshold));
  else if (d.binarize == "stochastic") binarize_stochastic(x, data_rng);
  return x;
}

template arma::Mat<float> load_data<float>(const DataConfig&, const std::string&, std::uint64_t, Rng&);
template arma::Mat<double> load_data<double>(const DataConfig&, const std::string&, std::uint64_t, Rng&);

Rng data_rng_for(std::uint64_t seed) { return Rng(seed ^ data_stream); }

namespace {

void write_outputs(const ExperimentConfig& config, const ExperimentResult& r) {
  if (!config.output.log.empty()) write_file_atomically(config.output.log, r.history_csv());
  if (!config.output.results.empty()) write_file_atomically(config.output.results, r.to_json(config) + "\n");
}

template <typename eT>
ExperimentResult resume(const std::string& checkpoint, const std::vector<std::string>& overrides,
                        TrainingObserver* observer, ExperimentConfig& config) {
  TrainingCheckpoint<eT> state = load_checkpoint<eT>(checkpoint);
  config = parse_experiment_config(checkpoint + " (its stored config)", state.config, overrides);
  if (config.scalar != scalar_name<eT>())
    throw InputError("--set model.scalar: a resumed run keeps the checkpoint's scalar type " +
                     std::string(scalar_name<eT>()));
  ExperimentResult r = run<eT>(config, observer, &state);
  write_outputs(config, r);
  return r;
}

}  // namespace

ExperimentResult run_experiment(const ExperimentConfig& config, TrainingObserver* observer) {
  ExperimentResult r = config.scalar == "double" ? run<double>(config, observer, nullptr)
                                                 : run<float>(config, observer, nullptr);
  write_outputs(config, r);
  return r;
}

ExperimentResult resume_experiment(const std::string& checkpoint, const std::vector<std::string>& overrides,
                                   TrainingObserver* observer, ExperimentConfig* config_out) {
  const ArchiveHeader header = read_archive_header(checkpoint);
  ExperimentConfig config;
  ExperimentResult r = header.scalar == "double" ? resume<double>(checkpoint, overrides, observer, config)
                                                 : resume<float>(checkpoint, overrides, observer, config);
  if (config_out) *config_out = config;
  return r;
}

std::string ExperimentResult::to_json(const ExperimentConfig& c) const {
  std::ostringstream out;
  out << "{\"model\":" << json_string(model_type) << ",\"scalar\":" << json_string(scalar) << ",\"layers\":[";
  for (std::size_t l = 0; l < layer_sizes.size(); ++l) out << (l ? "," : "") << layer_sizes[l];
  out << "],\"estimator\":" << json_string(c.estimator) << ",\"seed\":" << c.seed << ",\"train_samples\":" << n_train
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
