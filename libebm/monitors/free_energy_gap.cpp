#include "libebm/monitors/free_energy_gap.hpp"

#include "libebm/error.hpp"

namespace ebm {

template <typename eT>
void FreeEnergyGap<eT>::check_applies_to(const Model<eT>& model) const {
  if (!model.has_free_energy())
    throw ContractError("monitor 'free_energy': model '" + model.type_name() + "' has no tractable free energy");
}

template <typename eT>
void FreeEnergyGap<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  arma::Mat<eT> scratch;
  const double train = arma::mean(model.free_energy(leading_columns(*data.train, max_samples_, scratch)));
  out.emplace_back("free_energy_train", train);
  if (data.test) {
    const double test = arma::mean(model.free_energy(leading_columns(*data.test, max_samples_, scratch)));
    out.emplace_back("free_energy_test", test);
    out.emplace_back("free_energy_gap", test - train);
  }
}

template class FreeEnergyGap<float>;
template class FreeEnergyGap<double>;

}  // namespace ebm
