// Spin units taking values in {-1, +1}: the Ising / spin-glass convention
// (Ising 1925; Sherrington & Kirkpatrick 1975, "Solvable model of a spin
// glass"; Hopfield 1982, "Neural networks and physical systems with emergent
// collective computational abilities").  A built-in unit type and the worked
// example of docs/extending.md.
//
//   self_energy(x) = -b.x
//   E[x_i | input] = tanh(input_i),  p(x_i = +1 | input) = sigmoid(2 input_i)
//   log_partition(input) = sum_i log(2 cosh(input_i))
//
// Through s = 2x - 1 an RBM of spins and one of Bernoulli units describe the
// same family of distributions, with parameters related linearly (W = W'/4
// plus bias shifts); what changes is what the parameters mean, and hence
// what weight decay (which pulls W towards 0) and initialisation do.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class SpinLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;
  using Layer<eT>::Layer;

  static constexpr const char* name = "spin";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<SpinLayer> create(const BlockOptions&, arma::uword size) {
    return std::make_unique<SpinLayer>(size);
  }

  void mean(const Matrix& input, Matrix& out) const override;
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  // Not 0/1 (the pseudo-likelihood's flip 1 - x would leave the state space).
  bool is_binary() const override { return false; }
  arma::uword state_count() const override;
  /// Configuration s has unit i = +1 when bit i of s is set, else -1.
  void states(arma::uword first, arma::uword count, Matrix& out) const override;
  /// b_i = atanh(mean of x_i), the maximum-likelihood bias of independent
  /// spins, with the mean clamped to [-1 + 2e-3, 1 - 2e-3].
  void initialize_from_data(const Matrix& data) override;
  void from_binary(Matrix& x) const override { x = 2 * x - 1; }

 private:
  friend class boost::serialization::access;
  SpinLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::SpinLayer, 0)
