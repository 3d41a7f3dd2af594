#include "libebm/monitors/ais_log_likelihood.hpp"

#include "libebm/archive/clone.hpp"
#include "libebm/error.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
void AisLogLikelihood<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("runs", 100, "independent AIS runs (chains)", "an integer >= 2",
                           [](const std::uint64_t& n) { return n >= 2; });
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
}

template <typename eT>
std::unique_ptr<AisLogLikelihood<eT>> AisLogLikelihood<eT>::create(const BlockOptions& o) {
  auto m = std::make_unique<AisLogLikelihood<eT>>();
  m->runs_ = o.get<std::uint64_t>("runs");
  m->schedule_ = o.get<std::string>("schedule");
  m->reverse_ = o.get<bool>("reverse");
  m->reverse_chains_ = o.get<std::uint64_t>("reverse_chains");
  m->samples_ = o.get<std::uint64_t>("samples");
  m->seed_ = o.get<std::uint64_t>("seed");
  return m;
}

template <typename eT>
void AisLogLikelihood<eT>::check_applies_to(const Model<eT>& model) const {
  if (model.n_layers() != 2 || model.n_connections() != 1 || !model.has_free_energy())
    throw ContractError("monitor 'ais': model '" + model.type_name() +
                        "' is not a two-layer model with a free energy");
}

template <typename eT>
void AisLogLikelihood<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  const std::vector<double> betas = annealing_schedule(schedule_);
  // The base-rate model: the visible unit type fitted to the data marginals.
  std::unique_ptr<Layer<eT>> base = clone_layer(model.layer(0));
  base->initialize_from_data(*data.train);
  Rng rng(seed_);
  const LogPartitionEstimate ais = ais_log_partition(model, *base, betas, runs_, rng);

  arma::Mat<eT> scratch;
  const double f_train = arma::mean(model.free_energy(leading_columns(*data.train, samples_, scratch)));
  out.emplace_back("ais_log_z", ais.log_z);
  out.emplace_back("ais_log_z_minus_3sd", ais.log_z_minus_3sigma);
  out.emplace_back("ais_log_z_plus_3sd", ais.log_z_plus_3sigma);
  out.emplace_back("ais_log_likelihood_train", -f_train - ais.log_z);
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
    const LogPartitionEstimate reverse = reverse_ais_log_partition(model, *base, betas, start_copy, rng);
    out.emplace_back("reverse_ais_log_z", reverse.log_z);
    out.emplace_back("reverse_ais_log_likelihood_train", -f_train - reverse.log_z);
    if (data.test) out.emplace_back("reverse_ais_log_likelihood_test", -f_test - reverse.log_z);
  }
}

template <typename eT>
template <class Archive>
void AisLogLikelihood<eT>::serialize(Archive& ar, const unsigned int) {
  using boost::serialization::make_nvp;
  ar& make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  ar& make_nvp("runs", runs_);
  ar& make_nvp("schedule", schedule_);
  ar& make_nvp("reverse", reverse_);
  ar& make_nvp("reverse_chains", reverse_chains_);
  ar& make_nvp("samples", samples_);
  ar& make_nvp("seed", seed_);
}

template class AisLogLikelihood<float>;
template class AisLogLikelihood<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::AisLogLikelihood,
             "log-likelihood bracket: AIS (+-3 sigma) and reverse AIS from data (Salakhutdinov & Murray 2008)")
