// Independent reference computations for the tests: brute-force sums written
// directly from the definitions with plain loops, sharing no code with the
// library paths they check.
#pragma once

#include <unistd.h>

#include <armadillo>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/experiment.hpp"
#include "libebm/random.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/units/bernoulli_layer.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "models/deep_belief_net.hpp"
#include "models/rbm.hpp"

namespace test {

/// Random binary data: entry 1 when the seeded generator's uniform is below
/// p (so the same seed gives the same data in every test).
template <typename eT = double>
arma::Mat<eT> random_binary(arma::uword rows, arma::uword cols, std::uint64_t seed, double p = 0.5) {
  ebm::Rng rng(seed);
  arma::Mat<eT> x(rows, cols);
  rng.fill_uniform(x);
  return arma::conv_to<arma::Mat<eT>>::from(x < eT(p));
}

/// N(0, sd^2) data from the seeded generator.
inline arma::mat random_normal(arma::uword rows, arma::uword cols, std::uint64_t seed, double sd = 1.0) {
  ebm::Rng rng(seed);
  arma::mat x(rows, cols);
  rng.fill_normal(x, 0.0, sd);
  return x;
}

/// A Gaussian-Bernoulli RBM with N(0, scale^2) weights and hidden biases,
/// N(0, 1) visible biases and log-variances uniform in [-1, 1] (learned
/// when `learn`).
inline std::unique_ptr<ebm::Rbm<double>> random_gaussian_rbm(arma::uword nv, arma::uword nh, std::uint64_t seed,
                                                             bool learn, double scale = 0.7) {
  auto rbm = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::GaussianLayer<double>>(nv, 1.0, learn),
                                                std::make_unique<ebm::BernoulliLayer<double>>(nh));
  ebm::Rng rng(seed);
  rng.fill_normal(rbm->weights(), 0.0, scale);
  rng.fill_normal(rbm->visible().bias(), 0.0, 1.0);
  rng.fill_normal(rbm->hidden().bias(), 0.0, scale);
  auto& g = dynamic_cast<ebm::GaussianLayer<double>&>(rbm->visible());
  rng.fill_uniform(g.log_variance());
  g.log_variance() = 2 * g.log_variance() - 1;
  return rbm;
}

/// All 2^n binary configurations of n units as columns (column s has unit i
/// on when bit i of s is set).
inline arma::mat all_binary_states(arma::uword n) {
  const arma::uword count = arma::uword(1) << n;
  arma::mat s(n, count);
  for (arma::uword c = 0; c < count; ++c)
    for (arma::uword i = 0; i < n; ++i) s(i, c) = double((c >> i) & 1u);
  return s;
}

/// All K^groups configurations of `groups` one-hot groups of K units as
/// columns (unit g*K + k is "group g in state k"; column s has group g in
/// state digit g of s in base K, least significant first).
inline arma::mat all_one_hot_states(arma::uword groups, arma::uword k) {
  arma::uword count = 1;
  for (arma::uword g = 0; g < groups; ++g) count *= k;
  arma::mat s(groups * k, count, arma::fill::zeros);
  for (arma::uword c = 0; c < count; ++c) {
    arma::uword rest = c;
    for (arma::uword g = 0; g < groups; ++g) {
      s(g * k + rest % k, c) = 1.0;
      rest /= k;
    }
  }
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

/// F(v) of a Bernoulli-visible RBM whose hidden units are stepped sigmoid
/// units (the model NReLUs stand for; Nair & Hinton 2010): hidden unit j is
/// `copies` binary units with biases c_j - n + 0.5 (n = 1..copies) sharing
/// its weights, each summed out on its own (softplus of its input).
inline double brute_ssu_free_energy(const Params& p, const double* v, int copies = 400) {
  double f = 0;
  for (arma::uword i = 0; i < p.b.n_elem; ++i) f -= p.b[i] * v[i];
  for (arma::uword j = 0; j < p.c.n_elem; ++j) {
    double u = p.c[j];
    for (arma::uword i = 0; i < p.b.n_elem; ++i) u += v[i] * p.w(i, j);
    for (int n = 1; n <= copies; ++n) {
      const double x = u - n + 0.5;
      f -= x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
  }
  return f;
}

/// Mean log p(v) over the columns of data for that model, log Z by summing
/// over every binary v.
inline double brute_ssu_mean_log_likelihood(const Params& p, const arma::mat& data) {
  const arma::mat vs = all_binary_states(p.b.n_elem);
  std::vector<double> terms;
  for (arma::uword a = 0; a < vs.n_cols; ++a) terms.push_back(-brute_ssu_free_energy(p, vs.colptr(a)));
  const double log_z = log_sum_exp(terms);
  double s = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n) s += -brute_ssu_free_energy(p, data.colptr(n)) - log_z;
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

/// p(v | h) of a Bernoulli RBM: prod_i sigmoid(b_i + W_i.h)^v_i (1 - ...)^(1 - v_i), by loops.
inline double brute_visible_conditional(const Params& p, const double* v, const double* h) {
  double prob = 1;
  for (arma::uword i = 0; i < p.b.n_elem; ++i) {
    double a = p.b[i];
    for (arma::uword j = 0; j < p.c.n_elem; ++j) a += p.w(i, j) * h[j];
    const double on = 1.0 / (1.0 + std::exp(-a));
    prob *= v[i] > 0.5 ? on : 1 - on;
  }
  return prob;
}

/// The visible marginal p(v) of a Bernoulli RBM over all 2^nv states
/// (index as all_binary_states), by the double sum.
inline arma::vec brute_visible_marginal(const Params& p) {
  const arma::vec joint = brute_joint(p);
  const arma::uword nv = arma::uword(1) << p.b.n_elem;
  arma::vec m(nv, arma::fill::zeros);
  for (arma::uword q = 0; q < joint.n_elem; ++q) m[q % nv] += joint[q];
  return m;
}

/// q(h | v) of a Bernoulli RBM: prod_j sigmoid(c_j + sum_i v_i W_ij)^h_j (1 - ...)^(1 - h_j), by loops.
inline double brute_hidden_conditional(const Params& p, const double* v, const double* h) {
  double prob = 1;
  for (arma::uword j = 0; j < p.c.n_elem; ++j) {
    double a = p.c[j];
    for (arma::uword i = 0; i < p.b.n_elem; ++i) a += v[i] * p.w(i, j);
    const double on = 1.0 / (1.0 + std::exp(-a));
    prob *= h[j] > 0.5 ? on : 1 - on;
  }
  return prob;
}

/// Brute force for a Gaussian-Bernoulli RBM (Gaussian visible units with
/// variances s = sigma^2, Bernoulli hidden units), optionally centered on
/// offsets mu_v, mu_h (zero: the ordinary energy), by loops:
///     E(v, h) = sum_i (v_i - b_i)^2 / (2 s_i) - c.h - (v - mu_v)^T W (h - mu_h),
/// the v-integral in closed form with a = W (h - mu_h):
///     int exp(-(v - b)^2 / (2 s) + v a) dv = sqrt(2 pi s) exp(b a + s a^2 / 2).
struct BruteGaussianRbm {
  arma::mat w;
  arma::vec b, s, c, mu_v, mu_h;
  BruteGaussianRbm(arma::mat w_, arma::vec b_, arma::vec s_, arma::vec c_, arma::vec mu_v_, arma::vec mu_h_)
      : w(std::move(w_)), b(std::move(b_)), s(std::move(s_)), c(std::move(c_)), mu_v(std::move(mu_v_)),
        mu_h(std::move(mu_h_)) {}
  /// The ordinary energy of `rbm` (its visible layer a GaussianLayer).
  explicit BruteGaussianRbm(const ebm::Rbm<double>& rbm)
      : BruteGaussianRbm(rbm.weights(), rbm.visible().bias(),
                         arma::exp(dynamic_cast<const ebm::GaussianLayer<double>&>(rbm.visible()).log_variance()),
                         rbm.hidden().bias(), arma::zeros(rbm.weights().n_rows), arma::zeros(rbm.weights().n_cols)) {}

  double energy(const double* v, const double* h) const {
    double e = 0;
    for (arma::uword i = 0; i < b.n_elem; ++i) e += (v[i] - b[i]) * (v[i] - b[i]) / (2 * s[i]);
    for (arma::uword j = 0; j < c.n_elem; ++j) e -= c[j] * h[j];
    for (arma::uword i = 0; i < b.n_elem; ++i)
      for (arma::uword j = 0; j < c.n_elem; ++j) e -= (v[i] - mu_v[i]) * w(i, j) * (h[j] - mu_h[j]);
    return e;
  }
  double free_energy(const double* v) const {
    const arma::mat hs = all_binary_states(c.n_elem);
    std::vector<double> terms;
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-energy(v, hs.colptr(z)));
    return -log_sum_exp(terms);
  }
  /// -log int exp(-E(v, h)) dv.
  double hidden_free_energy(const double* h) const {
    double l = 0;
    for (arma::uword j = 0; j < c.n_elem; ++j) l += c[j] * h[j];
    for (arma::uword i = 0; i < b.n_elem; ++i) {
      double a = 0;
      for (arma::uword j = 0; j < c.n_elem; ++j) a += w(i, j) * (h[j] - mu_h[j]);
      l += 0.5 * std::log(2 * M_PI * s[i]) + b[i] * a + s[i] * a * a / 2 - mu_v[i] * a;
    }
    return -l;
  }
  double log_partition() const {
    const arma::mat hs = all_binary_states(c.n_elem);
    std::vector<double> terms;
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-hidden_free_energy(hs.colptr(z)));
    return log_sum_exp(terms);
  }
  double mean_log_likelihood(const arma::mat& data) const {
    const double log_z = log_partition();
    double sum = 0;
    for (arma::uword n = 0; n < data.n_cols; ++n) sum += -free_energy(data.colptr(n)) - log_z;
    return sum / double(data.n_cols);
  }
};

/// A deep belief net of Bernoulli RBMs (Hinton, Osindero & Teh 2006) by
/// enumeration: levels[k] joins x_k and x_{k+1} (x_0 the data); the top
/// level's RBM is the prior p_top(x_{L-1}) (its visible marginal), each lower
/// level gives p(x_k | x_{k+1}) (generation) and q(x_{k+1} | x_k) (the up pass).
struct BruteDbn {
  std::vector<Params> levels;

  double log_top(const double* x) const {
    return -brute_free_energy(levels.back(), x) - brute_log_partition(levels.back());
  }

  /// log p(v) = log sum_{x_1 .. x_{L-1}} prod_k p(x_k | x_{k+1}) p_top(x_{L-1}).
  double log_likelihood(const double* v) const { return log_marginal(0, v); }

  /// Mean and variance under the up pass q(x_1 | v) q(x_2 | x_1) ... of
  ///   sum_{k < L-1} [log p(x_k | x_{k+1}) - log q(x_{k+1} | x_k)] + log p_top(x_{L-1}),
  /// whose mean is the variational lower bound on log p(v).
  void bound(const double* v, double& mean, double& variance) const {
    double m1 = 0, m2 = 0;
    bound_terms(0, v, 0.0, 1.0, m1, m2);
    mean = m1;
    variance = m2 - m1 * m1;
  }

 private:
  double log_marginal(arma::uword k, const double* x) const {
    if (k + 1 == levels.size()) return log_top(x);
    const arma::mat hs = all_binary_states(levels[k].c.n_elem);
    std::vector<double> t;
    for (arma::uword z = 0; z < hs.n_cols; ++z)
      t.push_back(std::log(brute_visible_conditional(levels[k], x, hs.colptr(z))) + log_marginal(k + 1, hs.colptr(z)));
    return log_sum_exp(t);
  }

  void bound_terms(arma::uword k, const double* x, double value, double weight, double& m1, double& m2) const {
    if (k + 1 == levels.size()) {
      const double total = value + log_top(x);
      m1 += weight * total;
      m2 += weight * total * total;
      return;
    }
    const arma::mat hs = all_binary_states(levels[k].c.n_elem);
    for (arma::uword z = 0; z < hs.n_cols; ++z) {
      const double q = brute_hidden_conditional(levels[k], x, hs.colptr(z));
      const double term = std::log(brute_visible_conditional(levels[k], x, hs.colptr(z))) - std::log(q);
      bound_terms(k + 1, hs.colptr(z), value + term, weight * q, m1, m2);
    }
  }
};

/// A binary Boltzmann machine over n units written as one symmetric
/// coupling matrix K (zero diagonal) and biases b, the first n_visible units
/// visible: E(x) = -sum_i b_i x_i - sum_{i<j} K_ij x_i x_j, by loops.  Any
/// layered binary model (RBM, BM with lateral couplings, DBM) is one of
/// these: the tests write a model's blocks into K and compare.
struct Couplings {
  arma::mat k;
  arma::vec b;
  arma::uword n_visible = 0;

  Couplings(arma::uword n, arma::uword nv) : k(n, n, arma::fill::zeros), b(n, arma::fill::zeros), n_visible(nv) {}

  /// Couples units [r0, r0 + w.n_rows) with [c0, c0 + w.n_cols) by w
  /// (both triangles).
  void set_block(arma::uword r0, arma::uword c0, const arma::mat& w) {
    for (arma::uword i = 0; i < w.n_rows; ++i)
      for (arma::uword j = 0; j < w.n_cols; ++j) k(r0 + i, c0 + j) = k(c0 + j, r0 + i) = w(i, j);
  }

  double energy(const double* x) const {
    double e = 0;
    for (arma::uword i = 0; i < b.n_elem; ++i) e -= b[i] * x[i];
    for (arma::uword i = 0; i < b.n_elem; ++i)
      for (arma::uword j = i + 1; j < b.n_elem; ++j) e -= k(i, j) * x[i] * x[j];
    return e;
  }

  /// All 2^n joint states, column s having unit i on when bit i of s is set.
  arma::mat states() const { return all_binary_states(b.n_elem); }

  double log_partition() const {
    const arma::mat xs = states();
    std::vector<double> t;
    for (arma::uword s = 0; s < xs.n_cols; ++s) t.push_back(-energy(xs.colptr(s)));
    return log_sum_exp(t);
  }

  /// F(v) = -log sum_h exp(-E(v, h)) over the 2^(n - n_visible) latent states.
  double free_energy(const double* v) const {
    const arma::uword nh = b.n_elem - n_visible;
    const arma::mat hs = all_binary_states(nh);
    std::vector<double> t;
    arma::vec x(b.n_elem);
    for (arma::uword i = 0; i < n_visible; ++i) x[i] = v[i];
    for (arma::uword z = 0; z < hs.n_cols; ++z) {
      for (arma::uword j = 0; j < nh; ++j) x[n_visible + j] = hs(j, z);
      t.push_back(-energy(x.memptr()));
    }
    return -log_sum_exp(t);
  }

  double mean_log_likelihood(const arma::mat& data) const {
    const double log_z = log_partition();
    double s = 0;
    for (arma::uword n = 0; n < data.n_cols; ++n) s += -free_energy(data.colptr(n)) - log_z;
    return s / double(data.n_cols);
  }

  /// p(x) for every joint state, indexed as states().
  arma::vec joint() const {
    const arma::mat xs = states();
    arma::vec q(xs.n_cols);
    for (arma::uword s = 0; s < xs.n_cols; ++s) q[s] = -energy(xs.colptr(s));
    q = arma::exp(q - q.max());
    return q / arma::accu(q);
  }
};

/// The index (as Couplings::states()) of column `col` of a layered binary
/// state, layers concatenated in order.
template <typename eT>
arma::uword joint_index(const std::vector<arma::Mat<eT>>& layers, arma::uword col) {
  arma::uword index = 0, bit = 0;
  for (const auto& l : layers)
    for (arma::uword i = 0; i < l.n_rows; ++i, ++bit) index |= arma::uword(l(i, col) > eT(0.5)) << bit;
  return index;
}

/// Total variation between the empirical distribution of n independent
/// draws and `exact`, and the bound it stays below with probability 1 - 1e-9:
/// E|p_hat - p| <= sqrt(p(1-p)/n) per state, plus McDiarmid's deviation
/// sqrt(log(1e9) / 2n) (TV moves by at most 1/n when one draw changes).
inline double tv_bound(const arma::vec& exact, arma::uword n) {
  return 0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(n))) + std::sqrt(std::log(1e9) / (2.0 * n));
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

/// A Bernoulli deep belief net with layer sizes x_0 .. x_L, every level a
/// random RBM (random_rbm) with its own seed.
inline std::unique_ptr<ebm::DeepBeliefNet<double>> random_dbn(const std::vector<arma::uword>& sizes,
                                                              std::uint64_t seed, double scale = 1.0) {
  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
    layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(sizes[k]));
    layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(sizes[k + 1]));
  }
  auto dbn = std::make_unique<ebm::DeepBeliefNet<double>>(std::move(layers));
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) dbn->set_level(k, *random_rbm(sizes[k], sizes[k + 1], seed + k, scale));
  return dbn;
}

/// True when a and b have the same parameters, bit for bit (names, shapes
/// and every byte of the values).
template <typename eT>
bool same_parameters(ebm::Model<eT>& a, ebm::Model<eT>& b) {
  auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    if (pa[i].name != pb[i].name || arma::size(*pa[i].value) != arma::size(*pb[i].value)) return false;
    if (std::memcmp(pa[i].value->memptr(), pb[i].value->memptr(), pa[i].value->n_elem * sizeof(eT)) != 0) return false;
  }
  return true;
}

/// Stops a greedy run (by throwing) when its second level is about to
/// train, i.e. right after the checkpoint of the first level was written.
struct StopAtLevel2 : ebm::TrainingObserver {
  void on_epoch(const ebm::EpochRecord& r) override {
    for (const auto& m : r.measurements)
      if (m.first.rfind("level2.", 0) == 0) throw std::runtime_error("stopped");
  }
};

/// Copies the checkpoint aside right after it is written at epoch `at`.
class CheckpointGrabber : public ebm::TrainingObserver {
 public:
  CheckpointGrabber(std::string from, std::string to, arma::uword at)
      : from_(std::move(from)), to_(std::move(to)), at_(at) {}
  void on_epoch(const ebm::EpochRecord& r) override {
    if (r.epoch == at_)
      std::filesystem::copy_file(from_, to_, std::filesystem::copy_options::overwrite_existing);
  }

 private:
  std::string from_, to_;
  arma::uword at_;
};

/// Central differences (f(theta + h) - f(theta - h)) / 2h of the objective
/// f() for every element of every parameter (each changed and restored), in
/// the layout of a gradient (one matrix per parameter).
template <class Parameters, class F>
std::vector<arma::mat> central_differences(const Parameters& parameters, F f) {
  std::vector<arma::mat> out;
  const double h = 1e-5;
  for (const auto& p : parameters) {
    auto& theta = *p.value;
    out.emplace_back(theta.n_rows, theta.n_cols);
    for (arma::uword i = 0; i < theta.n_elem; ++i) {
      const double saved = theta[i];
      theta[i] = saved + h;
      const double up = f();
      theta[i] = saved - h;
      const double down = f();
      theta[i] = saved;
      out.back()[i] = (up - down) / (2 * h);
    }
  }
  return out;
}

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
  const std::vector<arma::mat> numeric = central_differences(parameters, f);
  for (std::size_t k = 0; k < parameters.size(); ++k)
    for (arma::uword i = 0; i < numeric[k].n_elem; ++i) {
      const double scale = relative ? std::max(1.0, std::abs(numeric[k][i])) : 1.0;
      BOOST_TEST_CONTEXT(parameters[k].name << "[" << i << "]") {
        BOOST_TEST(std::abs(gradient[k][i] - numeric[k][i]) < tolerance * scale);
      }
    }
}

/// The greedy run of `config` with `overrides`, once whole and once stopped
/// when its second level is about to train (StopAtLevel2) and resumed from
/// the first level's checkpoint, files in `tmp`.  Checks that both end with
/// bit-identical float parameters; returns (whole, resumed) for the
/// caller's further checks.
inline std::pair<ebm::ExperimentResult, ebm::ExperimentResult> whole_and_resumed_at_level_2(
    const std::string& config, const std::vector<std::string>& overrides, const TempDir& tmp) {
  auto whole = overrides;
  whole.push_back("output.model=" + (tmp / "whole.ebm"));
  auto a = ebm::run_experiment(ebm::load_experiment_config(config, whole));
  auto stopped = overrides;
  stopped.push_back("output.checkpoint=" + (tmp / "run.ckpt"));
  StopAtLevel2 stop;
  BOOST_CHECK_THROW(ebm::run_experiment(ebm::load_experiment_config(config, stopped), &stop), std::runtime_error);
  auto b = ebm::resume_experiment(tmp / "run.ckpt", {"output.model=" + (tmp / "resumed.ebm")});
  auto ma = ebm::load_model<float>(tmp / "whole.ebm");
  auto mb = ebm::load_model<float>(tmp / "resumed.ebm");
  BOOST_TEST(same_parameters<float>(*ma.model, *mb.model));
  return {std::move(a), std::move(b)};
}

}  // namespace test
