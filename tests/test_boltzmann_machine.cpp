// The general Boltzmann machine (lateral couplings on both layers) on a tiny
// model, 4 visible + 3 hidden units with every coupling on, against sums
// over all 2^7 joint states written independently in tests/test_support.hpp:
// energy, log Z, free energy, the exact gradient against finite
// differences, the mean-field fixed point, the sequential Gibbs sampler's
// empirical distribution, and PCD training raising the exact log-likelihood.
#define BOOST_TEST_MODULE boltzmann_machine
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "libebm/error.hpp"
#include "libebm/inference/mean_field.hpp"
#include "libebm/monitors/exact_log_likelihood.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "models/boltzmann_machine.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "samplers/sequential_gibbs_sampler.hpp"
#include "test_support.hpp"

namespace {

using Bm = ebm::BoltzmannMachine<double>;

/// A 4 + 3 BM with N(0, scale^2) weights, biases and lateral couplings.
std::unique_ptr<Bm> random_bm(std::uint64_t seed, double scale = 1.0, arma::uword nv = 4, arma::uword nh = 3) {
  auto bm = std::make_unique<Bm>(std::make_unique<ebm::BernoulliLayer<double>>(nv),
                                 std::make_unique<ebm::BernoulliLayer<double>>(nh));
  ebm::Rng rng(seed);
  rng.fill_normal(bm->weights(), 0.0, scale);
  rng.fill_normal(bm->visible().bias(), 0.0, scale);
  rng.fill_normal(bm->hidden().bias(), 0.0, scale);
  arma::mat l(nv, nv), j(nh, nh);
  rng.fill_normal(l, 0.0, scale);
  rng.fill_normal(j, 0.0, scale);
  bm->visible_lateral()->set_weights(l);
  bm->hidden_lateral()->set_weights(j);
  return bm;
}

/// The BM's blocks written into one coupling matrix, entry by entry.
test::Couplings couplings(Bm& bm) {
  const arma::uword nv = bm.visible().size(), nh = bm.hidden().size();
  test::Couplings c(nv + nh, nv);
  c.b.head(nv) = bm.visible().bias().col(0);
  c.b.tail(nh) = bm.hidden().bias().col(0);
  c.set_block(0, nv, bm.weights());
  for (arma::uword i = 0; i < nv; ++i)
    for (arma::uword j = i + 1; j < nv; ++j) c.k(i, j) = c.k(j, i) = bm.visible_lateral()->weights()(i, j);
  for (arma::uword i = 0; i < nh; ++i)
    for (arma::uword j = i + 1; j < nh; ++j)
      c.k(nv + i, nv + j) = c.k(nv + j, nv + i) = bm.hidden_lateral()->weights()(i, j);
  return c;
}

using test::random_binary;

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

BOOST_AUTO_TEST_CASE(lateral_coupling_is_symmetric_with_zero_diagonal) {
  ebm::LateralConnection<double> lateral(0, 5);
  ebm::Rng rng(1);
  lateral.initialize(rng, 1.0);
  BOOST_TEST(lateral.weights().is_symmetric());
  BOOST_TEST(arma::abs(lateral.weights().diag()).max() == 0.0);
  BOOST_TEST(arma::abs(lateral.weights()).max() > 0.1);
  // Statistic: x x^T off the diagonal, symmetric, batch mean.
  const arma::mat x = random_binary(5, 9, 2);
  arma::mat stat;
  lateral.statistics(x, x, nullptr, &stat);
  for (arma::uword i = 0; i < 5; ++i)
    for (arma::uword j = 0; j < 5; ++j) {
      double s = 0;
      for (arma::uword n = 0; n < 9; ++n) s += x(i, n) * x(j, n);
      BOOST_TEST(stat(i, j) == (i == j ? 0.0 : s / 9), boost::test_tools::tolerance(1e-14));
    }
  BOOST_CHECK_THROW(ebm::LateralConnection<double>::create(ebm::BlockOptions(), 0, 1, 5, 5), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(energy_log_partition_and_free_energy_match_enumeration) {
  auto bm = random_bm(11);
  const test::Couplings c = couplings(*bm);
  const arma::mat xs = c.states();
  ebm::State<double> s;
  s.layers = {xs.rows(0, 3), xs.rows(4, 6)};
  const arma::rowvec e = bm->energy(s);
  for (arma::uword n = 0; n < xs.n_cols; ++n)
    BOOST_TEST(e[n] == c.energy(xs.colptr(n)), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(ebm::exact_log_partition(*bm) == c.log_partition(), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bm->has_free_energy());
  const arma::mat vs = test::all_binary_states(4);
  const arma::rowvec f = bm->free_energy(vs);
  for (arma::uword n = 0; n < vs.n_cols; ++n)
    BOOST_TEST(f[n] == c.free_energy(vs.colptr(n)), boost::test_tools::tolerance(1e-12));
  // The lateral couplings matter: the same model without them has another log Z.
  bm->hidden_lateral()->weights().zeros();
  BOOST_TEST(std::abs(ebm::exact_log_partition(*bm) - c.log_partition()) > 1e-3);
}

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences_of_the_exact_log_likelihood) {
  auto bm = random_bm(21);
  const arma::mat data = random_binary(4, 12, 22);
  ebm::ExactGradient<double> estimator(20, /*enumerate_positive=*/true);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*bm, data, gradient, rng);
  auto parameters = bm->parameters();
  BOOST_REQUIRE_EQUAL(gradient.size(), parameters.size());
  BOOST_REQUIRE_EQUAL(parameters.size(), 5u);  // 2 biases, W, L, J
  const double h = 1e-5;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    arma::mat& theta = *parameters[k].value;
    const bool lateral = k >= 3;
    for (arma::uword j = 0; j < theta.n_cols; ++j)
      for (arma::uword i = 0; i < theta.n_rows; ++i) {
        if (lateral && i >= j) continue;  // one pair parameter L_ij = L_ji, i < j
        auto shift = [&](double d) {
          theta(i, j) += d;
          if (lateral) theta(j, i) += d;
        };
        shift(h);
        const double up = couplings(*bm).mean_log_likelihood(data);
        shift(-2 * h);
        const double down = couplings(*bm).mean_log_likelihood(data);
        shift(h);
        BOOST_TEST_CONTEXT(parameters[k].name << "(" << i << "," << j << ")") {
          BOOST_TEST(std::abs(gradient[k](i, j) - (up - down) / (2 * h)) < 1e-7);
        }
      }
    if (lateral) {
      BOOST_TEST(gradient[k].is_symmetric());
      BOOST_TEST(arma::abs(gradient[k].diag()).max() == 0.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(mean_field_positive_phase_solves_its_fixed_point_equations) {
  auto bm = random_bm(31, 0.7);
  bm->set_mean_field_options({0.5, 500, 1e-12});
  const arma::mat data = random_binary(4, 6, 32);
  ebm::State<double> s;
  bm->positive_phase(data, s);
  BOOST_TEST(arma::approx_equal(s.layers[0], data, "absdiff", 0.0));
  // mu_j = sigmoid(c_j + sum_i v_i W_ij + sum_{k != j} J_jk mu_k), by loops.
  const arma::mat& w = bm->weights();
  const arma::mat& jm = bm->hidden_lateral()->weights();
  double worst = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n)
    for (arma::uword j = 0; j < 3; ++j) {
      double x = bm->hidden().bias()(j, 0);
      for (arma::uword i = 0; i < 4; ++i) x += data(i, n) * w(i, j);
      for (arma::uword k = 0; k < 3; ++k)
        if (k != j) x += jm(j, k) * s.layers[1](k, n);
      worst = std::max(worst, std::abs(s.layers[1](j, n) - sigmoid(x)));
    }
  BOOST_TEST(worst < 1e-10);
  BOOST_TEST(ebm::mean_field_residual(*bm, s, {true, false}) < 1e-10);

  // Without hidden couplings the posterior factorises: mean field is exact,
  // E[h_j | v] = sigmoid(c_j + v.W_j) from the brute-force joint.
  bm->hidden_lateral()->weights().zeros();
  bm->positive_phase(data, s);
  const test::Couplings c = couplings(*bm);
  const arma::mat hs = test::all_binary_states(3);
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    arma::vec x(7), mean(3, arma::fill::zeros);
    x.head(4) = data.col(n);
    std::vector<double> logw;
    for (arma::uword z = 0; z < 8; ++z) {
      x.tail(3) = hs.col(z);
      logw.push_back(-c.energy(x.memptr()));
    }
    const double lz = test::log_sum_exp(logw);
    for (arma::uword z = 0; z < 8; ++z) mean += std::exp(logw[z] - lz) * hs.col(z);
    BOOST_TEST(arma::abs(mean - s.layers[1].col(n)).max() < 1e-7);
  }
}

BOOST_AUTO_TEST_CASE(sequential_gibbs_samples_the_exact_joint_distribution) {
  auto bm = random_bm(41, 1.2);
  const arma::vec exact = couplings(*bm).joint();
  const arma::uword n = 40000;
  ebm::SequentialGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(42);
  sampler.initialize_chains(*bm, chains, n, rng);
  sampler.run(*bm, chains, 100, rng);
  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c) empirical[test::joint_index(chains.layers, c)] += 1.0 / n;
  const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));
  const double bound = test::tv_bound(exact, n);
  BOOST_TEST_MESSAGE("TV = " << tv << ", bound " << bound);
  BOOST_TEST(tv < bound);
  // Teeth: the exact distribution of a slightly different model is outside.
  bm->hidden_lateral()->weights()(0, 1) += 0.7;
  bm->hidden_lateral()->weights()(1, 0) += 0.7;
  BOOST_TEST(0.5 * arma::accu(arma::abs(empirical - couplings(*bm).joint())) > bound);
}

BOOST_AUTO_TEST_CASE(block_gibbs_rejects_lateral_couplings) {
  auto bm = random_bm(51);
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(52);
  sampler.initialize_chains(*bm, chains, 3, rng);
  BOOST_CHECK_THROW(sampler.run(*bm, chains, 1, rng), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(pcd_with_sequential_gibbs_raises_the_exact_log_likelihood) {
  // 2x2 bars and stripes, each of the 6 patterns 30 times: exact optimum
  // -log 6 = -1.79 nats; independent units (the start) -4 log 2 = -2.77.
  const arma::mat data = arma::repmat(test::bars_and_stripes(2), 1, 30);
  ebm::Rng rng(62);
  Bm student(std::make_unique<ebm::BernoulliLayer<double>>(4), std::make_unique<ebm::BernoulliLayer<double>>(3));
  student.initialize(data, rng, 0.01);
  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::SequentialGibbsSampler<double>>(), 1, 100);
  ebm::SgdOptions sgd;
  sgd.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, 0.1, 0.1);
  ebm::Sgd<double> rule(sgd);
  ebm::TrainerOptions options;
  options.epochs = 150;
  options.batch_size = 20;
  options.monitor_every = 150;
  ebm::Trainer<double> trainer(student, pcd, rule, options);
  trainer.add_monitor(std::make_unique<ebm::ExactLogLikelihood<double>>());
  const auto history = trainer.train(data, nullptr, rng);
  const double before = history.front().get("log_likelihood_train");
  const double after = history.back().get("log_likelihood_train");
  BOOST_TEST_MESSAGE("exact log-likelihood " << before << " -> " << after << " (optimum " << -std::log(6.0) << ")");
  // The monitor's number is the brute-force one.
  BOOST_TEST(after == couplings(student).mean_log_likelihood(data), boost::test_tools::tolerance(1e-10));
  BOOST_TEST(after > before + 0.5);
}

BOOST_AUTO_TEST_CASE(ais_agrees_with_enumeration_with_lateral_couplings) {
  // All couplings on (nothing summed out) and visible-only couplings (the
  // hidden layer summed out analytically).
  for (bool hidden_lateral : {true, false}) {
    auto bm = random_bm(91, 0.8, 5, 3);
    if (!hidden_lateral) bm->hidden_lateral()->weights().zeros();
    Bm* model = bm.get();
    std::unique_ptr<Bm> without;
    if (!hidden_lateral) {
      // The same couplings in a model without the hidden lateral block.
      without = std::make_unique<Bm>(std::make_unique<ebm::BernoulliLayer<double>>(5),
                                     std::make_unique<ebm::BernoulliLayer<double>>(3), true, false);
      auto from = bm->parameters(), to = without->parameters();
      for (std::size_t k = 0; k < to.size(); ++k) *to[k].value = *from[k].value;
      model = without.get();
    }
    const double exact = couplings(*bm).log_partition();
    BOOST_TEST(ebm::exact_log_partition(*model) == exact, boost::test_tools::tolerance(1e-12));
    ebm::BernoulliLayer<double> base(5);
    base.initialize_from_data(random_binary(5, 50, 92));
    ebm::Rng rng(93);
    const auto ais = ebm::ais_log_partition(*model, base, ebm::annealing_schedule("0.5:300,0.9:1000,1:2000"), 200, rng);
    BOOST_TEST_MESSAGE("hidden lateral " << hidden_lateral << ": AIS log Z " << ais.log_z << " ["
                                         << ais.log_z_minus_3sigma << ", " << ais.log_z_plus_3sigma << "], exact "
                                         << exact);
    BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
    // The couplings path: the lateral couplings tempered with the rest, the
    // laterally coupled layers drawn unit by unit from their own biases.
    const auto along_couplings = ebm::ais_log_partition(
        *model, model->layer(0), ebm::annealing_schedule("0.5:300,0.9:1000,1:2000"), 200, rng,
        ebm::AnnealingPath::couplings);
    BOOST_TEST_MESSAGE("hidden lateral " << hidden_lateral << ": couplings path AIS log Z " << along_couplings.log_z);
    BOOST_TEST(std::abs(along_couplings.log_z - exact) < 0.1);
    // Reverse AIS from exact visible samples (drawn from the enumerated
    // joint); with hidden couplings the hidden layer moves with v and starts
    // from p(h | v): mean field, then clamped sequential Gibbs.
    const arma::vec cdf = arma::cumsum(couplings(*bm).joint());
    arma::mat u(1, 200), start(5, 200);
    rng.fill_uniform(u);
    for (arma::uword j = 0; j < start.n_cols; ++j) {
      const arma::uword s = std::min<arma::uword>(
          arma::uword(std::lower_bound(cdf.begin(), cdf.end(), u[j]) - cdf.begin()), cdf.n_elem - 1);
      for (arma::uword i = 0; i < 5; ++i) start(i, j) = double((s >> i) & 1u);
    }
    const auto reverse =
        ebm::reverse_ais_log_partition(*model, base, ebm::annealing_schedule("0.5:300,0.9:1000,1:2000"), start, rng, 50);
    BOOST_TEST_MESSAGE("hidden lateral " << hidden_lateral << ": reverse AIS log Z " << reverse.log_z);
    BOOST_TEST(std::abs(reverse.log_z - exact) < 0.1);
  }
}

BOOST_AUTO_TEST_CASE(ais_is_exact_when_every_coupling_is_zero) {
  // Base = the visible layer, no couplings: every importance weight is the
  // same, log Z = sum_i log(1 + exp(b_i)) + n_hidden log 2 (zero hidden biases).
  auto bm = random_bm(94, 1.0, 4, 3);
  bm->weights().zeros();
  bm->visible_lateral()->weights().zeros();
  bm->hidden_lateral()->weights().zeros();
  bm->hidden().bias().zeros();
  double analytic = 3 * std::log(2.0);
  for (double b : arma::vec(bm->visible().bias().col(0))) analytic += std::log1p(std::exp(b));
  ebm::BernoulliLayer<double> base(4);
  base.bias() = bm->visible().bias();
  ebm::Rng rng(95);
  const auto ais = ebm::ais_log_partition(*bm, base, ebm::annealing_schedule("1:10"), 20, rng);
  BOOST_TEST(ais.log_z == analytic, boost::test_tools::tolerance(1e-12));
}
