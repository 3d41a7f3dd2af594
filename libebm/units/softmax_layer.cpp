#include "libebm/units/softmax_layer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

namespace {

// The NaN that marks an unobserved group's input (any NaN is recognised).
template <typename eT>
inline bool unobserved(const eT* group_input) {
  return std::isnan(group_input[0]);
}

}  // namespace

template <typename eT>
SoftmaxLayer<eT>::SoftmaxLayer(arma::uword size, arma::uword states, bool missing)
    : Layer<eT>(size), k_(states == 0 ? size : states), missing_(missing) {
  if (size == 0 || k_ == 0 || size % k_ != 0)
    throw InputError("softmax units: a layer of " + std::to_string(size) + " units does not split into groups of " +
                     std::to_string(k_) + " states (key 'softmax.states'; expected a divisor of the layer size)");
}

template <typename eT>
void SoftmaxLayer<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("states", 0,
                           "states K of each categorical variable: the layer is groups of K one-hot units "
                           "(0: the whole layer is one group)",
                           "an integer >= 0 dividing the layer size");
  o.declare<bool>("missing", false,
                  "an all-zero group is an unobserved entry (e.g. an unrated item): it adds nothing to the "
                  "energy or the gradient and samplers leave it empty",
                  "true or false");
}

template <typename eT>
std::unique_ptr<SoftmaxLayer<eT>> SoftmaxLayer<eT>::create(const BlockOptions& o, arma::uword size) {
  return std::make_unique<SoftmaxLayer<eT>>(size, o.get<std::uint64_t>("states"), o.get<bool>("missing"));
}

template <typename eT>
void SoftmaxLayer<eT>::group_mean(const eT* u, eT* o) const {
  const eT m = *std::max_element(u, u + k_);
  eT s = 0;
  for (arma::uword k = 0; k < k_; ++k) s += (o[k] = std::exp(u[k] - m));
  for (arma::uword k = 0; k < k_; ++k) o[k] /= s;
}

template <typename eT>
void SoftmaxLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out.set_size(input.n_rows, input.n_cols);
  const arma::uword groups = input.n_rows / k_;
#pragma omp parallel for schedule(static) if (input.n_elem >= parallel_min_elements)
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    for (arma::uword g = 0; g < groups; ++g) {
      const eT* u = input.colptr(c) + g * k_;
      eT* o = out.colptr(c) + g * k_;
      if (unobserved(u)) std::fill(o, o + k_, eT(0));
      else group_mean(u, o);
    }
  }
}

template <typename eT>
void SoftmaxLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  // Uniform (g, c) is value g + c * groups of one bulk stream -- what
  // fill_uniform gives a groups x columns matrix -- drawn a column at a
  // time, and each group's softmax computed where it is used, so no matrix
  // of means or uniforms is built per call.
  const arma::uword groups = input.n_rows / k_;
  const Rng::BulkStream stream = rng.bulk_stream(groups);
  out.zeros(input.n_rows, input.n_cols);
  std::vector<eT> p(k_), uniforms(groups);
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    counter_uniforms::fill(stream.key, stream.first + std::uint64_t(c) * groups, groups, uniforms.data());
    for (arma::uword g = 0; g < groups; ++g) {
      const eT* u = input.colptr(c) + g * k_;
      if (unobserved(u)) continue;
      group_mean(u, p.data());
      // Inverse CDF; the last state takes what rounding leaves over.
      const eT x = uniforms[g];
      eT cumulative = 0;
      arma::uword k = 0;
      for (; k + 1 < k_; ++k) {
        cumulative += p[k];
        if (x < cumulative) break;
      }
      out(g * k_ + k, c) = eT(1);
    }
  }
}

template <typename eT>
arma::rowvec SoftmaxLayer<eT>::self_energy(const Matrix& x) const {
  const arma::mat b = arma::conv_to<arma::mat>::from(this->bias_);
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  return -(b.t() * xd);
}

template <typename eT>
arma::rowvec SoftmaxLayer<eT>::log_partition(const Matrix& input) const {
  arma::rowvec out(input.n_cols, arma::fill::zeros);
  const arma::uword groups = input.n_rows / k_;
  // One thread per column, summed in a fixed order.
#pragma omp parallel for schedule(static) if (input.n_elem >= parallel_min_elements)
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    double total = 0;
    for (arma::uword g = 0; g < groups; ++g) {
      const eT* u = input.colptr(c) + g * k_;
      if (unobserved(u)) continue;  // an absent variable: nothing to sum
      double m = -std::numeric_limits<double>::infinity();
      for (arma::uword k = 0; k < k_; ++k) m = std::max(m, double(u[k]));
      double s = 0;
      for (arma::uword k = 0; k < k_; ++k) s += std::exp(double(u[k]) - m);
      total += m + std::log(s);
    }
    out[c] = total;
  }
  return out;
}

template <typename eT>
void SoftmaxLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  // d(-E)/db = x; an unobserved group is all zeros and contributes nothing.
  if (weights) out[0] = x * weights->t();
  else out[0] = arma::mean(x, 1);
}

template <typename eT>
void SoftmaxLayer<eT>::mark_unobserved(const Matrix& x, Matrix& input) const {
  if (!missing_) return;
  const arma::uword groups = x.n_rows / k_;
  const eT nan = std::numeric_limits<eT>::quiet_NaN();
  for (arma::uword c = 0; c < x.n_cols; ++c) {
    const eT* xc = x.colptr(c);
    eT* in = input.colptr(c);
    for (arma::uword g = 0; g < groups; ++g) {
      bool any = false;
      for (arma::uword k = 0; k < k_; ++k) any = any || xc[g * k_ + k] != eT(0);
      if (!any) std::fill(in + g * k_, in + (g + 1) * k_, nan);
    }
  }
}

template <typename eT>
arma::uword SoftmaxLayer<eT>::state_count() const {
  const arma::uword limit = arma::uword(1) << 62;
  arma::uword count = 1;
  for (arma::uword g = 0; g < n_groups(); ++g) {
    if (count > limit / k_) return 0;
    count *= k_;
  }
  return count;
}

template <typename eT>
void SoftmaxLayer<eT>::states(arma::uword first, arma::uword count, Matrix& out) const {
  if (state_count() == 0 || first + count > state_count())
    throw ContractError("SoftmaxLayer::states(): range [" + std::to_string(first) + ", " +
                        std::to_string(first + count) + ") outside the " + std::to_string(state_count()) +
                        " states of " + std::to_string(n_groups()) + " groups of " + std::to_string(k_));
  out.zeros(this->size(), count);
  for (arma::uword c = 0; c < count; ++c) {
    arma::uword s = first + c;
    for (arma::uword g = 0; g < n_groups(); ++g, s /= k_) out(g * k_ + s % k_, c) = eT(1);
  }
}

template <typename eT>
void SoftmaxLayer<eT>::initialize_from_data(const Matrix& data) {
  const arma::vec counts = arma::conv_to<arma::vec>::from(arma::sum(data, 1));
  arma::vec b(this->size(), arma::fill::zeros);
  for (arma::uword g = 0; g < n_groups(); ++g) {
    const double observed = arma::accu(counts.subvec(g * k_, (g + 1) * k_ - 1));
    if (observed <= 0) continue;  // never observed: uniform
    for (arma::uword k = 0; k < k_; ++k) b[g * k_ + k] = std::log(std::max(counts[g * k_ + k] / observed, 1e-3));
  }
  this->bias_ = arma::conv_to<Matrix>::from(b);
}

template <typename eT>
template <class Archive>
void SoftmaxLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
  std::uint64_t k = k_;
  ar& boost::serialization::make_nvp("states", k);
  ar& boost::serialization::make_nvp("missing", missing_);
  if (Archive::is_loading::value) {
    if (k == 0 || this->bias_.n_rows % k != 0)
      throw InputError("softmax archive: " + std::to_string(this->bias_.n_rows) + " units do not split into groups of " +
                       std::to_string(k));
    k_ = k;
  }
}

template class SoftmaxLayer<float>;
template class SoftmaxLayer<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UnitsKind, ebm::SoftmaxLayer,
             "softmax units: groups of K one-hot units (categorical variables), optionally with missing entries")
