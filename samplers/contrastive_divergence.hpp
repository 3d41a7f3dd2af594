// CD-k (Hinton 2002, "Training products of experts by minimizing
// contrastive divergence"): the negative chains start at the current
// minibatch -- exactly the positive state -- and run k sampler steps.
#pragma once

#include "libebm/archive/class_version.hpp"
#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class ContrastiveDivergence : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  ContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k);

  static constexpr const char* name = "cd";
  std::string type_name() const override { return name; }
  /// [cd]: k.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<ContrastiveDivergence> create(const BlockOptions& options, std::unique_ptr<Sampler<eT>> sampler);
  unsigned k() const { return k_; }
  /// Changes k between updates: CD-k with k growing over training, as
  /// Salakhutdinov, Mnih & Hinton 2007 train their recommender (ratings.k_schedule).
  void set_k(unsigned k) { k_ = k; }

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;
  /// estimate() ends with difference(): dense weight terms can stay factors.
  bool delivers_factors() const override { return true; }

 private:
  friend class boost::serialization::access;
  ContrastiveDivergence() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  unsigned k_ = 1;
  State<eT> chains_;  // scratch: the chains of the current minibatch
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::ContrastiveDivergence, 0)
