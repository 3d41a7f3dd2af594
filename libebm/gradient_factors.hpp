// A gradient some of whose matrices are left as sums of outer products.
//
// The weight term of a dense connection's log-likelihood gradient is
//     dW = (1/B+) X+ Y+^T - (1/B-) X- Y-^T,
// the data states (positive phase) times the model states (the estimator's
// chains) -- two GEMMs.  Materialising dW and then letting the update rule
// read it again costs a pass over a W-sized buffer that one BLAS thread has
// just written and another reads (the largest overhead of a CD-1 minibatch,
// docs/performance.md).  Instead the estimator can hand over the factors
// (the states, which it keeps anyway) and the update rule can put the GEMMs
// where it needs them: plain SGD accumulates them straight into W,
//     W <- (1 - lr wd) W + (lr/B+) X+ Y+^T - (lr/B-) X- Y-^T,
// with BLAS's beta scaling W; with momentum, into the velocity.
//
// Who produces and who consumes (one trainer for every model):
//   - Model::statistics_difference(..., FactoredGradient&) leaves as
//     factors the weight term of every dense connection whose two layers
//     interact through the identity, everything else materialised;
//   - GradientEstimator::estimate_factored() asks for it (estimators that
//     opt in, delivers_factors(); the others materialise everything);
//   - UpdateRule::apply_factored() consumes it (default: materialise(),
//     then apply(), so every rule works unchanged);
//   - the Trainer takes this path unless something must see or change the
//     whole gradient first (data-parallel sums, centering).
// The terms point into the estimator's states: valid until its next
// estimate(), which is all the trainer needs.
#pragma once

#include <cstddef>
#include <vector>

#include "libebm/parameter.hpp"

namespace ebm {

/// alpha * left * right^T (left: rows x k, right: cols x k).
template <typename eT>
struct OuterProduct {
  eT alpha;
  const arma::Mat<eT>* left;
  const arma::Mat<eT>* right;
};

template <typename eT>
struct FactoredGradient {
  using Matrix = arma::Mat<eT>;

  /// gradient[i]: the gradient of parameter i when it is not factored
  /// (its contents are meaningless while factors[i] is non-empty).
  Statistics<eT> gradient;
  /// factors[i]: when non-empty, gradient of parameter i = sum of the terms.
  std::vector<std::vector<OuterProduct<eT>>> factors;
  /// Whether the states the factors point into were computed in column
  /// blocks (libebm/column_blocks.hpp; set by the estimator): the joined
  /// GEMM then runs in column blocks too, so that a training step's BLAS
  /// calls are all single-threaded in blocks or all OpenBLAS's own.
  bool in_column_blocks = false;

  /// n parameters, none factored (keeps the buffers).
  void reset(std::size_t n);
  bool is_factored(std::size_t i) const { return i < factors.size() && !factors[i].empty(); }
  /// Whether any parameter is factored.
  bool any_factored() const;

  /// target <- beta * target + scale * (sum of the terms of parameter i),
  /// as GEMMs: the first with BLAS's beta (beta = 0: target is resized and
  /// overwritten, never read), the others accumulating.  Requires
  /// is_factored(i).
  void accumulate(std::size_t i, eT scale, eT beta, Matrix& target) const;

  /// The same as ONE GEMM over the joined inner dimension:
  /// [L_1 L_2 ...] [R_1 (alpha_2/alpha_1) R_2 ...]^T with alpha scale *
  /// alpha_1, the joined factors copied into `left` and `right` (scratch the
  /// caller keeps).  For CD's two terms of B columns each, one k = 2B
  /// product reads and writes target once instead of twice and runs the
  /// kernel on a longer inner dimension: measured faster than two k = B
  /// products even with the copies (docs/performance.md).  Equal to
  /// accumulate() up to rounding (alpha_2/alpha_1 = -1 is exact); falls
  /// back to it for a single term or factors of different shapes.
  void accumulate_joined(std::size_t i, eT scale, eT beta, Matrix& target, Matrix& left, Matrix& right) const;

  /// gradient[i] <- the sum of its terms for every factored i, which then
  /// is factored no more.  The same GEMMs, in the same order and with the
  /// same alphas, as Model::statistics_difference into plain Statistics, so
  /// the materialised gradient is bit for bit the one of that path.
  void materialise();
};

}  // namespace ebm
