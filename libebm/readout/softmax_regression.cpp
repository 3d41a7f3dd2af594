#include "libebm/readout/softmax_regression.hpp"

#include <cmath>
#include <deque>
#include <limits>

#include "libebm/error.hpp"

namespace ebm {

namespace {

void check_inputs(const char* caller, arma::uword n_features, arma::uword n_samples, const arma::urowvec& labels,
                  arma::uword n_classes) {
  if (labels.n_elem != n_samples)
    throw ContractError(std::string("SoftmaxRegression::") + caller + "(): " + std::to_string(n_samples) +
                        " samples but " + std::to_string(labels.n_elem) + " labels");
  if (n_samples && labels.max() >= n_classes)
    throw ContractError(std::string("SoftmaxRegression::") + caller + "(): label " + std::to_string(labels.max()) +
                        " out of range 0.." + std::to_string(n_classes - 1));
  (void)n_features;
}

/// Column-wise softmax of scores in place, returning log p(label) summed.
template <typename eT>
double softmax_columns(arma::Mat<eT>& scores, const arma::urowvec* labels) {
  double log_likelihood = 0;
  for (arma::uword i = 0; i < scores.n_cols; ++i) {
    eT* s = scores.colptr(i);
    eT m = s[0];
    for (arma::uword k = 1; k < scores.n_rows; ++k) m = std::max(m, s[k]);
    double z = 0;
    for (arma::uword k = 0; k < scores.n_rows; ++k) z += std::exp(double(s[k] - m));
    const double log_z = double(m) + std::log(z);
    if (labels) log_likelihood += double(s[(*labels)[i]]) - log_z;
    for (arma::uword k = 0; k < scores.n_rows; ++k) s[k] = eT(std::exp(double(s[k]) - log_z));
  }
  return log_likelihood;
}

/// Scores W x + b for parameters (K x (d+1)), in eT.
template <typename eT>
arma::Mat<eT> scores_of(const arma::mat& parameters, const arma::Mat<eT>& x) {
  const arma::Mat<eT> w = arma::conv_to<arma::Mat<eT>>::from(parameters.head_cols(parameters.n_cols - 1));
  const arma::Col<eT> b = arma::conv_to<arma::Col<eT>>::from(parameters.col(parameters.n_cols - 1));
  arma::Mat<eT> s = w * x;
  s.each_col() += b;
  return s;
}

}  // namespace

template <typename eT>
double SoftmaxRegression<eT>::objective(const arma::mat& parameters, const Matrix& x, const arma::urowvec& labels,
                                        double l2, arma::mat* gradient) {
  const arma::uword k = parameters.n_rows, d = x.n_rows, n = x.n_cols;
  if (parameters.n_cols != d + 1)
    throw ContractError("SoftmaxRegression::objective(): parameters have " + std::to_string(parameters.n_cols) +
                        " columns, expected features + 1 = " + std::to_string(d + 1));
  check_inputs("objective", d, n, labels, k);
  if (n == 0) throw ContractError("SoftmaxRegression::objective(): no samples");
  arma::Mat<eT> p = scores_of(parameters, x);
  const double log_likelihood = softmax_columns(p, &labels);
  const arma::mat w = parameters.head_cols(d);
  const double f = -log_likelihood / double(n) + 0.5 * l2 * arma::accu(arma::square(w));
  if (gradient) {
    // d f / d scores = (P - Y) / n; then through W x + b.
    for (arma::uword i = 0; i < n; ++i) p(labels[i], i) -= eT(1);
    gradient->set_size(k, d + 1);
    gradient->head_cols(d) = arma::conv_to<arma::mat>::from(arma::Mat<eT>(p * x.t())) / double(n) + l2 * w;
    gradient->col(d) = arma::conv_to<arma::vec>::from(arma::Col<eT>(arma::sum(p, 1))) / double(n);
  }
  return f;
}

template <typename eT>
void SoftmaxRegression<eT>::fit(const Matrix& x, const arma::urowvec& labels, arma::uword n_classes,
                                const SoftmaxRegressionOptions& o) {
  if (n_classes < 2) throw ContractError("SoftmaxRegression::fit(): needs at least 2 classes");
  if (x.n_cols == 0) throw ContractError("SoftmaxRegression::fit(): no samples");
  check_inputs("fit", x.n_rows, x.n_cols, labels, n_classes);
  arma::mat theta(n_classes, x.n_rows + 1, arma::fill::zeros), g, g_new, theta_new;
  double f = objective(theta, x, labels, o.l2, &g);
  std::deque<arma::mat> s_list, y_list;
  std::deque<double> rho_list;
  converged_ = false;
  iterations_ = 0;
  for (arma::uword it = 0; it < o.max_iterations; ++it) {
    if (arma::abs(g).max() < o.gradient_tolerance) {
      converged_ = true;
      break;
    }
    // Two-loop recursion: direction = -H g with H the L-BFGS inverse Hessian.
    arma::mat q = g;
    std::vector<double> alpha(s_list.size());
    for (std::size_t i = s_list.size(); i-- > 0;) {
      alpha[i] = rho_list[i] * arma::accu(s_list[i] % q);
      q -= alpha[i] * y_list[i];
    }
    if (!s_list.empty()) {
      // Initial scaling gamma = s.y / y.y (Nocedal & Wright eq. 7.20).
      q *= arma::accu(s_list.back() % y_list.back()) / arma::accu(y_list.back() % y_list.back());
    } else {
      q /= std::max(1.0, arma::norm(arma::vectorise(g)));  // a first step of length <= 1
    }
    for (std::size_t i = 0; i < s_list.size(); ++i) {
      const double beta = rho_list[i] * arma::accu(y_list[i] % q);
      q += (alpha[i] - beta) * s_list[i];
    }
    arma::mat direction = -q;
    double slope = arma::accu(g % direction);
    if (!(slope < 0)) {  // not a descent direction (round-off): restart from steepest descent
      s_list.clear(), y_list.clear(), rho_list.clear();
      direction = -g / std::max(1.0, arma::norm(arma::vectorise(g)));
      slope = arma::accu(g % direction);
    }
    // Backtracking until the Armijo condition f(x + t d) <= f + c t g.d holds.
    double t = 1, f_new = 0;
    bool accepted = false;
    for (int tries = 0; tries < 40; ++tries, t *= 0.5) {
      theta_new = theta + t * direction;
      f_new = objective(theta_new, x, labels, o.l2, &g_new);
      if (std::isfinite(f_new) && f_new <= f + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
    }
    ++iterations_;
    if (!accepted) break;  // no decrease representable: at the minimum to round-off
    arma::mat s = theta_new - theta, y = g_new - g;
    const double sy = arma::accu(s % y);
    theta.swap(theta_new);
    g.swap(g_new);
    const double decrease = f - f_new;
    f = f_new;
    if (sy > 1e-12) {  // keep the pair only when it keeps H positive definite
      s_list.push_back(std::move(s));
      y_list.push_back(std::move(y));
      rho_list.push_back(1.0 / sy);
      if (s_list.size() > o.memory) s_list.pop_front(), y_list.pop_front(), rho_list.pop_front();
    }
    if (decrease <= 1e-12 * std::max(1.0, std::abs(f))) {
      converged_ = true;
      break;
    }
  }
  if (arma::abs(g).max() < o.gradient_tolerance) converged_ = true;
  parameters_ = std::move(theta);
  final_objective_ = f;
}

template <typename eT>
arma::mat SoftmaxRegression<eT>::probabilities(const Matrix& x) const {
  if (parameters_.n_elem == 0) throw ContractError("SoftmaxRegression: not fitted");
  if (x.n_rows + 1 != parameters_.n_cols)
    throw ContractError("SoftmaxRegression: features have " + std::to_string(x.n_rows) +
                        " rows, the readout was fitted on " + std::to_string(parameters_.n_cols - 1));
  arma::Mat<eT> p = scores_of(parameters_, x);
  softmax_columns(p, static_cast<const arma::urowvec*>(nullptr));
  return arma::conv_to<arma::mat>::from(p);
}

template <typename eT>
arma::urowvec SoftmaxRegression<eT>::predict(const Matrix& x) const {
  if (parameters_.n_elem == 0) throw ContractError("SoftmaxRegression: not fitted");
  if (x.n_rows + 1 != parameters_.n_cols)
    throw ContractError("SoftmaxRegression: features have " + std::to_string(x.n_rows) +
                        " rows, the readout was fitted on " + std::to_string(parameters_.n_cols - 1));
  // The most probable class is the largest score: no softmax needed.
  const arma::Mat<eT> s = scores_of(parameters_, x);
  arma::urowvec out(x.n_cols);
  for (arma::uword i = 0; i < x.n_cols; ++i) out[i] = s.col(i).index_max();
  return out;
}

template <typename eT>
double SoftmaxRegression<eT>::accuracy(const Matrix& x, const arma::urowvec& labels) const {
  if (labels.n_elem != x.n_cols)
    throw ContractError("SoftmaxRegression::accuracy(): " + std::to_string(x.n_cols) + " samples but " +
                        std::to_string(labels.n_elem) + " labels");
  if (x.n_cols == 0) return 0;
  return double(arma::accu(predict(x) == labels)) / double(x.n_cols);
}

template class SoftmaxRegression<float>;
template class SoftmaxRegression<double>;

}  // namespace ebm
