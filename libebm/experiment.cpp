#include "libebm/experiment.hpp"

#include <unistd.h>

#include <algorithm>
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
#include "libebm/data/label_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/io/experiment_record.hpp"
#include "libebm/io/json.hpp"
#include "libebm/recommender/ratings_experiment.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/dbm_pretraining.hpp"
#include "models/deep_belief_net.hpp"
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
                   GradientEstimator<eT>& estimator, const UpdateRule<eT>& rule, const Rng& rng,
                   const Trainer<eT>*& trainer, bool writes)
      : c_(c),
        next_(next),
        model_(model),
        estimator_(estimator),
        rule_(rule),
        rng_(rng),
        trainer_(trainer),
        writes_(writes) {}

  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (next_) next_->on_batch(step, batch, n_batches);
  }
  void on_epoch(const EpochRecord& record) override {
    if (!c_.output.checkpoint.empty() && record.epoch > 0 &&
        (record.epoch % c_.output.checkpoint_every == 0 || record.epoch == c_.epochs)) {
      // Split persistent chains are saved whole (collective), so that any
      // number of processes can resume them.
      estimator_.join_shards();
      if (writes_)
        save_checkpoint(c_.output.checkpoint, c_.resolved_text, model_, estimator_, rule_, rng_,
                        trainer_->steps_taken(), trainer_->history(), parse_encoding(c_.output.format));
      estimator_.split_shards();
    }
    if (next_) next_->on_epoch(record);
  }

 private:
  const ExperimentConfig& c_;
  TrainingObserver* next_;
  const Model<eT>& model_;
  GradientEstimator<eT>& estimator_;
  const UpdateRule<eT>& rule_;
  const Rng& rng_;
  const Trainer<eT>*& trainer_;
  bool writes_;
};

/// The gradient estimator (with its sampler) and update rule a config names.
template <typename eT>
struct TrainingBlocks {
  std::unique_ptr<GradientEstimator<eT>> estimator;
  std::unique_ptr<UpdateRule<eT>> update_rule;
};

template <typename eT>
TrainingBlocks<eT> make_training_blocks(const ExperimentConfig& c) {
  TrainingBlocks<eT> b;
  b.estimator = EstimatorKind::registry<eT>::instance().create(
      c.estimator, c.block(c.estimator), SamplerKind::registry<eT>::instance().create(c.sampler, c.block(c.sampler)));
  b.update_rule = UpdateKind::registry<eT>::instance().create(c.update, c.block(c.update));
  return b;
}

struct TrainingOutcome {
  std::vector<EpochRecord> history;
  arma::uword steps = 0;
  arma::uword first_epoch = 0;  ///< the epoch training started from (> 0 when resumed)
};

/// THE training path of a run: the one Trainer with the config's batches,
/// epochs and monitors, driving `model` with `estimator` and `update_rule`.
/// Every model trains through it -- a plain model once, a deep belief net
/// once per level.  `resume` (may be null) continues a checkpointed run;
/// with `checkpoints`, output.checkpoint is written every
/// output.checkpoint_every epochs.  Monitors that do not apply and are not
/// required leave a note in `result`.
template <typename eT>
TrainingOutcome train_model(const ExperimentConfig& c, Model<eT>& model, GradientEstimator<eT>& estimator,
                            UpdateRule<eT>& update_rule, arma::uword epochs, const arma::Mat<eT>& train,
                            const arma::Mat<eT>* test, Rng& rng, TrainingObserver* observer,
                            TrainingCheckpoint<eT>* resume, bool checkpoints, ExperimentResult& result,
                            Communicator* communicator) {
  Trainer<eT> trainer(model, estimator, update_rule, trainer_options(c, epochs));
  if (communicator) trainer.set_communicator(communicator);
  add_config_monitors(c, trainer, result.notes);
  if (resume) trainer.restore(resume->steps, std::move(resume->history));
  const Trainer<eT>* trainer_pointer = &trainer;
  CheckpointWriter<eT> writer(c, observer, model, estimator, update_rule, rng, trainer_pointer,
                              !communicator || communicator->rank() == 0);
  trainer.set_observer(checkpoints ? &writer : observer);
  TrainingOutcome out;
  out.first_epoch = trainer.history().empty() ? 0 : trainer.history().back().epoch;
  trainer.train(train, test, rng);
  out.history = trainer.history();
  out.steps = trainer.steps_taken();
  return out;
}

/// Shows one level of a greedy stack to the run's observer as part of one
/// run: epochs continue across levels and measurements are named
/// "level<k>.<name>" (k from 1, the hidden layer x_k the level adds).
class LevelObserver : public TrainingObserver {
 public:
  LevelObserver(TrainingObserver* next, arma::uword level, arma::uword epoch_offset)
      : next_(next), prefix_("level" + std::to_string(level) + "."), offset_(epoch_offset) {}
  EpochRecord renamed(const EpochRecord& r) const {
    EpochRecord out = r;
    out.epoch += offset_;
    for (auto& m : out.measurements) m.first = prefix_ + m.first;
    return out;
  }
  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (next_) next_->on_batch(step, batch, n_batches);
  }
  void on_epoch(const EpochRecord& r) override {
    if (next_) next_->on_epoch(renamed(r));
  }

 private:
  TrainingObserver* next_;
  std::string prefix_;
  arma::uword offset_;
};

struct GreedyOutcome {
  arma::uword epochs = 0;  ///< epochs of every level
  double seconds = 0, samples_trained = 0;  ///< of the levels trained in this run
};

/// The generator for propagating samples up from level k during greedy
/// training: a stream of its own per level, so that resuming at a level
/// boundary recomputes the lower levels' outputs exactly.
Rng propagation_rng(std::uint64_t seed, arma::uword level) {
  return Rng(seed ^ (data_stream * (2 * level + 3)));
}

/// Greedy layer-wise training of a deep belief net (Hinton, Osindero & Teh
/// 2006): level k is trained as a stand-alone RBM through train_model() on
/// the up-pass activations of the data under the levels below, then copied
/// into the net.  A checkpoint is written after each level (output.checkpoint);
/// resuming from it continues with the next level.
///
/// With label units (dbn.labels; Hinton, Osindero & Teh 2006) the top
/// level's data is [features; one-hot label] from `train_labels`, and its
/// held-out data the same from `test_labels` (without them the top level is
/// monitored on training data only).
template <typename eT>
GreedyOutcome train_greedily(const ExperimentConfig& c, DeepBeliefNet<eT>& dbn, const arma::Mat<eT>& train,
                             const arma::Mat<eT>& test, const arma::urowvec* train_labels,
                             const arma::urowvec* test_labels, Rng& rng, TrainingObserver* observer,
                             TrainingCheckpoint<eT>* resume, ExperimentResult& result, Communicator* communicator) {
  GreedyOutcome g;
  const arma::uword first_level = resume ? dbn.trained_levels() : 0;
  if (resume) {
    result.history = std::move(resume->history);
    result.updates = resume->steps;
  }
  arma::Mat<eT> x = train, x_test = test, next;
  arma::uword epoch_offset = 0;
  for (arma::uword k = 0; k < dbn.n_levels(); ++k) {
    const arma::uword epochs = dbn.level_epochs(k) ? dbn.level_epochs(k) : c.epochs;
    if (k + 1 == dbn.n_levels() && dbn.n_classes() > 0) {
      // The top RBM models [x_{L-1}; y]: the labels join its data.
      dbn.join_labels(x, train_labels, next);
      x.swap(next);
      if (x_test.n_cols && test_labels) {
        dbn.join_labels(x_test, test_labels, next);
        x_test.swap(next);
      } else {
        x_test.reset();
      }
    }
    if (k >= first_level) {
      std::unique_ptr<Rbm<eT>> level = dbn.level(k);
      level->initialize(x, rng, c.weight_init_stddev);
      TrainingBlocks<eT> blocks = make_training_blocks<eT>(c);
      LevelObserver named(observer, k + 1, epoch_offset);
      ExperimentResult level_notes;
      const TrainingOutcome o = train_model<eT>(c, *level, *blocks.estimator, *blocks.update_rule, epochs, x,
                                            x_test.n_cols ? &x_test : nullptr, rng, &named, nullptr, false, level_notes,
                                                communicator);
      for (const auto& n : level_notes.notes) result.notes.push_back("level " + std::to_string(k + 1) + ": " + n);
      dbn.set_level(k, *level);
      dbn.set_trained_levels(k + 1);
      for (const EpochRecord& r : o.history) {
        const EpochRecord renamed = named.renamed(r);
        // A level's epoch 0 (before training) is the epoch the level below ended with.
        if (!result.history.empty() && result.history.back().epoch == renamed.epoch)
          for (const auto& m : renamed.measurements) result.history.back().measurements.push_back(m);
        else result.history.push_back(renamed);
        g.seconds += r.seconds;
      }
      result.updates += o.steps;
      g.samples_trained += double(x.n_cols) * double(epochs);
      if (!c.output.checkpoint.empty()) {
        blocks.estimator->join_shards();  // split persistent chains are saved whole
        if (!communicator || communicator->rank() == 0)
          save_checkpoint(c.output.checkpoint, c.resolved_text, static_cast<const Model<eT>&>(dbn), *blocks.estimator,
                          *blocks.update_rule, rng, result.updates, result.history, parse_encoding(c.output.format));
        blocks.estimator->split_shards();
      }
    }
    epoch_offset += epochs;
    if (k + 1 < dbn.n_levels()) {
      Rng up_rng = propagation_rng(c.seed, k);
      Rng* draw = dbn.propagate_samples() ? &up_rng : nullptr;
      dbn.up(k, x, next, draw);
      x.swap(next);
      if (x_test.n_cols) {
        dbn.up(k, x_test, next, draw);
        x_test.swap(next);
      }
    }
  }
  g.epochs = epoch_offset;
  // Every level's last measurements (each level's names are its own).
  for (const EpochRecord& r : result.history)
    for (const auto& [name, value] : r.measurements) {
      // A copy of the binding: C++17 lambdas cannot capture structured
      // bindings (clang rejects it; tools/fuzz.sh builds with clang 14).
      const std::string& key = name;
      auto same = std::find_if(result.final_measurements.begin(), result.final_measurements.end(),
                               [&key](const auto& m) { return m.first == key; });
      if (same == result.final_measurements.end()) result.final_measurements.emplace_back(name, value);
      else same->second = value;
    }
  return g;
}

}  // namespace

TrainerOptions trainer_options(const ExperimentConfig& c, std::uint64_t epochs) {
  TrainerOptions options;
  options.epochs = epochs;
  options.batch_size = c.batch_size;
  options.monitor_every = c.monitor_every;
  options.centering.mode = parse_centering_mode(c.centering, "training.centering");
  options.centering.rate = c.centering_rate;
  return options;
}

template <typename eT>
void add_config_monitors(const ExperimentConfig& c, Trainer<eT>& trainer, std::vector<std::string>& notes) {
  for (const std::string& name : c.monitor_names()) {
    const BlockOptions& o = c.block(name);
    try {
      trainer.add_monitor(MonitorKind::registry<eT>::instance().create(name, o));
    } catch (const ContractError& e) {
      if (o.has("required") && !o.get<bool>("required")) notes.push_back(std::string(e.what()) + "; skipped");
      else throw InputError(std::string(e.what()));
    }
  }
}

template void add_config_monitors<float>(const ExperimentConfig&, Trainer<float>&, std::vector<std::string>&);
template void add_config_monitors<double>(const ExperimentConfig&, Trainer<double>&, std::vector<std::string>&);

namespace {

template <typename eT>
ExperimentResult run(const ExperimentConfig& c, TrainingObserver* observer, TrainingCheckpoint<eT>* resume,
                     Communicator* communicator) {
  // Ratings (issue 4): the same model, estimator, update rule and Trainer,
  // with sparse data and a recommender's evaluation (libebm/recommender/).
  if (c.data.format == "ratings") return run_ratings_experiment<eT>(c, observer, resume, communicator);
  ExperimentResult result;
  if (c.data.train.empty()) throw InputError("data.train: no training data given (set data.train = PATH)");
  const std::string started = now_text();
  // In a data-parallel run only rank 0 writes files and reports.
  const bool writes = !communicator || communicator->rank() == 0;
  if (!writes) observer = nullptr;
  if (writes && !c.output.directory.empty()) {
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
  const arma::Mat<eT>* test_pointer = test.n_cols ? &test : nullptr;
  arma::uword first_epoch = 0, epochs_run = 0;
  double samples_trained = 0;  // training samples processed by updates in this run
  if (auto* dbn = dynamic_cast<DeepBeliefNet<eT>*>(model.get())) {
    // A deep belief net: its levels, one after the other, through the same
    // training path (greedy stacking, models/deep_belief_net.hpp).
    arma::urowvec train_labels, test_labels;
    const bool labelled = dbn->n_classes() > 0;
    if (labelled) {
      if (c.data.train_labels.empty())
        throw InputError("dbn.labels = " + std::to_string(dbn->n_classes()) +
                         ": the label units need data.train_labels (one class per training sample)");
      train_labels = read_labels(c.data.train_labels, c.data.train_limit);
      check_labels(train_labels, train.n_cols, dbn->n_classes(), "data.train_labels = " + c.data.train_labels,
                   c.data.train);
      if (test.n_cols && !c.data.test_labels.empty()) {
        test_labels = read_labels(c.data.test_labels, c.data.test_limit);
        check_labels(test_labels, test.n_cols, dbn->n_classes(), "data.test_labels = " + c.data.test_labels,
                     c.data.test);
      }
    }
    const GreedyOutcome g = train_greedily(c, *dbn, train, test, labelled ? &train_labels : nullptr,
                                           test_labels.n_elem ? &test_labels : nullptr, rng, observer, resume, result,
                                           communicator);
    epochs_run = g.epochs, samples_trained = g.samples_trained;
    result.train_seconds = g.seconds;
    if (test_labels.n_elem) {
      // The net's own classification of the held-out data: argmin over the
      // labels of the top RBM's free energy.
      arma::mat log_p;
      dbn->class_log_probabilities(test, log_p);
      const arma::urowvec predicted = arma::index_max(log_p, 0);
      double log_likelihood = 0;
      for (arma::uword i = 0; i < log_p.n_cols; ++i) log_likelihood += log_p(test_labels[i], i);
      result.final_measurements.emplace_back("label_accuracy_test",
                                             double(arma::accu(predicted == test_labels)) / double(test.n_cols));
      result.final_measurements.emplace_back("label_log_likelihood_test", log_likelihood / double(test.n_cols));
    }
  } else {
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
      TrainingBlocks<eT> blocks = make_training_blocks<eT>(c);
      estimator = std::move(blocks.estimator);
      update_rule = std::move(blocks.update_rule);
    }
    // Greedy layer-wise pretraining for the models that have it (the DBM),
    // through the same Trainer and block types, before the joint training.
    // Each layer's stage is recorded: a checkpoint after every layer's RBM
    // (the model with its pretraining progress, the joint blocks untouched,
    // no steps, no history), so an interrupted run resumes at the next RBM
    // and one interrupted before the first joint checkpoint resumes the
    // joint training -- bit-identical either way.  A run resumed past it
    // does nothing here.  In a data-parallel run every process pretrains
    // alike (same data and seed).
    auto checkpoint_pretraining = [&](arma::uword) {
      if (!c.output.checkpoint.empty() && writes)
        save_checkpoint(c.output.checkpoint, c.resolved_text, static_cast<const Model<eT>&>(*model), *estimator,
                        *update_rule, rng, 0, {}, parse_encoding(c.output.format));
    };
    for (auto& note : pretrain_from_config<eT>(c, *model, train, rng, observer, checkpoint_pretraining))
      result.notes.push_back(note);
    const TrainingOutcome o = train_model(c, *model, *estimator, *update_rule, c.epochs, train, test_pointer, rng,
                                          observer, resume, true, result, communicator);
    first_epoch = o.first_epoch;
    result.updates = o.steps;
    result.history = o.history;
    for (const auto& r : result.history)
      if (r.epoch > first_epoch) result.train_seconds += r.seconds;
    epochs_run = c.epochs;
    samples_trained = double(train.n_cols) * double(c.epochs - first_epoch);
  }

  if (writes && !c.output.model.empty())
    save_model(c.output.model, *model, c.resolved_text, parse_encoding(c.output.format));
  if (const auto* pt =
          estimator ? dynamic_cast<const ParallelTemperingSampler<eT>*>(estimator->sampler_if_any()) : nullptr) {
    std::ostringstream rates;
    rates << "parallel tempering swap rates between neighbouring temperatures:";
    for (double r : pt->swap_rates()) rates << " " << std::setprecision(3) << r;
    result.notes.push_back(rates.str());
  }

  result.model_type = model->type_name();
  result.scalar = scalar_name<eT>();
  if (const auto* dbn = dynamic_cast<const DeepBeliefNet<eT>*>(model.get())) result.layer_sizes = dbn->layer_sizes();
  else
    for (arma::uword l = 0; l < model->n_layers(); ++l) result.layer_sizes.push_back(model->layer(l).size());
  result.n_train = train.n_cols;
  result.n_test = test.n_cols;
  result.epochs = epochs_run;
  result.samples_per_second = result.train_seconds > 0 ? samples_trained / result.train_seconds : 0;
  if (result.final_measurements.empty() && !result.history.empty())
    result.final_measurements = result.history.back().measurements;

  if (writes && !c.output.directory.empty()) {
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
                        TrainingObserver* observer, ExperimentConfig& config, Communicator* communicator) {
  TrainingCheckpoint<eT> state = load_checkpoint<eT>(checkpoint);
  config = parse_experiment_config(checkpoint + " (its stored config)", state.config, overrides);
  if (config.scalar != scalar_name<eT>())
    throw InputError("--set model.scalar: a resumed run keeps the checkpoint's scalar type " +
                     std::string(scalar_name<eT>()));
  ExperimentResult r = run<eT>(config, observer, &state, communicator);
  if (!communicator || communicator->rank() == 0) write_outputs(config, r);
  return r;
}

}  // namespace

ExperimentResult run_experiment(const ExperimentConfig& config, TrainingObserver* observer,
                                Communicator* communicator) {
  ExperimentResult r = config.scalar == "double" ? run<double>(config, observer, nullptr, communicator)
                                                 : run<float>(config, observer, nullptr, communicator);
  if (!communicator || communicator->rank() == 0) write_outputs(config, r);
  return r;
}

ExperimentResult resume_experiment(const std::string& checkpoint, const std::vector<std::string>& overrides,
                                   TrainingObserver* observer, ExperimentConfig* config_out,
                                   Communicator* communicator) {
  const ArchiveHeader header = read_archive_header(checkpoint);
  ExperimentConfig config;
  ExperimentResult r = header.scalar == "double"
                           ? resume<double>(checkpoint, overrides, observer, config, communicator)
                           : resume<float>(checkpoint, overrides, observer, config, communicator);
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
