// Column blocks: independent chains -- the columns of a State -- split into
// one block per thread, every block's products on single-threaded BLAS.
//
// Why: a minibatch step of a Markov chain method is a sequence of short
// products (784x500 by 100 columns: about 0.3 ms each) with elementwise
// passes between them.  With OpenBLAS splitting every product over the
// cores, the cores meet at the end of each product, and the passes between
// products run on one core while the others wait in OpenBLAS's yield loop
// (docs/performance.md, "Where the time goes": a quarter of the samples of
// a CD-10 epoch).  The chains of a minibatch never look at each other
// between gradient updates, so instead each thread moves its own columns
// through the whole chain -- products, sigmoids and draws -- and the
// threads meet once per minibatch.
//
// Exactness: the blocks are fixed by the number of columns and the model
// alone (column_block_count), never by the number of threads (beyond
// whether OpenBLAS has more than one: README, "Reproducibility"), and each
// block's products run on single-threaded BLAS whichever thread runs it, so
// a run gives the same bits with any number of threads (BLAS kernels round
// a product of a few columns differently from the same columns inside a
// wider product, so blocks that followed the thread count would not).  A
// block draws with a copy of the run's generator whose column offset is its
// first column (Rng::set_column_offset), so it gets exactly the values the
// whole matrix would get there; every block makes the same generator calls
// (the sampler's contract), so the copies end in the same state, which
// becomes the run's (tests/test_column_blocks.cpp).
#pragma once

#include <armadillo>
#include <cstddef>

#include "libebm/distributed/communicator.hpp"
#include "libebm/state.hpp"

namespace ebm {

/// When column blocks are used.
struct ColumnBlockPolicy {
  /// Passes of fewer elements (columns x units per column) stay whole: for
  /// small models the hand-over costs more than the second core gives.
  std::size_t min_elements = std::size_t(1) << 15;
  /// Blocks are at least this many columns wide: narrower products run
  /// below the BLAS's speed.
  arma::uword min_columns = 32;
  /// Whether to split when OpenBLAS runs on one thread (OPENBLAS_NUM_THREADS=1).
  /// No by default: on one core two narrow products cost more than one wide
  /// one (each packs the whole weight matrix), and the run stays bit for bit
  /// what it was.  Tests set it to split regardless of the machine.
  bool with_single_threaded_blas = false;
};

/// The most blocks a pass is split into.
constexpr unsigned max_column_blocks = 64;

/// The process's policy (tests set it to force blocks on small models).
ColumnBlockPolicy column_block_policy();
void set_column_block_policy(const ColumnBlockPolicy& policy);

/// How many blocks a pass over `n_cols` columns of `units_per_column`
/// elements each is split into: 1 below the policy's size or when OpenBLAS
/// runs on one thread, otherwise the largest power of two (so that 2, 4, 8
/// ... threads share them evenly) whose blocks are at least min_columns
/// wide, at most max_column_blocks.  Beyond "OpenBLAS on one thread or
/// more", not a function of the thread counts.
unsigned column_block_count(arma::uword n_cols, arma::uword units_per_column);
/// The same with blocks at least `min_columns` wide (instead of the policy's).
unsigned column_block_count(arma::uword n_cols, arma::uword units_per_column, arma::uword min_columns);

/// How many threads blocks may run on: the smaller of omp_get_max_threads()
/// (the helper threads' team, libebm/helper_threads.hpp) and OpenBLAS's
/// thread count, so OMP_NUM_THREADS=1 or OPENBLAS_NUM_THREADS=1 keeps a
/// run on one core.
unsigned column_block_threads();

/// While alive, OpenBLAS runs every call single-threaded (openblas_set_num_threads(1)),
/// so that the blocks' threads each run their own products instead of
/// sharing OpenBLAS's threads; the thread count is restored after.
/// Process-wide: BLAS calls of other threads are single-threaded too.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int saved_;
};

/// Columns [s.first, s.first + s.count) of m as a matrix sharing m's
/// memory (no copy): writing into it writes m.  Its size is fixed:
/// resizing it to another shape throws in a debug build of Armadillo and,
/// in a release build, moves it to memory of its own (mem_state no longer
/// 2, which the estimators check).  m must outlive it.
template <typename eT>
arma::Mat<eT> column_view(arma::Mat<eT>& m, ColumnShard s) {
  return arma::Mat<eT>(m.memptr() + s.first * m.n_rows, m.n_rows, s.count, false, true);
}

/// The same for a matrix that is only read through the view.
template <typename eT>
arma::Mat<eT> column_view(const arma::Mat<eT>& m, ColumnShard s) {
  return column_view(const_cast<arma::Mat<eT>&>(m), s);
}

/// view <- columns s of every layer of `whole` (see column_view); returns view.
template <typename eT>
State<eT>& column_view(State<eT>& whole, ColumnShard s, State<eT>& view) {
  // Reserved first: growing the vector would move the views.
  view.layers.reserve(whole.layers.size());
  view.layers.clear();
  for (auto& layer : whole.layers)
    view.layers.emplace_back(layer.memptr() + s.first * layer.n_rows, layer.n_rows, s.count, false, true);
  return view;
}

}  // namespace ebm
