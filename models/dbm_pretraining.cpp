#include "models/dbm_pretraining.hpp"

#include <sstream>

#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/dbm_layer_rbm.hpp"

namespace ebm {

namespace {

/// Forwards the progress of one layer's RBM to the run's observer, each
/// epoch line marked with the level (dbm_pretrain_level = k).
class PretrainingObserver : public TrainingObserver {
 public:
  PretrainingObserver(TrainingObserver* next, arma::uword level) : next_(next), level_(level) {}
  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    next_->on_batch(step, batch, n_batches);
  }
  void on_epoch(const EpochRecord& r) override {
    EpochRecord marked = r;
    marked.measurements.insert(marked.measurements.begin(), {"dbm_pretrain_level", double(level_)});
    next_->on_epoch(marked);
  }

 private:
  TrainingObserver* next_;
  arma::uword level_;
};

}  // namespace

template <typename eT>
std::vector<double> pretrain_dbm(DeepBoltzmannMachine<eT>& dbm, const arma::Mat<eT>& data,
                                 const DbmPretraining<eT>& how, Rng& rng) {
  const arma::uword n_rbms = dbm.n_hidden_layers();
  const arma::uword done = dbm.pretrained_levels();  // > 0: a resumed run
  // RBM k joins layers k-1 and k, its messages doubled where the DBM's
  // layer will also hear from the other side.
  auto layer_rbm = [&](arma::uword k) {
    const eT up = (n_rbms > 1 && k < n_rbms) ? eT(2) : eT(1);
    const eT down = (n_rbms > 1 && k > 1) ? eT(2) : eT(1);
    return DbmLayerRbm<eT>(how.make_layer(dbm.layer(k - 1).type_name(), dbm.layer(k - 1).size()),
                           how.make_layer(dbm.layer(k).type_name(), dbm.layer(k).size()), up, down);
  };
  // upper[k-1]: layer k's bias as RBM k learned it.
  std::vector<arma::Mat<eT>> upper = dbm.pretraining_upper_biases();
  arma::Mat<eT> input = data;  // what RBM k is trained on: RBM k-1's up-pass means
  State<eT> state;
  // Resumed: the data of RBM done + 1 from the RBMs already trained (their
  // weights and upper biases are all an up-pass reads).
  for (arma::uword k = 1; k <= done && k < n_rbms; ++k) {
    DbmLayerRbm<eT> rbm = layer_rbm(k);
    rbm.weights() = dbm.weights(k);
    rbm.layer(1).bias() = upper.at(k - 1);
    rbm.positive_phase(input, state);
    input = std::move(state.layers[1]);
  }
  std::vector<double> seconds;
  for (arma::uword k = done + 1; k <= n_rbms; ++k) {
    DbmLayerRbm<eT> rbm = layer_rbm(k);
    rbm.initialize(input, rng, how.weight_stddev);
    auto estimator = how.make_estimator();
    auto rule = how.make_update_rule();
    Trainer<eT> trainer(rbm, *estimator, *rule, how.options);
    PretrainingObserver observer(how.observer, k);
    if (how.observer) trainer.set_observer(&observer);
    double s = 0;
    for (const auto& record : trainer.train(input, nullptr, rng)) s += record.seconds;
    seconds.push_back(s);

    // Compose as the RBMs finish: the DBM takes each W as it is; layer k-1's
    // bias is now final -- RBM 1's for the visible layer, the average of
    // its two estimates for a layer in between (its input is half from
    // below, half from above) -- and the top layer takes RBM L's.
    dbm.weights(k) = rbm.weights();
    const arma::Mat<eT>& lower = rbm.layer(0).bias();  // layer k-1's bias as seen from above
    dbm.layer(k - 1).bias() = k == 1 ? lower : arma::Mat<eT>((upper.at(k - 2) + lower) * eT(0.5));
    upper.push_back(rbm.layer(1).bias());
    if (k == n_rbms) {
      dbm.layer(k).bias() = upper.back();
      upper.clear();
    } else {
      rbm.positive_phase(input, state);
      input = std::move(state.layers[1]);
    }
    dbm.set_pretraining_progress(k, upper);
    if (how.after_level) how.after_level(k);
  }
  return seconds;
}

template <typename eT>
std::vector<std::string> pretrain_from_config(const ExperimentConfig& c, Model<eT>& model, const arma::Mat<eT>& data,
                                              Rng& rng, TrainingObserver* observer,
                                              const std::function<void(arma::uword)>& after_level) {
  auto* dbm = dynamic_cast<DeepBoltzmannMachine<eT>*>(&model);
  if (!dbm) return {};
  const std::uint64_t epochs = c.block(c.model_type).get<std::uint64_t>("pretrain_epochs");
  if (epochs == 0 || dbm->pretrained_levels() == dbm->n_hidden_layers()) return {};
  DbmPretraining<eT> how;
  how.make_layer = [&c](const std::string& type, arma::uword size) {
    return UnitsKind::registry<eT>::instance().create(type, c.block(type), size);
  };
  how.make_estimator = [&c] {
    return EstimatorKind::registry<eT>::instance().create(
        c.estimator, c.block(c.estimator), SamplerKind::registry<eT>::instance().create(c.sampler, c.block(c.sampler)));
  };
  BlockOptions update_options = c.block(c.update);
  const double learning_rate = c.block(c.model_type).get<double>("pretrain_learning_rate");
  if (learning_rate > 0) {
    if (!update_options.has("learning_rate"))
      throw InputError(c.model_type + ".pretrain_learning_rate: the update rule '" + c.update +
                       "' has no learning_rate option");
    update_options.set<double>("learning_rate", learning_rate);
  }
  how.make_update_rule = [&c, update_options] {
    return UpdateKind::registry<eT>::instance().create(c.update, update_options);
  };
  how.options.epochs = epochs;
  how.options.batch_size = c.batch_size;
  how.options.monitor_every = epochs;
  how.options.monitor_initial = false;
  how.weight_stddev = c.weight_init_stddev;
  how.observer = observer;
  how.after_level = after_level;
  const arma::uword first = dbm->pretrained_levels() + 1;
  const std::vector<double> seconds = pretrain_dbm(*dbm, data, how, rng);
  std::ostringstream note;
  note << "dbm pretraining (" << epochs << " epochs per layer, weight doubling), seconds per layer";
  if (first > 1) note << " (resumed at layer " << first << ")";
  note << ":";
  for (double s : seconds) note << " " << s;
  return {note.str()};
}

template std::vector<std::string> pretrain_from_config<float>(const ExperimentConfig&, Model<float>&,
                                                              const arma::Mat<float>&, Rng&, TrainingObserver*,
                                                              const std::function<void(arma::uword)>&);
template std::vector<std::string> pretrain_from_config<double>(const ExperimentConfig&, Model<double>&,
                                                               const arma::Mat<double>&, Rng&, TrainingObserver*,
                                                               const std::function<void(arma::uword)>&);
template std::vector<double> pretrain_dbm<float>(DeepBoltzmannMachine<float>&, const arma::Mat<float>&,
                                                 const DbmPretraining<float>&, Rng&);
template std::vector<double> pretrain_dbm<double>(DeepBoltzmannMachine<double>&, const arma::Mat<double>&,
                                                  const DbmPretraining<double>&, Rng&);

}  // namespace ebm
