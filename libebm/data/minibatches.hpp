// Splitting a data set (one sample per column) into minibatches in a seeded
// random order.
#pragma once

#include <armadillo>
#include <cstddef>

#include "libebm/random.hpp"

namespace ebm {

class Minibatches {
 public:
  /// Every epoch visits each of `n_samples` columns once.  The last batch is
  /// smaller when batch_size does not divide n_samples (it is kept, not
  /// dropped, so every sample is used).
  Minibatches(arma::uword n_samples, arma::uword batch_size);

  /// Draws a new visiting order from `rng` (call once per epoch).
  void shuffle(Rng& rng);

  arma::uword n_batches() const;
  arma::uword batch_size() const { return batch_size_; }
  arma::uword n_samples() const { return order_.n_elem; }

  /// Column indices of batch i in the current order.
  arma::uvec indices(arma::uword i) const;

  /// Number of samples in batch i.
  arma::uword size_of(arma::uword i) const;

  /// Copies batch i of `data` into `out`, resizing it only when the batch
  /// size changes (so the steady state allocates nothing).
  template <typename eT>
  void gather(arma::uword i, const arma::Mat<eT>& data, arma::Mat<eT>& out) const {
    gather(i, 0, size_of(i), data, out);
  }
  /// The same for the samples first .. first + count - 1 of batch i (a
  /// process's shard in data-parallel training).
  template <typename eT>
  void gather(arma::uword i, arma::uword first, arma::uword count, const arma::Mat<eT>& data,
              arma::Mat<eT>& out) const;

  /// Those samples' column indices, as a view of the current order (no copy;
  /// valid until the next shuffle).
  arma::uvec index_view(arma::uword i, arma::uword first, arma::uword count) const;

  const arma::uvec& order() const { return order_; }

 private:
  arma::uword batch_size_;
  arma::uvec order_;
};

}  // namespace ebm
