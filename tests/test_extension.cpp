// A unit type defined OUTSIDE libebm (tests/extension/binomial_layer.*),
// registered with one EBM_REGISTER line and no edit to any central file:
//   (a) it is in the registry (and so in config files and archives);
//   (b) its mathematics inside an RBM, against brute-force sums over every
//       state in {0..n}^nv x {0,1}^nh written here with plain loops: energy,
//       free energies, conditionals, exact log Z, the exact gradient against
//       finite differences, and block Gibbs against the exact joint;
//   (c) trained by ebm::run_experiment from tests/data/extension.ini;
//   (d) saved and loaded in the binary, text and XML encodings.
// The walk-through is docs/extending.md, "A type defined outside libebm".
#define BOOST_TEST_MODULE extension
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "libebm/archive/archive_file.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/registry/kinds.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/exact_gradient.hpp"
#include "test_support.hpp"
#include "tests/extension/binomial_layer.hpp"

namespace tt = boost::test_tools;
using example::BinomialLayer;

namespace {

// ---------------------------------------------------------------------------
// Independent references, from the definitions.

/// log C(n, k) from the product prod_{j=1..k} (n - k + j) / j.
double log_choose(unsigned n, unsigned k) {
  double c = 1;
  for (unsigned j = 1; j <= k; ++j) c = c * double(n - k + j) / double(j);
  return std::log(c);
}

/// All (n+1)^units configurations as columns: column s has unit i = digit i
/// of s in base n + 1, least significant first.
arma::mat all_states(arma::uword units, unsigned n) {
  arma::uword count = 1;
  for (arma::uword i = 0; i < units; ++i) count *= n + 1;
  arma::mat s(units, count);
  for (arma::uword c = 0; c < count; ++c) {
    arma::uword rest = c;
    for (arma::uword i = 0; i < units; ++i) {
      s(i, c) = double(rest % (n + 1));
      rest /= n + 1;
    }
  }
  return s;
}

/// An RBM with binomial visible units of nv_trials trials, and binomial
/// hidden units of nh_trials trials -- Bernoulli units when nh_trials is 0 --
/// with N(0, scale^2) weights and biases.
template <typename eT = double>
std::unique_ptr<ebm::Rbm<eT>> random_rbm(arma::uword nv, unsigned nv_trials, arma::uword nh, unsigned nh_trials,
                                         std::uint64_t seed, double scale = 1.0) {
  std::unique_ptr<ebm::Layer<eT>> hidden;
  if (nh_trials == 0) hidden = std::make_unique<ebm::BernoulliLayer<eT>>(nh);
  else hidden = std::make_unique<BinomialLayer<eT>>(nh, nh_trials);
  auto rbm = std::make_unique<ebm::Rbm<eT>>(std::make_unique<BinomialLayer<eT>>(nv, nv_trials), std::move(hidden));
  ebm::Rng rng(seed);
  rng.fill_normal(rbm->weights(), 0.0, scale);
  rng.fill_normal(rbm->visible().bias(), 0.0, scale);
  rng.fill_normal(rbm->hidden().bias(), 0.0, scale);
  return rbm;
}

/// Brute force over every (v, h):
///   E(v, h) = -b.v - c.h - v^T W h - sum_i log C(nv, v_i) - sum_j log C(nh, h_j)
/// with nh = 1 (log C = 0) for Bernoulli hidden units.
struct Brute {
  test::Params p;
  unsigned nv_trials, nh_trials;
  arma::mat vs, hs;

  double energy(const double* v, const double* h) const {
    double e = p.energy(v, h);  // -b.v - c.h - v^T W h, by loops
    for (arma::uword i = 0; i < p.b.n_elem; ++i) e -= log_choose(nv_trials, unsigned(v[i]));
    for (arma::uword j = 0; j < p.c.n_elem; ++j) e -= log_choose(nh_trials, unsigned(h[j]));
    return e;
  }
  double log_partition() const {
    std::vector<double> terms;
    for (arma::uword a = 0; a < vs.n_cols; ++a)
      for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-energy(vs.colptr(a), hs.colptr(z)));
    return test::log_sum_exp(terms);
  }
  double free_energy(const double* v) const {
    std::vector<double> terms;
    for (arma::uword z = 0; z < hs.n_cols; ++z) terms.push_back(-energy(v, hs.colptr(z)));
    return -test::log_sum_exp(terms);
  }
  double hidden_free_energy(const double* h) const {
    std::vector<double> terms;
    for (arma::uword a = 0; a < vs.n_cols; ++a) terms.push_back(-energy(vs.colptr(a), h));
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
      for (arma::uword a = 0; a < vs.n_cols; ++a) q[a + vs.n_cols * z] = -energy(vs.colptr(a), hs.colptr(z));
    q = arma::exp(q - q.max());
    return q / arma::accu(q);
  }
};

template <typename eT>
Brute brute(const ebm::Rbm<eT>& rbm, unsigned nv_trials, unsigned nh_trials) {
  const unsigned nh = nh_trials == 0 ? 1 : nh_trials;
  return {test::Params(rbm), nv_trials, nh, all_states(rbm.visible().size(), nv_trials),
          all_states(rbm.hidden().size(), nh)};
}

/// rows x cols integers uniform in 0 .. n.
arma::mat random_counts(arma::uword rows, arma::uword cols, unsigned n, std::uint64_t seed) {
  ebm::Rng rng(seed);
  arma::mat x(rows, cols);
  for (arma::uword k = 0; k < x.n_elem; ++k) x[k] = double(rng.below(n + 1));
  return x;
}

double sigmoid(double u) { return 1 / (1 + std::exp(-u)); }

/// Binomial(n, p) probability of k, from the definition.
double binomial_pmf(unsigned n, double p, unsigned k) {
  return std::exp(log_choose(n, k)) * std::pow(p, k) * std::pow(1 - p, n - k);
}

/// A file name in the temporary folder, removed with the object.
struct TemporaryPath {
  std::string path;
  explicit TemporaryPath(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("ebm_test_extension_" + std::to_string(::getpid()) + "_" + name))
                 .string()) {}
  ~TemporaryPath() { std::filesystem::remove(path); }
};

}  // namespace

// ---------------------------------------------------------------------------
// (a) Registration: one EBM_REGISTER line in binomial_layer.cpp.

BOOST_AUTO_TEST_CASE(the_type_is_registered_by_its_own_line) {
  const ebm::TypeCatalog& catalog = ebm::TypeCatalog::instance();
  BOOST_TEST(catalog.has("units", "binomial"));
  BOOST_TEST(catalog.at("units", "binomial").summary == "binomial units: sums of n Bernoulli trials");
  // Its option, with its default, in its own section [binomial].
  ebm::BlockOptions options = catalog.defaults("units", "binomial");
  BOOST_TEST(options.section() == "binomial");
  BOOST_TEST(options.get<std::uint64_t>("trials") == 2u);
  BOOST_TEST(options.first_invalid() == "");
  options.set<std::uint64_t>("trials", 0);
  BOOST_TEST(options.first_invalid() == "trials");

  // Both scalar registries build it.
  options.set<std::uint64_t>("trials", 5);
  auto f = ebm::UnitsKind::registry<float>::instance().create("binomial", options, 7);
  auto d = ebm::UnitsKind::registry<double>::instance().create("binomial", options, 3);
  BOOST_TEST(f->type_name() == "binomial");
  BOOST_TEST(d->type_name() == "binomial");
  BOOST_TEST(f->size() == 7u);
  BOOST_TEST(d->size() == 3u);
  BOOST_REQUIRE(dynamic_cast<BinomialLayer<float>*>(f.get()));
  BOOST_REQUIRE(dynamic_cast<BinomialLayer<double>*>(d.get()));
  BOOST_TEST(dynamic_cast<BinomialLayer<float>&>(*f).trials() == 5u);
  BOOST_TEST(dynamic_cast<BinomialLayer<double>&>(*d).trials() == 5u);
  BOOST_CHECK_THROW(BinomialLayer<double>(3, 0), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(config_files_find_the_type_and_read_its_section) {
  // Pass 1 reads `visible_units = binomial`, pass 2 the [binomial] section.
  const std::string path = EBM_TEST_DATA_DIR "/extension.ini";
  const ebm::ExperimentConfig c = ebm::load_experiment_config(path, {"binomial.trials=3"});
  BOOST_TEST(c.block("rbm").get<std::string>("visible_units") == "binomial");
  BOOST_TEST(c.block("binomial").get<std::uint64_t>("trials") == 3u);
  BOOST_TEST(c.resolved_text.find("[binomial]\ntrials = 3") != std::string::npos);
  // Its option is checked like a built-in one ...
  try {
    ebm::load_experiment_config(path, {"binomial.trials=0"});
    BOOST_ERROR("trials = 0 accepted");
  } catch (const ebm::InputError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("binomial.trials") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("an integer >= 1") != std::string::npos);
  }
  // ... and a misspelt type name lists it among the registered ones.
  try {
    ebm::load_experiment_config(path, {"rbm.visible_units=binomal"});
    BOOST_ERROR("unknown unit type accepted");
  } catch (const ebm::InputError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("binomial") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------
// (b) Mathematics, by brute force.

BOOST_AUTO_TEST_CASE(states_enumerate_every_configuration_in_mixed_radix_order) {
  BinomialLayer<double> layer(3, 2);
  BOOST_TEST(layer.type_name() == "binomial");
  BOOST_TEST(!layer.is_binary());
  BOOST_TEST(BinomialLayer<double>(3, 1).is_binary());
  BOOST_TEST(layer.state_count() == 27u);
  arma::mat s;
  layer.states(0, 27, s);
  BOOST_TEST(arma::approx_equal(s, all_states(3, 2), "absdiff", 0.0));
  layer.states(5, 4, s);
  BOOST_TEST(arma::approx_equal(s, all_states(3, 2).cols(5, 8), "absdiff", 0.0));
  BOOST_CHECK_THROW(layer.states(20, 8, s), ebm::ContractError);
  // One trial: Bernoulli's bit order.
  BinomialLayer<double>(4, 1).states(0, 16, s);
  BOOST_TEST(arma::approx_equal(s, test::all_binary_states(4), "absdiff", 0.0));
  // (n + 1)^size up to 2^62, then 0 (not enumerable).
  arma::uword three_39 = 1;
  for (int i = 0; i < 39; ++i) three_39 *= 3;
  BOOST_TEST(BinomialLayer<double>(39, 2).state_count() == three_39);
  BOOST_TEST(BinomialLayer<double>(40, 2).state_count() == 0u);
  BOOST_TEST(BinomialLayer<double>(62, 1).state_count() == arma::uword(1) << 62);
  BOOST_TEST(BinomialLayer<double>(63, 1).state_count() == 0u);
  BOOST_TEST(BinomialLayer<double>(1, std::uint64_t(1) << 62).state_count() == 0u);
}

BOOST_AUTO_TEST_CASE(conditional_is_exactly_binomial) {
  // exp(-self_energy(x) + x u - log_partition(u)) for one unit with b = 0
  // must be Binomial(n, sigmoid(u)) at every x in 0..n; mean = n sigmoid(u).
  for (unsigned n : {1u, 2u, 5u}) {
    BinomialLayer<double> layer(1, n);
    const arma::mat xs = all_states(1, n);
    const arma::rowvec self = layer.self_energy(xs);
    for (double u : {-3.0, -0.4, 0.0, 1.1, 4.0}) {
      const arma::mat input(1, 1, arma::fill::value(u));
      const double lp = layer.log_partition(input)[0];
      double total = 0;
      for (unsigned k = 0; k <= n; ++k) {
        const double p = std::exp(-self[k] + k * u - lp);
        total += p;
        BOOST_TEST(p == binomial_pmf(n, sigmoid(u), k), tt::tolerance(1e-12));
      }
      BOOST_TEST(total == 1.0, tt::tolerance(1e-12));
      arma::mat mean;
      layer.mean(input, mean);
      BOOST_TEST(mean(0, 0) == n * sigmoid(u), tt::tolerance(1e-14));
    }
  }
}

BOOST_AUTO_TEST_CASE(mean_is_the_derivative_of_log_partition) {
  const arma::mat u = {{-4.0, -1.2, -0.1, 0.0, 0.3, 2.2, 7.5}};
  BinomialLayer<double> layer(1, 3);
  arma::mat mean;
  layer.mean(u, mean);
  const double h = 1e-5;
  const arma::rowvec numeric = (layer.log_partition(u + h) - layer.log_partition(u - h)) / (2 * h);
  for (arma::uword c = 0; c < u.n_cols; ++c) BOOST_TEST(std::abs(mean(0, c) - numeric[c]) < 1e-8);
}

BOOST_AUTO_TEST_CASE(log_partition_is_stable_for_large_inputs) {
  // n softplus(u): n u for large u, n log 2 at 0, ~0 for very negative u.
  const arma::mat input = arma::vec{1e4, -1e4, 800.0, 0.0};
  const arma::rowvec lp = BinomialLayer<double>(1, 3).log_partition(input.t());
  const arma::rowvec expected = {3e4, 0.0, 2400.0, 3 * std::log(2.0)};
  for (arma::uword c = 0; c < lp.n_cols; ++c) BOOST_TEST(lp[c] == expected[c], tt::tolerance(1e-15));
  const arma::rowvec flp = BinomialLayer<float>(4, 3).log_partition(arma::conv_to<arma::fmat>::from(input));
  BOOST_TEST(std::isfinite(flp[0]));
  BOOST_TEST(flp[0] == arma::accu(expected), tt::tolerance(1e-7));
}

BOOST_AUTO_TEST_CASE(samples_have_the_binomial_frequencies) {
  // One column of inputs repeated N times: the frequency of each value k in
  // row i estimates Binomial(n, sigmoid(u_i))(k), standard error <= 0.5/sqrt(N).
  const unsigned n = 3;
  const arma::vec u = {-2.0, -0.3, 0.0, 0.8, 2.5};
  const arma::uword count = 200000;
  BinomialLayer<double> layer(u.n_elem, n);
  ebm::Rng rng(501);
  arma::mat x;
  layer.sample(arma::repmat(u, 1, count), x, rng);
  BOOST_TEST(arma::all(arma::vectorise(x >= 0.0 && x <= double(n) && x == arma::floor(x))));
  for (arma::uword i = 0; i < u.n_elem; ++i)
    for (unsigned k = 0; k <= n; ++k) {
      const double frequency = arma::accu(x.row(i) == double(k)) / double(count);
      BOOST_TEST_CONTEXT("u = " << u[i] << ", k = " << k) {
        BOOST_TEST(std::abs(frequency - binomial_pmf(n, sigmoid(u[i]), k)) < 6 * 0.5 / std::sqrt(double(count)));
      }
    }
  // With one trial: exactly Bernoulli's draws, from one key.
  const arma::mat input = arma::repmat(u, 1, 10);
  ebm::Rng a(502), b(502);
  arma::mat xa, xb;
  BinomialLayer<double>(u.n_elem, 1).sample(input, xa, a);
  ebm::BernoulliLayer<double>(u.n_elem).sample(input, xb, b);
  BOOST_TEST(arma::approx_equal(xa, xb, "absdiff", 0.0));
  BOOST_TEST(a.next() == b.next());
  // With n trials too, one key per call: the engine advances by one draw.
  ebm::Rng c(503), d(503);
  layer.sample(input, xa, c);
  d.next();
  BOOST_TEST(c.next() == d.next());
}

BOOST_AUTO_TEST_CASE(energy_matches_definition) {
  auto rbm = random_rbm(3, 2, 3, 0, 511);
  const Brute b = brute(*rbm, 2, 0);
  const arma::uword n = b.vs.n_cols * b.hs.n_cols;
  ebm::State<double> state;
  state.layers = {arma::mat(3, n), arma::mat(3, n)};
  for (arma::uword a = 0, k = 0; a < b.vs.n_cols; ++a)
    for (arma::uword z = 0; z < b.hs.n_cols; ++z, ++k) {
      state.layers[0].col(k) = b.vs.col(a);
      state.layers[1].col(k) = b.hs.col(z);
    }
  const arma::rowvec e = rbm->energy(state);
  for (arma::uword k = 0; k < n; ++k)
    BOOST_TEST(e[k] == b.energy(state.layers[0].colptr(k), state.layers[1].colptr(k)), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(free_energies_match_sums_over_the_other_layer) {
  for (auto [nv, nvt, nh, nht] : {std::tuple{3u, 2u, 4u, 0u}, std::tuple{2u, 3u, 2u, 2u}}) {
    auto rbm = random_rbm(nv, nvt, nh, nht, 512 + nv);
    const Brute b = brute(*rbm, nvt, nht);
    const arma::rowvec f = rbm->free_energy(b.vs);
    for (arma::uword a = 0; a < b.vs.n_cols; ++a)
      BOOST_TEST(f[a] == b.free_energy(b.vs.colptr(a)), tt::tolerance(1e-12));
    const arma::rowvec fh = rbm->hidden_free_energy(b.hs);
    for (arma::uword z = 0; z < b.hs.n_cols; ++z)
      BOOST_TEST(fh[z] == b.hidden_free_energy(b.hs.colptr(z)), tt::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(conditional_means_match_ratios_of_joint_sums) {
  auto rbm = random_rbm(3, 2, 3, 0, 513);
  const Brute b = brute(*rbm, 2, 0);
  // E[h_j | v] = sum_h h_j e^-E / sum_h e^-E, against the positive phase.
  ebm::State<double> state;
  rbm->positive_phase(b.vs, state);
  for (arma::uword a = 0; a < b.vs.n_cols; ++a)
    for (arma::uword j = 0; j < 3; ++j) {
      double num = 0, den = 0;
      for (arma::uword z = 0; z < b.hs.n_cols; ++z) {
        const double w = std::exp(-b.energy(b.vs.colptr(a), b.hs.colptr(z)));
        den += w;
        num += b.hs(j, z) * w;
      }
      BOOST_TEST(state.layers[1](j, a) == num / den, tt::tolerance(1e-12));
    }
  // E[v_i | h] through Model::total_input + BinomialLayer::mean.
  ebm::State<double> hstate;
  hstate.layers = {arma::mat(3, b.hs.n_cols, arma::fill::zeros), b.hs};
  arma::mat input, mean;
  rbm->total_input(0, hstate, input);
  rbm->visible().mean(input, mean);
  for (arma::uword z = 0; z < b.hs.n_cols; ++z)
    for (arma::uword i = 0; i < 3; ++i) {
      double num = 0, den = 0;
      for (arma::uword a = 0; a < b.vs.n_cols; ++a) {
        const double w = std::exp(-b.energy(b.vs.colptr(a), b.hs.colptr(z)));
        den += w;
        num += b.vs(i, a) * w;
      }
      BOOST_TEST(mean(i, z) == num / den, tt::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(exact_log_partition_matches_double_sum) {
  // The binomial side enumerated (27 < 32, 64 < 128 states) and summed out
  // (256 > 8, 125 > 16), with binomial hidden units too and strong weights.
  for (auto [nv, nvt, nh, nht, scale] :
       {std::tuple{3u, 2u, 5u, 0u, 1.0}, std::tuple{3u, 3u, 7u, 0u, 1.0}, std::tuple{4u, 3u, 3u, 0u, 1.0},
        std::tuple{3u, 4u, 4u, 0u, 2.0}, std::tuple{2u, 2u, 3u, 2u, 1.5}, std::tuple{4u, 2u, 2u, 3u, 1.0}}) {
    auto rbm = random_rbm(nv, nvt, nh, nht, 520 + 10 * nv + nh, scale);
    BOOST_TEST_CONTEXT(nv << " units of " << nvt << " trials, " << nh << " hidden of " << nht) {
      BOOST_TEST(ebm::exact_log_partition(*rbm) == brute(*rbm, nvt, nht).log_partition(), tt::tolerance(1e-10));
    }
  }
}

BOOST_AUTO_TEST_CASE(float_model_log_partition_within_float_precision) {
  auto rbm = random_rbm<float>(4, 2, 4, 0, 530);
  BOOST_TEST(ebm::exact_log_partition(*rbm) == brute(*rbm, 2, 0).log_partition(), tt::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(known_log_partition_of_independent_units) {
  // W = 0: Z factorises, sum_x C(n, x) e^{b x} = (1 + e^b)^n per unit.
  auto rbm = random_rbm(6, 3, 4, 0, 531, 2.0);
  rbm->weights().zeros();
  const arma::vec b = rbm->visible().bias(), c = rbm->hidden().bias();
  const double expected = 3 * arma::accu(arma::log1p(arma::exp(b))) + arma::accu(arma::log1p(arma::exp(c)));
  BOOST_TEST(ebm::exact_log_partition(*rbm) == expected, tt::tolerance(1e-12));
  // All zero: Z = 2^(3 nv + nh).
  rbm->visible().bias().zeros();
  rbm->hidden().bias().zeros();
  BOOST_TEST(ebm::exact_log_partition(*rbm) == 22 * std::log(2.0), tt::tolerance(1e-12));
}

namespace {

void check_against_finite_differences(ebm::Rbm<double>& rbm, unsigned nvt, unsigned nht, const arma::mat& data) {
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(rbm, data, gradient, rng);
  test::check_gradient_by_central_differences(rbm.parameters(), gradient,
                                              [&] { return brute(rbm, nvt, nht).mean_log_likelihood(data); },
                                              1e-7, /*relative: values up to n*/ true);
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences) {
  // Binomial side enumerated (27 < 32 states).
  auto rbm = random_rbm(3, 2, 5, 0, 540);
  check_against_finite_differences(*rbm, 2, 0, random_counts(3, 10, 2, 541));
}

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences_when_binomial_side_is_summed_out) {
  // 4 units of 3 trials: 256 states, more than the 8 of 3 hidden units.
  auto rbm = random_rbm(4, 3, 3, 0, 542, 0.7);
  check_against_finite_differences(*rbm, 3, 0, random_counts(4, 8, 3, 543));
}

BOOST_AUTO_TEST_CASE(exact_gradient_with_binomial_hidden_units_matches_finite_differences) {
  auto rbm = random_rbm(3, 2, 2, 3, 544, 0.8);
  check_against_finite_differences(*rbm, 2, 3, random_counts(3, 9, 2, 545));
}

BOOST_AUTO_TEST_CASE(initialization_from_data_fits_independent_units) {
  // With W = 0, b_i = logit(mean_i / n) makes E[v_i] = n sigmoid(b_i) equal
  // the data mean, so the exact visible-bias gradient vanishes.
  const arma::mat data = random_counts(4, 30, 3, 550);
  auto rbm = random_rbm(4, 3, 2, 0, 551);
  ebm::Rng init_rng(552);
  rbm->initialize(data, init_rng, 0.0);
  BOOST_TEST(arma::abs(rbm->weights()).max() == 0.0);
  const arma::vec b = rbm->visible().bias();
  for (arma::uword i = 0; i < 4; ++i) BOOST_TEST(3 * sigmoid(b[i]) == arma::mean(data.row(i)), tt::tolerance(1e-12));
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*rbm, data, gradient, rng);
  BOOST_TEST(arma::abs(gradient[0]).max() < 1e-12);
  // Constant units get a large finite bias; values outside 0..n are refused.
  BinomialLayer<double> constant(2, 2);
  constant.initialize_from_data(arma::mat{{2, 2, 2}, {0, 0, 0}});
  BOOST_TEST(constant.bias()(0) == std::log((1 - 1e-3) / 1e-3), tt::tolerance(1e-12));
  BOOST_TEST(constant.bias()(1) == -std::log((1 - 1e-3) / 1e-3), tt::tolerance(1e-12));
  BOOST_CHECK_THROW(constant.initialize_from_data(arma::mat{{0, 3}, {1, 1}}), ebm::InputError);
  BOOST_CHECK_THROW(constant.initialize_from_data(arma::mat{{0, 0.5}, {1, 1}}), ebm::InputError);
  BOOST_CHECK_THROW(constant.initialize_from_data(arma::mat{{0, -1}, {1, 1}}), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(block_gibbs_empirical_joint_matches_exact_distribution) {
  // 2 units of 2 trials (9 states) x 3 Bernoulli hidden units (8 states).
  const unsigned n = 2;
  auto rbm = random_rbm(2, n, 3, 0, 560, 1.0);
  const arma::vec exact = brute(*rbm, n, 0).joint();

  // N independent chains, each run well past mixing, give N independent
  // draws of (v, h).
  const arma::uword count = 40000;
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(561);
  sampler.initialize_chains(*rbm, chains, count, rng);
  sampler.run(*rbm, chains, 200, rng);
  const arma::mat& v = chains.layers[0];
  const arma::mat& h = chains.layers[1];
  BOOST_TEST(arma::all(arma::vectorise(v >= 0.0 && v <= double(n) && v == arma::floor(v))));
  BOOST_TEST(arma::all(arma::vectorise(h == 0.0 || h == 1.0)));

  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < count; ++c) {
    const arma::uword a = arma::uword(v(0, c)) + (n + 1) * arma::uword(v(1, c));
    arma::uword z = 0;
    for (arma::uword j = 0; j < h.n_rows; ++j) z |= arma::uword(h(j, c) > 0.5) << j;
    empirical[a + (n + 1) * (n + 1) * z] += 1.0 / count;
  }
  const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));

  // E|p_hat(x) - p(x)| <= sqrt(p(x)(1 - p(x))/N), so E[TV] <= 1/2 sum_x of
  // that; TV moves by at most 1/N when one draw changes, so by McDiarmid
  // P(TV > E[TV] + t) <= exp(-2 N t^2): t below makes that 1e-9.
  const double expected_bound = 0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(count)));
  const double t = std::sqrt(std::log(1e9) / (2.0 * count));
  BOOST_TEST_MESSAGE("TV = " << tv << ", bound " << expected_bound + t);
  BOOST_TEST(tv < expected_bound + t);

  // The test has teeth: a slightly different model is far outside the bound.
  auto other = random_rbm(2, n, 3, 0, 560, 1.0);
  other->weights()(0, 0) += 0.5;
  const double tv_other = 0.5 * arma::accu(arma::abs(empirical - brute(*other, n, 0).joint()));
  BOOST_TEST_MESSAGE("TV to the perturbed model = " << tv_other);
  BOOST_TEST(tv_other > expected_bound + t);
}

// ---------------------------------------------------------------------------
// (c) Trained from the config file, (d) saved and loaded.

namespace {

void check_same_parameters(ebm::Model<double>& a, ebm::Model<double>& b) {
  auto pa = a.parameters(), pb = b.parameters();
  BOOST_REQUIRE_EQUAL(pa.size(), pb.size());
  for (std::size_t k = 0; k < pa.size(); ++k) {
    BOOST_TEST(pa[k].name == pb[k].name);
    BOOST_CHECK_MESSAGE(arma::approx_equal(*pa[k].value, *pb[k].value, "absdiff", 0.0), pa[k].name << " differs");
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(trained_from_the_config_file_then_saved_and_loaded) {
  TemporaryPath model_path("trained.ebm");
  const ebm::ExperimentConfig config =
      ebm::load_experiment_config(EBM_TEST_DATA_DIR "/extension.ini", {"output.model=" + model_path.path});
  const ebm::ExperimentResult result = ebm::run_experiment(config);

  // (c) The exact log-likelihood rose clearly above that of the initial
  // model (independent units with the data's means).
  BOOST_REQUIRE(result.history.size() >= 2);
  BOOST_TEST(result.history.front().epoch == 0u);
  BOOST_TEST(result.history.back().epoch == 300u);
  const double before = result.history.front().get("log_likelihood_train");
  const double after = result.history.back().get("log_likelihood_train");
  BOOST_TEST_MESSAGE("exact log-likelihood (nats per sample): epoch 0 " << before << ", epoch 300 " << after);
  BOOST_REQUIRE(std::isfinite(before));
  BOOST_REQUIRE(std::isfinite(after));
  BOOST_TEST(after > before + 1.0);
  BOOST_TEST(result.layer_sizes == (std::vector<arma::uword>{4, 3}));

  // (d) The archive holds the binomial layer with its number of trials.
  ebm::LoadedModel<double> trained = ebm::load_model<double>(model_path.path);
  BOOST_REQUIRE(trained.model);
  BOOST_TEST(trained.header.model_type == "rbm");
  BOOST_TEST(trained.model->layer(0).type_name() == "binomial");
  BOOST_TEST(trained.model->layer(1).type_name() == "bernoulli");
  const auto* binomial = dynamic_cast<const BinomialLayer<double>*>(&trained.model->layer(0));
  BOOST_REQUIRE(binomial);
  BOOST_TEST(binomial->trials() == 2u);
  BOOST_TEST(trained.config.find("visible_units = binomial") != std::string::npos);
  BOOST_TEST(trained.config.find("[binomial]\ntrials = 2") != std::string::npos);

  // Its parameters are the trained ones: the loaded model reproduces the
  // run's last measurements exactly.
  ebm::Rng data_rng = ebm::data_rng_for(config.seed);
  const arma::mat data = ebm::load_data<double>(config.data, config.data.train, 0, data_rng);
  const double log_z = ebm::exact_log_partition(*trained.model);
  BOOST_TEST(log_z == result.history.back().get("log_partition"), tt::tolerance(0.0));
  BOOST_TEST(-arma::mean(trained.model->free_energy(data)) - log_z == after, tt::tolerance(0.0));

  // Round trips through every encoding keep every parameter bit for bit.
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    BOOST_TEST_CONTEXT("encoding " << ebm::encoding_name(encoding)) {
      TemporaryPath copy("copy." + ebm::encoding_name(encoding));
      ebm::save_model(copy.path, *trained.model, trained.config, encoding);
      BOOST_TEST((ebm::read_archive_header(copy.path).encoding == encoding));
      ebm::LoadedModel<double> loaded = ebm::load_model<double>(copy.path);
      BOOST_REQUIRE(loaded.model);
      BOOST_TEST(loaded.model->layer(0).type_name() == "binomial");
      const auto* layer = dynamic_cast<const BinomialLayer<double>*>(&loaded.model->layer(0));
      BOOST_REQUIRE(layer);
      BOOST_TEST(layer->trials() == 2u);
      check_same_parameters(*trained.model, *loaded.model);
      BOOST_TEST(ebm::exact_log_partition(*loaded.model) == log_z, tt::tolerance(0.0));
      BOOST_TEST(loaded.config == trained.config);
    }
  }
}

BOOST_AUTO_TEST_CASE(archives_keep_a_non_default_number_of_trials) {
  // trials = 5 (not the default 2 a default-constructed layer has) on both
  // layers, float and double, every encoding.
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    TemporaryPath path("trials5." + ebm::encoding_name(encoding));
    auto rbm = random_rbm(3, 5, 2, 4, 570);
    ebm::save_model(path.path, *rbm, "", encoding);
    auto loaded = ebm::load_model<double>(path.path);
    BOOST_TEST(dynamic_cast<const BinomialLayer<double>&>(loaded.model->layer(0)).trials() == 5u);
    BOOST_TEST(dynamic_cast<const BinomialLayer<double>&>(loaded.model->layer(1)).trials() == 4u);
    check_same_parameters(*rbm, *loaded.model);
    BOOST_TEST(ebm::exact_log_partition(*loaded.model) == ebm::exact_log_partition(*rbm), tt::tolerance(0.0));

    auto frbm = random_rbm<float>(3, 5, 2, 0, 571);
    ebm::save_model(path.path, *frbm, "", encoding);
    auto floaded = ebm::load_model<float>(path.path);
    BOOST_TEST(dynamic_cast<const BinomialLayer<float>&>(floaded.model->layer(0)).trials() == 5u);
    BOOST_TEST(arma::approx_equal(frbm->weights(),
                                  dynamic_cast<const ebm::Rbm<float>&>(*floaded.model).weights(), "absdiff", 0.0f));
  }
}

BOOST_AUTO_TEST_CASE(a_program_without_the_extension_is_told_so) {
  // What a program that does not link binomial_layer.cpp meets: an archive
  // naming a unit type it has not registered.  Simulated by renaming the
  // export key in a text archive (and rewriting the checked header).
  TemporaryPath path("unknown.ebm");
  auto rbm = random_rbm(3, 2, 2, 0, 580);
  ebm::save_model(path.path, *rbm, "", ebm::ArchiveEncoding::text);
  ebm::ArchiveHeader header;
  std::string payload = ebm::read_archive_payload(path.path, header);
  const std::string key = std::to_string(std::string("binomial/double").size()) + " binomial/double";
  const std::string unknown = std::to_string(std::string("not_linked_units/double").size()) + " not_linked_units/double";
  const auto at = payload.find(key);
  BOOST_REQUIRE(at != std::string::npos);
  payload.replace(at, key.size(), unknown);
  ebm::write_archive(path.path, header, payload);
  try {
    ebm::load_model<double>(path.path);
    BOOST_ERROR("an archive of an unregistered type loaded");
  } catch (const ebm::InputError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find(path.path) == 0u);
    BOOST_TEST(std::string(e.what()).find("linked in") != std::string::npos);
  }
}
