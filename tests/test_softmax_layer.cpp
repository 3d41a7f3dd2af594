// Softmax units (groups of K one-hot units) against brute-force sums over
// every configuration, written with plain loops: conditionals, log
// partition, energies and free energies, exact log Z, the exact gradient
// against finite differences, block Gibbs against the exact joint -- and the
// same with missing entries (all-zero groups), where each sample's model is
// the RBM over its observed groups only (Salakhutdinov, Mnih & Hinton 2007).
#define BOOST_TEST_MODULE softmax_layer
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>

#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/units/softmax_layer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "samplers/sequential_gibbs_sampler.hpp"
#include "libebm/data/minibatches.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

/// A softmax(groups x K, optionally with missing entries)-Bernoulli RBM with
/// N(0, scale^2) parameters.
template <typename eT = double>
std::unique_ptr<ebm::Rbm<eT>> softmax_rbm(arma::uword groups, arma::uword k, arma::uword nh, std::uint64_t seed,
                                          double scale = 1.0, bool missing = false) {
  auto rbm = std::make_unique<ebm::Rbm<eT>>(std::make_unique<ebm::SoftmaxLayer<eT>>(groups * k, k, missing),
                                            std::make_unique<ebm::BernoulliLayer<eT>>(nh));
  ebm::Rng rng(seed);
  rng.fill_normal(rbm->weights(), 0.0, scale);
  rng.fill_normal(rbm->visible().bias(), 0.0, scale);
  rng.fill_normal(rbm->hidden().bias(), 0.0, scale);
  return rbm;
}

/// Brute force over one-hot visible states (of the observed groups only)
/// and binary hidden states.  E = -b.v - c.h - v^T W h (test::Params).
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
  /// p(v, h) indexed [a + |vs| * z].
  arma::vec joint() const {
    arma::vec q(vs.n_cols * hs.n_cols);
    for (arma::uword z = 0; z < hs.n_cols; ++z)
      for (arma::uword a = 0; a < vs.n_cols; ++a) q[a + vs.n_cols * z] = -p.energy(vs.colptr(a), hs.colptr(z));
    q = arma::exp(q - q.max());
    return q / arma::accu(q);
  }
};

/// The groups a column observes (any unit on).
std::vector<arma::uword> observed_groups(const arma::vec& v, arma::uword k) {
  std::vector<arma::uword> g;
  for (arma::uword i = 0; i < v.n_elem / k; ++i)
    if (arma::accu(v.subvec(i * k, i * k + k - 1)) > 0) g.push_back(i);
  return g;
}

/// The RBM restricted to the given groups: their rows of W and b only.
Brute sub_model(const ebm::Rbm<double>& rbm, arma::uword k, const std::vector<arma::uword>& groups) {
  const test::Params full(rbm);
  arma::uvec rows(groups.size() * k);
  for (std::size_t i = 0; i < groups.size(); ++i)
    for (arma::uword s = 0; s < k; ++s) rows[i * k + s] = groups[i] * k + s;
  return {test::Params(full.w.rows(rows), full.b.elem(rows), full.c), test::all_one_hot_states(groups.size(), k),
          test::all_binary_states(full.c.n_elem)};
}

Brute full_model(const ebm::Rbm<double>& rbm, arma::uword k) {
  std::vector<arma::uword> all(rbm.n_visible() / k);
  for (arma::uword g = 0; g < all.size(); ++g) all[g] = g;
  return sub_model(rbm, k, all);
}

/// Random one-hot data; with `missing_rate`, each group is dropped (all
/// zeros) with that probability.
arma::mat random_one_hot(arma::uword groups, arma::uword k, arma::uword n, std::uint64_t seed,
                         double missing_rate = 0.0) {
  ebm::Rng rng(seed);
  arma::mat x(groups * k, n, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c)
    for (arma::uword g = 0; g < groups; ++g) {
      if (rng.uniform<double>() < missing_rate) continue;
      x(g * k + rng.below(k), c) = 1.0;
    }
  return x;
}

}  // namespace

BOOST_AUTO_TEST_CASE(states_enumerate_every_one_hot_configuration) {
  ebm::SoftmaxLayer<double> layer(6, 3);
  BOOST_TEST(layer.type_name() == "softmax");
  BOOST_TEST(layer.n_groups() == 2u);
  BOOST_TEST(!layer.is_binary());
  BOOST_TEST(layer.state_count() == 9u);
  arma::mat s;
  layer.states(0, 9, s);
  BOOST_TEST(arma::approx_equal(s, test::all_one_hot_states(2, 3), "absdiff", 0.0));
  layer.states(4, 3, s);
  BOOST_TEST(arma::approx_equal(s, test::all_one_hot_states(2, 3).cols(4, 6), "absdiff", 0.0));
  BOOST_CHECK_THROW(layer.states(8, 2, s), ebm::ContractError);
  BOOST_TEST(ebm::SoftmaxLayer<double>(62 * 2, 2).state_count() == arma::uword(1) << 62);
  BOOST_TEST(ebm::SoftmaxLayer<double>(63 * 2, 2).state_count() == 0u);
  // states = 0: one group over the whole layer (e.g. class labels).
  BOOST_TEST(ebm::SoftmaxLayer<double>(10, 0).states_per_group() == 10u);
  BOOST_CHECK_THROW(ebm::SoftmaxLayer<double>(7, 3), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(mean_and_log_partition_match_sums_over_the_k_states) {
  // Per group: p(k | u) = e^{u_k} / sum_l e^{u_l}, log_partition = sum_g log sum_k e^{u_gk},
  // by loops; inputs up to 800 (where e^u overflows) must stay finite.
  const arma::mat u = {{-3.0, 800.0, 0.0}, {0.5, 799.0, 0.0}, {2.0, -1e4, 0.0},
                       {1.0, 0.2, -5.0},   {-1.0, 0.3, 7.0},  {0.0, 0.4, 7.0}};
  ebm::SoftmaxLayer<double> layer(6, 3);
  arma::mat mean;
  layer.mean(u, mean);
  const arma::rowvec lp = layer.log_partition(u);
  for (arma::uword c = 0; c < u.n_cols; ++c) {
    double expected = 0;
    for (arma::uword g = 0; g < 2; ++g) {
      double m = -INFINITY, s = 0;
      for (arma::uword k = 0; k < 3; ++k) m = std::max(m, u(g * 3 + k, c));
      for (arma::uword k = 0; k < 3; ++k) s += std::exp(u(g * 3 + k, c) - m);
      for (arma::uword k = 0; k < 3; ++k) BOOST_TEST(mean(g * 3 + k, c) == std::exp(u(g * 3 + k, c) - m) / s, tt::tolerance(1e-14));
      expected += m + std::log(s);
    }
    BOOST_TEST(lp[c] == expected, tt::tolerance(1e-14));
  }
  // mean = d log_partition / du, by central differences (moderate inputs).
  const arma::mat v = u.col(0);
  const double h = 1e-5;
  for (arma::uword i = 0; i < 6; ++i) {
    arma::mat up = v, down = v;
    up[i] += h, down[i] -= h;
    BOOST_TEST(std::abs(mean(i, 0) - (layer.log_partition(up)[0] - layer.log_partition(down)[0]) / (2 * h)) < 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(samples_are_one_hot_with_the_conditional_frequencies) {
  const arma::vec u = {-1.0, 0.5, 2.0, 0.0, 0.0, -4.0};
  const arma::uword n = 200000;
  ebm::SoftmaxLayer<double> layer(6, 3);
  arma::mat p, x;
  layer.mean(arma::mat(u), p);
  ebm::Rng rng(611);
  layer.sample(arma::repmat(u, 1, n), x, rng);
  // Every group exactly one-hot.
  for (arma::uword g = 0; g < 2; ++g) BOOST_TEST(arma::all(arma::sum(x.rows(g * 3, g * 3 + 2), 0) == 1.0));
  // Frequencies within 6 standard errors (<= 0.5/sqrt(N)).
  for (arma::uword i = 0; i < 6; ++i)
    BOOST_TEST(std::abs(arma::accu(x.row(i)) / double(n) - p(i, 0)) < 6 * 0.5 / std::sqrt(double(n)));
  // Deterministic, one uniform per group.
  ebm::Rng a(612), b(612);
  arma::mat xa, xb;
  layer.sample(arma::repmat(u, 1, 5), xa, a);
  layer.sample(arma::repmat(u, 1, 5), xb, b);
  BOOST_TEST(arma::approx_equal(xa, xb, "absdiff", 0.0));
  ebm::Rng c(612);
  arma::mat uniforms(2, 5);
  c.fill_uniform(uniforms);  // the 2 x 5 uniforms (one per group) the draw used
  BOOST_TEST(a.next() == c.next());
}

BOOST_AUTO_TEST_CASE(energies_free_energies_and_conditionals_match_brute_force) {
  auto rbm = softmax_rbm(3, 3, 3, 613);
  const Brute b = full_model(*rbm, 3);
  // Free energy F(v) = -log sum_h e^{-E}.
  const arma::rowvec f = rbm->free_energy(b.vs);
  for (arma::uword a = 0; a < b.vs.n_cols; ++a) BOOST_TEST(f[a] == b.free_energy(b.vs.colptr(a)), tt::tolerance(1e-12));
  // F(h) = -log sum_v e^{-E}: the softmax layer summed out.
  const arma::rowvec fh = rbm->hidden_free_energy(b.hs);
  for (arma::uword z = 0; z < b.hs.n_cols; ++z) {
    std::vector<double> terms;
    for (arma::uword a = 0; a < b.vs.n_cols; ++a) terms.push_back(-b.p.energy(b.vs.colptr(a), b.hs.colptr(z)));
    BOOST_TEST(fh[z] == -test::log_sum_exp(terms), tt::tolerance(1e-12));
  }
  // E[v_i | h] through Model::total_input + SoftmaxLayer::mean, as ratios of joint sums.
  ebm::State<double> hstate;
  hstate.layers = {arma::mat(9, b.hs.n_cols, arma::fill::zeros), b.hs};
  // (A layer state of zeros is "all unobserved" only for missing = true; here every group is observed.)
  arma::mat input, mean;
  rbm->total_input(0, hstate, input);
  rbm->visible().mean(input, mean);
  for (arma::uword z = 0; z < b.hs.n_cols; ++z)
    for (arma::uword i = 0; i < 9; ++i) {
      double num = 0, den = 0;
      for (arma::uword a = 0; a < b.vs.n_cols; ++a) {
        const double w = std::exp(-b.p.energy(b.vs.colptr(a), b.hs.colptr(z)));
        den += w, num += b.vs(i, a) * w;
      }
      BOOST_TEST(mean(i, z) == num / den, tt::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(exact_log_partition_matches_double_sum) {
  // Softmax side enumerated (3^3 = 27 < 2^6) and summed out (2^2 < 3^4).
  for (auto [groups, nh] : {std::pair{3u, 6u}, std::pair{4u, 2u}}) {
    auto rbm = softmax_rbm(groups, 3, nh, 620 + groups, 1.5);
    BOOST_TEST(ebm::exact_log_partition(*rbm) == full_model(*rbm, 3).log_partition(), tt::tolerance(1e-10));
  }
  auto frbm = softmax_rbm<float>(3, 3, 4, 625);
  auto drbm = softmax_rbm<double>(3, 3, 4, 625);
  BOOST_TEST(ebm::exact_log_partition(*frbm) == full_model(*drbm, 3).log_partition(), tt::tolerance(1e-5));
}

namespace {

/// Mean over columns of log p_n(v_n), where p_n is the model over the
/// groups column n observes (the whole model when it observes every group).
double observed_log_likelihood(const ebm::Rbm<double>& rbm, arma::uword k, const arma::mat& data) {
  double s = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    const auto groups = observed_groups(data.col(n), k);
    const Brute b = sub_model(rbm, k, groups);
    arma::vec v(groups.size() * k);
    for (std::size_t i = 0; i < groups.size(); ++i) v.subvec(i * k, i * k + k - 1) = data.col(n).subvec(groups[i] * k, groups[i] * k + k - 1);
    s += -b.free_energy(v.memptr()) - b.log_partition();
  }
  return s / double(data.n_cols);
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences) {
  auto rbm = softmax_rbm(3, 3, 3, 630);
  const arma::mat data = random_one_hot(3, 3, 12, 631);
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*rbm, data, gradient, rng);
  auto parameters = rbm->parameters();
  const double h = 1e-5;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    arma::mat& theta = *parameters[k].value;
    for (arma::uword i = 0; i < theta.n_elem; ++i) {
      const double saved = theta[i];
      theta[i] = saved + h;
      const double up = observed_log_likelihood(*rbm, 3, data);
      theta[i] = saved - h;
      const double down = observed_log_likelihood(*rbm, 3, data);
      theta[i] = saved;
      BOOST_TEST_CONTEXT(parameters[k].name << "[" << i << "]") {
        BOOST_TEST(std::abs(gradient[k][i] - (up - down) / (2 * h)) < 1e-7);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(initialization_from_data_fits_independent_groups) {
  // With W = 0, softmax(b_g) equals each group's state frequencies among the
  // samples observing it, so the exact visible-bias gradient vanishes.
  const arma::mat data = random_one_hot(3, 4, 60, 640);
  auto rbm = softmax_rbm(3, 4, 2, 641);
  ebm::Rng init_rng(642);
  rbm->initialize(data, init_rng, 0.0);
  BOOST_TEST(arma::abs(rbm->weights()).max() == 0.0);
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  ebm::Rng rng(1);
  estimator.estimate(*rbm, data, gradient, rng);
  BOOST_TEST(arma::abs(gradient[0]).max() < 1e-12);
  // With missing entries the frequencies are among the observing samples only.
  arma::mat partial = data;
  partial.submat(0, 0, 3, 29).zeros();  // group 0 unobserved in the first 30 samples
  ebm::SoftmaxLayer<double> layer(12, 4, true);
  layer.initialize_from_data(partial);
  const arma::rowvec counts = arma::sum(partial.submat(0, 30, 3, 59), 1).t();
  for (arma::uword k = 0; k < 4; ++k)
    BOOST_TEST(layer.bias()(k) == std::log(std::max(counts[k] / 30.0, 1e-3)), tt::tolerance(1e-12));
}

// ---- missing entries ------------------------------------------------------

BOOST_AUTO_TEST_CASE(unobserved_groups_add_nothing_to_energy_free_energy_or_statistics) {
  auto rbm = softmax_rbm(4, 3, 3, 650, 1.0, true);
  const arma::mat data = random_one_hot(4, 3, 30, 651, 0.4);
  const arma::rowvec f = rbm->free_energy(data);
  ebm::State<double> pos;
  rbm->positive_phase(data, pos);
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    const auto groups = observed_groups(data.col(n), 3);
    const Brute b = sub_model(*rbm, 3, groups);
    arma::vec v(groups.size() * 3);
    for (std::size_t i = 0; i < groups.size(); ++i) v.subvec(i * 3, i * 3 + 2) = data.col(n).subvec(groups[i] * 3, groups[i] * 3 + 2);
    BOOST_TEST(f[n] == b.free_energy(v.memptr()), tt::tolerance(1e-12));
    // E[h_j | observed v] by sums over h of the sub-model.
    for (arma::uword j = 0; j < 3; ++j) {
      double num = 0, den = 0;
      for (arma::uword z = 0; z < b.hs.n_cols; ++z) {
        const double w = std::exp(-b.p.energy(v.memptr(), b.hs.colptr(z)));
        den += w, num += b.hs(j, z) * w;
      }
      BOOST_TEST(pos.layers[1](j, n) == num / den, tt::tolerance(1e-12));
    }
  }
  // The visible input of an unobserved group is marked, and its mean, its
  // draw and its log-partition term are zero.
  arma::mat input, mean, draw;
  rbm->total_input(0, pos, input);
  rbm->visible().mean(input, mean);
  ebm::Rng rng(652);
  rbm->visible().sample(input, draw, rng);
  const arma::rowvec lp = rbm->visible().log_partition(input);
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    const auto groups = observed_groups(data.col(n), 3);
    double expected_lp = 0;
    for (arma::uword g = 0; g < 4; ++g) {
      const bool seen = std::find(groups.begin(), groups.end(), g) != groups.end();
      const double m = arma::accu(mean.col(n).subvec(g * 3, g * 3 + 2));
      const double d = arma::accu(draw.col(n).subvec(g * 3, g * 3 + 2));
      BOOST_TEST(m == (seen ? 1.0 : 0.0), tt::tolerance(1e-12));
      BOOST_TEST(d == (seen ? 1.0 : 0.0));
      if (seen) {
        double s = 0;
        for (arma::uword k = 0; k < 3; ++k) s += std::exp(input(g * 3 + k, n));
        expected_lp += std::log(s);
      }
    }
    BOOST_TEST(lp[n] == expected_lp, tt::tolerance(1e-12));
  }
  // Without `missing`, nothing is marked: an all-zero state is just a state.
  auto plain = softmax_rbm(4, 3, 3, 650, 1.0, false);
  plain->total_input(0, pos, input);
  BOOST_TEST(input.is_finite());
}

BOOST_AUTO_TEST_CASE(block_gibbs_with_missing_entries_samples_each_chains_own_model) {
  // Two observation patterns, each run as N independent chains from its
  // data: the chains must stay empty in the unobserved groups and their
  // empirical joint over (observed groups, h) must lie within the TV bound
  // (test_spin_layer.cpp) of the exact joint of that pattern's sub-model.
  auto rbm = softmax_rbm(3, 3, 2, 660, 1.0, true);
  const arma::uword n = 30000;
  const std::vector<std::vector<arma::uword>> patterns = {{0, 2}, {1}};
  for (const auto& groups : patterns) {
    arma::mat start(9, n, arma::fill::zeros);
    for (arma::uword g : groups) start.row(g * 3).ones();  // state 0 of each observed group
    ebm::State<double> chains;
    ebm::Rng rng(661 + groups.size());
    rbm->positive_phase(start, chains);
    chains.layers[1] = arma::conv_to<arma::mat>::from(chains.layers[1] > 0.5);
    ebm::BlockGibbsSampler<double> sampler;
    sampler.run(*rbm, chains, 100, rng);
    const Brute b = sub_model(*rbm, 3, groups);
    const arma::vec exact = b.joint();
    arma::vec empirical(exact.n_elem, arma::fill::zeros);
    bool unobserved_stay_empty = true;
    for (arma::uword c = 0; c < n; ++c) {
      arma::uword a = 0, radix = 1;
      for (arma::uword g = 0; g < 3; ++g) {
        const bool seen = std::find(groups.begin(), groups.end(), g) != groups.end();
        const arma::vec x = chains.layers[0].col(c).subvec(g * 3, g * 3 + 2);
        if (!seen) {
          unobserved_stay_empty = unobserved_stay_empty && arma::accu(x) == 0.0;
          continue;
        }
        a += radix * arma::index_max(x);
        radix *= 3;
      }
      arma::uword z = 0;
      for (arma::uword j = 0; j < 2; ++j) z |= arma::uword(chains.layers[1](j, c) > 0.5) << j;
      empirical[a + b.vs.n_cols * z] += 1.0 / n;
    }
    BOOST_TEST(unobserved_stay_empty);
    const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));
    const double bound = 0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(n))) + std::sqrt(std::log(1e9) / (2.0 * n));
    BOOST_TEST_MESSAGE("pattern of " << groups.size() << " groups: TV = " << tv << ", bound " << bound);
    BOOST_TEST(tv < bound);
    // Teeth: the full model's marginal over the same groups is another distribution.
    const Brute full = full_model(*rbm, 3);
    const arma::vec full_joint = full.joint();
    arma::vec marginal(exact.n_elem, arma::fill::zeros);
    for (arma::uword z = 0; z < full.hs.n_cols; ++z)
      for (arma::uword a = 0; a < full.vs.n_cols; ++a) {
        arma::uword sa = 0, radix = 1;
        for (arma::uword g : groups) {
          sa += radix * arma::index_max(full.vs.col(a).subvec(g * 3, g * 3 + 2));
          radix *= 3;
        }
        marginal[sa + b.vs.n_cols * z] += full_joint[a + full.vs.n_cols * z];
      }
    BOOST_TEST(0.5 * arma::accu(arma::abs(empirical - marginal)) > bound);
  }
}

BOOST_AUTO_TEST_CASE(cd_gradient_with_missing_entries_matches_finite_differences_of_observed_likelihood) {
  // The gradient of the mean log-likelihood of the observed entries only
  // (each sample under its own sub-model), by finite differences of the
  // brute-force value, against CD-k with long chains on many copies of the
  // data: the chains keep each sample's observed set, so CD's model term
  // estimates exactly that gradient.  Statistics lie in [0, 1]: standard
  // error <= 0.5 / sqrt(copies) per entry; 5.5 of those.
  auto rbm = softmax_rbm(3, 3, 2, 670, 0.8, true);
  const arma::mat data = random_one_hot(3, 3, 4, 671, 0.35);
  const arma::uword copies = 20000;
  const arma::mat batch = arma::repmat(data, 1, copies);
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 30);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(672);
  cd.estimate(*rbm, batch, gradient, rng);
  auto parameters = rbm->parameters();
  const double h = 1e-5, bound = 5.5 * 0.5 / std::sqrt(double(batch.n_cols));
  double worst = 0;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    arma::mat& theta = *parameters[k].value;
    for (arma::uword i = 0; i < theta.n_elem; ++i) {
      const double saved = theta[i];
      theta[i] = saved + h;
      const double up = observed_log_likelihood(*rbm, 3, data);
      theta[i] = saved - h;
      const double down = observed_log_likelihood(*rbm, 3, data);
      theta[i] = saved;
      worst = std::max(worst, std::abs(gradient[k][i] - (up - down) / (2 * h)));
      BOOST_TEST_CONTEXT(parameters[k].name << "[" << i << "]") {
        BOOST_TEST(std::abs(gradient[k][i] - (up - down) / (2 * h)) < bound);
      }
    }
  }
  BOOST_TEST_MESSAGE("largest difference " << worst << ", bound " << bound);
  // Teeth: the gradient of the full model's likelihood (the missing groups
  // summed over instead of absent) is measurably different.
  ebm::ExactGradient<double> exact;
  ebm::Statistics<double> full_gradient;
  arma::mat complete = data;
  double full_difference = 0;
  exact.estimate(*rbm, data, full_gradient, rng);  // the full model's term, with the missing groups
  for (std::size_t k = 0; k < parameters.size(); ++k)
    full_difference = std::max(full_difference, arma::abs(full_gradient[k] - gradient[k]).max());
  BOOST_TEST(full_difference > 5 * bound);
}

namespace {

/// PCD-k over `cases` (one sample per column) with the parameters held
/// fixed, driven the way the Trainer drives it (seeded shuffles, minibatches,
/// set_batch_cases): `burn_in` epochs, then the mean gradient of `epochs`
/// more.
ebm::Statistics<double> mean_pcd_gradient(ebm::PersistentContrastiveDivergence<double>& pcd,
                                          const ebm::Rbm<double>& rbm, const arma::mat& cases, arma::uword batch_size,
                                          unsigned burn_in, unsigned epochs, std::uint64_t seed) {
  ebm::Rng rng(seed);
  ebm::Minibatches batches(cases.n_cols, batch_size);
  ebm::Statistics<double> gradient, sum;
  arma::mat batch;
  for (unsigned e = 0; e < burn_in + epochs; ++e) {
    batches.shuffle(rng);
    for (arma::uword b = 0; b < batches.n_batches(); ++b) {
      const arma::uword n = batches.size_of(b);
      batches.gather(b, cases, batch);
      pcd.set_batch_cases(batches.index_view(b, 0, n), cases.n_cols);
      pcd.estimate(rbm, batch, gradient, rng);
      if (e < burn_in) continue;
      if (sum.empty())
        for (const auto& g : gradient) sum.emplace_back(arma::size(g), arma::fill::zeros);
      // Each case once per epoch: the epoch's mean over cases.
      for (std::size_t i = 0; i < gradient.size(); ++i) sum[i] += gradient[i] * (double(n) / double(cases.n_cols));
    }
  }
  for (auto& s : sum) s /= double(epochs);
  return sum;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pcd_with_per_case_chains_estimates_the_observed_likelihood_gradient) {
  // Every training case owns one chain of its own sub-model (its observed
  // groups); PCD-1 moves the chains of the minibatch's cases, parameters
  // held fixed.  Per parameter, the mean gradient over the measured epochs
  // is the exact data term minus (1/N) sum_i X_i, where X_i, chain i's time
  // average of a statistic in [0, 1], is independent of the other chains and
  // has mean chain i's model term once the chain has forgotten its start
  // (10 sweeps of a 9 + 2 unit model).  Hoeffding over the N chains and a
  // union over the P parameters: |error| < sqrt(log(2 P / 1e-6) / (2 N))
  // with probability 1 - 1e-6.  The reference is the finite-difference
  // gradient of the brute-force observed-entries log-likelihood.
  auto rbm = softmax_rbm(3, 3, 2, 690, 0.8, true);
  const arma::mat data = random_one_hot(3, 3, 4, 691, 0.35);
  const arma::uword copies = 5000;
  const arma::mat cases = arma::repmat(data, 1, copies);
  const std::vector<arma::mat> exact =
      test::central_differences(rbm->parameters(), [&] { return observed_log_likelihood(*rbm, 3, data); });
  arma::uword n_parameters = 0;
  for (const auto& g : exact) n_parameters += g.n_elem;
  const double bound = std::sqrt(std::log(2.0 * double(n_parameters) / 1e-6) / (2.0 * double(cases.n_cols)));
  auto largest_error = [&](const ebm::Statistics<double>& g) {
    double worst = 0;
    for (std::size_t i = 0; i < g.size(); ++i) worst = std::max(worst, arma::abs(g[i] - exact[i]).max());
    return worst;
  };

  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1);
  BOOST_TEST(pcd.uses_case_chains(*rbm));  // automatic: the visible layer has missing entries
  const double error = largest_error(mean_pcd_gradient(pcd, *rbm, cases, 100, 10, 20, 692));
  BOOST_TEST_MESSAGE("per-case PCD-1: largest error " << error << ", bound " << bound);
  BOOST_TEST(error < bound);
  // Only the latent layer persists, one column per case, and every case's
  // chain has started.
  BOOST_TEST(pcd.case_chains().layers.at(0).is_empty());
  BOOST_TEST(pcd.case_chains().layers.at(1).n_rows == 2u);
  BOOST_TEST(pcd.case_chains().layers.at(1).n_cols == cases.n_cols);
  BOOST_TEST(std::count(pcd.started_cases().begin(), pcd.started_cases().end(), 0u) == 0);

  // Teeth: fantasy particles shared by all cases sample the full model,
  // whose term differs by far more than the bound.
  ebm::PersistentContrastiveDivergence<double> shared(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1, 0,
                                                      ebm::PersistentContrastiveDivergence<double>::PerCase::no);
  const double shared_error = largest_error(mean_pcd_gradient(shared, *rbm, cases, 100, 10, 20, 692));
  BOOST_TEST_MESSAGE("shared chains: largest error " << shared_error);
  BOOST_TEST(shared_error > 3 * bound);
}

BOOST_AUTO_TEST_CASE(pcd_per_case_chains_refuse_what_they_cannot_do) {
  auto rbm = softmax_rbm(3, 3, 2, 693, 0.8, true);
  const arma::mat data = random_one_hot(3, 3, 6, 694, 0.35);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(695);
  // Without the minibatch's training cases (no Trainer told it).
  ebm::PersistentContrastiveDivergence<double> untold(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1);
  BOOST_CHECK_THROW(untold.estimate(*rbm, data, gradient, rng), ebm::ContractError);
  // A fixed number of chains contradicts one chain per case.
  ebm::PersistentContrastiveDivergence<double> counted(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1, 5);
  counted.set_batch_cases(arma::regspace<arma::uvec>(0, 5), 6);
  BOOST_CHECK_THROW(counted.estimate(*rbm, data, gradient, rng), ebm::InputError);
  // The same cases again later, but now of a training set of another size.
  ebm::PersistentContrastiveDivergence<double> pcd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 1);
  pcd.set_batch_cases(arma::regspace<arma::uvec>(0, 5), 6);
  pcd.estimate(*rbm, data, gradient, rng);
  pcd.set_batch_cases(arma::regspace<arma::uvec>(0, 5), 7);
  BOOST_CHECK_THROW(pcd.estimate(*rbm, data, gradient, rng), ebm::InputError);
  // Chains (say, from a checkpoint) that do not fit the model's latent layers.
  auto wider = softmax_rbm(3, 3, 3, 696, 0.8, true);
  pcd.set_batch_cases(arma::regspace<arma::uvec>(0, 5), 6);
  BOOST_CHECK_THROW(pcd.estimate(*wider, data, gradient, rng), ebm::InputError);
  // A sampler whose steps do not redraw the visible layer first.
  ebm::PersistentContrastiveDivergence<double> sequential(std::make_unique<ebm::SequentialGibbsSampler<double>>(), 1);
  sequential.set_batch_cases(arma::regspace<arma::uvec>(0, 5), 6);
  BOOST_CHECK_THROW(sequential.estimate(*rbm, data, gradient, rng), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(archives_keep_the_states_and_the_missing_flag) {
  // Non-default K = 3 and missing = true (a default-constructed layer has
  // K = 1, no missing entries), in every encoding.
  auto rbm = softmax_rbm(4, 3, 2, 680, 1.0, true);
  const arma::mat data = random_one_hot(4, 3, 6, 681, 0.4);
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("ebm_softmax_" + std::to_string(::getpid()) + "." + ebm::encoding_name(encoding)))
                                 .string();
    ebm::save_model(path, *rbm, "", encoding);
    auto loaded = ebm::load_model<double>(path);
    std::filesystem::remove(path);
    const auto& layer = dynamic_cast<const ebm::SoftmaxLayer<double>&>(loaded.model->layer(0));
    BOOST_TEST(layer.states_per_group() == 3u);
    BOOST_TEST(layer.missing_entries());
    BOOST_TEST(arma::approx_equal(arma::rowvec(loaded.model->free_energy(data)), arma::rowvec(rbm->free_energy(data)),
                                  "absdiff", 0.0));
  }
}
