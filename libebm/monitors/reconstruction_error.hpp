// Mean squared reconstruction error per visible unit: the data, its latent
// expectations (Model::positive_phase), then the visible layer's conditional
// mean given those.  Cheap and popular, but NOT a measure of likelihood: a
// model can reconstruct well and still be a poor density (Hinton 2010,
// "A practical guide to training RBMs", section 5).
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"

namespace ebm {

template <typename eT>
class ReconstructionError : public Monitor<eT> {
 public:
  explicit ReconstructionError(arma::uword max_samples = 0) : max_samples_(max_samples) {}
  static constexpr const char* name = "reconstruction";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<ReconstructionError> create(const BlockOptions& options);
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

  /// Mean over samples and units of (v - reconstruction(v))^2.
  static double error(const Model<eT>& model, const arma::Mat<eT>& v);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  arma::uword max_samples_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::ReconstructionError, 0)
