// The RBM's energy, free energies, conditionals and exact log Z against
// brute-force sums over every state (tests 1 and 2 of the foundation issue).
#define BOOST_TEST_MODULE rbm
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "libebm/monitors/exact_log_likelihood.hpp"
#include "libebm/monitors/pseudo_likelihood.hpp"
#include "libebm/monitors/reconstruction_error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(energy_matches_definition) {
  auto rbm = test::random_rbm(4, 3, 11);
  const test::Params p(*rbm);
  const arma::mat vs = test::all_binary_states(4), hs = test::all_binary_states(3);
  ebm::State<double> state;
  state.layers = {arma::mat(4, vs.n_cols * hs.n_cols), arma::mat(3, vs.n_cols * hs.n_cols)};
  for (arma::uword a = 0, k = 0; a < vs.n_cols; ++a)
    for (arma::uword z = 0; z < hs.n_cols; ++z, ++k) {
      state.layers[0].col(k) = vs.col(a);
      state.layers[1].col(k) = hs.col(z);
    }
  const arma::rowvec e = rbm->energy(state);
  for (arma::uword k = 0; k < e.n_elem; ++k)
    BOOST_TEST(e[k] == p.energy(state.layers[0].colptr(k), state.layers[1].colptr(k)), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(free_energies_match_sums_over_the_other_layer) {
  auto rbm = test::random_rbm(5, 4, 12);
  const test::Params p(*rbm);
  const arma::mat vs = test::all_binary_states(5), hs = test::all_binary_states(4);
  const arma::rowvec f = rbm->free_energy(vs);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    BOOST_TEST(f[a] == test::brute_free_energy(p, vs.colptr(a)), tt::tolerance(1e-12));
  // F(h) = -log sum_v exp(-E(v, h)).
  const arma::rowvec fh = rbm->hidden_free_energy(hs);
  for (arma::uword z = 0; z < hs.n_cols; ++z) {
    std::vector<double> terms;
    for (arma::uword a = 0; a < vs.n_cols; ++a) terms.push_back(-p.energy(vs.colptr(a), hs.colptr(z)));
    BOOST_TEST(fh[z] == -test::log_sum_exp(terms), tt::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(conditionals_match_ratios_of_joint_sums) {
  auto rbm = test::random_rbm(4, 3, 13);
  const test::Params p(*rbm);
  const arma::mat vs = test::all_binary_states(4), hs = test::all_binary_states(3);
  // p(h_j = 1 | v) from the library (positive phase) vs sum_{h: h_j=1} e^-E / sum_h e^-E.
  ebm::State<double> state;
  rbm->positive_phase(vs, state);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    for (arma::uword j = 0; j < 3; ++j) {
      double on = 0, all = 0;
      for (arma::uword z = 0; z < hs.n_cols; ++z) {
        const double w = std::exp(-p.energy(vs.colptr(a), hs.colptr(z)));
        all += w;
        if (hs(j, z) == 1) on += w;
      }
      BOOST_TEST(state.layers[1](j, a) == on / all, tt::tolerance(1e-12));
    }
  // p(v_i = 1 | h) through the generic Model::total_input + unit mean.
  ebm::State<double> hstate;
  hstate.layers = {arma::mat(4, hs.n_cols, arma::fill::zeros), hs};
  arma::mat input, mean;
  rbm->total_input(0, hstate, input);
  rbm->visible().mean(input, mean);
  for (arma::uword z = 0; z < hs.n_cols; ++z)
    for (arma::uword i = 0; i < 4; ++i) {
      double on = 0, all = 0;
      for (arma::uword a = 0; a < vs.n_cols; ++a) {
        const double w = std::exp(-p.energy(vs.colptr(a), hs.colptr(z)));
        all += w;
        if (vs(i, a) == 1) on += w;
      }
      BOOST_TEST(mean(i, z) == on / all, tt::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(exact_log_partition_matches_double_sum) {
  // Both orientations (the smaller layer is enumerated) and strong weights.
  for (auto [nv, nh, scale] : {std::tuple{6u, 3u, 1.0}, std::tuple{3u, 7u, 1.0}, std::tuple{5u, 5u, 3.0}}) {
    auto rbm = test::random_rbm(nv, nh, 100 + nv * 10 + nh, scale);
    const double brute = test::brute_log_partition(test::Params(*rbm));
    BOOST_TEST(ebm::exact_log_partition(*rbm) == brute, tt::tolerance(1e-10));
  }
}

BOOST_AUTO_TEST_CASE(float_model_log_partition_within_float_precision) {
  auto rbm = test::random_rbm<float>(6, 4, 21);
  const double brute = test::brute_log_partition(test::Params(*rbm));
  BOOST_TEST(ebm::exact_log_partition(*rbm) == brute, tt::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(known_log_partition_of_independent_units) {
  // W = 0: log Z = sum_i softplus(b_i) + sum_j softplus(c_j), analytically.
  auto rbm = test::random_rbm(8, 5, 22);
  rbm->weights().zeros();
  const arma::vec b = rbm->visible().bias(), c = rbm->hidden().bias();
  const double expected = arma::accu(arma::log1p(arma::exp(b))) + arma::accu(arma::log1p(arma::exp(c)));
  BOOST_TEST(ebm::exact_log_partition(*rbm) == expected, tt::tolerance(1e-12));
  // All zero: Z = 2^(nv + nh).
  rbm->visible().bias().zeros();
  rbm->hidden().bias().zeros();
  BOOST_TEST(ebm::exact_log_partition(*rbm) == 13 * std::log(2.0), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(exact_log_likelihood_monitor_matches_brute_force) {
  auto rbm = test::random_rbm(9, 4, 23, 0.7);
  const arma::mat data = test::bars_and_stripes(3);
  ebm::ExactLogLikelihood<double> monitor;
  monitor.check_applies_to(*rbm);
  ebm::Measurements out;
  monitor.measure(*rbm, {&data, nullptr}, out);
  BOOST_REQUIRE_EQUAL(out.size(), 2u);
  BOOST_TEST(out[1].first == "log_likelihood_train");
  BOOST_TEST(out[1].second == test::brute_mean_log_likelihood(test::Params(*rbm), data), tt::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(exact_log_likelihood_refuses_models_too_large) {
  auto rbm = test::random_rbm(30, 28, 24);
  ebm::ExactLogLikelihood<double> monitor;
  BOOST_CHECK_THROW(monitor.check_applies_to(*rbm), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(pseudo_likelihood_matches_brute_force_conditionals) {
  auto rbm = test::random_rbm(5, 3, 25);
  const test::Params p(*rbm);
  const arma::mat vs = test::all_binary_states(5);
  const arma::rowvec pl = ebm::PseudoLikelihood<double>::pseudo_log_likelihood(*rbm, vs);
  for (arma::uword a = 0; a < vs.n_cols; ++a) {
    double expected = 0;
    for (arma::uword i = 0; i < 5; ++i) {
      arma::vec flipped = vs.col(a);
      flipped[i] = 1 - flipped[i];
      const double log_p = -test::brute_free_energy(p, vs.colptr(a));
      const double log_q = -test::brute_free_energy(p, flipped.memptr());
      expected += log_p - test::log_sum_exp({log_p, log_q});
    }
    BOOST_TEST(pl[a] == expected, tt::tolerance(1e-10));
  }
}

BOOST_AUTO_TEST_CASE(reconstruction_error_of_a_deterministic_model) {
  // Huge visible biases of the right sign make the reconstruction equal to
  // a fixed pattern: error = mean squared distance of the data to it.
  auto rbm = test::random_rbm(4, 2, 26, 0.0);
  rbm->visible().bias() = arma::vec{40, -40, 40, -40};
  const arma::mat data = {{1, 0}, {1, 1}, {0, 1}, {0, 0}};  // columns (1,1,0,0) and (0,1,1,0)
  // pattern (1,0,1,0): column 1 differs in 2 units, column 2 in 2 units.
  BOOST_TEST(ebm::ReconstructionError<double>::error(*rbm, data) == 4.0 / 8.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(reconstruction_error_over_several_blocks_matches_its_definition) {
  // More columns than the monitor's block of 1000, so the blocks and their
  // boundaries are exercised: the mean over samples and units of
  // (v - sigma(W sigma(W'v + c) + b))^2, written out unit by unit here.
  auto rbm = test::random_rbm(6, 3, 27);
  const test::Params p(*rbm);
  ebm::Rng rng(5);
  arma::mat data(6, 2345);
  rng.fill_uniform(data);
  data = arma::conv_to<arma::mat>::from(data < 0.4);
  double sum = 0;
  for (arma::uword c = 0; c < data.n_cols; ++c) {
    double h[3];
    for (int j = 0; j < 3; ++j) {
      double x = p.c[j];
      for (int i = 0; i < 6; ++i) x += p.w(i, j) * data(i, c);
      h[j] = 1 / (1 + std::exp(-x));
    }
    for (int i = 0; i < 6; ++i) {
      double x = p.b[i];
      for (int j = 0; j < 3; ++j) x += p.w(i, j) * h[j];
      const double d = data(i, c) - 1 / (1 + std::exp(-x));
      sum += d * d;
    }
  }
  BOOST_TEST(ebm::ReconstructionError<double>::error(*rbm, data) == sum / double(data.n_elem), tt::tolerance(1e-12));
}
