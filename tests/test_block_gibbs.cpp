// The block Gibbs sampler's empirical joint distribution against the exact
// one on a 3x3 RBM (test 4).
#define BOOST_TEST_MODULE block_gibbs
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "test_support.hpp"

namespace {

arma::uword state_index(const arma::mat& v, const arma::mat& h, arma::uword col) {
  arma::uword a = 0, z = 0;
  for (arma::uword i = 0; i < v.n_rows; ++i) a |= arma::uword(v(i, col) > 0.5) << i;
  for (arma::uword j = 0; j < h.n_rows; ++j) z |= arma::uword(h(j, col) > 0.5) << j;
  return a + (arma::uword(1) << v.n_rows) * z;
}

}  // namespace

BOOST_AUTO_TEST_CASE(empirical_joint_matches_exact_distribution) {
  auto rbm = test::random_rbm(3, 3, 41, 1.5);
  const arma::vec exact = test::brute_joint(test::Params(*rbm));

  // N independent chains, each run well past mixing, give N independent
  // draws of (v, h).
  const arma::uword n = 40000;
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(42);
  sampler.initialize_chains(*rbm, chains, n, rng);
  sampler.run(*rbm, chains, 200, rng);

  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c) empirical[state_index(chains.layers[0], chains.layers[1], c)] += 1.0 / n;
  const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));

  // E|p_hat(x) - p(x)| <= sqrt(p(x)(1 - p(x))/N), so E[TV] <= 1/2 sum_x of
  // that; TV moves by at most 1/N when one draw changes, so by McDiarmid
  // P(TV > E[TV] + t) <= exp(-2 N t^2): t below makes that 1e-9.
  const double expected_bound = 0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(n)));
  const double t = std::sqrt(std::log(1e9) / (2.0 * n));
  BOOST_TEST_MESSAGE("TV = " << tv << ", bound " << expected_bound + t);
  BOOST_TEST(tv < expected_bound + t);

  // The test has teeth: the exact distribution of a slightly different
  // model is far outside the bound.
  auto other = test::random_rbm(3, 3, 41, 1.5);
  other->weights()(0, 0) += 1.0;
  const double tv_other = 0.5 * arma::accu(arma::abs(empirical - test::brute_joint(test::Params(*other))));
  BOOST_TEST(tv_other > expected_bound + t);
}

BOOST_AUTO_TEST_CASE(zero_steps_leave_the_state_untouched) {
  auto rbm = test::random_rbm(3, 2, 43);
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(44);
  sampler.initialize_chains(*rbm, chains, 10, rng);
  const auto before = chains.layers;
  sampler.run(*rbm, chains, 0, rng);
  BOOST_TEST(arma::approx_equal(chains.layers[0], before[0], "absdiff", 0.0));
  BOOST_TEST(arma::approx_equal(chains.layers[1], before[1], "absdiff", 0.0));
}

BOOST_AUTO_TEST_CASE(rao_blackwellize_sets_hidden_means) {
  auto rbm = test::random_rbm(3, 2, 45);
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(46);
  sampler.initialize_chains(*rbm, chains, 5, rng);
  sampler.rao_blackwellize(*rbm, chains);
  ebm::State<double> expected;
  rbm->positive_phase(chains.layers[0], expected);
  BOOST_TEST(arma::approx_equal(chains.layers[1], expected.layers[1], "absdiff", 1e-15));
}
