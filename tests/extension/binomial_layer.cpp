#include "tests/extension/binomial_layer.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace example {

namespace {

// Bernoulli's numerics: in the model's precision, no overflow for any input.
template <typename eT>
inline eT softplus(eT x) {
  return std::max(x, eT(0)) + std::log1p(std::exp(-std::abs(x)));
}

template <typename eT>
inline eT sigmoid(eT x) {
  return eT(1) / (eT(1) + std::exp(-x));
}

// log C(n, k) in double.  (lgamma writes the global signgam: it must not be
// called from several threads at once, so self_energy stays serial.)
inline double log_choose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

template <typename eT>
BinomialLayer<eT>::BinomialLayer(arma::uword size, std::uint64_t trials) : ebm::Layer<eT>(size), trials_(trials) {
  if (trials_ < 1) throw ebm::ContractError("BinomialLayer: trials must be >= 1, got 0");
}

template <typename eT>
void BinomialLayer<eT>::declare_options(ebm::BlockOptions& o) {
  o.declare<std::uint64_t>("trials", 2, "Bernoulli trials per unit: units take the values 0 .. trials",
                           "an integer >= 1", [](const std::uint64_t& n) { return n >= 1; });
}

template <typename eT>
std::unique_ptr<BinomialLayer<eT>> BinomialLayer<eT>::create(const ebm::BlockOptions& o, arma::uword size) {
  return std::make_unique<BinomialLayer<eT>>(size, o.get<std::uint64_t>("trials"));
}

template <typename eT>
void BinomialLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out.set_size(input.n_rows, input.n_cols);
  const eT n = eT(trials_);
  const eT* in = input.memptr();
  eT* o = out.memptr();
  for (arma::uword i = 0; i < input.n_elem; ++i) o[i] = n * sigmoid(in[i]);
}

template <typename eT>
void BinomialLayer<eT>::sample(const Matrix& input, Matrix& out, ebm::Rng& rng) const {
  // One key per call, as the built-in unit types (libebm/random.hpp): trial
  // t of entry i compares value t * n_elem + i of the key's counter-based
  // stream with p_i, so with one trial these are exactly Bernoulli's draws.
  out.set_size(input.n_rows, input.n_cols);
  out.zeros();
  const std::uint64_t key = rng.next();
  const eT* in = input.memptr();
  eT* o = out.memptr();
  arma::Col<eT> u(input.n_elem);
  for (std::uint64_t t = 0; t < trials_; ++t) {
    ebm::counter_uniforms::fill(key, t * input.n_elem, input.n_elem, u.memptr());
    for (arma::uword i = 0; i < input.n_elem; ++i) o[i] += u[i] < sigmoid(in[i]) ? eT(1) : eT(0);
  }
}

template <typename eT>
arma::rowvec BinomialLayer<eT>::self_energy(const Matrix& x) const {
  // -b.x - sum_i log C(n, x_i), in double.
  const arma::mat b = arma::conv_to<arma::mat>::from(this->bias_);
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  arma::rowvec e = -(b.t() * xd);
  const double n = double(trials_);
  for (arma::uword c = 0; c < xd.n_cols; ++c) {
    const double* col = xd.colptr(c);
    double s = 0;
    for (arma::uword r = 0; r < xd.n_rows; ++r) s += log_choose(n, col[r]);
    e[c] -= s;
  }
  return e;
}

template <typename eT>
arma::rowvec BinomialLayer<eT>::log_partition(const Matrix& input) const {
  // sum_{x=0}^n C(n, x) e^{x u} = (1 + e^u)^n, so n softplus(u) per unit.
  // Serial: libebm links OpenMP privately, so code outside it gets no
  // -fopenmp unless its own target links OpenMP::OpenMP_CXX (then the
  // built-in layers' "one column per thread" pragma would apply here too).
  arma::rowvec out(input.n_cols, arma::fill::zeros);
  const double n = double(trials_);
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    const eT* col = input.colptr(c);
    double s = 0;
    for (arma::uword r = 0; r < input.n_rows; ++r) s += double(softplus(col[r]));
    out[c] = n * s;
  }
  return out;
}

template <typename eT>
void BinomialLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  // d(-E)/db = x (the base measure does not depend on b).
  if (weights) out[0] = x * weights->t();
  else out[0] = arma::mean(x, 1);
}

template <typename eT>
arma::uword BinomialLayer<eT>::state_count() const {
  const arma::uword limit = arma::uword(1) << 62;
  if (this->size() > 0 && trials_ >= limit) return 0;
  const arma::uword base = arma::uword(trials_) + 1;
  arma::uword count = 1;
  for (arma::uword i = 0; i < this->size(); ++i) {
    if (count > limit / base) return 0;
    count *= base;
  }
  return count;
}

template <typename eT>
void BinomialLayer<eT>::states(arma::uword first, arma::uword count, Matrix& out) const {
  const arma::uword n_units = this->size();
  const arma::uword total = state_count();
  if (total == 0 || first > total || count > total - first)
    throw ebm::ContractError("BinomialLayer::states(): range [" + std::to_string(first) + ", " +
                             std::to_string(first + count) + ") outside the " + std::to_string(total) +
                             " states of " + std::to_string(n_units) + " units of " + std::to_string(trials_) +
                             " trials");
  const arma::uword base = arma::uword(trials_) + 1;
  out.set_size(n_units, count);
  for (arma::uword c = 0; c < count; ++c) {
    arma::uword s = first + c;
    eT* col = out.colptr(c);
    for (arma::uword i = 0; i < n_units; ++i, s /= base) col[i] = eT(s % base);
  }
}

template <typename eT>
void BinomialLayer<eT>::initialize_from_data(const Matrix& data) {
  const double n = double(trials_);
  for (arma::uword k = 0; k < data.n_elem; ++k) {
    const double v = double(data[k]);
    if (!(v >= 0 && v <= n && v == std::floor(v)))
      throw ebm::InputError("binomial units with trials = " + std::to_string(trials_) + ": data value " +
                            std::to_string(v) + " (unit " + std::to_string(k % data.n_rows) + " of sample " +
                            std::to_string(k / data.n_rows) + ") is not an integer in 0 .. " +
                            std::to_string(trials_) + " (binarize = none keeps the values)");
  }
  // Independent units have E[x_i] = n sigmoid(b_i).
  const arma::vec p = arma::clamp(arma::conv_to<arma::vec>::from(arma::mean(data, 1)) / n, 1e-3, 1 - 1e-3);
  this->bias_ = arma::conv_to<Matrix>::from(arma::log(p / (1 - p)));
}

template <typename eT>
template <class Archive>
void BinomialLayer<eT>::serialize(Archive& ar, const unsigned int /*version*/) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<ebm::Layer<eT>>(*this));
  ar& boost::serialization::make_nvp("trials", trials_);
  if (Archive::is_loading::value && trials_ < 1) throw ebm::InputError("binomial layer archive: trials = 0");
}

template class BinomialLayer<float>;
template class BinomialLayer<double>;

}  // namespace example

EBM_REGISTER(ebm::UnitsKind, example::BinomialLayer, "binomial units: sums of n Bernoulli trials")
