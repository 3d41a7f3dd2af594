// Lateral couplings inside one layer: a symmetric matrix L (n x n) with a
// zero diagonal, joining every pair of units of the layer (the visible-
// visible and hidden-hidden weights of a general Boltzmann machine; Ackley,
// Hinton & Sejnowski 1985).
//
//   energy term     -1/2 x^T L x = -sum_{i<j} L_ij x_i x_j     (x = interaction of the layer)
//   message         L x          (into the same layer's total input)
//   statistic       x x^T with a zero diagonal (the batch mean)
//
// The statistic is d(-E)/dL_ij for the pair parameter L_ij = L_ji, i.e. the
// derivative along a symmetric perturbation of both entries; a gradient step
// with it therefore keeps L symmetric with a zero diagonal (the statistic is
// symmetrised exactly, so rounding cannot break the symmetry either).
//
// Because L_ii = 0, unit i's total input does not depend on x_i: given the
// rest of the model each unit is a Bernoulli (or spin ...) draw, but the
// units of the layer are no longer independent, so the layer must be
// sampled unit by unit (samplers/sequential_gibbs_sampler.hpp) and the
// model's layer graph is not bipartite (Model::bipartite_colouring() is
// empty).
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/connection.hpp"

namespace ebm {

template <typename eT>
class LateralConnection : public Connection<eT> {
 public:
  using Matrix = typename Connection<eT>::Matrix;

  /// Couplings inside layer `layer` of `n` units, all zero.
  LateralConnection(arma::uword layer, arma::uword n);

  static constexpr const char* name = "lateral";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  /// Throws ContractError unless from == to and n_from == n_to.
  static std::unique_ptr<LateralConnection> create(const BlockOptions&, arma::uword from, arma::uword to,
                                                   arma::uword n_from, arma::uword n_to);

  arma::uword layer() const { return this->from(); }
  /// L (n x n), symmetric with a zero diagonal.  Writers must keep it so
  /// (set_weights() does).
  Matrix& weights() { return weights_; }
  const Matrix& weights() const { return weights_; }
  /// L <- (w + w^T)/2 with its diagonal zeroed.
  void set_weights(const Matrix& w);

  void parameters(ParameterList<eT>& out, const std::string& prefix) override;
  arma::uword n_parameters() const override { return 1; }
  /// input += L x (target must be layer()).
  void add_message(arma::uword target, const Matrix& source, Matrix& input) const override;
  /// -1/2 x^T L x per column; x_from and x_to are the same layer's state.
  arma::rowvec energy(const Matrix& x_from, const Matrix& x_to) const override;
  void statistics(const Matrix& x_from, const Matrix& x_to, const arma::Row<eT>* weights, Matrix* out) const override;
  /// N(0, stddev^2) couplings, symmetric, zero diagonal.
  void initialize(Rng& rng, double stddev) override;
  bool fits(arma::uword n_from, arma::uword n_to) const override {
    return this->from() == this->to() && n_from == n_to && weights_.n_rows == n_from && weights_.n_cols == n_to;
  }

 private:
  friend class boost::serialization::access;
  LateralConnection() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  Matrix weights_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::LateralConnection, 0)
