// Noisy rectified linear units (NReLU; Nair & Hinton 2010, "Rectified linear
// units improve restricted Boltzmann machines"), usually hidden units.
//
// An NReLU stands for a stepped sigmoid unit (SSU): infinitely many binary
// units sharing the input u and the bias, with offsets -0.5, -1.5, -2.5, ...
// Its value is the number of them that are on.  What this layer computes:
//
//   sample(u)        max(0, u + N(0, sigmoid(u)))      the paper's NReLU draw
//                    (one standard normal per entry; real values >= 0): an
//                    APPROXIMATE draw of the SSU given u
//   mean(u)          sum_{n>=1} sigmoid(u - n + 0.5): the SSU's exact
//                    E[x | u] = d log_partition / du, so positive phases,
//                    Rao-Blackwellised statistics and exact enumeration give
//                    the gradient of the likelihood the free energy defines
//                    (tests/test_nrelu_layer.cpp: finite differences)
//   log_partition(u) sum_{n>=1} softplus(u - n + 0.5): exact for the SSU (the
//                    binary units are independent given u); free energies and
//                    log Z of a model with NReLUs are those of its SSU
//   self_energy(x)   -b.x    (statistics: x, as for binary units)
//
// Size of the approximation (measured in tests/test_nrelu_layer.cpp): the
// NReLU draw's mean u Phi(u/s) + s phi(u/s), s^2 = sigmoid(u), falls short of
// the SSU's mean by 0.40 at u = 0, 0.25 at u = 1, 0.12 at u = -2 and 2, and
// below 0.01 for u >= 5; for u <= -2 the draw is almost always 0 while the
// SSU is on with probability ~softplus(u).  So chains moved by NReLU draws
// sample an approximation of the model whose statistics they estimate; only
// their Rao-Blackwellised expectations given the other layer are exact.
//
// The sums are evaluated exactly up to float/double rounding: terms with
// u - n + 0.5 > 40 equal u - n + 0.5 to within e^-40 and are summed in
// closed form; the rest (at most ~80 terms) by a loop.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class NreluLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;
  using Layer<eT>::Layer;

  static constexpr const char* name = "nrelu";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<NreluLayer> create(const BlockOptions&, arma::uword size) {
    return std::make_unique<NreluLayer>(size);
  }

  void mean(const Matrix& input, Matrix& out) const override;
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  /// The SSU's log-partition of one unit, sum_{n>=1} softplus(u - n + 0.5).
  static double ssu_log_partition(double u);
  /// Its derivative, the SSU's mean sum_{n>=1} sigmoid(u - n + 0.5).
  static double ssu_mean(double u);

 private:
  friend class boost::serialization::access;
  NreluLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::NreluLayer, 0)
