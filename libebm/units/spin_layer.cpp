#include "libebm/units/spin_layer.hpp"

#include "libebm/registry/register.hpp"

#include <cmath>

#include "libebm/error.hpp"

namespace ebm {

namespace {

template <typename eT>
inline eT sigmoid(eT x) {
  return eT(1) / (eT(1) + std::exp(-x));
}

// log(2 cosh x) = log(e^x + e^-x) = |x| + log1p(exp(-2|x|)): exp never
// overflows and the small term keeps its precision for large |x|.  (Note:
// log cosh x is that minus log 2.)  In the model's own precision like
// Bernoulli's softplus; the sums over units are accumulated in double.
template <typename eT>
inline eT log_two_cosh(eT x) {
  const eT a = std::abs(x);
  return a + std::log1p(std::exp(eT(-2) * a));
}

}  // namespace

template <typename eT>
void SpinLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out.set_size(input.n_rows, input.n_cols);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for (arma::uword i = 0; i < input.n_elem; ++i) o[i] = std::tanh(in[i]);
}

template <typename eT>
void SpinLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  // p(+1) = e^u / (e^u + e^-u) = sigmoid(2u).  One key per call and value i
  // of its counter-based stream for entry i, as Bernoulli: the draws that
  // follow in a run do not depend on which of the two unit types came
  // before, and chunks can go to any thread (random.hpp).
  out.set_size(input.n_rows, input.n_cols);
  const Rng::BulkStream stream = rng.bulk_stream(input.n_rows);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for_each_chunk(input.n_elem, [&](std::size_t first, std::size_t count) {
    alignas(64) eT u[parallel_chunk];
    counter_uniforms::fill(stream.key, stream.first + first, count, u);
    for (std::size_t i = 0; i < count; ++i) o[first + i] = u[i] < sigmoid(eT(2) * in[first + i]) ? eT(1) : eT(-1);
  });
}

template <typename eT>
arma::rowvec SpinLayer<eT>::self_energy(const Matrix& x) const {
  // In double: energies feed log-sum-exps over many states.
  const arma::mat b = arma::conv_to<arma::mat>::from(this->bias_);
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  return -(b.t() * xd);
}

template <typename eT>
arma::rowvec SpinLayer<eT>::log_partition(const Matrix& input) const {
  arma::rowvec out(input.n_cols, arma::fill::zeros);
  // One thread per column, summed in a fixed order: the result does not
  // depend on the number of threads.
#pragma omp parallel for schedule(static) if (input.n_elem > 100000)
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    const eT* col = input.colptr(c);
    double s = 0;
    for (arma::uword r = 0; r < input.n_rows; ++r) s += double(log_two_cosh(col[r]));
    out[c] = s;
  }
  return out;
}

template <typename eT>
void SpinLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  // d(-E)/db = x.
  if (weights) out[0] = x * weights->t();
  else out[0] = arma::mean(x, 1);
}

template <typename eT>
arma::uword SpinLayer<eT>::state_count() const {
  if (this->size() > 62) return 0;
  return arma::uword(1) << this->size();
}

template <typename eT>
void SpinLayer<eT>::states(arma::uword first, arma::uword count, Matrix& out) const {
  const arma::uword n = this->size();
  if (state_count() == 0 || first + count > state_count())
    throw ContractError("SpinLayer::states(): range [" + std::to_string(first) + ", " +
                        std::to_string(first + count) + ") outside the " + std::to_string(state_count()) +
                        " states of " + std::to_string(n) + " units");
  out.set_size(n, count);
  // The same order as BernoulliLayer, so that mixed models enumerate alike.
  for (arma::uword c = 0; c < count; ++c) {
    const arma::uword s = first + c;
    eT* col = out.colptr(c);
    for (arma::uword i = 0; i < n; ++i) col[i] = ((s >> i) & 1u) ? eT(1) : eT(-1);
  }
}

template <typename eT>
void SpinLayer<eT>::initialize_from_data(const Matrix& data) {
  // Independent spins have E[x_i] = tanh(b_i).  The clamp is Bernoulli's
  // p in [1e-3, 1 - 1e-3] mapped by m = 2p - 1, so that units constant in
  // the data get a large finite bias.
  const arma::vec m = arma::clamp(arma::conv_to<arma::vec>::from(arma::mean(data, 1)), -1 + 2e-3, 1 - 2e-3);
  this->bias_ = arma::conv_to<Matrix>::from(arma::atanh(m));
}

template <typename eT>
template <class Archive>
void SpinLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
}

template class SpinLayer<float>;
template class SpinLayer<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UnitsKind, ebm::SpinLayer, "spin units in {-1, +1} (Ising convention)")
