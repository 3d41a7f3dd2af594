// The labelled layer (libebm/units/labelled_layer.hpp): a unit type's units
// followed by one softmax group of labels, the visible layer of a DBN's top
// RBM with label units.  Checked against formulas written here: energies and
// log-partitions, the enumeration of its states, the label draws against
// their softmax probabilities, and -- as the visible layer of an RBM -- the
// exact gradient against finite differences of the log-likelihood of
// labelled data summed by loops.  A Gaussian feature part keeps its own
// learned variance; archives keep every part.
#define BOOST_TEST_MODULE labelled_layer
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <set>

#include "libebm/archive/clone.hpp"
#include "libebm/error.hpp"
#include "libebm/units/bernoulli_layer.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "libebm/units/labelled_layer.hpp"
#include "libebm/units/spin_layer.hpp"
#include "models/rbm.hpp"
#include "samplers/exact_gradient.hpp"
#include "test_support.hpp"

namespace {

using Labelled = ebm::LabelledLayer<double>;

double log1pexp(double u) { return u > 0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u)); }

/// 3 Bernoulli units + 4 labels with the bias b_i = 0.3 i - 0.7.
std::unique_ptr<Labelled> small_layer() {
  auto layer = std::make_unique<Labelled>(std::make_unique<ebm::BernoulliLayer<double>>(3), 4);
  for (arma::uword i = 0; i < 7; ++i) layer->bias()(i, 0) = 0.3 * double(i) - 0.7;
  return layer;
}

}  // namespace

BOOST_AUTO_TEST_CASE(energy_partition_and_means_are_the_two_parts) {
  auto layer = small_layer();
  BOOST_TEST(layer->size() == 7u);
  BOOST_TEST(layer->classes() == 4u);
  BOOST_TEST(layer->n_features() == 3u);
  ebm::Rng rng(3);
  arma::mat input(7, 5);
  rng.fill_normal(input, 0.0, 2.0);
  arma::mat m;
  layer->mean(input, m);
  const arma::rowvec z = layer->log_partition(input);
  for (arma::uword c = 0; c < 5; ++c) {
    double expected_z = 0, s = 0;
    for (arma::uword i = 0; i < 3; ++i) {
      expected_z += log1pexp(input(i, c));
      BOOST_TEST(m(i, c) == 1 / (1 + std::exp(-input(i, c))), boost::test_tools::tolerance(1e-14));
    }
    for (arma::uword k = 0; k < 4; ++k) s += std::exp(input(3 + k, c));
    expected_z += std::log(s);
    for (arma::uword k = 0; k < 4; ++k)
      BOOST_TEST(m(3 + k, c) == std::exp(input(3 + k, c)) / s, boost::test_tools::tolerance(1e-14));
    BOOST_TEST(z[c] == expected_z, boost::test_tools::tolerance(1e-13));
  }
  // self_energy([x; y]) = -b.[x; y] for Bernoulli features; base input = the bias.
  arma::mat x = {{1, 0}, {0, 0}, {1, 1}, {0, 0}, {0, 1}, {1, 0}, {0, 0}};
  const arma::rowvec e = layer->self_energy(x);
  for (arma::uword c = 0; c < 2; ++c)
    BOOST_TEST(e[c] == -arma::dot(layer->bias(), x.col(c)), boost::test_tools::tolerance(1e-14));
  arma::mat base;
  layer->base_input(base, 2);
  BOOST_TEST(arma::approx_equal(base, arma::repmat(layer->bias(), 1, 2), "absdiff", 0.0));
  // Statistics: d(-E)/db = [x; y], one parameter (the whole bias).
  ebm::ParameterList<double> p;
  layer->parameters(p, "layer");
  BOOST_REQUIRE_EQUAL(p.size(), 1u);
  BOOST_TEST(p[0].name == "layer.bias");
  BOOST_TEST(p[0].value == &layer->bias());
  arma::mat stat;
  layer->statistics(x, nullptr, &stat);
  BOOST_TEST(arma::approx_equal(stat, arma::mat(arma::mean(x, 1)), "absdiff", 1e-15));
}

BOOST_AUTO_TEST_CASE(states_are_every_feature_state_with_every_label) {
  auto layer = small_layer();
  BOOST_TEST(layer->state_count() == 32u);
  arma::mat all, part;
  layer->states(0, 32, all);
  // Every column: features binary, exactly one label on; all 32 distinct.
  std::set<std::vector<double>> seen;
  for (arma::uword c = 0; c < 32; ++c) {
    BOOST_TEST(arma::accu(all.col(c).rows(3, 6)) == 1.0);
    BOOST_TEST(arma::all(all.col(c) == 0 || all.col(c) == 1));
    seen.insert(arma::conv_to<std::vector<double>>::from(all.col(c)));
  }
  BOOST_TEST(seen.size() == 32u);
  // Any window is the same columns as the whole enumeration.
  layer->states(5, 13, part);
  BOOST_TEST(arma::approx_equal(part, all.cols(5, 17), "absdiff", 0.0));
  // Not enumerable when the feature part is not.
  Labelled gaussian(std::make_unique<ebm::GaussianLayer<double>>(2), 3);
  BOOST_TEST(gaussian.state_count() == 0u);
}

BOOST_AUTO_TEST_CASE(label_draws_follow_the_softmax) {
  auto layer = small_layer();
  const arma::uword n = 20000;
  arma::mat input(7, n);
  input.each_col() = arma::vec{0.5, -1, 2, 0.3, -0.4, 1.1, 0};
  arma::mat x;
  ebm::Rng rng(17);
  layer->sample(input, x, rng);
  arma::vec exact = arma::exp(input.col(0).rows(3, 6));
  exact /= arma::accu(exact);
  arma::vec frequency(4, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c) {
    BOOST_REQUIRE(arma::accu(x.col(c).rows(3, 6)) == 1.0);
    frequency += x.col(c).rows(3, 6);
  }
  frequency /= double(n);
  BOOST_TEST(arma::accu(arma::abs(frequency - exact)) < test::tv_bound(exact, n));
  // The feature units: each Bernoulli(sigmoid(input)), 5 sigma bound.
  for (arma::uword i = 0; i < 3; ++i) {
    const double p = 1 / (1 + std::exp(-input(i, 0)));
    BOOST_TEST(std::abs(arma::mean(x.row(i)) - p) < 5 * std::sqrt(p * (1 - p) / double(n)));
  }
}

// As the visible layer of an RBM with 2 hidden units, the exact gradient of
// the mean log-likelihood of labelled data agrees with central differences
// of that log-likelihood summed by loops over (x, y, h).
BOOST_AUTO_TEST_CASE(rbm_gradient_with_label_units_matches_finite_differences) {
  const arma::uword nx = 3, k = 3, nh = 2;
  ebm::Rbm<double> rbm(std::make_unique<Labelled>(std::make_unique<ebm::BernoulliLayer<double>>(nx), k),
                       std::make_unique<ebm::BernoulliLayer<double>>(nh));
  ebm::Rng rng(5);
  rng.fill_normal(rbm.weights(), 0.0, 1.0);
  rng.fill_normal(rbm.visible().bias(), 0.0, 1.0);
  rng.fill_normal(rbm.hidden().bias(), 0.0, 1.0);
  // Labelled data: random features, labels 0, 1, 2, 1, 0, 2.
  arma::mat data(nx + k, 6, arma::fill::zeros);
  const arma::mat features = test::all_binary_states(nx);
  for (arma::uword c = 0; c < 6; ++c) {
    data.col(c).rows(0, nx - 1) = features.col((3 * c + 1) % 8);
    data(nx + (c * 5 + c / 3) % 3, c) = 1;
  }
  const auto energy = [&](const arma::vec& v, const arma::vec& h) {
    double e = -arma::dot(rbm.visible().bias(), v) - arma::dot(rbm.hidden().bias(), h);
    for (arma::uword i = 0; i < nx + k; ++i)
      for (arma::uword j = 0; j < nh; ++j) e -= v[i] * rbm.weights()(i, j) * h[j];
    return e;
  };
  const auto mean_log_likelihood = [&] {
    const arma::mat hs = test::all_binary_states(nh);
    std::vector<double> all;
    for (arma::uword a = 0; a < features.n_cols; ++a)
      for (arma::uword y = 0; y < k; ++y) {
        arma::vec v(nx + k, arma::fill::zeros);
        v.rows(0, nx - 1) = features.col(a);
        v[nx + y] = 1;
        for (arma::uword z = 0; z < hs.n_cols; ++z) all.push_back(-energy(v, hs.col(z)));
      }
    const double log_z = test::log_sum_exp(all);
    double sum = 0;
    for (arma::uword c = 0; c < data.n_cols; ++c) {
      std::vector<double> terms;
      for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-energy(data.col(c), hs.col(z)));
      sum += test::log_sum_exp(terms) - log_z;
    }
    return sum / double(data.n_cols);
  };
  ebm::ExactGradient<double> estimator(20, /*enumerate_positive=*/true);
  ebm::Statistics<double> gradient;
  ebm::Rng unused(1);
  estimator.estimate(rbm, data, gradient, unused);
  test::check_gradient_by_central_differences(rbm.parameters(), gradient, mean_log_likelihood, 1e-7);
  // The free energy is -log sum_h exp(-E(v, h)).
  const arma::rowvec f = rbm.free_energy(data);
  const arma::mat hs = test::all_binary_states(nh);
  for (arma::uword c = 0; c < data.n_cols; ++c) {
    std::vector<double> terms;
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-energy(data.col(c), hs.col(z)));
    BOOST_TEST(f[c] == -test::log_sum_exp(terms), boost::test_tools::tolerance(1e-12));
  }
}

// A Gaussian feature part with a learned variance: its log-variance is a
// parameter of the labelled layer, and the statistics and energies of the
// feature rows are the Gaussian layer's own.
BOOST_AUTO_TEST_CASE(a_gaussian_feature_part_keeps_its_variance) {
  auto gaussian = std::make_unique<ebm::GaussianLayer<double>>(2, 0.5, true);
  ebm::GaussianLayer<double> reference(2, 0.5, true);
  Labelled layer(std::move(gaussian), 3);
  layer.bias() = arma::vec{0.2, -0.4, 0.1, 0.0, -0.3};
  reference.bias() = arma::vec{0.2, -0.4};
  ebm::ParameterList<double> p;
  layer.parameters(p, "v");
  BOOST_REQUIRE_EQUAL(p.size(), 2u);
  BOOST_TEST(p[1].name == "v.log_variance");
  (*p[1].value)(1, 0) = std::log(2.0);
  reference.log_variance()(1, 0) = std::log(2.0);
  arma::mat x = {{0.5, -1.0}, {2.0, 0.3}, {1, 0}, {0, 0}, {0, 1}};
  arma::mat stats[2], expected[2];
  layer.statistics(x, nullptr, stats);
  reference.statistics(x.rows(0, 1), nullptr, expected);
  BOOST_TEST(arma::approx_equal(stats[0].rows(0, 1), expected[0], "absdiff", 1e-15));
  BOOST_TEST(arma::approx_equal(stats[0].rows(2, 4), arma::mat(arma::mean(x.rows(2, 4), 1)), "absdiff", 1e-15));
  BOOST_TEST(arma::approx_equal(stats[1], expected[1], "absdiff", 1e-15));
  const arma::rowvec e = layer.self_energy(x), e_ref = reference.self_energy(x.rows(0, 1));
  for (arma::uword c = 0; c < 2; ++c)
    BOOST_TEST(e[c] == e_ref[c] - arma::dot(layer.bias().rows(2, 4), x.col(c).rows(2, 4)),
               boost::test_tools::tolerance(1e-14));
  // Archived whole: parts, biases and variance.
  auto copy = ebm::clone_layer<double>(layer);
  auto* loaded = dynamic_cast<Labelled*>(copy.get());
  BOOST_REQUIRE(loaded);
  BOOST_TEST(loaded->classes() == 3u);
  BOOST_TEST(arma::approx_equal(loaded->bias(), layer.bias(), "absdiff", 0.0));
  ebm::ParameterList<double> q;
  loaded->parameters(q, "v");
  BOOST_TEST(arma::approx_equal(*q[1].value, *p[1].value, "absdiff", 0.0));
  BOOST_TEST(loaded->feature_part().type_name() == "gaussian");
}

BOOST_AUTO_TEST_CASE(spin_features_take_their_own_encoding) {
  Labelled layer(std::make_unique<ebm::SpinLayer<double>>(2), 2);
  arma::mat x = {{1, 0}, {0, 1}, {0, 1}, {1, 0}};
  layer.from_binary(x);
  const arma::mat expected = {{1, -1}, {-1, 1}, {0, 1}, {1, 0}};
  BOOST_TEST(arma::approx_equal(x, expected, "absdiff", 0.0));
  BOOST_CHECK_THROW(Labelled(std::make_unique<ebm::BernoulliLayer<double>>(2), 1), ebm::ContractError);
  BOOST_CHECK_THROW(Labelled(nullptr, 3), ebm::ContractError);
}
