// The deep belief net's variational lower bound (models/deep_belief_net_bound.hpp)
// and its report by the `ais` monitor, against enumeration on tiny nets
// (tests/test_support.hpp, BruteDbn): the Monte-Carlo estimate equals the
// bound's exact value within the tolerance its number of draws gives, the
// bound is below the exact log-likelihood, it is exact (with no variance
// at all) when the up pass is the true posterior, and the monitor carries
// the top RBM's AIS band into it.
#define BOOST_TEST_MODULE deep_belief_net_bound
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "libebm/monitors/ais_log_likelihood.hpp"
#include "libebm/registry/registry.hpp"
#include "models/deep_belief_net.hpp"
#include "models/deep_belief_net_bound.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

test::BruteDbn brute(const ebm::DeepBeliefNet<double>& dbn) {
  test::BruteDbn b;
  for (arma::uword k = 0; k < dbn.n_levels(); ++k) b.levels.emplace_back(*dbn.level(k));
  return b;
}

double get(const ebm::Measurements& out, const std::string& name) {
  for (const auto& [k, v] : out)
    if (k == name) return v;
  BOOST_FAIL("no measurement " << name);
  return NAN;
}

}  // namespace

BOOST_AUTO_TEST_CASE(estimate_matches_the_enumerated_bound_within_its_sampling_error_and_stays_below_log_p) {
  // Three levels, 5-4-3-3: the up pass draws x_1 and x_2.
  const auto dbn = test::random_dbn({5, 4, 3, 3}, 11, 1.2);
  const test::BruteDbn b = brute(*dbn);
  const double log_z_top = test::brute_log_partition(b.levels.back());
  const arma::mat vs = test::all_binary_states(5);
  const arma::uword draws = 4000;
  ebm::Rng rng(12);
  const ebm::DbnBoundEstimate e = ebm::dbn_bound_without_log_z(*dbn, vs, draws, rng);
  BOOST_TEST_REQUIRE(e.mean.n_elem == vs.n_cols);
  BOOST_TEST(e.draws == draws);
  arma::uword clearly_below = 0;
  for (arma::uword a = 0; a < vs.n_cols; ++a) {
    double mean = 0, variance = 0;
    b.bound(vs.colptr(a), mean, variance);
    const double log_p = b.log_likelihood(vs.colptr(a));
    const double estimate = e.mean[a] - log_z_top;
    // The average of `draws` independent values with this variance: 5
    // standard errors (two-sided probability 6e-7 per case).
    const double tolerance = 5 * std::sqrt(variance / double(draws));
    BOOST_TEST_CONTEXT("v = " << a << ": bound " << mean << " (sd " << std::sqrt(variance) << "), estimate " << estimate
                              << ", log p " << log_p) {
      BOOST_TEST(mean < log_p);  // Jensen, strictly: q is not the posterior here
      BOOST_TEST(std::abs(estimate - mean) < tolerance);
      // The sample variance estimates the enumerated one (relative error
      // about sqrt(2 / draws) for near-normal values; 25% is far outside).
      BOOST_TEST(std::abs(e.variance[a] - variance) < 0.25 * variance);
      BOOST_TEST(estimate < log_p + tolerance);
      if (log_p - mean > 2 * tolerance) {
        BOOST_TEST(estimate < log_p);
        ++clearly_below;
      }
    }
  }
  BOOST_TEST(clearly_below > vs.n_cols / 2);  // the bound is not trivially tight here
}

BOOST_AUTO_TEST_CASE(a_transposed_top_level_makes_every_draw_equal_log_p) {
  // Hinton, Osindero & Teh (2006), section 4: with level 1 = level 0
  // transposed, q(h1 | v) is the net's exact posterior and p(v) is the first
  // RBM's, so log p(v, h1) - log q(h1 | v) = log p(v) for every h1: the
  // estimate is exact and its variance zero.
  auto dbn = test::random_dbn({4, 3, 4}, 21);
  auto first = dbn->level(0);
  ebm::Rbm<double> transposed(std::make_unique<ebm::BernoulliLayer<double>>(3),
                              std::make_unique<ebm::BernoulliLayer<double>>(4));
  transposed.weights() = first->weights().t();
  transposed.visible().bias() = first->hidden().bias();
  transposed.hidden().bias() = first->visible().bias();
  dbn->set_level(1, transposed);
  const test::Params p0(*first);
  const double log_z = test::brute_log_partition(p0);  // = log Z of the top RBM
  const arma::mat vs = test::all_binary_states(4);
  ebm::Rng rng(22);
  const ebm::DbnBoundEstimate e = ebm::dbn_bound_without_log_z(*dbn, vs, 50, rng);
  for (arma::uword a = 0; a < vs.n_cols; ++a) {
    const double log_p = -test::brute_free_energy(p0, vs.colptr(a)) - log_z;
    BOOST_TEST(e.mean[a] - log_z == log_p, tt::tolerance(1e-10));
    BOOST_TEST(e.variance[a] < 1e-20);
  }
}

BOOST_AUTO_TEST_CASE(one_level_is_the_rbms_exact_log_likelihood) {
  auto dbn = test::random_dbn({5, 3}, 31);
  const test::Params p(*dbn->level(0));
  const arma::mat vs = test::all_binary_states(5);
  ebm::Rng rng(32);
  const ebm::DbnBoundEstimate e = ebm::dbn_bound_without_log_z(*dbn, vs, 10, rng);
  BOOST_TEST(e.draws == 1u);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    BOOST_TEST(e.mean[a] == -test::brute_free_energy(p, vs.colptr(a)), tt::tolerance(1e-10));
  BOOST_CHECK_THROW(ebm::dbn_bound_without_log_z(*dbn, vs, 0, rng), ebm::ContractError);
  BOOST_CHECK_THROW(ebm::dbn_bound_without_log_z(*dbn, arma::mat(4, 2, arma::fill::zeros), 1, rng), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(the_ais_monitor_reports_the_bound_with_the_top_rbms_log_z_band_and_reverse_ais) {
  // 6-5-7: a top RBM of 5 x 7 units, log Z by AIS (forward and reverse)
  // against enumeration; the bound averaged over 64 data vectors.
  const auto dbn = test::random_dbn({6, 5, 7}, 41, 1.0);
  const test::BruteDbn b = brute(*dbn);
  const double log_z_top = test::brute_log_partition(b.levels.back());
  const arma::mat vs = test::all_binary_states(6);
  const arma::mat train = vs.cols(0, 31), test_set = vs.cols(32, 63);
  ebm::BlockOptions options = ebm::TypeCatalog::instance().defaults("monitor", "ais");
  options.set<std::string>("schedule", "0.5:200,0.9:800,1:1000");
  options.set<std::uint64_t>("dbn_draws", 500);
  options.set<std::uint64_t>("reverse_chains", 32);
  auto monitor = ebm::AisLogLikelihood<double>::create(options);
  monitor->check_applies_to(*dbn);
  ebm::Measurements out;
  monitor->measure(*dbn, {&train, &test_set}, out);
  BOOST_TEST_MESSAGE("top log Z: exact " << log_z_top << ", AIS " << get(out, "ais_log_z") << " ["
                                         << get(out, "ais_log_z_minus_3sd") << ", " << get(out, "ais_log_z_plus_3sd")
                                         << "], reverse " << get(out, "reverse_ais_log_z"));
  BOOST_TEST(std::abs(get(out, "ais_log_z") - log_z_top) < 0.1);
  BOOST_TEST(std::abs(get(out, "reverse_ais_log_z") - log_z_top) < 0.1);
  for (const auto& [set, data] : {std::pair<std::string, const arma::mat*>{"train", &train}, {"test", &test_set}}) {
    double exact_bound = 0, variance_sum = 0, exact_log_p = 0;
    for (arma::uword a = 0; a < data->n_cols; ++a) {
      double mean = 0, variance = 0;
      b.bound(data->colptr(a), mean, variance);
      exact_bound += mean / double(data->n_cols);
      variance_sum += variance;
      exact_log_p += b.log_likelihood(data->colptr(a)) / double(data->n_cols);
    }
    // The average of 32 x 500 draws: its standard error from the
    // enumerated variances; the monitor's own estimate of it must agree.
    const double sampling_error = std::sqrt(variance_sum / 500.0) / double(data->n_cols);
    const double reported = get(out, "ais_log_likelihood_bound_" + set);
    BOOST_TEST_CONTEXT(set << ": exact bound " << exact_bound << ", reported " << reported << " (sampling error "
                           << sampling_error << "), exact log p " << exact_log_p) {
      BOOST_TEST(exact_bound < exact_log_p);
      BOOST_TEST(std::abs(reported - exact_bound) < 0.1 + 5 * sampling_error);
      BOOST_TEST(std::abs(get(out, "reverse_ais_log_likelihood_bound_" + set) - exact_bound) <
                 0.1 + 5 * sampling_error);
      BOOST_TEST(get(out, "ais_bound_sampling_error_" + set) == sampling_error, tt::tolerance(0.25));
      // The band: log Z's +-3 sigma ends carried over (log Z higher -> bound lower).
      const double mc = reported + get(out, "ais_log_z");
      BOOST_TEST(get(out, "ais_log_likelihood_bound_" + set + "_minus_3sd") == mc - get(out, "ais_log_z_plus_3sd"),
                 tt::tolerance(1e-12));
      BOOST_TEST(get(out, "ais_log_likelihood_bound_" + set + "_plus_3sd") == mc - get(out, "ais_log_z_minus_3sd"),
                 tt::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_one_level_net_is_measured_as_its_rbm) {
  auto dbn = test::random_dbn({6, 4}, 51);
  const arma::mat vs = test::all_binary_states(6);
  ebm::BlockOptions options = ebm::TypeCatalog::instance().defaults("monitor", "ais");
  options.set<std::string>("schedule", "1:200");
  options.set<bool>("reverse", false);
  auto monitor = ebm::AisLogLikelihood<double>::create(options);
  ebm::Measurements from_net, from_rbm;
  monitor->measure(*dbn, {&vs, nullptr}, from_net);
  monitor->measure(*dbn->level(0), {&vs, nullptr}, from_rbm);
  BOOST_TEST_REQUIRE(from_net.size() == from_rbm.size());
  for (std::size_t i = 0; i < from_net.size(); ++i) {
    BOOST_TEST(from_net[i].first == from_rbm[i].first);
    BOOST_TEST(from_net[i].second == from_rbm[i].second);
  }
  BOOST_TEST(std::abs(get(from_net, "ais_log_likelihood_train") -
                      test::brute_mean_log_likelihood(test::Params(*dbn->level(0)), vs)) < 0.1);
}
