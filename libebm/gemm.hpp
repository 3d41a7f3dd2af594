// One BLAS matrix product, written out: c <- alpha * op(a) * op(b) + beta * c,
// op() a transpose when asked.  BLAS reads a transposed operand in place (no
// transposed copy), beta = 1 accumulates without a temporary, and beta = 0
// (re)sizes c and overwrites it.  Armadillo forms the same calls for such
// expressions; spelling them out keeps them so, and lets the hot loop pick
// beta itself (the fused update, libebm/gradient_factors.hpp, scales the
// parameter by beta = 1 - lr * weight_decay inside the product).
#pragma once

#include <armadillo>

namespace ebm {

/// c <- alpha * op(a) * op(b) + beta * c.  With beta == 0, c is resized to
/// the product's shape and its old values are never read; otherwise c must
/// already have that shape (ContractError).  An empty inner dimension
/// leaves beta * c.
template <typename eT>
void gemm(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b, eT beta,
          arma::Mat<eT>& c);

/// The same product with c's columns in column blocks (libebm/column_blocks.hpp:
/// blocks of at least `min_columns`, fixed by the shapes, not by the
/// threads), each a single-threaded BLAS call on the helper threads.  The
/// training step's update GEMM runs so (gradient_factors.cpp), so that
/// with the chains in column blocks too no BLAS call of a step wakes
/// OpenBLAS's own threads, which would otherwise yield on the cores while
/// the blocks run (docs/performance.md, "Column blocks").
template <typename eT>
void gemm_in_column_blocks(bool trans_a, bool trans_b, eT alpha, const arma::Mat<eT>& a, const arma::Mat<eT>& b,
                           eT beta, arma::Mat<eT>& c, arma::uword min_columns = 128);

}  // namespace ebm
