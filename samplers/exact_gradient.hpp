// The exact log-likelihood gradient, with the model term computed by
// enumeration (BipartiteEnumeration) instead of sampling:
//   <stat>_model = sum_{x_A} p(x_A) E[stat | x_A].
// For models small enough to enumerate (about 2^20 states of the smaller
// side for training speed): a reference for the sampling estimators, and
// exact-gradient training for research on tiny models.
#pragma once

#include "libebm/archive/class_version.hpp"
#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class ExactGradient : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  explicit ExactGradient(unsigned max_log2_states = 20);

  static constexpr const char* name = "exact";
  std::string type_name() const override { return name; }
  /// [exact]: max_log2_states.
  static void declare_options(BlockOptions& options);
  /// The sampler is not used.
  static std::unique_ptr<ExactGradient> create(const BlockOptions& options, std::unique_ptr<Sampler<eT>> sampler);

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;

  /// <d(-E)/dtheta>_model, exactly.
  void model_statistics(const Model<eT>& model, Statistics<eT>& out) const;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  unsigned max_log2_states_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::ExactGradient, 0)
