#include "libebm/monitors/free_energy_gap.hpp"

#include "libebm/registry/register.hpp"

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

template <typename eT>
void FreeEnergyGap<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("samples", 10000, "use the first N samples of each data set (0: all)", "an integer >= 0");
}

template <typename eT>
std::unique_ptr<FreeEnergyGap<eT>> FreeEnergyGap<eT>::create(const BlockOptions& o) {
  return std::make_unique<FreeEnergyGap<eT>>(o.get<std::uint64_t>("samples"));
}

template <typename eT>
template <class Archive>
void FreeEnergyGap<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  std::uint64_t samples = max_samples_;
  ar& boost::serialization::make_nvp("samples", samples);
  max_samples_ = samples;
}

template class FreeEnergyGap<float>;
template class FreeEnergyGap<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::FreeEnergyGap, "free energy of training and held-out data, and the gap")
