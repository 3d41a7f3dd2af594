// The exact log-likelihood gradient (by enumeration) against finite
// differences of the brute-force log-likelihood (test 3, first half).
#define BOOST_TEST_MODULE gradient
#include <boost/test/unit_test.hpp>

#include "samplers/exact_gradient.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

using test::random_binary;

void check_against_finite_differences(ebm::Rbm<double>& rbm, const arma::mat& data) {
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(rbm, data, gradient, rng);
  test::check_gradient_by_central_differences(rbm.parameters(), gradient,
                                              [&] { return test::brute_mean_log_likelihood(test::Params(rbm), data); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences) {
  auto rbm = test::random_rbm(4, 3, 31);
  check_against_finite_differences(*rbm, random_binary(4, 10, 32));
}

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences_when_hidden_is_larger) {
  // Here the visible layer is the one enumerated.
  auto rbm = test::random_rbm(3, 5, 33, 1.5);
  check_against_finite_differences(*rbm, random_binary(3, 7, 34));
}

BOOST_AUTO_TEST_CASE(gradient_vanishes_at_the_maximum_likelihood_of_independent_units) {
  // With W = 0 and b_i = logit(mean of v_i), the visible marginals match the
  // data: the bias gradient is exactly zero, whatever the hidden biases.
  const arma::mat data = random_binary(5, 40, 35);
  auto rbm = test::random_rbm(5, 2, 36);
  rbm->weights().zeros();
  const arma::vec p = arma::mean(data, 1);
  rbm->visible().bias() = arma::log(p / (1 - p));
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*rbm, data, gradient, rng);
  BOOST_TEST(arma::abs(gradient[0]).max() < 1e-12);  // visible bias
  BOOST_TEST(arma::abs(gradient[1]).max() < 1e-12);  // hidden bias: <h> is sigmoid(c) in both terms
}
