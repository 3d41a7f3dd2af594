// Mean free energy of training data and of held-out data, and their gap
// (held-out minus training).  The gap growing over epochs is the sign of
// overfitting (Hinton 2010, "A practical guide to training RBMs", section 6).
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"

namespace ebm {

template <typename eT>
class FreeEnergyGap : public Monitor<eT> {
 public:
  explicit FreeEnergyGap(arma::uword max_samples = 0) : max_samples_(max_samples) {}
  static constexpr const char* name = "free_energy";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<FreeEnergyGap> create(const BlockOptions& options);
  void check_applies_to(const Model<eT>& model) const override;
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  arma::uword max_samples_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::FreeEnergyGap, 0)
