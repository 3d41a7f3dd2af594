// The fast paths of a training step against their plain definitions: the
// float sigmoid against exp in double, Bernoulli draws from the mean against
// Layer::sample, the fused run + Rao-Blackwellisation of block Gibbs against
// the separate calls, the in-place gradient against the difference of two
// statistics, CD's chain against one built by hand from the minibatch, and
// the fused SGD step against its formula.
#define BOOST_TEST_MODULE hot_loop
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "libebm/training/sgd.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

using test::random_binary;

BOOST_AUTO_TEST_CASE(float_sigmoid_is_within_two_ulps_of_exact) {
  // 1 / (1 + e^-x) in double against the float mean: relative error at most
  // 2^-22 (two float ulps) wherever the value is a normal float (x >= -87),
  // absolute error below 1e-37 beneath, and the saturated end exact.
  arma::fmat x(1, 200001);
  for (arma::uword i = 0; i < x.n_elem; ++i) x[i] = float(-100.0 + 200.0 * double(i) / double(x.n_elem - 1));
  ebm::BernoulliLayer<float> layer(1);
  arma::fmat p;
  layer.mean(x, p);
  double worst = 0, worst_tail = 0;
  for (arma::uword i = 0; i < x.n_elem; ++i) {
    const double exact = 1.0 / (1.0 + std::exp(-double(x[i])));
    if (x[i] >= -87.0f)
      worst = std::max(worst, std::abs(double(p[i]) - exact) / exact);
    else
      worst_tail = std::max(worst_tail, std::abs(double(p[i]) - exact));
  }
  BOOST_TEST_MESSAGE("float sigmoid: worst relative error " << worst << ", below -87 worst absolute " << worst_tail);
  BOOST_TEST(worst < std::ldexp(1.0, -22));
  BOOST_TEST(worst_tail < 1e-37);
  layer.mean(arma::fmat{{-1e30f, -200.0f, 0.0f, 200.0f, 1e30f}}, p);
  BOOST_TEST(p[0] < 1e-37f);
  BOOST_TEST(p[2] == 0.5f);
  BOOST_TEST(p[3] == 1.0f);
  BOOST_TEST(p[4] == 1.0f);
}

BOOST_AUTO_TEST_CASE(bernoulli_sample_is_a_draw_from_its_mean) {
  // Layer::sample equals Rng::fill_bernoulli of Layer::mean bit for bit
  // (the fused sampler relies on it), and the engine advances alike.
  auto check = [](auto zero) {
    using eT = decltype(zero);
    arma::Mat<eT> input(37, 300);
    ebm::Rng(21).fill_normal(input, 0.0, 3.0);
    ebm::BernoulliLayer<eT> layer(37);
    arma::Mat<eT> mean, a, b;
    ebm::Rng ra(22), rb(22);
    layer.sample(input, a, ra);
    layer.mean(input, mean);
    rb.fill_bernoulli(mean, b);
    BOOST_TEST(arma::approx_equal(a, b, "absdiff", eT(0)));
    BOOST_TEST(ra.next() == rb.next());
  };
  check(0.0f);
  check(0.0);
}

BOOST_AUTO_TEST_CASE(fused_run_and_rao_blackwellize_equals_the_separate_calls) {
  auto check = [](auto zero, unsigned steps) {
    using eT = decltype(zero);
    auto rbm = test::random_rbm<eT>(9, 7, 31);
    ebm::BlockGibbsSampler<eT> sampler;
    ebm::State<eT> start, a, b, expectations_a, expectations_b;
    ebm::Rng init(32);
    sampler.initialize_chains(*rbm, start, 50, init);
    a = start, b = start;
    ebm::Rng ra(33), rb(33);
    sampler.run_and_rao_blackwellize(*rbm, a, steps, ra, expectations_a);
    sampler.run(*rbm, b, steps, rb);
    expectations_b.layers = b.layers;
    sampler.rao_blackwellize(*rbm, expectations_b);
    for (arma::uword l = 0; l < 2; ++l) {
      BOOST_TEST(arma::approx_equal(a.layers[l], b.layers[l], "absdiff", eT(0)));
      BOOST_TEST(arma::approx_equal(expectations_a.layers[l], expectations_b.layers[l], "absdiff", eT(0)));
    }
    BOOST_TEST(ra.next() == rb.next());
    // Samples stay binary; the hidden expectations are E[h | v] of the final v.
    BOOST_TEST(arma::all(arma::vectorise((a.layers[1] == eT(0)) + (a.layers[1] == eT(1))) == 1u));
    ebm::State<eT> positive;
    rbm->positive_phase(a.layers[0], positive);
    BOOST_TEST(arma::approx_equal(expectations_a.layers[1], positive.layers[1], "absdiff", eT(0)));
  };
  for (unsigned steps : {0u, 1u, 3u}) {
    check(0.0f, steps);
    check(0.0, steps);
  }
}

BOOST_AUTO_TEST_CASE(statistics_difference_is_the_difference_of_statistics) {
  auto rbm = test::random_rbm<double>(11, 6, 41);
  ebm::State<double> positive, negative;
  rbm->positive_phase(random_binary<double>(11, 20, 42), positive);
  rbm->positive_phase(random_binary<double>(11, 13, 43), negative);  // other column count
  ebm::Statistics<double> difference, scratch, sp, sn;
  rbm->statistics_difference(positive, negative, difference, scratch);
  rbm->statistics(positive, sp);
  rbm->statistics(negative, sn);
  BOOST_REQUIRE_EQUAL(difference.size(), sp.size());
  for (std::size_t i = 0; i < sp.size(); ++i)
    BOOST_TEST(arma::approx_equal(difference[i], sp[i] - sn[i], "absdiff", 1e-14));
  // Reused buffers give the same numbers.
  rbm->statistics_difference(positive, negative, difference, scratch);
  for (std::size_t i = 0; i < sp.size(); ++i)
    BOOST_TEST(arma::approx_equal(difference[i], sp[i] - sn[i], "absdiff", 1e-14));
}

BOOST_AUTO_TEST_CASE(cd_and_pcd_negative_state_is_rao_blackwellised_chains) {
  // Whatever path the estimators take, their negative state is (v, E[h | v])
  // for binary v, and the gradient is its difference with the data term.
  auto rbm = test::random_rbm<double>(8, 5, 51);
  const arma::mat batch = random_binary<double>(8, 16, 52);
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 2);
  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 2);
  ebm::Rng rng(53);
  for (ebm::GradientEstimator<double>* estimator :
       {static_cast<ebm::GradientEstimator<double>*>(&cd), static_cast<ebm::GradientEstimator<double>*>(&pcd)}) {
    ebm::Statistics<double> gradient, sp, sn;
    estimator->estimate(*rbm, batch, gradient, rng);
    const ebm::State<double>& negative = estimator->negative_state();
    const arma::mat& v = negative.layers[0];
    BOOST_TEST(arma::all(arma::vectorise((v == 0.0) + (v == 1.0)) == 1u));
    ebm::State<double> expected;
    rbm->positive_phase(v, expected);
    BOOST_TEST(arma::approx_equal(negative.layers[1], expected.layers[1], "absdiff", 0.0));
    rbm->statistics(estimator->positive_state(), sp);
    rbm->statistics(negative, sn);
    for (std::size_t i = 0; i < sp.size(); ++i)
      BOOST_TEST(arma::approx_equal(gradient[i], sp[i] - sn[i], "absdiff", 1e-14));
  }
}

BOOST_AUTO_TEST_CASE(cd_with_block_gibbs_is_the_chain_from_the_minibatch) {
  // CD-k's chains start at (batch, h ~ p(h | batch)), h drawn from the
  // positive means: the gradient is bit for bit that of the chain built
  // here by hand from the batch, also when the estimator's buffers are
  // reused.
  auto rbm = test::random_rbm<double>(9, 6, 71, 0.7);
  const arma::mat batch = random_binary<double>(9, 12, 72);
  for (unsigned k : {1u, 2u}) {
    ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), k);
    ebm::Rng rng_cd(73), rng_hand(73);
    ebm::Statistics<double> gradient, expected, scratch;
    for (int repeat = 0; repeat < 2; ++repeat) {  // the second call reuses the chain's buffers
      cd.estimate(*rbm, batch, gradient, rng_cd);
      ebm::State<double> positive, chains, negative;
      rbm->positive_phase(batch, positive);
      chains.layers = {batch, arma::mat()};
      rng_hand.fill_bernoulli(positive.layers[1], chains.layers[1]);
      ebm::BlockGibbsSampler<double> sampler;
      sampler.run_and_rao_blackwellize(*rbm, chains, k, rng_hand, negative);
      rbm->statistics_difference(positive, negative, expected, scratch);
      for (std::size_t i = 0; i < expected.size(); ++i)
        BOOST_TEST(arma::approx_equal(gradient[i], expected[i], "absdiff", 0.0), "k " << k << " parameter " << i);
    }
  }
}

BOOST_AUTO_TEST_CASE(sgd_step_follows_its_formula) {
  // v <- m v + lr (g - d theta) for weights, m v + lr g for biases; theta += v.
  auto rbm = test::random_rbm<double>(6, 4, 61);
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, 0.3);
  o.momentum = o.initial_momentum = 0.7;
  o.weight_decay = 0.01;
  ebm::Sgd<double> sgd(o);
  const ebm::ParameterList<double> parameters = rbm->parameters();
  ebm::Statistics<double> g1 = ebm::zeros_like(parameters), g2 = ebm::zeros_like(parameters);
  ebm::Rng rng(62);
  for (auto& g : g1) rng.fill_normal(g);
  for (auto& g : g2) rng.fill_normal(g);
  std::vector<arma::mat> theta, velocity;
  for (const auto& p : parameters)
    theta.push_back(*p.value), velocity.emplace_back(arma::size(*p.value), arma::fill::zeros);
  ebm::StepContext step;
  for (const auto* g : {&g1, &g2}) {
    sgd.apply(parameters, *g, step);
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const double decay = parameters[i].weight_decay ? 0.01 : 0.0;
      velocity[i] = 0.7 * velocity[i] + 0.3 * ((*g)[i] - decay * theta[i]);
      theta[i] += velocity[i];
      BOOST_TEST(arma::approx_equal(*parameters[i].value, theta[i], "reldiff", 1e-14));
    }
  }
}
