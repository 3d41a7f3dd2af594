#include "libebm/data/minibatches.hpp"

#include <algorithm>
#include <string>

#include "libebm/error.hpp"

namespace ebm {

Minibatches::Minibatches(arma::uword n_samples, arma::uword batch_size)
    : batch_size_(batch_size), order_(n_samples) {
  if (batch_size == 0) {
    throw ContractError("Minibatches::Minibatches(): batch_size is 0, expected at least 1");
  }
  // Until the first shuffle, batches follow the data's own order.
  for (arma::uword i = 0; i < n_samples; ++i) order_[i] = i;
}

void Minibatches::shuffle(Rng& rng) { order_ = rng.permutation(order_.n_elem); }

arma::uword Minibatches::n_batches() const {
  return (order_.n_elem + batch_size_ - 1) / batch_size_;
}

arma::uvec Minibatches::indices(arma::uword i) const {
  if (i >= n_batches()) {
    throw ContractError("Minibatches::indices(): batch " + std::to_string(i) +
                        " out of range, there are " + std::to_string(n_batches()));
  }
  const arma::uword first = i * batch_size_;
  const arma::uword last = std::min(first + batch_size_, order_.n_elem);
  return order_.subvec(first, last - 1);
}

arma::uword Minibatches::size_of(arma::uword i) const {
  if (i >= n_batches())
    throw ContractError("Minibatches: batch " + std::to_string(i) + " out of range, there are " +
                        std::to_string(n_batches()));
  return std::min((i + 1) * batch_size_, order_.n_elem) - i * batch_size_;
}

arma::uvec Minibatches::index_view(arma::uword i, arma::uword first, arma::uword count) const {
  if (first + count > size_of(i))
    throw ContractError("Minibatches: samples " + std::to_string(first) + ".." + std::to_string(first + count) +
                        " of batch " + std::to_string(i) + ", which has " + std::to_string(size_of(i)));
  return arma::uvec(const_cast<arma::uword*>(order_.memptr()) + i * batch_size_ + first, count, false, true);
}

template <typename eT>
void Minibatches::gather(arma::uword i, arma::uword first, arma::uword count, const arma::Mat<eT>& data,
                         arma::Mat<eT>& out) const {
  if (data.n_cols != order_.n_elem) {
    throw ContractError("Minibatches::gather(): data has " + std::to_string(data.n_cols) +
                        " columns, expected " + std::to_string(order_.n_elem) + " samples");
  }
  if (&out == &data) {
    throw ContractError("Minibatches::gather(): out is the data matrix itself");
  }
  const arma::uvec columns = index_view(i, first, count);
  if (out.n_rows != data.n_rows || out.n_cols != count) out.set_size(data.n_rows, count);
  // Column copies by pointer: no temporary index vector, no allocation.
  const arma::uword n_rows = data.n_rows;
  for (arma::uword j = 0; j < count; ++j) {
    const eT* from = data.colptr(columns[j]);
    std::copy(from, from + n_rows, out.colptr(j));
  }
}

template void Minibatches::gather<float>(arma::uword, arma::uword, arma::uword, const arma::Mat<float>&,
                                         arma::Mat<float>&) const;
template void Minibatches::gather<double>(arma::uword, arma::uword, arma::uword, const arma::Mat<double>&,
                                          arma::Mat<double>&) const;

}  // namespace ebm
