// Noisy rectified linear units (NReLU; Nair & Hinton 2010, "Rectified linear
// units improve restricted Boltzmann machines"), usually hidden units.
//
// An NReLU stands for a stepped sigmoid unit (SSU): infinitely many binary
// units sharing the input u and the bias, with offsets -0.5, -1.5, -2.5, ...
// Its value is the number of them that are on.  What this layer computes:
//
//   sample(u)        max(0, u + N(0, sigmoid(u)))      the paper's NReLU draw
//                    (one standard normal per entry; real values >= 0)
//   mean(u)          E[max(0, u + s eps)] = u Phi(u/s) + s phi(u/s), s^2 = sigmoid(u):
//                    the exact mean of that draw, so Rao-Blackwellising a
//                    sampled state does not change its expectation
//   log_partition(u) sum_{n>=1} softplus(u - n + 0.5): exact for the SSU (the
//                    binary units are independent given u); the NReLU draw
//                    approximates the SSU's distribution, so free energies
//                    and log Z of a model with NReLUs are those of its SSU
//   self_energy(x)   -b.x    (statistics: x, as for binary units)
//
// The sum is evaluated exactly up to float/double rounding: terms with
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

 private:
  friend class boost::serialization::access;
  NreluLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::NreluLayer, 0)
