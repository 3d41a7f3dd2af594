#include "libebm/units/bernoulli_layer.hpp"

#include <algorithm>
#include <cmath>

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

template <typename eT>
inline eT sigmoid(eT x) {
  return eT(1) / (eT(1) + std::exp(-x));
}

}  // namespace

template <typename eT>
void BernoulliLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out.set_size(input.n_rows, input.n_cols);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for (arma::uword i = 0; i < input.n_elem; ++i) o[i] = sigmoid(in[i]);
}

template <typename eT>
void BernoulliLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  out.set_size(input.n_rows, input.n_cols);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for (arma::uword i = 0; i < input.n_elem; ++i) o[i] = rng.uniform<eT>() < sigmoid(in[i]) ? eT(1) : eT(0);
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
