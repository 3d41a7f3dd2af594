#include "libebm/units/nrelu_layer.hpp"

#include <algorithm>
#include <cmath>

#include "libebm/registry/register.hpp"

namespace ebm {

namespace {

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

}  // namespace

template <typename eT>
double NreluLayer<eT>::ssu_log_partition(double u) {
  // Terms n = 1 .. m have x_n = u - n + 0.5 > 40, where softplus(x) = x
  // to within e^-40: their sum is m u - m^2 / 2.
  const double m = u > 40.5 ? std::floor(u - 40.5) + 1 : 0;  // n <= m  <=>  u - n + 0.5 > 40 (up to the boundary)
  double total = m * u - m * m / 2;
  for (double n = m + 1;; n += 1) {
    const double x = u - n + 0.5;
    const double term = softplus(x);
    total += term;
    if (x < -40) break;  // the remaining terms sum to below e^-40
  }
  return total;
}

template <typename eT>
double NreluLayer<eT>::ssu_mean(double u) {
  // Term by term the derivative of ssu_log_partition: the m saturated terms
  // (x_n > 40) are sigmoid = 1 to within e^-40, the loop stops where the
  // remaining terms sum to below e^-40.
  const double m = u > 40.5 ? std::floor(u - 40.5) + 1 : 0;
  double total = m;
  for (double n = m + 1;; n += 1) {
    const double x = u - n + 0.5;
    total += sigmoid(x);
    if (x < -40) break;
  }
  return total;
}

template <typename eT>
void NreluLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  // The SSU's exact conditional mean (not the mean of the approximate NReLU
  // draw): see the header.
  out.set_size(input.n_rows, input.n_cols);
  for (arma::uword k = 0; k < input.n_elem; ++k) out[k] = eT(ssu_mean(double(input[k])));
}

template <typename eT>
void NreluLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  // The noise is drawn into `out` and turned into the sample in place (no
  // temporary per call); `out` must not be `input`.
  out.set_size(input.n_rows, input.n_cols);
  rng.fill_standard_normal(out);
  for (arma::uword k = 0; k < input.n_elem; ++k) {
    const double u = input[k];
    out[k] = eT(std::max(0.0, u + std::sqrt(sigmoid(u)) * double(out[k])));
  }
}

template <typename eT>
arma::rowvec NreluLayer<eT>::self_energy(const Matrix& x) const {
  const arma::mat b = arma::conv_to<arma::mat>::from(this->bias_);
  return -(b.t() * arma::conv_to<arma::mat>::from(x));
}

template <typename eT>
arma::rowvec NreluLayer<eT>::log_partition(const Matrix& input) const {
  arma::rowvec out(input.n_cols, arma::fill::zeros);
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    double s = 0;
    for (arma::uword r = 0; r < input.n_rows; ++r) s += ssu_log_partition(double(input(r, c)));
    out[c] = s;
  }
  return out;
}

template <typename eT>
void NreluLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  if (weights) out[0] = x * weights->t();
  else out[0] = arma::mean(x, 1);
}

template <typename eT>
template <class Archive>
void NreluLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
}

template class NreluLayer<float>;
template class NreluLayer<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UnitsKind, ebm::NreluLayer,
             "noisy rectified linear units max(0, x + N(0, sigmoid(x))) (Nair & Hinton 2010); free energy of the SSU")
