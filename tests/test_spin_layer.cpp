// Spin units (values in {-1, +1}) against brute-force sums over every
// configuration, written here with plain loops: energy, free energies,
// conditionals, exact log Z (also mixed with Bernoulli units), the exact
// gradient against finite differences, and block Gibbs against the exact
// joint distribution.  The worked example of docs/extending.md.
#define BOOST_TEST_MODULE spin_layer
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/units/spin_layer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/exact_gradient.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

/// All 2^n spin configurations of n units as columns: column s has unit i
/// = +1 when bit i of s is set, else -1.
arma::mat all_spin_states(arma::uword n) {
  const arma::uword count = arma::uword(1) << n;
  arma::mat s(n, count);
  for (arma::uword c = 0; c < count; ++c)
    for (arma::uword i = 0; i < n; ++i) s(i, c) = ((c >> i) & 1u) ? 1.0 : -1.0;
  return s;
}

enum class Units { spin, bernoulli };

template <typename eT>
std::unique_ptr<ebm::Layer<eT>> make_units(Units u, arma::uword n) {
  if (u == Units::spin) return std::make_unique<ebm::SpinLayer<eT>>(n);
  return std::make_unique<ebm::BernoulliLayer<eT>>(n);
}

arma::mat states_of(Units u, arma::uword n) {
  return u == Units::spin ? all_spin_states(n) : test::all_binary_states(n);
}

/// An RBM with N(0, scale^2) weights and biases.
template <typename eT = double>
std::unique_ptr<ebm::Rbm<eT>> random_rbm(Units vu, arma::uword nv, Units hu, arma::uword nh, std::uint64_t seed,
                                         double scale = 1.0) {
  auto rbm = std::make_unique<ebm::Rbm<eT>>(make_units<eT>(vu, nv), make_units<eT>(hu, nh));
  ebm::Rng rng(seed);
  rng.fill_normal(rbm->weights(), 0.0, scale);
  rng.fill_normal(rbm->visible().bias(), 0.0, scale);
  rng.fill_normal(rbm->hidden().bias(), 0.0, scale);
  return rbm;
}

/// Brute force over explicit state sets vs (visible) and hs (hidden).
/// test::Params::energy is E(v, h) = -b.v - c.h - v^T W h by loops, which
/// holds for spin and Bernoulli units alike; only the state sets differ.
struct Brute {
  test::Params p;
  arma::mat vs, hs;

  double log_partition() const {
    std::vector<double> terms;
    for (arma::uword a = 0; a < vs.n_cols; ++a)
      for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-p.energy(vs.colptr(a), hs.colptr(z)));
    return test::log_sum_exp(terms);
  }
  double free_energy(const double* v) const {
    std::vector<double> terms;
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-p.energy(v, hs.colptr(z)));
    return -test::log_sum_exp(terms);
  }
  double mean_log_likelihood(const arma::mat& data) const {
    const double log_z = log_partition();
    double s = 0;
    for (arma::uword n = 0; n < data.n_cols; ++n) s += -free_energy(data.colptr(n)) - log_z;
    return s / double(data.n_cols);
  }
  /// p(v, h) indexed [a + |vs| * z].
  arma::vec joint() const {
    arma::vec q(vs.n_cols * hs.n_cols);
    for (arma::uword z = 0; z < hs.n_cols; ++z)
      for (arma::uword a = 0; a < vs.n_cols; ++a) q[a + vs.n_cols * z] = -p.energy(vs.colptr(a), hs.colptr(z));
    q = arma::exp(q - q.max());
    return q / arma::accu(q);
  }
};

template <typename eT>
Brute brute(const ebm::Rbm<eT>& rbm, Units vu, Units hu) {
  return {test::Params(rbm), states_of(vu, rbm.visible().size()), states_of(hu, rbm.hidden().size())};
}

arma::mat random_spins(arma::uword rows, arma::uword cols, std::uint64_t seed) {
  ebm::Rng rng(seed);
  arma::mat x(rows, cols);
  rng.fill_uniform(x);
  return arma::conv_to<arma::mat>::from(x < 0.5) * 2.0 - 1.0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(states_enumerate_every_spin_configuration_in_bit_order) {
  ebm::SpinLayer<double> layer(4);
  BOOST_TEST(layer.type_name() == "spin");
  BOOST_TEST(!layer.is_binary());
  BOOST_TEST(layer.state_count() == 16u);
  arma::mat s;
  layer.states(0, 16, s);
  BOOST_TEST(arma::approx_equal(s, all_spin_states(4), "absdiff", 0.0));
  layer.states(5, 3, s);
  BOOST_TEST(arma::approx_equal(s, all_spin_states(4).cols(5, 7), "absdiff", 0.0));
  BOOST_CHECK_THROW(layer.states(10, 7, s), ebm::ContractError);
  BOOST_TEST(ebm::SpinLayer<double>(62).state_count() == arma::uword(1) << 62);
  BOOST_TEST(ebm::SpinLayer<double>(63).state_count() == 0u);
}

BOOST_AUTO_TEST_CASE(energy_matches_definition) {
  auto rbm = random_rbm(Units::spin, 4, Units::spin, 3, 211);
  const Brute b = brute(*rbm, Units::spin, Units::spin);
  const arma::uword n = b.vs.n_cols * b.hs.n_cols;
  ebm::State<double> state;
  state.layers = {arma::mat(4, n), arma::mat(3, n)};
  for (arma::uword a = 0, k = 0; a < b.vs.n_cols; ++a)
    for (arma::uword z = 0; z < b.hs.n_cols; ++z, ++k) {
      state.layers[0].col(k) = b.vs.col(a);
      state.layers[1].col(k) = b.hs.col(z);
    }
  const arma::rowvec e = rbm->energy(state);
  for (arma::uword k = 0; k < n; ++k)
    BOOST_TEST(e[k] == b.p.energy(state.layers[0].colptr(k), state.layers[1].colptr(k)), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(free_energies_match_sums_over_the_other_layer) {
  auto rbm = random_rbm(Units::spin, 5, Units::spin, 4, 212);
  const Brute b = brute(*rbm, Units::spin, Units::spin);
  const arma::rowvec f = rbm->free_energy(b.vs);
  for (arma::uword a = 0; a < b.vs.n_cols; ++a) BOOST_TEST(f[a] == b.free_energy(b.vs.colptr(a)), tt::tolerance(1e-12));
  const arma::rowvec fh = rbm->hidden_free_energy(b.hs);
  for (arma::uword z = 0; z < b.hs.n_cols; ++z) {
    std::vector<double> terms;
    for (arma::uword a = 0; a < b.vs.n_cols; ++a) terms.push_back(-b.p.energy(b.vs.colptr(a), b.hs.colptr(z)));
    BOOST_TEST(fh[z] == -test::log_sum_exp(terms), tt::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(conditional_means_match_ratios_of_joint_sums) {
  auto rbm = random_rbm(Units::spin, 4, Units::spin, 3, 213);
  const Brute b = brute(*rbm, Units::spin, Units::spin);
  // E[h_j | v] = sum_h h_j e^-E / sum_h e^-E, against the positive phase.
  ebm::State<double> state;
  rbm->positive_phase(b.vs, state);
  for (arma::uword a = 0; a < b.vs.n_cols; ++a)
    for (arma::uword j = 0; j < 3; ++j) {
      double num = 0, den = 0;
      for (arma::uword z = 0; z < b.hs.n_cols; ++z) {
        const double w = std::exp(-b.p.energy(b.vs.colptr(a), b.hs.colptr(z)));
        den += w;
        num += b.hs(j, z) * w;
      }
      BOOST_TEST(state.layers[1](j, a) == num / den, tt::tolerance(1e-12));
    }
  // E[v_i | h] through the generic Model::total_input + SpinLayer::mean.
  ebm::State<double> hstate;
  hstate.layers = {arma::mat(4, b.hs.n_cols, arma::fill::zeros), b.hs};
  arma::mat input, mean;
  rbm->total_input(0, hstate, input);
  rbm->visible().mean(input, mean);
  for (arma::uword z = 0; z < b.hs.n_cols; ++z)
    for (arma::uword i = 0; i < 4; ++i) {
      double num = 0, den = 0;
      for (arma::uword a = 0; a < b.vs.n_cols; ++a) {
        const double w = std::exp(-b.p.energy(b.vs.colptr(a), b.hs.colptr(z)));
        den += w;
        num += b.vs(i, a) * w;
      }
      BOOST_TEST(mean(i, z) == num / den, tt::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(samples_are_spins_with_the_conditional_frequencies) {
  // One column of inputs repeated N times: the fraction of +1 in each row
  // estimates p(+1 | u) = e^u / (e^u + e^-u), with standard error <= 0.5/sqrt(N).
  const arma::vec u = {-3.0, -0.7, 0.0, 0.4, 2.5};
  const arma::uword n = 200000;
  const arma::mat input = arma::repmat(u, 1, n);
  ebm::SpinLayer<double> layer(u.n_elem);
  ebm::Rng rng(214);
  arma::mat x;
  layer.sample(input, x, rng);
  BOOST_TEST(arma::all(arma::vectorise(x == 1.0 || x == -1.0)));
  for (arma::uword i = 0; i < u.n_elem; ++i) {
    const double expected = std::exp(u[i]) / (std::exp(u[i]) + std::exp(-u[i]));
    const double frequency = arma::accu(x.row(i) == 1.0) / double(n);
    BOOST_TEST(std::abs(frequency - expected) < 6 * 0.5 / std::sqrt(double(n)));  // 6 sigma
  }
  // Determinism and one uniform per entry: the same seed gives the same
  // draws, and the stream advances exactly as Bernoulli's does.
  ebm::Rng a(215), c(215);
  arma::mat xa, xb;
  layer.sample(input.cols(0, 9), xa, a);
  ebm::BernoulliLayer<double>(u.n_elem).sample(2 * input.cols(0, 9), xb, c);
  BOOST_TEST(arma::approx_equal(xa, 2 * xb - 1, "absdiff", 0.0));
  BOOST_TEST(a.next() == c.next());
}

BOOST_AUTO_TEST_CASE(mean_is_the_derivative_of_log_partition) {
  // For units whose input multiplies x in the exponent, d/du log sum_x e^{xu}
  // = E[x | u]: here d/du log(2 cosh u) = tanh u, by central differences.
  const arma::mat u = {{-4.0, -1.2, -0.1, 0.0, 0.3, 2.2, 7.5}};
  ebm::SpinLayer<double> layer(1);
  arma::mat mean;
  layer.mean(u, mean);
  const double h = 1e-5;
  const arma::rowvec numeric = (layer.log_partition(u + h) - layer.log_partition(u - h)) / (2 * h);
  for (arma::uword c = 0; c < u.n_cols; ++c) {
    BOOST_TEST(mean(0, c) == std::tanh(u(0, c)), tt::tolerance(1e-15));
    BOOST_TEST(std::abs(mean(0, c) - numeric[c]) < 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(log_partition_is_stable_for_large_inputs) {
  // log(2 cosh u) = |u| + log(1 + e^-2|u|): finite (and equal to |u| in
  // double) where cosh itself overflows; log 2 at u = 0.
  const arma::rowvec input = {1e4, -1e4, 800.0, 0.0, 0.3};
  const arma::rowvec lp = ebm::SpinLayer<double>(1).log_partition(input);
  const arma::rowvec expected = {1e4, 1e4, 800.0, std::log(2.0), std::log(2 * std::cosh(0.3))};
  for (arma::uword c = 0; c < input.n_cols; ++c) BOOST_TEST(lp[c] == expected[c], tt::tolerance(1e-15));
  // Float inputs, summed over the units of one column in double.
  const arma::fmat finput = arma::conv_to<arma::fmat>::from(input.t());
  const arma::rowvec flp = ebm::SpinLayer<float>(5).log_partition(finput);
  BOOST_TEST(std::isfinite(flp[0]));
  BOOST_TEST(flp[0] == arma::accu(expected), tt::tolerance(1e-7));
}

BOOST_AUTO_TEST_CASE(exact_log_partition_matches_double_sum) {
  // Both orientations (the smaller layer is enumerated) and strong weights.
  for (auto [nv, nh, scale] : {std::tuple{6u, 3u, 1.0}, std::tuple{3u, 7u, 1.0}, std::tuple{5u, 5u, 3.0}}) {
    auto rbm = random_rbm(Units::spin, nv, Units::spin, nh, 300 + nv * 10 + nh, scale);
    BOOST_TEST(ebm::exact_log_partition(*rbm) == brute(*rbm, Units::spin, Units::spin).log_partition(),
               tt::tolerance(1e-10));
  }
}

BOOST_AUTO_TEST_CASE(mixed_spin_and_bernoulli_log_partition_matches_double_sum) {
  // Spin visible with Bernoulli hidden, and the reverse; each orientation
  // once with the spin side enumerated and once with it summed out.
  for (auto [vu, nv, hu, nh] : {std::tuple{Units::spin, 6u, Units::bernoulli, 3u},
                                std::tuple{Units::spin, 3u, Units::bernoulli, 6u},
                                std::tuple{Units::bernoulli, 5u, Units::spin, 4u},
                                std::tuple{Units::bernoulli, 4u, Units::spin, 5u}}) {
    auto rbm = random_rbm(vu, nv, hu, nh, 400 + nv * 10 + nh, 1.5);
    BOOST_TEST(ebm::exact_log_partition(*rbm) == brute(*rbm, vu, hu).log_partition(), tt::tolerance(1e-10));
  }
}

BOOST_AUTO_TEST_CASE(float_model_log_partition_within_float_precision) {
  auto rbm = random_rbm<float>(Units::spin, 6, Units::spin, 4, 216);
  BOOST_TEST(ebm::exact_log_partition(*rbm) == brute(*rbm, Units::spin, Units::spin).log_partition(),
             tt::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(known_log_partition_of_independent_spins) {
  // W = 0: Z factorises, sum_{s=+-1} e^{b s} = 2 cosh b per unit.
  auto rbm = random_rbm(Units::spin, 8, Units::spin, 5, 217, 2.0);
  rbm->weights().zeros();
  const arma::vec b = rbm->visible().bias(), c = rbm->hidden().bias();
  const double expected = arma::accu(arma::log(2 * arma::cosh(b))) + arma::accu(arma::log(2 * arma::cosh(c)));
  BOOST_TEST(ebm::exact_log_partition(*rbm) == expected, tt::tolerance(1e-12));
  // All zero: Z = 2^(nv + nh).
  rbm->visible().bias().zeros();
  rbm->hidden().bias().zeros();
  BOOST_TEST(ebm::exact_log_partition(*rbm) == 13 * std::log(2.0), tt::tolerance(1e-12));
}

namespace {

void check_against_finite_differences(ebm::Rbm<double>& rbm, Units vu, Units hu, const arma::mat& data) {
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(rbm, data, gradient, rng);
  test::check_gradient_by_central_differences(rbm.parameters(), gradient,
                                              [&] { return brute(rbm, vu, hu).mean_log_likelihood(data); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences) {
  auto rbm = random_rbm(Units::spin, 4, Units::spin, 3, 218);
  check_against_finite_differences(*rbm, Units::spin, Units::spin, random_spins(4, 10, 219));
}

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences_when_hidden_is_larger) {
  auto rbm = random_rbm(Units::spin, 3, Units::spin, 5, 220, 1.5);
  check_against_finite_differences(*rbm, Units::spin, Units::spin, random_spins(3, 7, 221));
}

BOOST_AUTO_TEST_CASE(exact_gradient_of_mixed_model_matches_finite_differences) {
  auto rbm = random_rbm(Units::spin, 4, Units::bernoulli, 3, 222);
  check_against_finite_differences(*rbm, Units::spin, Units::bernoulli, random_spins(4, 9, 223));
}

BOOST_AUTO_TEST_CASE(initialization_from_data_fits_independent_spins) {
  // With W = 0, b_i = atanh(mean) makes E[v_i] = tanh(b_i) equal the data
  // mean, so the exact visible-bias gradient vanishes.
  const arma::mat data = random_spins(5, 40, 224);
  auto rbm = random_rbm(Units::spin, 5, Units::spin, 2, 225);
  rbm->weights().zeros();
  ebm::Rng init_rng(226);
  rbm->initialize(data, init_rng, 0.0);
  BOOST_TEST(arma::abs(rbm->weights()).max() == 0.0);
  BOOST_TEST(arma::approx_equal(arma::vec(arma::tanh(rbm->visible().bias())), arma::vec(arma::mean(data, 1)), "absdiff",
                                1e-12));
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*rbm, data, gradient, rng);
  BOOST_TEST(arma::abs(gradient[0]).max() < 1e-12);
  // A unit constant in the data gets a large finite bias.
  ebm::SpinLayer<double> constant(2);
  constant.initialize_from_data(arma::mat{{1, 1, 1}, {-1, -1, -1}});
  BOOST_TEST(constant.bias()(0) == std::atanh(1 - 2e-3), tt::tolerance(1e-12));
  BOOST_TEST(constant.bias()(1) == -std::atanh(1 - 2e-3), tt::tolerance(1e-12));
}

namespace {

arma::uword spin_state_index(const arma::mat& v, const arma::mat& h, arma::uword col) {
  arma::uword a = 0, z = 0;
  for (arma::uword i = 0; i < v.n_rows; ++i) a |= arma::uword(v(i, col) > 0) << i;
  for (arma::uword j = 0; j < h.n_rows; ++j) z |= arma::uword(h(j, col) > 0) << j;
  return a + (arma::uword(1) << v.n_rows) * z;
}

}  // namespace

BOOST_AUTO_TEST_CASE(block_gibbs_empirical_joint_matches_exact_distribution) {
  auto rbm = random_rbm(Units::spin, 3, Units::spin, 3, 227, 1.0);
  const arma::vec exact = brute(*rbm, Units::spin, Units::spin).joint();

  // N independent chains, each run well past mixing, give N independent
  // draws of (v, h).
  const arma::uword n = 40000;
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(228);
  sampler.initialize_chains(*rbm, chains, n, rng);
  sampler.run(*rbm, chains, 200, rng);
  BOOST_TEST(arma::all(arma::vectorise(arma::abs(chains.layers[0]) == 1.0)));
  BOOST_TEST(arma::all(arma::vectorise(arma::abs(chains.layers[1]) == 1.0)));

  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c)
    empirical[spin_state_index(chains.layers[0], chains.layers[1], c)] += 1.0 / n;
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
  auto other = random_rbm(Units::spin, 3, Units::spin, 3, 227, 1.0);
  other->weights()(0, 0) += 0.5;
  const double tv_other = 0.5 * arma::accu(arma::abs(empirical - brute(*other, Units::spin, Units::spin).joint()));
  BOOST_TEST_MESSAGE("TV to the perturbed model = " << tv_other);
  BOOST_TEST(tv_other > expected_bound + t);
}
