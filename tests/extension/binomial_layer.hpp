// A unit type defined OUTSIDE libebm: the worked example of "A type defined
// outside libebm" in docs/extending.md.  Nothing in libebm, models/ or
// samplers/ knows about it; it joins the registry with the one
// EBM_REGISTER line at the end of binomial_layer.cpp, and `visible_units =
// binomial` in a config file (tests/data/extension.ini) then builds it.
//
// Binomial ("rate-coded") units: each unit is the sum of n = trials
// independent Bernoulli(sigmoid(input)) trials that share one input, so its
// value lies in {0, 1, ..., n}.  They are the binomial units of
//   Y. W. Teh & G. E. Hinton (2001), "Rate-coded restricted Boltzmann
//     machines for face recognition", NIPS 13,
// and a member of the exponential family harmoniums of
//   M. Welling, M. Rosen-Zvi & G. E. Hinton (2005), "Exponential family
//     harmoniums with an application to information retrieval", NIPS 17.
//
//   self_energy(x) = -b.x - sum_i log C(n, x_i)
//     (the binomial coefficient is the base measure: with it the conditional
//      p(x_i | u_i) = C(n, x_i) e^{x_i u_i} / (1 + e^{u_i})^n is exactly
//      Binomial(n, sigmoid(u_i)); without it the units would not be sums of
//      independent trials)
//   log_partition(u) = sum_i n softplus(u_i)
//   E[x_i | u] = n sigmoid(u_i)
//   d(-E)/db = x
// With trials = 1 these are Bernoulli units.
#pragma once

#include <cstdint>
#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace example {

template <typename eT>
class BinomialLayer : public ebm::Layer<eT> {
 public:
  using Matrix = typename ebm::Layer<eT>::Matrix;

  /// `size` units of `trials` trials each; ContractError when trials == 0.
  explicit BinomialLayer(arma::uword size, std::uint64_t trials = 2);

  static constexpr const char* name = "binomial";
  std::string type_name() const override { return name; }
  /// [binomial]: trials (an integer >= 1, default 2).
  static void declare_options(ebm::BlockOptions& options);
  static std::unique_ptr<BinomialLayer> create(const ebm::BlockOptions& options, arma::uword size);

  /// n, the number of trials per unit (the largest value a unit takes).
  std::uint64_t trials() const { return trials_; }

  void mean(const Matrix& input, Matrix& out) const override;
  /// n uniforms per entry, entries in storage order.
  void sample(const Matrix& input, Matrix& out, ebm::Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  /// Only with one trial (then these are Bernoulli units).
  bool is_binary() const override { return trials_ == 1; }
  /// (n + 1)^size, or 0 above 2^62.
  arma::uword state_count() const override;
  /// Configuration s has unit i = digit i of s in base n + 1 (least
  /// significant first): Bernoulli's bit order when n = 1.
  void states(arma::uword first, arma::uword count, Matrix& out) const override;
  /// Binary data {0, 1} are valid binomial values: left as they are.
  void from_binary(Matrix& x) const override { (void)x; }
  /// b_i = logit(mean_i / n), the maximum-likelihood bias of independent
  /// binomial units, with mean_i / n clamped to [1e-3, 1 - 1e-3].  Throws
  /// InputError when a value is not an integer in {0, ..., n}.
  void initialize_from_data(const Matrix& data) override;

 private:
  friend class boost::serialization::access;
  BinomialLayer() = default;  // for loading from an archive
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  std::uint64_t trials_ = 2;
};

}  // namespace example

EBM_CLASS_VERSION(example::BinomialLayer, 0)
