// Parallel tempering: the beta = 1 replicas sample the exact distribution,
// swaps between equal temperatures are always accepted, and PCD with
// parallel tempering trains bars-and-stripes.
#define BOOST_TEST_MODULE parallel_tempering
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "samplers/parallel_tempering_sampler.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

BOOST_AUTO_TEST_CASE(cold_replicas_match_the_exact_distribution) {
  auto rbm = test::random_rbm(3, 3, 101, 2.0);
  const arma::vec exact = test::brute_joint(test::Params(*rbm));
  const arma::uword n = 40000;
  ebm::ParallelTemperingSampler<double> pt(5, 0.2);
  ebm::State<double> chains;
  ebm::Rng rng(102);
  pt.initialize_chains(*rbm, chains, n, rng);
  pt.run(*rbm, chains, 100, rng);
  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c) {
    arma::uword a = 0, z = 0;
    for (arma::uword i = 0; i < 3; ++i) a |= arma::uword(chains.layers[0](i, c) > 0.5) << i;
    for (arma::uword j = 0; j < 3; ++j) z |= arma::uword(chains.layers[1](j, c) > 0.5) << j;
    empirical[a + 8 * z] += 1.0 / n;
  }
  const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));
  // Columns are independent replica sets, so the bound of
  // tests/test_block_gibbs.cpp applies: E[TV] <= 1/2 sum sqrt(p(1-p)/N),
  // plus McDiarmid's t for a failure probability of 1e-9.
  const double bound = 0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(n))) + std::sqrt(std::log(1e9) / (2.0 * n));
  BOOST_TEST_MESSAGE("TV " << tv << ", bound " << bound);
  BOOST_TEST(tv < bound);
  for (double r : pt.swap_rates()) {
    BOOST_TEST(r > 0.0);
    BOOST_TEST(r <= 1.0);
  }
}

BOOST_AUTO_TEST_CASE(equal_temperatures_always_swap) {
  // min_beta = 1: every replica is at beta = 1, the acceptance ratio is
  // exp(0) = 1.
  auto rbm = test::random_rbm(4, 3, 103);
  ebm::ParallelTemperingSampler<double> pt(3, 1.0);
  ebm::State<double> chains;
  ebm::Rng rng(104);
  pt.initialize_chains(*rbm, chains, 50, rng);
  pt.run(*rbm, chains, 20, rng);
  for (double r : pt.swap_rates()) BOOST_TEST(r == 1.0);
}

BOOST_AUTO_TEST_CASE(pcd_with_parallel_tempering_trains_bars_and_stripes) {
  const arma::mat data = test::bars_and_stripes(3);
  ebm::Rbm<double> rbm(std::make_unique<ebm::BernoulliLayer<double>>(9), std::make_unique<ebm::BernoulliLayer<double>>(12));
  ebm::Rng rng(105);
  rbm.initialize(data, rng, 0.01);
  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::ParallelTemperingSampler<double>>(5, 0.2), 1,
                                                   100);
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::linear, 0.1, 0.01);
  o.momentum = 0.5;
  ebm::Sgd<double> sgd(o);
  const double before = -arma::mean(rbm.free_energy(data)) - ebm::exact_log_partition(rbm);
  auto params = rbm.parameters();
  ebm::Statistics<double> g;
  ebm::StepContext step;
  step.epochs = 10000;
  for (arma::uword t = 0; t < 10000; ++t) {
    step.step = t;
    pcd.estimate(rbm, data, g, rng);
    sgd.apply(params, g, step);
  }
  const double after = -arma::mean(rbm.free_energy(data)) - ebm::exact_log_partition(rbm);
  BOOST_TEST_MESSAGE("3x3 bars and stripes, PCD-1 with parallel tempering: " << before << " -> " << after
                                                                             << " (optimum " << -std::log(14.0) << ")");
  BOOST_TEST(after > -std::log(14.0) - 1.0);
}

BOOST_AUTO_TEST_CASE(replicas_survive_a_checkpoint) {
  auto rbm = test::random_rbm<float>(4, 3, 106);
  ebm::PersistentContrastiveDivergence<float> pcd(std::make_unique<ebm::ParallelTemperingSampler<float>>(4, 0.3), 1, 6);
  ebm::Sgd<float> sgd(ebm::SgdOptions{});
  ebm::Rng rng(107);
  arma::fmat batch(4, 6, arma::fill::ones);
  ebm::Statistics<float> g;
  pcd.estimate(*rbm, batch, g, rng);
  const std::string path = "/tmp/ebm_pt_test_" + std::to_string(::getpid()) + ".ckpt";
  ebm::save_checkpoint(path, "", *rbm, pcd, sgd, rng, 1, {}, ebm::ArchiveEncoding::text);
  auto loaded = ebm::load_checkpoint<float>(path);
  std::remove(path.c_str());
  auto& pt = dynamic_cast<ebm::ParallelTemperingSampler<float>&>(loaded.estimator->sampler());
  BOOST_TEST(pt.betas().size() == 4u);
  BOOST_TEST(pt.swap_rates().size() == 3u);
  // Continuing from the loaded state gives what continuing the original gives.
  ebm::Rng r1(108), r2(108);
  ebm::Statistics<float> g1, g2;
  pcd.estimate(*rbm, batch, g1, r1);
  loaded.estimator->estimate(*loaded.model, batch, g2, r2);
  for (std::size_t i = 0; i < g1.size(); ++i) BOOST_TEST(arma::approx_equal(g1[i], g2[i], "absdiff", 0.0f));
}
