#include "libebm/recommender/ratings_experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "libebm/archive/archive_file.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/recommender/rbm_recommender.hpp"
#include "libebm/registry/kinds.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"

namespace ebm {

RatingsTable RatingsData::to_levels(const RatingsTable& t, const RatingsConfig& c) const {
  RatingsTable out = t;
  for (auto& r : out.ratings) {
    const unsigned level = rating_level(t, r, unsigned(c.levels), c.scale);
    r.value = binarize ? (r.value >= threshold ? 2.0 : 1.0) : double(level);
  }
  return out;
}

RatingsTable RatingsData::to_targets(const RatingsTable& t) const {
  RatingsTable out = t;
  if (binarize)
    for (auto& r : out.ratings) r.value = r.value >= threshold ? 1.0 : 0.0;
  return out;
}

SparseRatings RatingsData::sparse(const RatingsTable& levels_table) const {
  return SparseRatings::build(levels_table, users.size(), items.size(), item_based, levels, 1.0);
}

RatingsData load_ratings_data(const ExperimentConfig& c, bool with_test) {
  if (c.data.train.empty()) throw InputError("data.train: no training ratings given (set data.train = PATH)");
  RatingsData d;
  d.item_based = c.ratings.orientation == "item";
  d.binarize = c.ratings.binarize;
  d.threshold = c.ratings.liked_threshold;
  d.levels = d.binarize ? 2 : unsigned(c.ratings.levels);
  d.scale = d.binarize ? 1.0 : c.ratings.scale;
  d.train = read_ratings(c.data.train, c.ratings.format, d.users, d.items, true);
  // The held-out file is read even when only the training ratings are
  // wanted: its ids belong to the model's id space (a test-only item is a
  // variable without training ratings).
  if (!c.data.test.empty())
    d.test = read_ratings(c.data.test, c.ratings.format, d.users, d.items, c.ratings.unknown_ids == "allow");
  if (!with_test) d.test = RatingsTable{};
  // Check every rating now, so a bad one is reported before training.
  (void)d.to_levels(d.train, c.ratings);
  if (!d.test.ratings.empty()) (void)d.to_levels(d.test, c.ratings);
  return d;
}

template <typename eT>
std::vector<double> predict_ratings(const Rbm<eT>& model, const RatingsData& data, const SparseRatings& known,
                                    const std::vector<std::pair<arma::uword, arma::uword>>& pairs) {
  RbmRecommender<eT> recommender(model, known, data.item_based);
  if (data.binarize) {
    const arma::mat p = recommender.level_probabilities(pairs);
    return arma::conv_to<std::vector<double>>::from(p.row(1));
  }
  std::vector<double> out = recommender.expected_levels(pairs);
  for (double& x : out) x = std::min(double(data.levels), std::max(1.0, x)) / data.scale;
  return out;
}

namespace {

std::vector<std::pair<arma::uword, arma::uword>> pairs_of(const RatingsTable& t) {
  std::vector<std::pair<arma::uword, arma::uword>> out;
  out.reserve(t.ratings.size());
  for (const auto& r : t.ratings) out.emplace_back(r.user, r.item);
  return out;
}

std::string format_report(const RatingsEvaluation& e, bool binarize, std::size_t n, const std::string& what) {
  std::ostringstream out;
  char line[200];
  out << what << ": " << n << " held-out ratings\n";
  if (binarize) {
    std::snprintf(line, sizeof line, "  %-34s %12s %12s\n", "predictor", "entry error", "user error");
    out << line;
    for (const Score* s : {&e.model}) {
      std::snprintf(line, sizeof line, "  %-34s %12.4f %12.4f\n", s->name.c_str(), s->entry_error, s->user_error);
      out << line;
    }
    for (const auto& s : e.baselines) {
      std::snprintf(line, sizeof line, "  %-34s %12.4f %12.4f\n", s.name.c_str(), s.entry_error, s.user_error);
      out << line;
    }
  } else {
    std::snprintf(line, sizeof line, "  %-34s %8s %8s\n", "predictor", "RMSE", "MAE");
    out << line;
    std::snprintf(line, sizeof line, "  %-34s %8.4f %8.4f\n", e.model.name.c_str(), e.model.rmse, e.model.mae);
    out << line;
    for (const auto& s : e.baselines) {
      std::snprintf(line, sizeof line, "  %-34s %8.4f %8.4f\n", s.name.c_str(), s.rmse, s.mae);
      out << line;
    }
  }
  auto key = [binarize](const Score& s) { return binarize ? s.entry_error : s.rmse; };
  const Score& best = *std::min_element(e.baselines.begin(), e.baselines.end(),
                                        [&](const Score& a, const Score& b) { return key(a) < key(b); });
  std::snprintf(line, sizeof line, "%s %s the best baseline (%s): %s %.4f vs %.4f\n", e.model.name.c_str(),
                e.beats_best ? "beats" : "does NOT beat", best.name.c_str(), binarize ? "per-entry error" : "RMSE",
                key(e.model), key(best));
  out << line;
  return out.str();
}

}  // namespace

template <typename eT>
RatingsEvaluation evaluate_recommender(const Rbm<eT>& model, const RatingsData& data, const RatingsConfig& c,
                                       const RatingsTable& known, const RatingsTable& queries, std::uint64_t seed,
                                       const std::string& model_name) {
  const SparseRatings sparse = data.sparse(data.to_levels(known, c));
  const std::vector<double> predicted = predict_ratings(model, data, sparse, pairs_of(queries));
  const RatingsTable known_targets = data.to_targets(known), targets = data.to_targets(queries);
  RatingsEvaluation e;
  if (data.binarize) {
    std::vector<double> decided(predicted.size());
    for (std::size_t q = 0; q < predicted.size(); ++q) decided[q] = predicted[q] > 0.5 ? 1.0 : 0.0;
    e.model = score_binary(model_name, targets, decided);
    e.baselines = binary_baselines(known_targets, targets, data.users.size(), data.items.size());
  } else {
    e.model = score_ratings(model_name, targets, predicted);
    e.baselines = rating_baselines(known_targets, targets, data.users.size(), data.items.size(), 1.0 / data.scale,
                                   double(data.levels) / data.scale, seed);
  }
  e.beats_best = true;
  for (const auto& b : e.baselines)
    e.beats_best = e.beats_best && (data.binarize ? e.model.entry_error < b.entry_error : e.model.rmse < b.rmse);
  e.report = format_report(e, data.binarize, queries.ratings.size(), queries.path);
  return e;
}

namespace {

template <typename eT>
class SparseSource : public BatchSource<eT> {
 public:
  explicit SparseSource(const SparseRatings& s) : s_(s) {}
  arma::uword n_samples() const override { return s_.n_samples; }
  arma::uword n_rows() const override { return s_.n_variables * s_.levels; }
  void gather(const arma::uvec& columns, arma::Mat<eT>& out) const override { s_.gather(columns, out); }

 private:
  const SparseRatings& s_;
};

/// Grows CD's k by ratings.k_schedule and scores the validation ratings.
template <typename eT>
class RatingsObserver : public TrainingObserver {
 public:
  RatingsObserver(const ExperimentConfig& c, TrainingObserver* next, GradientEstimator<eT>& estimator,
                  const Rbm<eT>* model, const RatingsData& data, const SparseRatings& fit,
                  const RatingsTable& validation, arma::uword epochs_done, bool writes)
      : c_(c),
        next_(next),
        estimator_(estimator),
        model_(model),
        data_(data),
        fit_(fit),
        validation_(validation),
        writes_(writes) {
    cd_ = dynamic_cast<ContrastiveDivergence<eT>*>(&estimator);
    std::string token;
    for (char ch : c.ratings.k_schedule + " ") {  // checked when the config was read
      if (ch >= '0' && ch <= '9') token += ch;
      else if (!token.empty()) schedule_.push_back(unsigned(std::stoul(token))), token.clear();
    }
    if (schedule_.empty()) schedule_.push_back(1);
    set_k(epochs_done);  // a resumed run continues the schedule where it stopped
  }
  /// Checkpoints as ordinary runs write them (output.checkpoint), after
  /// CD's k for the next epoch is set so that the checkpoint holds it.
  void write_checkpoints(const Rng* rng, const Trainer<eT>* trainer, const UpdateRule<eT>* rule) {
    rng_ = rng, trainer_ = trainer, rule_ = rule;
  }
  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (next_) next_->on_batch(step, batch, n_batches);
  }
  void on_epoch(const EpochRecord& record) override {
    if (record.epoch > 0) set_k(record.epoch);
    if (trainer_ && !c_.output.checkpoint.empty() && record.epoch > 0 &&
        (record.epoch % c_.output.checkpoint_every == 0 || record.epoch == c_.epochs)) {
      // Split per-case chains are saved whole (collective), so that any
      // number of processes can resume them.
      estimator_.join_shards();
      if (writes_)
        save_checkpoint(c_.output.checkpoint, c_.resolved_text, static_cast<const Model<eT>&>(*model_), estimator_,
                        *rule_, *rng_, trainer_->steps_taken(), trainer_->history(),
                        parse_encoding(c_.output.format));
      estimator_.split_shards();
    }
    if (model_ && !validation_.ratings.empty() &&
        (record.epoch % c_.monitor_every == 0 || record.epoch == c_.epochs)) {
      const std::vector<double> p = predict_ratings(*model_, data_, fit_, pairs_of(validation_));
      const RatingsTable t = data_.to_targets(validation_);
      double value;
      if (data_.binarize) {
        std::vector<double> decided(p.size());
        for (std::size_t q = 0; q < p.size(); ++q) decided[q] = p[q] > 0.5 ? 1.0 : 0.0;
        value = score_binary("", t, decided).entry_error;
      } else {
        value = score_ratings("", t, p).rmse;
      }
      validation_scores.emplace_back(record.epoch, value);
      if (writes_)
        std::fprintf(stderr, "epoch %llu: validation %s %.4f\n", (unsigned long long)record.epoch,
                   data_.binarize ? "per-entry error" : "RMSE", value);
    }
    if (next_) next_->on_epoch(record);
  }
  std::vector<std::pair<arma::uword, double>> validation_scores;

 private:
  void set_k(arma::uword epochs_done) {
    if (!cd_) return;
    const std::size_t part = std::min<std::size_t>(schedule_.size() - 1, epochs_done * schedule_.size() / c_.epochs);
    cd_->set_k(schedule_[part]);
  }
  const ExperimentConfig& c_;
  TrainingObserver* next_;
  GradientEstimator<eT>& estimator_;
  const Rng* rng_ = nullptr;
  const Trainer<eT>* trainer_ = nullptr;
  const UpdateRule<eT>* rule_ = nullptr;
  const Rbm<eT>* model_;
  const RatingsData& data_;
  const SparseRatings& fit_;
  const RatingsTable& validation_;
  bool writes_;
  ContrastiveDivergence<eT>* cd_ = nullptr;
  std::vector<unsigned> schedule_;
};

}  // namespace

template <typename eT>
ExperimentResult run_ratings_experiment(const ExperimentConfig& c, TrainingObserver* observer,
                                        TrainingCheckpoint<eT>* resume, Communicator* communicator) {
  ExperimentResult result;
  // In a data-parallel run only rank 0 writes files and reports.
  const bool writes = !communicator || communicator->rank() == 0;
  if (!writes) observer = nullptr;
  if (writes && !c.output.directory.empty()) {  // the record folder: config, log, results and model (no pictures)
    std::error_code error;
    std::filesystem::create_directories(c.output.directory, error);
    if (error) throw InputError(c.output.directory + ": cannot create the record folder (" + error.message() + ")");
    write_file_atomically((std::filesystem::path(c.output.directory) / "config.ini").string(), c.resolved_text);
  }
  RatingsData data = load_ratings_data(c, true);
  RatingsTable fit = data.train, validation;
  if (c.ratings.validation > 0) {
    Rng split_rng = data_rng_for(c.seed);
    split_ratings(data.train, c.ratings.validation, false, split_rng, fit, validation);
  }
  const SparseRatings sparse = data.sparse(data.to_levels(fit, c.ratings));

  Rng rng(c.seed);
  ModelContext<eT> context;
  context.n_visible = sparse.n_variables * sparse.levels;
  context.make_layer = [&c](const std::string& type, arma::uword size) {
    return UnitsKind::registry<eT>::instance().create(type, c.block(type), size);
  };
  std::unique_ptr<Model<eT>> model =
      resume ? std::move(resume->model)
             : ModelKind::registry<eT>::instance().create(c.model_type, c.block(c.model_type), context);
  const auto* rbm = dynamic_cast<const Rbm<eT>*>(model.get());
  if (!rbm) throw InputError("model.type: data.format = ratings needs an rbm, not '" + model->type_name() + "'");
  RbmRecommender<eT> check(*rbm, sparse, data.item_based);  // the visible layer fits the ratings (InputError if not)

  // Layer::initialize_from_data of softmax units only needs the count of
  // each (variable, level) over the samples, which is the sum of the
  // one-hot columns: pass that one column instead of densifying the data.
  arma::Mat<eT> counts(context.n_visible, 1, arma::fill::zeros);
  for (arma::uword e = 0; e < sparse.n_ratings(); ++e) counts(sparse.variables[e] * sparse.levels + sparse.level[e], 0) += 1;
  std::unique_ptr<GradientEstimator<eT>> estimator;
  std::unique_ptr<UpdateRule<eT>> update_rule;
  if (resume) {  // the checkpoint's model, chains, momentum and generator
    estimator = std::move(resume->estimator);
    update_rule = std::move(resume->update_rule);
    rng.set_state(resume->rng_state);
  } else {
    model->initialize(counts, rng, c.weight_init_stddev);
    estimator = EstimatorKind::registry<eT>::instance().create(
        c.estimator, c.block(c.estimator), SamplerKind::registry<eT>::instance().create(c.sampler, c.block(c.sampler)));
    update_rule = UpdateKind::registry<eT>::instance().create(c.update, c.block(c.update));
  }

  Trainer<eT> trainer(*model, *estimator, *update_rule, trainer_options(c, c.epochs));
  if (communicator) trainer.set_communicator(communicator);
  if (resume) trainer.restore(resume->steps, std::move(resume->history));
  add_config_monitors(c, trainer, result.notes);
  // The monitors see a fixed dense slice: the first 200 samples.
  arma::Mat<eT> monitor_train;
  sparse.gather(arma::regspace<arma::uvec>(0, std::min<arma::uword>(200, sparse.n_samples) - 1), monitor_train);
  // CD's chains start at the minibatch and PCD's per-case chains are set
  // from their case's data, so both keep each sample's observed ratings.
  const auto* pcd = dynamic_cast<const PersistentContrastiveDivergence<eT>*>(estimator.get());
  if (!dynamic_cast<const ContrastiveDivergence<eT>*>(estimator.get()) && !(pcd && pcd->uses_case_chains(*model)))
    result.notes.push_back("training.estimator = " + c.estimator +
                           ": its chains do not keep each sample's observed ratings (CD's and PCD's per-case chains "
                           "do), so its model term is the full model's over every " +
                           (data.item_based ? std::string("user") : std::string("item")) +
                           " and ratings.k_schedule is ignored; prefer cd or pcd for ratings");
  else if (pcd)
    result.notes.push_back("training.estimator = pcd: ratings.k_schedule is ignored (pcd.k steps per update)");
  const arma::uword epochs_done = trainer.history().empty() ? 0 : trainer.history().back().epoch;
  RatingsObserver<eT> watcher(c, observer, *estimator, rbm, data, sparse, validation, epochs_done, writes);
  watcher.write_checkpoints(&rng, &trainer, update_rule.get());
  trainer.set_observer(&watcher);
  SparseSource<eT> source(sparse);
  trainer.train(source, monitor_train, nullptr, rng);
  if (writes && !c.output.model.empty())
    save_model(c.output.model, *model, c.resolved_text, parse_encoding(c.output.format));

  result.model_type = model->type_name();
  result.scalar = scalar_name<eT>();
  for (arma::uword l = 0; l < model->n_layers(); ++l) result.layer_sizes.push_back(model->layer(l).size());
  result.n_train = sparse.n_samples;
  result.epochs = c.epochs;
  result.updates = trainer.steps_taken();
  result.history = trainer.history();
  for (const auto& [epoch, value] : watcher.validation_scores)
    for (auto& r : result.history)
      if (r.epoch == epoch) r.measurements.emplace_back(data.binarize ? "validation_entry_error" : "validation_rmse", value);
  for (const auto& r : result.history) result.train_seconds += r.seconds;
  result.samples_per_second = result.train_seconds > 0 ? double(sparse.n_samples) * double(c.epochs) / result.train_seconds : 0;
  if (!result.history.empty()) result.final_measurements = result.history.back().measurements;

  const std::string name = std::string("rbm (") + (data.item_based ? "item" : "user") + "-based, " +
                           std::to_string(rbm->hidden().size()) + " hidden)";
  if (!validation.ratings.empty()) {
    const auto e = evaluate_recommender(*rbm, data, c.ratings, fit, validation, c.seed, name);
    result.notes.push_back(e.report);
  }
  if (!data.test.ratings.empty()) {
    const auto e = evaluate_recommender(*rbm, data, c.ratings, data.train, data.test, c.seed, name);
    result.n_test = data.test.ratings.size();
    auto& m = result.final_measurements;
    if (data.binarize) {
      m.emplace_back("test_entry_error", e.model.entry_error);
      m.emplace_back("test_user_error", e.model.user_error);
    } else {
      m.emplace_back("test_rmse", e.model.rmse);
      m.emplace_back("test_mae", e.model.mae);
    }
    for (const auto& b : e.baselines) {
      std::string key;
      for (char ch : b.name) {
        if (ch == ' ' || ch == '+' || ch == '-') key += '_';
        else if (ch == '(') break;
        else key += ch;
      }
      while (!key.empty() && key.back() == '_') key.pop_back();
      if (data.binarize) m.emplace_back("baseline_" + key + "_entry_error", b.entry_error);
      else m.emplace_back("baseline_" + key + "_rmse", b.rmse);
    }
    m.emplace_back("beats_best_baseline", e.beats_best ? 1.0 : 0.0);
    result.notes.push_back(e.report);
  }
  return result;
}

#define EBM_INSTANTIATE(eT)                                                                                          \
  template RatingsEvaluation evaluate_recommender<eT>(const Rbm<eT>&, const RatingsData&, const RatingsConfig&,      \
                                                      const RatingsTable&, const RatingsTable&, std::uint64_t,       \
                                                      const std::string&);                                           \
  template std::vector<double> predict_ratings<eT>(const Rbm<eT>&, const RatingsData&, const SparseRatings&,         \
                                                   const std::vector<std::pair<arma::uword, arma::uword>>&);         \
  template ExperimentResult run_ratings_experiment<eT>(const ExperimentConfig&, TrainingObserver*,                  \
                                                       TrainingCheckpoint<eT>*, Communicator*);
EBM_INSTANTIATE(float)
EBM_INSTANTIATE(double)
#undef EBM_INSTANTIATE

}  // namespace ebm
