#include "libebm/monitors/variational_bound.hpp"

#include <cmath>
#include <optional>

#include "libebm/archive/clone.hpp"
#include "libebm/error.hpp"
#include "libebm/monitors/ais_log_likelihood.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
void VariationalBound<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("samples", 10000, "average the bound over the first N samples (0: all)", "an integer >= 0");
  o.declare<std::uint64_t>("max_log2_states", 20, "log Z exactly when it needs at most 2^N states, else by AIS",
                           "an integer in [0, 34]", [](const std::uint64_t& n) { return n <= 34; });
  o.declare<std::uint64_t>("runs", 100, "AIS runs (chains)", "an integer >= 2",
                           [](const std::uint64_t& n) { return n >= 2; });
  declare_annealing_path_option(o);
  o.declare<std::string>("schedule", "0.5:500,0.9:4000,1:10000", "AIS inverse temperatures: END:STEPS,...",
                         "a schedule such as 0.5:500,0.9:4000,1:10000", [](const std::string& s) {
                           try {
                             annealing_schedule(s);
                             return true;
                           } catch (const InputError&) {
                             return false;
                           }
                         });
  o.declare<std::uint64_t>("seed", 1, "seed of the monitor's own generator", "an unsigned integer");
  o.declare<bool>("reverse", true,
                  "with log Z by AIS, also run reverse AIS from data (the conservative end of the bracket)",
                  "true or false");
  o.declare<std::uint64_t>("reverse_chains", 100, "reverse AIS chains, started at the first held-out samples",
                           "an integer >= 2", [](const std::uint64_t& n) { return n >= 2; });
  o.declare<std::uint64_t>("reverse_clamped_steps", 100,
                           "reverse AIS: Gibbs steps with v clamped that draw the start of the other even layers",
                           "an integer >= 0");
  o.declare<bool>("required", true, "fail when the bound does not apply to the model (false: skip with a note)",
                  "true or false");
}

template <typename eT>
std::unique_ptr<VariationalBound<eT>> VariationalBound<eT>::create(const BlockOptions& o) {
  auto m = std::make_unique<VariationalBound<eT>>();
  m->samples_ = o.get<std::uint64_t>("samples");
  m->max_log2_states_ = unsigned(o.get<std::uint64_t>("max_log2_states"));
  m->runs_ = o.get<std::uint64_t>("runs");
  m->schedule_ = o.get<std::string>("schedule");
  m->path_ = o.get<std::string>("path");
  m->seed_ = o.get<std::uint64_t>("seed");
  m->reverse_ = o.get<bool>("reverse");
  m->reverse_chains_ = o.get<std::uint64_t>("reverse_chains");
  m->reverse_clamped_steps_ = o.get<std::uint64_t>("reverse_clamped_steps");
  return m;
}

template <typename eT>
void VariationalBound<eT>::check_applies_to(const Model<eT>& model) const {
  for (arma::uword l = 1; l < model.n_layers(); ++l)
    if (!model.layer(l).is_binary())
      throw ContractError("monitor 'variational_bound': latent layer " + std::to_string(l) + " (" +
                          model.layer(l).type_name() + ") does not take values in {0, 1}");
}

template <typename eT>
arma::rowvec VariationalBound<eT>::bound_without_log_z(const Model<eT>& model, const arma::Mat<eT>& v) {
  State<eT> q;
  model.positive_phase(v, q);
  arma::rowvec bound = -model.energy(q);
  for (arma::uword l = 1; l < model.n_layers(); ++l) {
    const arma::mat mu = arma::clamp(arma::conv_to<arma::mat>::from(q.layers[l]), 0.0, 1.0);
    // H(mu) = -mu log mu - (1 - mu) log(1 - mu), with 0 log 0 = 0.
    arma::mat h = mu;
    h.transform([](double m) {
      double e = 0;
      if (m > 0) e -= m * std::log(m);
      if (m < 1) e -= (1 - m) * std::log1p(-m);
      return e;
    });
    bound += arma::sum(h, 0);
  }
  return bound;
}

template <typename eT>
void VariationalBound<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  double log_z = 0, log_z_low = 0, log_z_high = 0;
  std::optional<double> reverse_log_z;
  arma::Mat<eT> scratch;
  const double cost = exact_log_partition_cost(model);
  if (cost >= 0 && cost <= max_log2_states_) {
    log_z = log_z_low = log_z_high = exact_log_partition(model, max_log2_states_);
  } else {
    std::unique_ptr<Layer<eT>> base = clone_layer(model.layer(0));
    base->initialize_from_data(*data.train);
    Rng rng(seed_);
    const PathEstimates paths =
        ais_log_partition_on_paths(model, *base, annealing_schedule(schedule_), runs_, rng, annealing_paths(path_));
    const LogPartitionEstimate& ais = paths.best;
    report_paths(paths, out);
    log_z = ais.log_z, log_z_low = ais.log_z_minus_3sigma, log_z_high = ais.log_z_plus_3sigma;
    out.emplace_back("ais_log_z", log_z);
    out.emplace_back("ais_log_z_minus_3sd", log_z_low);
    out.emplace_back("ais_log_z_plus_3sd", log_z_high);
    if (reverse_) {
      // Reverse AIS from held-out data, the even hidden layers drawn from
      // p(h | v) (libebm/partition/annealed_importance_sampling.hpp): an
      // overestimate of log Z in expectation, so the bound from it is
      // conservative, where forward AIS's tends to be too high.
      const arma::Mat<eT>& source = data.test ? *data.test : *data.train;
      const arma::Mat<eT> start = leading_columns(source, reverse_chains_, scratch);
      const LogPartitionEstimate reverse = reverse_ais_log_partition(model, *base, annealing_schedule(schedule_), start,
                                                                     rng, arma::uword(reverse_clamped_steps_),
                                                                     paths.best_path);
      reverse_log_z = reverse.log_z;
      out.emplace_back("reverse_ais_log_z", reverse.log_z);
    }
  }
  out.emplace_back("variational_log_z", log_z);
  const double train = arma::mean(bound_without_log_z(model, leading_columns(*data.train, samples_, scratch)));
  out.emplace_back("variational_bound_train", train - log_z);
  // log Z higher -> bound lower.
  out.emplace_back("variational_bound_train_minus_3sd", train - log_z_high);
  out.emplace_back("variational_bound_train_plus_3sd", train - log_z_low);
  if (reverse_log_z) out.emplace_back("reverse_variational_bound_train", train - *reverse_log_z);
  if (data.test) {
    const double test = arma::mean(bound_without_log_z(model, leading_columns(*data.test, samples_, scratch)));
    out.emplace_back("variational_bound_test", test - log_z);
    // log Z higher -> bound lower.
    out.emplace_back("variational_bound_test_minus_3sd", test - log_z_high);
    out.emplace_back("variational_bound_test_plus_3sd", test - log_z_low);
    if (reverse_log_z) out.emplace_back("reverse_variational_bound_test", test - *reverse_log_z);
  }
}

template <typename eT>
template <class Archive>
void VariationalBound<eT>::serialize(Archive& ar, const unsigned int version) {
  using boost::serialization::make_nvp;
  ar& make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  ar& make_nvp("samples", samples_);
  ar& make_nvp("max_log2_states", max_log2_states_);
  ar& make_nvp("runs", runs_);
  ar& make_nvp("schedule", schedule_);
  ar& make_nvp("seed", seed_);
  if (version >= 1) {
    ar& make_nvp("reverse", reverse_);
    ar& make_nvp("reverse_chains", reverse_chains_);
    ar& make_nvp("reverse_clamped_steps", reverse_clamped_steps_);
  }
  if (version >= 2) {
    ar& make_nvp("path", path_);
    annealing_paths(path_);  // a corrupt value is refused here, not at the next measurement
  }
}

template class VariationalBound<float>;
template class VariationalBound<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::VariationalBound,
             "variational lower bound on log p(v) from the mean-field posterior (Salakhutdinov & Hinton 2009)")
