// The exact log-likelihood gradient, with the model term computed by
// enumeration (BipartiteEnumeration) instead of sampling:
//   <stat>_model = sum_{x_A} p(x_A) E[stat | x_A].
// For models small enough to enumerate (about 2^20 states of the smaller
// side for training speed): a reference for the sampling estimators, and
// exact-gradient training for research on tiny models.
#pragma once

#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class ExactGradient : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  explicit ExactGradient(unsigned max_log2_states = 20);

  static constexpr const char* name = "exact";
  std::string type_name() const override { return name; }

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;

  /// <d(-E)/dtheta>_model, exactly.
  void model_statistics(const Model<eT>& model, Statistics<eT>& out) const;

 private:
  unsigned max_log2_states_;
};

}  // namespace ebm
