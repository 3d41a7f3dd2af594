#include "libebm/gemm.hpp"

#include <string>

#include "libebm/column_blocks.hpp"
#include "libebm/error.hpp"
#include "libebm/helper_threads.hpp"

namespace ebm {

namespace {

// The product's shape, after the checks gemm() documents (c resized when
// beta == 0).
struct Shape {
  arma::uword m, n, k;
};

template <typename eT>
Shape checked_shape(bool trans_a, bool trans_b, const arma::Mat<eT>& a, const arma::Mat<eT>& b, eT beta,
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
  return {m, n, k};
}

// Columns [first, first + count) of c <- alpha * op(a) * (those columns of
// op(b)) + beta * (those of c): one BLAS call (the shape checked, k > 0).
// Columns of op(b) are rows of b when it is transposed.
template <typename eT>
void gemm_columns(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b, eT beta,
                  arma::Mat<eT>& c, const Shape& shape, arma::uword first, arma::uword count) {
  const eT* b_columns = trans_b ? b.memptr() + first : b.colptr(first);
  const arma::blas_int bm = arma::blas_int(shape.m), bn = arma::blas_int(count), bk = arma::blas_int(shape.k);
  const arma::blas_int lda = arma::blas_int(a.n_rows), ldb = arma::blas_int(b.n_rows), ldc = arma::blas_int(shape.m);
  const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
  arma::blas::gemm<eT>(&ta, &tb, &bm, &bn, &bk, &alpha, a.memptr(), &lda, b_columns, &ldb, &beta, c.colptr(first),
                       &ldc);
}

}  // namespace

template <typename eT>
void gemm(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b, eT beta,
          arma::Mat<eT>& c) {
  const Shape shape = checked_shape(trans_a, trans_b, a, b, beta, c);
  if (shape.m == 0 || shape.n == 0) return;
  if (shape.k == 0) {
    if (beta == eT(0))
      c.zeros();
    else
      c *= beta;
    return;
  }
  gemm_columns(trans_a, trans_b, alpha, a, b, beta, c, shape, 0, shape.n);
}

template <typename eT>
void gemm_in_column_blocks(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b,
                           eT beta, arma::Mat<eT>& c, arma::uword min_columns) {
  const Shape shape = checked_shape(trans_a, trans_b, a, b, beta, c);
  const unsigned count = column_block_count(shape.n, shape.m, min_columns);
  if (count < 2 || shape.m == 0 || shape.k == 0) {
    gemm(trans_a, trans_b, alpha, a, b, beta, c);  // whole
    return;
  }
  const unsigned threads = column_block_threads();
  SingleThreadedBlas single_threaded;
  HelperThreads::instance().run(
      count,
      [&](std::size_t block) {
        const ColumnShard s = column_shard(shape.n, int(block), int(count));
        gemm_columns(trans_a, trans_b, alpha, a, b, beta, c, shape, s.first, s.count);
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
