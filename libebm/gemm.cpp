#include "libebm/gemm.hpp"

#include <string>

#include "libebm/column_blocks.hpp"
#include "libebm/error.hpp"
#include "libebm/helper_threads.hpp"

namespace ebm {

template <typename eT>
void gemm(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b, eT beta,
          arma::Mat<eT>& c) {
  const arma::uword m = trans_a ? a.n_cols : a.n_rows, k = trans_a ? a.n_rows : a.n_cols;
  const arma::uword n = trans_b ? b.n_rows : b.n_cols;
  const arma::uword k_b = trans_b ? b.n_cols : b.n_rows;
  if (k != k_b)
    throw ContractError("gemm(): inner dimensions " + std::to_string(k) + " and " + std::to_string(k_b) + " differ");
  if (beta == eT(0))
    c.set_size(m, n);
  else if (c.n_rows != m || c.n_cols != n)
    throw ContractError("gemm(): accumulating a " + std::to_string(m) + "x" + std::to_string(n) + " product into a " +
                        std::to_string(c.n_rows) + "x" + std::to_string(c.n_cols) + " matrix");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == eT(0))
      c.zeros();
    else
      c *= beta;
    return;
  }
  const arma::blas_int bm = arma::blas_int(m), bn = arma::blas_int(n), bk = arma::blas_int(k);
  const arma::blas_int lda = arma::blas_int(a.n_rows), ldb = arma::blas_int(b.n_rows), ldc = arma::blas_int(m);
  const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
  arma::blas::gemm<eT>(&ta, &tb, &bm, &bn, &bk, &alpha, a.memptr(), &lda, b.memptr(), &ldb, &beta, c.memptr(), &ldc);
}

template <typename eT>
void gemm_in_column_blocks(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b,
                           eT beta, arma::Mat<eT>& c, arma::uword min_columns) {
  const arma::uword m = trans_a ? a.n_cols : a.n_rows, k = trans_a ? a.n_rows : a.n_cols;
  const arma::uword n = trans_b ? b.n_rows : b.n_cols;
  const unsigned count = column_block_count(n, m, min_columns);
  if (count < 2 || k == 0 || m == 0 || (trans_b ? b.n_cols : b.n_rows) != k || (beta != eT(0) && (c.n_rows != m || c.n_cols != n))) {
    gemm(trans_a, trans_b, alpha, a, b, beta, c);  // whole (and its checks)
    return;
  }
  if (beta == eT(0)) c.set_size(m, n);
  const unsigned threads = column_block_threads();
  SingleThreadedBlas single_threaded;
  HelperThreads::instance().run(
      count,
      [&](std::size_t block) {
        const ColumnShard s = column_shard(n, int(block), int(count));
        // Columns s of op(b): rows s of b when transposed (leading dimension b.n_rows).
        const eT* b_block = trans_b ? b.memptr() + s.first : b.colptr(s.first);
        const arma::blas_int bm = arma::blas_int(m), bn = arma::blas_int(s.count), bk = arma::blas_int(k);
        const arma::blas_int lda = arma::blas_int(a.n_rows), ldb = arma::blas_int(b.n_rows), ldc = arma::blas_int(m);
        const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
        arma::blas::gemm<eT>(&ta, &tb, &bm, &bn, &bk, &alpha, a.memptr(), &lda, b_block, &ldb, &beta, c.colptr(s.first),
                             &ldc);
      },
      threads);
}

template void gemm<float>(bool, bool, float, const arma::fmat&, const arma::fmat&, float, arma::fmat&);
template void gemm<double>(bool, bool, double, const arma::mat&, const arma::mat&, double, arma::mat&);
template void gemm_in_column_blocks<float>(bool, bool, float, const arma::fmat&, const arma::fmat&, float, arma::fmat&,
                                           arma::uword);
template void gemm_in_column_blocks<double>(bool, bool, double, const arma::mat&, const arma::mat&, double, arma::mat&,
                                            arma::uword);

}  // namespace ebm
