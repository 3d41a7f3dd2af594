// The exact log-likelihood gradient, with the model term computed by
// enumeration (BipartiteEnumeration) instead of sampling:
//   <stat>_model = sum_{x_A} p(x_A) E[stat | x_A].
// For models small enough to enumerate (about 2^20 states of the smaller
// side for training speed): a reference for the sampling estimators, and
// exact-gradient training for research on tiny models.
//
// The data term comes from the model's positive phase (exact for an RBM,
// mean-field for a BM or DBM) unless `positive = enumeration`: then it too
// is exact, E[stat | v] summed over the latent states of each data vector
// with v clamped, so the estimate is the true gradient of the mean
// log-likelihood of any small model (the reference the finite-difference
// tests of the BM and DBM check against).
#pragma once

#include "libebm/archive/class_version.hpp"
#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class ExactGradient : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  explicit ExactGradient(unsigned max_log2_states = 20, bool enumerate_positive = false);

  static constexpr const char* name = "exact";
  std::string type_name() const override { return name; }
  /// [exact]: max_log2_states, positive (model | enumeration).
  static void declare_options(BlockOptions& options);
  /// The sampler is not used.
  static std::unique_ptr<ExactGradient> create(const BlockOptions& options, std::unique_ptr<Sampler<eT>> sampler);

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;

  /// <d(-E)/dtheta>_model, exactly.
  void model_statistics(const Model<eT>& model, Statistics<eT>& out) const;
  /// <d(-E)/dtheta>_data = mean over the columns of `data` of E[stat | v],
  /// exactly, by enumerating the latent layers with v clamped.
  void data_statistics(const Model<eT>& model, const Matrix& data, Statistics<eT>& out) const;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  unsigned max_log2_states_;
  bool enumerate_positive_ = false;
};

}  // namespace ebm

// Version 1 added enumerate_positive_ (false when loading version 0).
EBM_CLASS_VERSION(ebm::ExactGradient, 1)
