// Independent reference computations for the tests: brute-force sums written
// directly from the definitions with plain loops, sharing no code with the
// library paths they check.
#pragma once

#include <unistd.h>

#include <armadillo>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "libebm/random.hpp"
#include "libebm/units/bernoulli_layer.hpp"
#include "models/rbm.hpp"

namespace test {

/// All 2^n binary configurations of n units as columns (column s has unit i
/// on when bit i of s is set).
inline arma::mat all_binary_states(arma::uword n) {
  const arma::uword count = arma::uword(1) << n;
  arma::mat s(n, count);
  for (arma::uword c = 0; c < count; ++c)
    for (arma::uword i = 0; i < n; ++i) s(i, c) = double((c >> i) & 1u);
  return s;
}

/// A Bernoulli-Bernoulli RBM with N(0, scale^2) weights and biases.
template <typename eT = double>
std::unique_ptr<ebm::Rbm<eT>> random_rbm(arma::uword nv, arma::uword nh, std::uint64_t seed, double scale = 1.0) {
  auto rbm = std::make_unique<ebm::Rbm<eT>>(std::make_unique<ebm::BernoulliLayer<eT>>(nv),
                                            std::make_unique<ebm::BernoulliLayer<eT>>(nh));
  ebm::Rng rng(seed);
  rng.fill_normal(rbm->weights(), 0.0, scale);
  rng.fill_normal(rbm->visible().bias(), 0.0, scale);
  rng.fill_normal(rbm->hidden().bias(), 0.0, scale);
  return rbm;
}

/// The RBM's parameters in double, for the brute-force formulas.
struct Params {
  arma::mat w;
  arma::vec b, c;
  template <typename eT>
  explicit Params(const ebm::Rbm<eT>& rbm)
      : w(arma::conv_to<arma::mat>::from(rbm.weights())),
        b(arma::conv_to<arma::vec>::from(arma::Mat<eT>(rbm.visible().bias()))),
        c(arma::conv_to<arma::vec>::from(arma::Mat<eT>(rbm.hidden().bias()))) {}
  Params(arma::mat w_, arma::vec b_, arma::vec c_) : w(std::move(w_)), b(std::move(b_)), c(std::move(c_)) {}

  /// E(v, h) = -b.v - c.h - sum_ij v_i W_ij h_j, by loops.
  double energy(const double* v, const double* h) const {
    double e = 0;
    for (arma::uword i = 0; i < b.n_elem; ++i) e -= b[i] * v[i];
    for (arma::uword j = 0; j < c.n_elem; ++j) e -= c[j] * h[j];
    for (arma::uword i = 0; i < b.n_elem; ++i)
      for (arma::uword j = 0; j < c.n_elem; ++j) e -= v[i] * w(i, j) * h[j];
    return e;
  }
};

inline double log_sum_exp(const std::vector<double>& x) {
  double m = -INFINITY;
  for (double v : x) m = std::max(m, v);
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

/// log Z as the double sum over every (v, h).
inline double brute_log_partition(const Params& p) {
  const arma::mat vs = all_binary_states(p.b.n_elem), hs = all_binary_states(p.c.n_elem);
  std::vector<double> terms;
  terms.reserve(vs.n_cols * hs.n_cols);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-p.energy(vs.colptr(a), hs.colptr(z)));
  return log_sum_exp(terms);
}

/// F(v) = -log sum_h exp(-E(v, h)) by summing over h.
inline double brute_free_energy(const Params& p, const double* v) {
  const arma::mat hs = all_binary_states(p.c.n_elem);
  std::vector<double> terms;
  for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-p.energy(v, hs.colptr(z)));
  return -log_sum_exp(terms);
}

/// Mean log p(v) over the columns of data.
inline double brute_mean_log_likelihood(const Params& p, const arma::mat& data) {
  const double log_z = brute_log_partition(p);
  double s = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n) s += -brute_free_energy(p, data.colptr(n)) - log_z;
  return s / double(data.n_cols);
}

/// Exact joint distribution p(v, h), indexed [v_index + 2^nv * h_index].
inline arma::vec brute_joint(const Params& p) {
  const arma::mat vs = all_binary_states(p.b.n_elem), hs = all_binary_states(p.c.n_elem);
  arma::vec q(vs.n_cols * hs.n_cols);
  for (arma::uword z = 0; z < hs.n_cols; ++z)
    for (arma::uword a = 0; a < vs.n_cols; ++a) q[a + vs.n_cols * z] = -p.energy(vs.colptr(a), hs.colptr(z));
  q = arma::exp(q - q.max());
  return q / arma::accu(q);
}

/// Bars and stripes on an n x n grid (MacKay 2003): every pattern whose rows
/// are each all on or all off, or whose columns are; 2^(n+1) - 2 distinct
/// patterns, one per column, pixels in row-major order.
inline arma::mat bars_and_stripes(arma::uword n) {
  std::vector<arma::vec> patterns;
  for (arma::uword s = 0; s < (arma::uword(1) << n); ++s) {
    arma::vec rows(n * n), cols(n * n);
    for (arma::uword r = 0; r < n; ++r)
      for (arma::uword c = 0; c < n; ++c) {
        rows[r * n + c] = double((s >> r) & 1u);
        cols[r * n + c] = double((s >> c) & 1u);
      }
    patterns.push_back(rows);
    // All-off and all-on are both "rows" and "columns" patterns: keep once.
    if (s != 0 && s != (arma::uword(1) << n) - 1) patterns.push_back(cols);
  }
  arma::mat data(n * n, patterns.size());
  for (arma::uword i = 0; i < patterns.size(); ++i) data.col(i) = patterns[i];
  return data;
}

/// A fresh directory under the system's temporary directory, removed with
/// everything in it when the object goes out of scope; `tmp / "name"` is the
/// path of a file in it.  Unique per process and per object.
struct TempDir {
  std::filesystem::path dir;
  explicit TempDir(const std::string& prefix = "ebm_test") {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string operator/(const std::string& name) const { return path(name); }
};

/// Checks `gradient` (one matrix per parameter, in the order of
/// `parameters`, a model's parameters() list) against central differences
/// (f(theta + h) - f(theta - h)) / 2h of the brute-force objective f(), one
/// element at a time (each changed and restored).  Central differences:
/// truncation O(h^2) ~ 1e-10 times the third derivative, rounding ~ 1e-16/h,
/// so |analytic - numeric| < tolerance (times max(1, |numeric|) if
/// `relative`, for objectives whose derivatives grow with the values).
template <class Parameters, class Gradient, class F>
void check_gradient_by_central_differences(const Parameters& parameters, const Gradient& gradient, F f,
                                           double tolerance = 1e-7, bool relative = false) {
  BOOST_REQUIRE_EQUAL(gradient.size(), parameters.size());
  const double h = 1e-5;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    auto& theta = *parameters[k].value;
    for (arma::uword i = 0; i < theta.n_elem; ++i) {
      const double saved = theta[i];
      theta[i] = saved + h;
      const double up = f();
      theta[i] = saved - h;
      const double down = f();
      theta[i] = saved;
      const double numeric = (up - down) / (2 * h);
      const double scale = relative ? std::max(1.0, std::abs(numeric)) : 1.0;
      BOOST_TEST_CONTEXT(parameters[k].name << "[" << i << "]") {
        BOOST_TEST(std::abs(gradient[k][i] - numeric) < tolerance * scale);
      }
    }
  }
}

}  // namespace test
