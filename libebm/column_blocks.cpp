#include "libebm/column_blocks.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>

// OpenBLAS's thread control (libopenblas, which we link directly).
extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace ebm {

namespace {

std::atomic<std::size_t> policy_min_elements{ColumnBlockPolicy{}.min_elements};
std::atomic<arma::uword> policy_min_columns{ColumnBlockPolicy{}.min_columns};
std::atomic<bool> policy_with_single_threaded_blas{ColumnBlockPolicy{}.with_single_threaded_blas};

}  // namespace

ColumnBlockPolicy column_block_policy() {
  ColumnBlockPolicy p;
  p.min_elements = policy_min_elements.load();
  p.min_columns = policy_min_columns.load();
  p.with_single_threaded_blas = policy_with_single_threaded_blas.load();
  return p;
}

void set_column_block_policy(const ColumnBlockPolicy& policy) {
  policy_min_elements.store(policy.min_elements);
  policy_min_columns.store(policy.min_columns);
  policy_with_single_threaded_blas.store(policy.with_single_threaded_blas);
}

unsigned column_block_count(arma::uword n_cols, arma::uword units_per_column) {
  return column_block_count(n_cols, units_per_column, column_block_policy().min_columns);
}

unsigned column_block_count(arma::uword n_cols, arma::uword units_per_column, arma::uword min_columns) {
  const ColumnBlockPolicy policy = column_block_policy();
  if (std::size_t(n_cols) * units_per_column < policy.min_elements) return 1;
  if (!policy.with_single_threaded_blas && openblas_get_num_threads() < 2) return 1;
  const arma::uword most = n_cols / std::max<arma::uword>(min_columns, 1);
  unsigned count = 1;
  while (count * 2 <= most && count * 2 <= max_column_blocks) count *= 2;
  return count;
}

unsigned column_block_threads() {
  return unsigned(std::max(1, std::min(omp_get_max_threads(), openblas_get_num_threads())));
}

SingleThreadedBlas::SingleThreadedBlas() : saved_(openblas_get_num_threads()) {
  if (saved_ > 1) openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (saved_ > 1) openblas_set_num_threads(saved_);
}

}  // namespace ebm
