#include "libebm/monitors/ais_log_likelihood.hpp"

#include <cmath>
#include <optional>

#include "libebm/archive/clone.hpp"
#include "libebm/error.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/registry/register.hpp"
#include "models/deep_belief_net_bound.hpp"

namespace ebm {

template <typename eT>
void AisLogLikelihood<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("runs", 100, "independent AIS runs (chains)", "an integer >= 2",
                           [](const std::uint64_t& n) { return n >= 2; });
  declare_annealing_path_option(o);
  o.declare<std::string>("schedule", "0.5:500,0.9:4000,1:10000",
                         "inverse temperatures: END:STEPS,... from 0 to 1 (default: Salakhutdinov & Murray 2008)",
                         "a schedule such as 0.5:500,0.9:4000,1:10000", [](const std::string& s) {
                           try {
                             annealing_schedule(s);
                             return true;
                           } catch (const InputError&) {
                             return false;
                           }
                         });
  o.declare<bool>("reverse", true, "also run reverse AIS from data for a conservative bound", "true or false");
  o.declare<std::uint64_t>("reverse_chains", 100, "reverse AIS chains, started at the first held-out samples",
                           "an integer >= 2", [](const std::uint64_t& n) { return n >= 2; });
  o.declare<std::uint64_t>("samples", 10000, "average the log-likelihood over the first N samples (0: all)",
                           "an integer >= 0");
  o.declare<std::uint64_t>("seed", 1, "seed of the monitor's own generator", "an unsigned integer");
  o.declare<std::uint64_t>("dbn_draws", 10,
                           "deep belief nets: draws of the up pass per sample for the variational bound",
                           "an integer >= 1", [](const std::uint64_t& n) { return n >= 1; });
}

template <typename eT>
std::unique_ptr<AisLogLikelihood<eT>> AisLogLikelihood<eT>::create(const BlockOptions& o) {
  auto m = std::make_unique<AisLogLikelihood<eT>>();
  m->runs_ = o.get<std::uint64_t>("runs");
  m->schedule_ = o.get<std::string>("schedule");
  m->path_ = o.get<std::string>("path");
  m->reverse_ = o.get<bool>("reverse");
  m->reverse_chains_ = o.get<std::uint64_t>("reverse_chains");
  m->samples_ = o.get<std::uint64_t>("samples");
  m->seed_ = o.get<std::uint64_t>("seed");
  m->dbn_draws_ = o.get<std::uint64_t>("dbn_draws");
  return m;
}

void declare_annealing_path_option(BlockOptions& o) {
  o.declare<std::string>("path", "both",
                         "AIS path: base_rate (Salakhutdinov & Murray 2008: from the data marginals, everything "
                         "tempered), couplings (from the model without its couplings, only they tempered) or both "
                         "(the larger log Z; reverse AIS along that path)",
                         "base_rate, couplings or both", [](const std::string& s) {
                           return s == "base_rate" || s == "couplings" || s == "both";
                         });
}

void report_paths(const PathEstimates& paths, Measurements& out) {
  if (paths.each.size() < 2) return;
  for (const auto& [path, estimate] : paths.each)
    out.emplace_back(std::string("ais_") + annealing_path_name(path) + "_log_z", estimate.log_z);
}

template <typename eT>
void AisLogLikelihood<eT>::check_applies_to(const Model<eT>& model) const {
  if (dynamic_cast<const DeepBeliefNet<eT>*>(&model)) return;  // the bound through its top RBM
  if (model.n_layers() != 2 || model.n_connections() != 1 || !model.has_free_energy())
    throw ContractError("monitor 'ais': model '" + model.type_name() +
                        "' is not a two-layer model with a free energy nor a deep belief net (for a DBM or BM: the "
                        "variational_bound monitor)");
}

template <typename eT>
void AisLogLikelihood<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  if (const auto* dbn = dynamic_cast<const DeepBeliefNet<eT>*>(&model)) {
    if (dbn->n_levels() > 1) return measure_dbn(*dbn, data, out);
    // One level is an RBM: its exact free energy, no bound.
    return measure(*dbn->level(0), data, out);
  }
  const std::vector<double> betas = annealing_schedule(schedule_);
  // The base-rate model: the visible unit type fitted to the data marginals.
  std::unique_ptr<Layer<eT>> base = clone_layer(model.layer(0));
  base->initialize_from_data(*data.train);
  Rng rng(seed_);
  const PathEstimates paths = ais_log_partition_on_paths(model, *base, betas, runs_, rng, annealing_paths(path_));
  const LogPartitionEstimate& ais = paths.best;
  report_paths(paths, out);

  arma::Mat<eT> scratch;
  const double f_train = arma::mean(model.free_energy(leading_columns(*data.train, samples_, scratch)));
  out.emplace_back("ais_log_z", ais.log_z);
  out.emplace_back("ais_log_z_minus_3sd", ais.log_z_minus_3sigma);
  out.emplace_back("ais_log_z_plus_3sd", ais.log_z_plus_3sigma);
  out.emplace_back("ais_log_likelihood_train", -f_train - ais.log_z);
  out.emplace_back("ais_log_likelihood_train_minus_3sd", -f_train - ais.log_z_plus_3sigma);
  out.emplace_back("ais_log_likelihood_train_plus_3sd", -f_train - ais.log_z_minus_3sigma);
  double f_test = 0;
  if (data.test) {
    f_test = arma::mean(model.free_energy(leading_columns(*data.test, samples_, scratch)));
    out.emplace_back("ais_log_likelihood_test", -f_test - ais.log_z);
    // log Z higher -> likelihood lower.
    out.emplace_back("ais_log_likelihood_test_minus_3sd", -f_test - ais.log_z_plus_3sigma);
    out.emplace_back("ais_log_likelihood_test_plus_3sd", -f_test - ais.log_z_minus_3sigma);
  }
  if (reverse_) {
    const arma::Mat<eT>& source = data.test ? *data.test : *data.train;
    const arma::Mat<eT>& start = leading_columns(source, reverse_chains_, scratch);
    const arma::Mat<eT> start_copy = start;
    const LogPartitionEstimate reverse = reverse_ais_log_partition(model, *base, betas, start_copy, rng, 100, paths.best_path);
    out.emplace_back("reverse_ais_log_z", reverse.log_z);
    out.emplace_back("reverse_ais_log_likelihood_train", -f_train - reverse.log_z);
    if (data.test) out.emplace_back("reverse_ais_log_likelihood_test", -f_test - reverse.log_z);
  }
}

template <typename eT>
void AisLogLikelihood<eT>::measure_dbn(const DeepBeliefNet<eT>& dbn, const MonitorData<eT>& data, Measurements& out) {
  // Salakhutdinov & Murray 2008, section 5: log Z of the top RBM by AIS from
  // the base-rate model of the data the top RBM sees (the mean up pass of
  // the training data), and E_q[...] of the bound by drawing the up pass
  // (models/deep_belief_net_bound.hpp).
  const std::vector<double> betas = annealing_schedule(schedule_);
  const std::unique_ptr<Rbm<eT>> top = dbn.level(dbn.n_levels() - 1);
  arma::Mat<eT> scratch;
  std::unique_ptr<Layer<eT>> base = clone_layer(top->layer(0));
  base->initialize_from_data(dbn_top_data(dbn, leading_columns(*data.train, samples_, scratch)));
  Rng rng(seed_);
  const PathEstimates paths = ais_log_partition_on_paths(*top, *base, betas, runs_, rng, annealing_paths(path_));
  const LogPartitionEstimate& ais = paths.best;
  report_paths(paths, out);
  out.emplace_back("ais_log_z", ais.log_z);
  out.emplace_back("ais_log_z_minus_3sd", ais.log_z_minus_3sigma);
  out.emplace_back("ais_log_z_plus_3sd", ais.log_z_plus_3sigma);
  std::optional<LogPartitionEstimate> reverse;
  if (reverse_) {
    // Reverse AIS in the top RBM, started at sampled up passes of held-out
    // data: approximate samples of the top RBM's visible marginal (greedy
    // training fitted it to exactly these).
    const arma::Mat<eT>& source = data.test ? *data.test : *data.train;
    const arma::Mat<eT> start = dbn_top_data(dbn, leading_columns(source, reverse_chains_, scratch), &rng);
    reverse = reverse_ais_log_partition(*top, *base, betas, start, rng, 100, paths.best_path);
    out.emplace_back("reverse_ais_log_z", reverse->log_z);
  }
  auto report = [&](const arma::Mat<eT>& x, const std::string& set) {
    const DbnBoundEstimate e = dbn_bound_without_log_z(dbn, leading_columns(x, samples_, scratch), dbn_draws_, rng);
    const double mean = arma::mean(e.mean);
    // The sampling error of the average over cases and draws.
    const double error = std::sqrt(arma::accu(e.variance) / double(e.draws)) / double(e.mean.n_elem);
    const std::string key = "ais_log_likelihood_bound_" + set;
    out.emplace_back(key, mean - ais.log_z);
    // log Z higher -> bound lower.
    out.emplace_back(key + "_minus_3sd", mean - ais.log_z_plus_3sigma);
    out.emplace_back(key + "_plus_3sd", mean - ais.log_z_minus_3sigma);
    out.emplace_back("ais_bound_sampling_error_" + set, error);
    if (reverse) out.emplace_back("reverse_ais_log_likelihood_bound_" + set, mean - reverse->log_z);
  };
  report(*data.train, "train");
  if (data.test) report(*data.test, "test");
}

template <typename eT>
template <class Archive>
void AisLogLikelihood<eT>::serialize(Archive& ar, const unsigned int version) {
  using boost::serialization::make_nvp;
  ar& make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  ar& make_nvp("runs", runs_);
  ar& make_nvp("schedule", schedule_);
  ar& make_nvp("reverse", reverse_);
  ar& make_nvp("reverse_chains", reverse_chains_);
  ar& make_nvp("samples", samples_);
  ar& make_nvp("seed", seed_);
  if (version >= 1) ar& make_nvp("dbn_draws", dbn_draws_);
  if (version >= 2) {
    ar& make_nvp("path", path_);
    annealing_paths(path_);  // a corrupt value is refused here, not at the next measurement
  }
}

template class AisLogLikelihood<float>;
template class AisLogLikelihood<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::AisLogLikelihood,
             "log-likelihood bracket: AIS (+-3 sigma) and reverse AIS from data (Salakhutdinov & Murray 2008)")
