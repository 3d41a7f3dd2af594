#include "models/dbm_pretraining.hpp"

#include <sstream>

#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/dbm_layer_rbm.hpp"

namespace ebm {

template <typename eT>
std::vector<double> pretrain_dbm(DeepBoltzmannMachine<eT>& dbm, const arma::Mat<eT>& data,
                                 const DbmPretraining<eT>& how, Rng& rng) {
  const arma::uword n_rbms = dbm.n_hidden_layers();
  std::vector<double> seconds;
  arma::Mat<eT> input = data;  // what RBM k is trained on: layer k-1's up-pass means
  std::vector<arma::Mat<eT>> lower_bias(dbm.n_layers()), upper_bias(dbm.n_layers());
  for (arma::uword k = 1; k <= n_rbms; ++k) {
    const eT up = (n_rbms > 1 && k < n_rbms) ? eT(2) : eT(1);
    const eT down = (n_rbms > 1 && k > 1) ? eT(2) : eT(1);
    DbmLayerRbm<eT> rbm(how.make_layer(dbm.layer(k - 1).type_name(), dbm.layer(k - 1).size()),
                        how.make_layer(dbm.layer(k).type_name(), dbm.layer(k).size()), up, down);
    rbm.initialize(input, rng, how.weight_stddev);
    auto estimator = how.make_estimator();
    auto rule = how.make_update_rule();
    Trainer<eT> trainer(rbm, *estimator, *rule, how.options);
    double s = 0;
    for (const auto& record : trainer.train(input, nullptr, rng)) s += record.seconds;
    seconds.push_back(s);

    dbm.weights(k) = rbm.weights();
    upper_bias[k] = rbm.layer(1).bias();      // layer k's bias as seen from below
    lower_bias[k - 1] = rbm.layer(0).bias();  // layer k-1's bias as seen from above
    if (k < n_rbms) {
      State<eT> state;
      rbm.positive_phase(input, state);
      input = std::move(state.layers[1]);
    }
  }
  // Compose: each layer between two RBMs takes the average of its two bias
  // estimates (its input is half from below, half from above).
  for (arma::uword l = 0; l < dbm.n_layers(); ++l) {
    const bool below = !upper_bias[l].is_empty(), above = !lower_bias[l].is_empty();
    if (below && above)
      dbm.layer(l).bias() = (upper_bias[l] + lower_bias[l]) * eT(0.5);
    else if (below)
      dbm.layer(l).bias() = upper_bias[l];
    else if (above)
      dbm.layer(l).bias() = lower_bias[l];
  }
  return seconds;
}

template <typename eT>
std::vector<std::string> pretrain_from_config(const ExperimentConfig& c, Model<eT>& model, const arma::Mat<eT>& data,
                                              Rng& rng) {
  auto* dbm = dynamic_cast<DeepBoltzmannMachine<eT>*>(&model);
  if (!dbm) return {};
  const std::uint64_t epochs = c.block(c.model_type).get<std::uint64_t>("pretrain_epochs");
  if (epochs == 0) return {};
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
  const std::vector<double> seconds = pretrain_dbm(*dbm, data, how, rng);
  std::ostringstream note;
  note << "dbm pretraining (" << epochs << " epochs per layer, weight doubling), seconds per layer:";
  for (double s : seconds) note << " " << s;
  return {note.str()};
}

template std::vector<std::string> pretrain_from_config<float>(const ExperimentConfig&, Model<float>&,
                                                              const arma::Mat<float>&, Rng&);
template std::vector<std::string> pretrain_from_config<double>(const ExperimentConfig&, Model<double>&,
                                                               const arma::Mat<double>&, Rng&);
template std::vector<double> pretrain_dbm<float>(DeepBoltzmannMachine<float>&, const arma::Mat<float>&,
                                                 const DbmPretraining<float>&, Rng&);
template std::vector<double> pretrain_dbm<double>(DeepBoltzmannMachine<double>&, const arma::Mat<double>&,
                                                  const DbmPretraining<double>&, Rng&);

}  // namespace ebm
