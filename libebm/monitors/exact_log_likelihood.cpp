#include "libebm/monitors/exact_log_likelihood.hpp"

#include "libebm/registry/register.hpp"

#include "libebm/error.hpp"
#include "libebm/partition/exact_log_partition.hpp"

namespace ebm {

template <typename eT>
void ExactLogLikelihood<eT>::check_applies_to(const Model<eT>& model) const {
  if (!model.has_free_energy())
    throw ContractError("monitor 'exact_log_likelihood': model '" + model.type_name() +
                        "' has no tractable free energy");
  const double cost = exact_log_partition_cost(model);
  if (cost < 0 || cost > max_log2_states_)
    throw ContractError("monitor 'exact_log_likelihood': log Z needs 2^" + std::to_string(cost) +
                        " states, above the limit 2^" + std::to_string(max_log2_states_) +
                        " (use a smaller hidden layer)");
}

template <typename eT>
double ExactLogLikelihood<eT>::mean_log_likelihood(const Model<eT>& model, const arma::Mat<eT>& v,
                                                   double log_partition) {
  return -arma::mean(model.free_energy(v)) - log_partition;
}

template <typename eT>
void ExactLogLikelihood<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  const double log_z = exact_log_partition(model, max_log2_states_);
  arma::Mat<eT> scratch;
  out.emplace_back("log_partition", log_z);
  out.emplace_back("log_likelihood_train",
                   mean_log_likelihood(model, leading_columns(*data.train, max_samples_, scratch), log_z));
  if (data.test)
    out.emplace_back("log_likelihood_test",
                     mean_log_likelihood(model, leading_columns(*data.test, max_samples_, scratch), log_z));
}

template <typename eT>
void ExactLogLikelihood<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("samples", 10000, "use the first N samples of each data set (0: all)", "an integer >= 0");
  o.declare<std::uint64_t>("max_log2_states", 25, "largest enumeration allowed, as log2 of the number of states",
                           "an integer in [1, 34]", [](const std::uint64_t& n) { return n >= 1 && n <= 34; });
  o.declare<bool>("required", false, "fail when the model is too large to enumerate (false: skip with a note)",
                  "true or false");
}

template <typename eT>
std::unique_ptr<ExactLogLikelihood<eT>> ExactLogLikelihood<eT>::create(const BlockOptions& o) {
  auto m = std::make_unique<ExactLogLikelihood<eT>>(o.get<std::uint64_t>("samples"), unsigned(o.get<std::uint64_t>("max_log2_states")));
  m->required_ = o.get<bool>("required");
  return m;
}

template <typename eT>
template <class Archive>
void ExactLogLikelihood<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  std::uint64_t samples = max_samples_;
  ar& boost::serialization::make_nvp("samples", samples);
  ar& boost::serialization::make_nvp("max_log2_states", max_log2_states_);
  ar& boost::serialization::make_nvp("required", required_);
  max_samples_ = samples;
}

template class ExactLogLikelihood<float>;
template class ExactLogLikelihood<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::ExactLogLikelihood, "exact log-likelihood, log Z by enumeration")
