// CD-k and PCD-k: where their chains start (test 6) and that the sampled
// gradients agree with the exact one within a bound set by the number of
// chains (test 3, second half).
#define BOOST_TEST_MODULE estimators
#include <boost/test/unit_test.hpp>

#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

/// A block Gibbs sampler that records the state each run of the chains
/// starts from and ends at (the estimators call run_and_rao_blackwellize).
class SpySampler : public ebm::BlockGibbsSampler<double> {
 public:
  void run(const ebm::Model<double>& model, ebm::State<double>& state, unsigned steps, ebm::Rng& rng) override {
    starts.push_back(state.layers);
    ebm::BlockGibbsSampler<double>::run(model, state, steps, rng);
    ends.push_back(state.layers);
  }
  void run_and_rao_blackwellize(const ebm::Model<double>& model, ebm::State<double>& state, unsigned steps,
                                ebm::Rng& rng, ebm::State<double>& expectations) override {
    starts.push_back(state.layers);
    ebm::BlockGibbsSampler<double>::run_and_rao_blackwellize(model, state, steps, rng, expectations);
    ends.push_back(state.layers);
  }
  std::vector<std::vector<arma::mat>> starts, ends;
};

using test::random_binary;

double max_abs_difference(const ebm::Statistics<double>& a, const ebm::Statistics<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, arma::abs(a[i] - b[i]).max());
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cd_chains_start_at_the_current_minibatch) {
  auto rbm = test::random_rbm(6, 4, 51);
  auto spy = std::make_unique<SpySampler>();
  SpySampler* recorded = spy.get();
  ebm::ContrastiveDivergence<double> cd(std::move(spy), 1);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(52);
  for (int b = 0; b < 3; ++b) {
    const arma::mat batch = random_binary(6, 8, 53 + b);
    cd.estimate(*rbm, batch, gradient, rng);
    BOOST_TEST(arma::approx_equal(recorded->starts.back()[0], batch, "absdiff", 0.0));
  }
}

BOOST_AUTO_TEST_CASE(cd0_gives_a_zero_gradient) {
  // With no sampling step the chains are the data, so both terms coincide.
  auto rbm = test::random_rbm(6, 4, 54);
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 0);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(55);
  cd.estimate(*rbm, random_binary(6, 8, 56), gradient, rng);
  for (const auto& g : gradient) BOOST_TEST(arma::abs(g).max() == 0.0);
}

BOOST_AUTO_TEST_CASE(pcd_chains_persist_across_minibatches) {
  auto rbm = test::random_rbm(6, 4, 57);
  auto spy = std::make_unique<SpySampler>();
  SpySampler* recorded = spy.get();
  ebm::PersistentContrastiveDivergence<double> pcd(std::move(spy), 2, 5);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(58);
  for (int b = 0; b < 3; ++b) pcd.estimate(*rbm, random_binary(6, 8, 59 + b), gradient, rng);
  BOOST_REQUIRE_EQUAL(recorded->starts.size(), 3u);
  BOOST_TEST(recorded->starts[0][0].n_cols == 5u);  // its own number of chains, not the batch size
  for (int b = 1; b < 3; ++b)
    for (int l = 0; l < 2; ++l)
      BOOST_TEST(arma::approx_equal(recorded->starts[b][l], recorded->ends[b - 1][l], "absdiff", 0.0));
  // The chains kept are the samples, not their Rao-Blackwellised means.
  BOOST_TEST(arma::all(arma::vectorise((pcd.chains().layers[1] == 0) + (pcd.chains().layers[1] == 1)) == 1));
}

namespace {

// A sampled gradient term is a mean over N independent chains of values in
// [0, 1] (Rao-Blackwellised statistics of binary units), so its standard
// deviation is at most 0.5 / sqrt(N); 5.5 of those bound all ~20 components
// at once with failure probability below 1e-6.
double bound_for(arma::uword n_chains) { return 5.5 * 0.5 / std::sqrt(double(n_chains)); }

}  // namespace

BOOST_AUTO_TEST_CASE(pcd_with_many_chains_agrees_with_exact_gradient) {
  auto rbm = test::random_rbm(5, 4, 61);
  const arma::mat data = random_binary(5, 12, 62);
  ebm::Rng rng(63);
  ebm::ExactGradient<double> exact;
  ebm::Statistics<double> expected, gradient;
  exact.estimate(*rbm, data, expected, rng);

  const arma::uword n_chains = 20000;
  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1, n_chains);
  for (int burn_in = 0; burn_in < 100; ++burn_in) pcd.estimate(*rbm, data, gradient, rng);
  const double error = max_abs_difference(gradient, expected);
  BOOST_TEST_MESSAGE("PCD max error " << error << ", bound " << bound_for(n_chains));
  BOOST_TEST(error < bound_for(n_chains));
}

BOOST_AUTO_TEST_CASE(cd_with_long_chains_agrees_with_exact_gradient) {
  // CD-k with k large forgets its start: it estimates the true gradient.
  auto rbm = test::random_rbm(5, 4, 64);
  const arma::mat data = random_binary(5, 10, 65);
  ebm::Rng rng(66);
  ebm::ExactGradient<double> exact;
  ebm::Statistics<double> expected, gradient;
  exact.estimate(*rbm, data, expected, rng);
  const arma::mat replicated = arma::repmat(data, 1, 2000);  // same data term, 20000 chains
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 100);
  cd.estimate(*rbm, replicated, gradient, rng);
  const double error = max_abs_difference(gradient, expected);
  BOOST_TEST_MESSAGE("CD-100 max error " << error << ", bound " << bound_for(replicated.n_cols));
  BOOST_TEST(error < bound_for(replicated.n_cols));
  // ... whereas CD-1 from the data is biased well beyond that bound here.
  ebm::ContrastiveDivergence<double> cd1(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1);
  cd1.estimate(*rbm, replicated, gradient, rng);
  BOOST_TEST_MESSAGE("CD-1 max error " << max_abs_difference(gradient, expected));
}

BOOST_AUTO_TEST_CASE(cd1_matches_its_exact_expectation) {
  // The CD-1 estimate's expectation, by enumeration: for each data vector
  // v0, h0 ~ p(h|v0), v1 ~ p(v|h0), and the model term is stat(v1, E[h|v1]).
  // A sampler that started from the wrong place or stepped in the wrong
  // order (e.g. drew v from E[h|v0] instead of a sample) would be far off.
  auto rbm = test::random_rbm(3, 2, 67, 1.5);
  const test::Params p(*rbm);
  const arma::mat data = random_binary(3, 4, 68);
  const arma::mat vs = test::all_binary_states(3), hs = test::all_binary_states(2);
  auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  auto prob = [&](const arma::vec& x, const arma::vec& mean) {
    double q = 1;
    for (arma::uword i = 0; i < x.n_elem; ++i) q *= x[i] ? mean[i] : 1 - mean[i];
    return q;
  };
  arma::mat w_term(3, 2, arma::fill::zeros);  // expected v1 E[h|v1]^T
  arma::vec b_term(3, arma::fill::zeros), c_term(2, arma::fill::zeros);
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    arma::vec h_mean(2);
    for (arma::uword j = 0; j < 2; ++j) h_mean[j] = sigmoid(p.c[j] + arma::dot(p.w.col(j), data.col(n)));
    for (arma::uword z = 0; z < hs.n_cols; ++z) {
      const double ph = prob(hs.col(z), h_mean);
      arma::vec v_mean(3);
      for (arma::uword i = 0; i < 3; ++i) v_mean[i] = sigmoid(p.b[i] + arma::dot(p.w.row(i), hs.col(z)));
      for (arma::uword a = 0; a < vs.n_cols; ++a) {
        const double pv = prob(vs.col(a), v_mean) * ph / double(data.n_cols);
        arma::vec h1(2);
        for (arma::uword j = 0; j < 2; ++j) h1[j] = sigmoid(p.c[j] + arma::dot(p.w.col(j), vs.col(a)));
        w_term += pv * vs.col(a) * h1.t();
        b_term += pv * vs.col(a);
        c_term += pv * h1;
      }
    }
  }
  ebm::State<double> positive;
  rbm->positive_phase(data, positive);
  ebm::Statistics<double> pos;
  rbm->statistics(positive, pos);
  // The estimator on the data replicated 5000 times: its mean over the
  // copies estimates the expectation with 20000 independent chains.
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(69);
  cd.estimate(*rbm, arma::repmat(data, 1, 5000), gradient, rng);
  const double error = std::max({arma::abs(gradient[0] - (pos[0] - b_term)).max(),
                                 arma::abs(gradient[1] - (pos[1] - c_term)).max(),
                                 arma::abs(gradient[2] - (pos[2] - w_term)).max()});
  BOOST_TEST_MESSAGE("CD-1 vs its exact expectation: max error " << error << ", bound " << bound_for(20000));
  BOOST_TEST(error < bound_for(20000));
}
