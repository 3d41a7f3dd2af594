#include "libebm/monitors/exact_log_likelihood.hpp"

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

template class ExactLogLikelihood<float>;
template class ExactLogLikelihood<double>;

}  // namespace ebm
