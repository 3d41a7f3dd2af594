#include "libebm/units/bernoulli_layer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

namespace {

// log(1 + exp(x)) without overflow for large x or loss for very negative x,
// in the model's own precision (float math is several times faster and its
// relative error, 1e-7 per term, is far below what a log-likelihood is
// reported to); the sums over units are accumulated in double.
template <typename eT>
inline eT softplus(eT x) {
  return std::max(x, eT(0)) + std::log1p(std::exp(-std::abs(x)));
}

// exp(x) in float for the sigmoids of the hot loop: Cody-Waite reduction
// x = n log 2 + r, |r| <= log(2)/2, and Cephes' degree-6 polynomial for
// e^r: the sigmoid is within two float ulps of the exact value wherever it
// is a normal float (tests/test_hot_loop.cpp).  Unlike libm's expf it
// vectorises.  The argument is clamped so that 2^n stays a normal float
// (sigmoid(x) for x < -87 is then 6e-39 instead of e^x: 0 for any purpose).
inline float exp_float(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(x / log 2)
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * (r * r) + r + 1.0f;
  const std::int32_t bits = (std::int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_float(-x)); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The elementwise kernels, one vectorised pass each.  mean() and sample()
// share sigmoid(), so a draw u < sigmoid(x) equals Rng::fill_bernoulli of
// mean() with the same key, bit for bit.
EBM_VECTOR_CLONES void sigmoid_array(const float* in, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = sigmoid(in[i]);
}
void sigmoid_array(const double* in, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = sigmoid(in[i]);
}
EBM_VECTOR_CLONES void draw_array(const float* in, const float* u, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = u[i] < sigmoid(in[i]) ? 1.0f : 0.0f;
}
void draw_array(const double* in, const double* u, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = u[i] < sigmoid(in[i]) ? 1.0 : 0.0;
}

}  // namespace

template <typename eT>
void BernoulliLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out.set_size(input.n_rows, input.n_cols);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for_each_chunk(input.n_elem, [&](std::size_t first, std::size_t count) {
    sigmoid_array(in + first, o + first, count);
  });
}

template <typename eT>
void BernoulliLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  // One key per call; element i compares the stream's value i with its
  // probability, so chunks can go to any thread (random.hpp).
  out.set_size(input.n_rows, input.n_cols);
  const Rng::BulkStream stream = rng.bulk_stream(input.n_rows);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for_each_chunk(input.n_elem, [&](std::size_t first, std::size_t count) {
    alignas(64) eT u[parallel_chunk];
    counter_uniforms::fill(stream.key, stream.first + first, count, u);
    draw_array(in + first, u, o + first, count);
  });
}

template <typename eT>
arma::rowvec BernoulliLayer<eT>::self_energy(const Matrix& x) const {
  // In double: energies feed log-sum-exps over many states.
  const arma::mat b = arma::conv_to<arma::mat>::from(this->bias_);
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  return -(b.t() * xd);
}

template <typename eT>
arma::rowvec BernoulliLayer<eT>::log_partition(const Matrix& input) const {
  arma::rowvec out(input.n_cols, arma::fill::zeros);
  // Columns are independent and each is summed by one thread in a fixed
  // order, so the result does not depend on the number of threads.
#pragma omp parallel for schedule(static) if (input.n_elem > 100000)
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    const eT* col = input.colptr(c);
    double s = 0;
    for (arma::uword r = 0; r < input.n_rows; ++r) s += double(softplus(col[r]));
    out[c] = s;
  }
  return out;
}

template <typename eT>
void BernoulliLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  if (weights) out[0] = x * weights->t();
  else out[0] = arma::mean(x, 1);
}

template <typename eT>
arma::uword BernoulliLayer<eT>::state_count() const {
  if (this->size() > 62) return 0;
  return arma::uword(1) << this->size();
}

template <typename eT>
void BernoulliLayer<eT>::states(arma::uword first, arma::uword count, Matrix& out) const {
  const arma::uword n = this->size();
  if (state_count() == 0 || first + count > state_count())
    throw ContractError("BernoulliLayer::states(): range [" + std::to_string(first) + ", " +
                        std::to_string(first + count) + ") outside the " + std::to_string(state_count()) +
                        " states of " + std::to_string(n) + " units");
  out.set_size(n, count);
  // Configuration number s has unit i on when bit i of s is set.
  for (arma::uword c = 0; c < count; ++c) {
    const arma::uword s = first + c;
    eT* col = out.colptr(c);
    for (arma::uword i = 0; i < n; ++i) col[i] = eT((s >> i) & 1u);
  }
}

template <typename eT>
void BernoulliLayer<eT>::initialize_from_data(const Matrix& data) {
  // b_i = log(p_i / (1 - p_i)) with p_i clamped away from 0 and 1 so that
  // units that are always off in the data get a large finite bias.
  const arma::Col<double> p = arma::clamp(arma::conv_to<arma::vec>::from(arma::mean(data, 1)), 1e-3, 1 - 1e-3);
  this->bias_ = arma::conv_to<Matrix>::from(arma::log(p / (1 - p)));
}

template <typename eT>
template <class Archive>
void BernoulliLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
}

template class BernoulliLayer<float>;
template class BernoulliLayer<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UnitsKind, ebm::BernoulliLayer, "binary units in {0, 1}")
