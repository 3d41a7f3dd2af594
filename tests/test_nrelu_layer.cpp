// NReLU units against their definitions: the draw max(0, u + N(0,
// sigmoid(u))) by its distribution function (DKW bound), its mean by
// quadrature of that distribution, and the log-partition of the stepped
// sigmoid unit it stands for by enumerating the binary units with offsets
// -0.5, -1.5, ... and by long truncated sums.
#define BOOST_TEST_MODULE nrelu_layer
#include <boost/test/unit_test.hpp>

#include "libebm/units/nrelu_layer.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

BOOST_AUTO_TEST_CASE(log_partition_is_the_stepped_sigmoid_units_sum) {
  // Enumerating 14 binary units with input u - n + 0.5 (n = 1..14): log of
  // the sum over all 2^14 states of exp(sum_n x_n (u - n + 0.5)); the
  // units beyond 14 add less than 1e-5 for u <= 2.
  for (double u : {-3.0, -0.4, 0.0, 1.3, 2.0}) {
    const arma::mat states = test::all_binary_states(14);
    std::vector<double> terms;
    for (arma::uword s = 0; s < states.n_cols; ++s) {
      double e = 0;
      for (arma::uword n = 0; n < 14; ++n) e += states(n, s) * (u - double(n + 1) + 0.5);
      terms.push_back(e);
    }
    BOOST_TEST(ebm::NreluLayer<double>::ssu_log_partition(u) == test::log_sum_exp(terms), tt::tolerance(1e-5));
  }
  // Large inputs (closed form for the saturated terms) against a plain
  // loop over 3000 terms, and the layer sums its units per column.
  for (double u : {5.0, 39.7, 40.5, 41.2, 123.4, 900.0}) {
    double s = 0;
    for (int n = 1; n <= 3000; ++n) {
      const double x = u - n + 0.5;
      s += x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
    BOOST_TEST(ebm::NreluLayer<double>::ssu_log_partition(u) == s, tt::tolerance(1e-12));
  }
  ebm::NreluLayer<double> layer(2);
  const arma::mat u = {{1.0, 50.0}, {-2.0, 3.0}};
  const arma::rowvec lp = layer.log_partition(u);
  BOOST_TEST(lp[0] == layer.ssu_log_partition(1.0) + layer.ssu_log_partition(-2.0), tt::tolerance(1e-14));
  BOOST_TEST(lp[1] == layer.ssu_log_partition(50.0) + layer.ssu_log_partition(3.0), tt::tolerance(1e-14));
  // Its derivative is the SSU's mean sum_n sigmoid(u - n + 0.5) (close to softplus(u)).
  const double h = 1e-5;
  for (double x : {-1.0, 0.5, 4.0}) {
    double mean = 0;
    for (int n = 1; n < 200; ++n) mean += sigmoid(x - n + 0.5);
    BOOST_TEST(std::abs((layer.ssu_log_partition(x + h) - layer.ssu_log_partition(x - h)) / (2 * h) - mean) < 1e-8);
  }
}

BOOST_AUTO_TEST_CASE(draws_follow_the_rectified_gaussian_and_mean_is_its_expectation) {
  // P(x <= t) = Phi((t - u) / s) for t >= 0 (with the atom P(x = 0) =
  // Phi(-u / s)), s^2 = sigmoid(u).  DKW: sup_t |F_N(t) - F(t)| <=
  // sqrt(log(2 / 1e-9) / (2 N)) with probability 1 - 1e-9.
  const arma::uword n = 100000;
  const arma::vec u = {-1.5, 0.0, 0.8, 4.0};
  ebm::NreluLayer<double> layer(u.n_elem);
  arma::mat x, mean;
  ebm::Rng rng(901);
  layer.sample(arma::repmat(u, 1, n), x, rng);
  layer.mean(arma::mat(u), mean);
  const double dkw = std::sqrt(std::log(2 / 1e-9) / (2.0 * n));
  for (arma::uword i = 0; i < u.n_elem; ++i) {
    const double s = std::sqrt(sigmoid(u[i]));
    BOOST_TEST(arma::all(x.row(i) >= 0.0));
    double worst = 0;
    for (double t : {0.0, 0.1, 0.5, 1.0, 2.0, 3.5, 5.0}) {
      const double empirical = arma::accu(x.row(i) <= t) / double(n);
      worst = std::max(worst, std::abs(empirical - normal_cdf((t - u[i]) / s)));
    }
    BOOST_TEST(worst < dkw);
    // The mean by quadrature of t over the density (the atom at 0 adds nothing).
    double integral = 0;
    const int steps = 200000;
    const double hi = u[i] + 12 * s, dt = hi / steps;
    for (int k = 0; k <= steps; ++k) {
      const double t = k * dt, z = (t - u[i]) / s;
      const double w = (k == 0 || k == steps) ? 1 : (k % 2 ? 4 : 2);
      integral += w * t * std::exp(-z * z / 2) / (s * std::sqrt(2 * M_PI));
    }
    integral *= dt / 3;
    BOOST_TEST(mean(i, 0) == integral, tt::tolerance(1e-8));
    // and the draws' average agrees within 6 standard errors (sd <= s + |u|).
    BOOST_TEST(std::abs(arma::mean(x.row(i)) - mean(i, 0)) < 6 * (s + std::abs(u[i])) / std::sqrt(double(n)));
  }
}
