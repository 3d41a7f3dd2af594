// Softmax regression (multinomial logistic regression) with an L2 penalty:
// the linear readout that measures how well a model's features (Model::
// features) separate the classes, and the baseline on raw pixels.
//
//   p(y = k | x) = exp(w_k . x + b_k) / sum_j exp(w_j . x + b_j)
//   f(W, b)     = -(1/n) sum_i log p(y_i | x_i) + (l2 / 2) ||W||_F^2
//
// f is convex (strictly so in W for l2 > 0), so a quasi-Newton method with a
// sufficient-decrease line search converges to the global minimum: full-batch
// L-BFGS (Nocedal 1980; Nocedal & Wright, "Numerical Optimization", 2nd ed.,
// algorithms 7.4 and 7.5) with a backtracking Armijo line search.  Written
// here because Debian 12 has no packaged C++ library for it that fits
// (libmlpack-dev is not installable here; see docs/benchmarks.md).
//
// Features are eT (float features of a 60,000-sample set stay float: the
// products with them are the cost); the parameters, the objective and the
// L-BFGS memory are double.
#pragma once

#include <armadillo>
#include <string>

namespace ebm {

struct SoftmaxRegressionOptions {
  double l2 = 1e-4;                  ///< weight of (1/2)||W||^2 (biases are not penalised)
  arma::uword max_iterations = 300;  ///< L-BFGS iterations
  double gradient_tolerance = 1e-6;  ///< stop when max |gradient| is below this
  arma::uword memory = 10;           ///< L-BFGS correction pairs kept
};

template <typename eT>
class SoftmaxRegression {
 public:
  using Matrix = arma::Mat<eT>;

  /// Fits to `features` (d x n, one sample per column) with `labels` in
  /// 0..n_classes-1.  ContractError for mismatched sizes or labels out of
  /// range.
  void fit(const Matrix& features, const arma::urowvec& labels, arma::uword n_classes,
           const SoftmaxRegressionOptions& options = {});

  /// Class probabilities, n_classes x n.
  arma::mat probabilities(const Matrix& features) const;
  /// The most probable class of each column.
  arma::urowvec predict(const Matrix& features) const;
  /// Fraction of columns whose prediction equals the label.
  double accuracy(const Matrix& features, const arma::urowvec& labels) const;

  /// f(W, b) at `parameters` (n_classes x (d + 1): W, then b as the last
  /// column) and, when `gradient` is not null, its gradient (same shape).
  static double objective(const arma::mat& parameters, const Matrix& features, const arma::urowvec& labels, double l2,
                          arma::mat* gradient);

  const arma::mat& parameters() const { return parameters_; }
  arma::uword iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  double final_objective() const { return final_objective_; }

 private:
  arma::mat parameters_;  // n_classes x (d + 1)
  arma::uword iterations_ = 0;
  bool converged_ = false;
  double final_objective_ = 0;
};

}  // namespace ebm
