// Gaussian units for real-valued data, with a fixed or a learned variance
// per unit.
//
//   self_energy(x)  = sum_i (x_i - b_i)^2 / (2 sigma_i^2)
//   connections multiply x itself (interaction = identity), so given the
//   messages m (sum of W h over the neighbours)
//   x_i | m         ~ N(b_i + sigma_i^2 m_i, sigma_i^2)
//   input           = b / sigma^2 + m      (base_input is b / sigma^2: the
//                                           natural parameter of the Gaussian)
//   mean(input)     = sigma^2 input
//   log_partition(input) = sum_i [ log sqrt(2 pi sigma_i^2) + sigma_i^2 input_i^2 / 2 - b_i^2 / (2 sigma_i^2) ]
//
// With a learned variance the parameter is z = log sigma^2, as in Cho,
// Ilin & Raiko 2011 ("Improved learning of Gaussian-Bernoulli restricted
// Boltzmann machines"): sigma^2 = e^z stays positive whatever step the
// update rule takes, and d(-E)/dz = (x - b)^2 / (2 sigma^2) is a function of
// the layer's own state.  (Cho et al. let the weights multiply x / sigma^2
// instead; then d(-E)/dz also needs the messages, which a unit type does not
// see.  The two families are the same -- W' = W / sigma^2 per row -- and
// differ only in the geometry of the gradient steps.)  Statistics:
//   d(-E)/db = (x - b) / sigma^2,   d(-E)/dz = (x - b)^2 / (2 sigma^2).
//
// d(-E)/dz is quadratic in x, so its model term needs *samples* of this
// layer, not its conditional means: block Gibbs keeps samples for the
// visible layer (colour 0), so CD and PCD learn z correctly for Gaussian
// visible units; ExactGradient sums a Gaussian layer out through its means
// and so gets dz wrong by 1/2 per unit (b and W are right), and so would a
// Rao-Blackwellised Gaussian hidden layer (tests/test_gaussian_layer.cpp).
//
// With a fixed variance (the default, sigma = 1: Hinton & Salakhutdinov
// 2006 for real-valued pixels after standardising the data) only b is a
// parameter and sigma is a constant of the model stored in the archive.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class GaussianLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;

  /// Every unit starts with standard deviation `sigma` (> 0); with
  /// `learn_sigma` its log-variance is a parameter.
  GaussianLayer(arma::uword size, double sigma = 1.0, bool learn_sigma = false);

  static constexpr const char* name = "gaussian";
  std::string type_name() const override { return name; }
  /// [gaussian]: sigma, learn_sigma.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<GaussianLayer> create(const BlockOptions& options, arma::uword size);

  bool learns_sigma() const { return learn_sigma_; }
  /// z = log sigma^2, size x 1.
  Matrix& log_variance() { return log_variance_; }
  const Matrix& log_variance() const { return log_variance_; }

  /// bias, then log_variance (no weight decay) when it is learned.
  void parameters(ParameterList<eT>& out, const std::string& prefix) override;
  arma::uword n_parameters() const override { return learn_sigma_ ? 2 : 1; }
  /// b / sigma^2 in every column.
  void base_input(Matrix& input, arma::uword n_cols) const override;

  void mean(const Matrix& input, Matrix& out) const override;
  /// One standard normal per entry (Rng::fill_standard_normal).
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  /// b = the data mean; with a learned variance also sigma^2 = the data
  /// variance (at least 1e-4), the maximum-likelihood independent model.
  void initialize_from_data(const Matrix& data) override;

  /// Centering: the bias enters the input as b / sigma^2, so the ordinary
  /// bias is b = b_c - sigma^2 m and, with a learned variance, depends on
  /// z: s = e^-z, s'/s = -1, so the centered log-variance gradient is
  /// g_z - delta % m (Layer::add_centering_scale_terms).
  Matrix bias_input_scale() const override { return eT(1) / variance(); }
  void add_centering_scale_terms(const Matrix& message, const Matrix& delta, Matrix* gradient) const override {
    if (learn_sigma_) gradient[1] -= delta % message;
  }

 private:
  friend class boost::serialization::access;
  GaussianLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  Matrix variance() const { return arma::exp(log_variance_); }

  Matrix log_variance_;
  bool learn_sigma_ = false;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::GaussianLayer, 0)
