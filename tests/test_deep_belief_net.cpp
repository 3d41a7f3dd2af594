// The deep belief net (models/deep_belief_net.hpp) against enumeration on a
// tiny 4-3-2 net: the up pass, the generative distribution of its samples,
// the variational bound of Hinton, Osindero & Teh (2006); greedy training
// through the one trainer; archives; resumption at a level boundary;
// config errors.
#define BOOST_TEST_MODULE deep_belief_net
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/deep_belief_net.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

using test::TempDir;

arma::uword state_index(const arma::mat& v, arma::uword col) {
  arma::uword a = 0;
  for (arma::uword i = 0; i < v.n_rows; ++i) a |= arma::uword(v(i, col) > 0.5) << i;
  return a;
}

/// p(v) of a two-level net by enumeration: sum_h1 p_0(v | h1) p_top(h1),
/// with p_top the visible marginal of the top RBM.
arma::vec brute_dbn_marginal(const test::Params& bottom, const test::Params& top) {
  const arma::mat vs = test::all_binary_states(bottom.b.n_elem), hs = test::all_binary_states(bottom.c.n_elem);
  const arma::vec p_top = test::brute_visible_marginal(top);
  arma::vec p(vs.n_cols, arma::fill::zeros);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    for (arma::uword z = 0; z < hs.n_cols; ++z)
      p[a] += test::brute_visible_conditional(bottom, vs.colptr(a), hs.colptr(z)) * p_top[z];
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(levels_are_the_rbms_they_were_set_from) {
  auto dbn = test::random_dbn({4, 3, 2}, 11);
  BOOST_TEST(dbn->n_levels() == 2u);
  BOOST_TEST(dbn->n_feature_layers() == 3u);
  BOOST_TEST((dbn->layer_sizes() == std::vector<arma::uword>{4, 3, 2}));
  for (arma::uword k = 0; k < 2; ++k) {
    auto expected = test::random_rbm(k == 0 ? 4 : 3, k == 0 ? 3 : 2, 11 + k);
    auto level = dbn->level(k);
    BOOST_TEST(test::same_parameters<double>(*level, *expected));
  }
  // Mismatched shapes are a contract error, not a silent copy.
  auto wrong = test::random_rbm(4, 2, 1);
  BOOST_CHECK_THROW(dbn->set_level(0, *wrong), ebm::ContractError);
  BOOST_CHECK_THROW(dbn->level(2), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(levels_take_their_unit_types_from_the_config) {
  // [dbn] visible_units names the data layer's type, hidden_units every
  // hidden layer's; built through the registries as `ebm train` does.
  ebm::BlockOptions o = ebm::TypeCatalog::instance().defaults(ebm::ModelKind::name, "dbn");
  o.set<std::string>("hidden", "3,2");
  o.set<std::string>("visible_units", "spin");
  ebm::ModelContext<double> context;
  context.n_visible = 4;
  context.make_layer = [](const std::string& type, arma::uword size) {
    return ebm::UnitsKind::registry<double>::instance().create(
        type, ebm::TypeCatalog::instance().defaults(ebm::UnitsKind::name, type), size);
  };
  auto model = ebm::ModelKind::registry<double>::instance().create("dbn", o, context);
  auto& dbn = dynamic_cast<ebm::DeepBeliefNet<double>&>(*model);
  BOOST_TEST(dbn.level(0)->visible().type_name() == "spin");
  BOOST_TEST(dbn.level(0)->hidden().type_name() == "bernoulli");
  BOOST_TEST(dbn.level(1)->visible().type_name() == "bernoulli");
  ebm::Rng rng(9);
  for (arma::uword k = 0; k < 2; ++k) {
    auto level = dbn.level(k);
    rng.fill_normal(level->weights(), 0.0, 1.0);
    rng.fill_normal(level->visible().bias(), 0.0, 1.0);
    rng.fill_normal(level->hidden().bias(), 0.0, 1.0);
    dbn.set_level(k, *level);
  }
  // Spin data in {-1, +1}: q(h_j = 1 | s) = sigmoid(c_j + sum_i s_i W_ij), and
  // going down E[s_i | h] = tanh(b_i + sum_j W_ij h_j).
  const arma::mat s = 2 * test::all_binary_states(4) - 1;
  const auto level0 = dbn.level(0);
  arma::mat f1, down;
  dbn.features(s, 1, f1);
  dbn.down(0, f1, down);
  for (arma::uword n = 0; n < s.n_cols; ++n) {
    for (arma::uword j = 0; j < 3; ++j) {
      double a = level0->hidden().bias()(j, 0);
      for (arma::uword i = 0; i < 4; ++i) a += s(i, n) * level0->weights()(i, j);
      BOOST_TEST(f1(j, n) == 1.0 / (1.0 + std::exp(-a)), boost::test_tools::tolerance(1e-13));
    }
    for (arma::uword i = 0; i < 4; ++i) {
      double a = level0->visible().bias()(i, 0);
      for (arma::uword j = 0; j < 3; ++j) a += level0->weights()(i, j) * f1(j, n);
      BOOST_TEST(down(i, n) == std::tanh(a), boost::test_tools::tolerance(1e-13));
    }
  }
  // Generated samples are spins.
  ebm::BlockGibbsSampler<double> sampler;
  arma::mat v;
  dbn.generate(sampler, 50, 5, rng, v, false);
  BOOST_TEST(arma::all(arma::vectorise(arma::abs(v)) == 1.0));
}

BOOST_AUTO_TEST_CASE(up_pass_is_each_levels_hidden_conditional) {
  auto dbn = test::random_dbn({4, 3, 2}, 21);
  const test::Params p0(*dbn->level(0)), p1(*dbn->level(1));
  const arma::mat v = test::all_binary_states(4);
  arma::mat f0, f1, f2;
  dbn->features(v, 0, f0);
  dbn->features(v, 1, f1);
  dbn->features(v, 2, f2);
  BOOST_TEST(arma::approx_equal(f0, v, "absdiff", 0.0));
  // Means by loops: sigmoid(c + W^T x), level by level.
  auto means = [](const test::Params& p, const arma::mat& x) {
    arma::mat out(p.c.n_elem, x.n_cols);
    for (arma::uword n = 0; n < x.n_cols; ++n)
      for (arma::uword j = 0; j < p.c.n_elem; ++j) {
        double a = p.c[j];
        for (arma::uword i = 0; i < p.b.n_elem; ++i) a += x(i, n) * p.w(i, j);
        out(j, n) = 1.0 / (1.0 + std::exp(-a));
      }
    return out;
  };
  const arma::mat e1 = means(p0, v), e2 = means(p1, e1);
  BOOST_TEST(arma::approx_equal(f1, e1, "absdiff", 1e-14));
  BOOST_TEST(arma::approx_equal(f2, e2, "absdiff", 1e-14));
  // The positive phase is the same up pass, every level's (input, hidden).
  ebm::State<double> state;
  dbn->positive_phase(v, state);
  BOOST_REQUIRE_EQUAL(state.layers.size(), 4u);
  BOOST_TEST(arma::approx_equal(state.layers[1], e1, "absdiff", 1e-14));
  BOOST_TEST(arma::approx_equal(state.layers[2], e1, "absdiff", 1e-14));
  BOOST_TEST(arma::approx_equal(state.layers[3], e2, "absdiff", 1e-14));
  BOOST_CHECK_THROW(dbn->features(v, 3, f0), ebm::ContractError);
  // A sampled up pass: each unit on with its mean's frequency (binary values).
  ebm::Rng rng(3);
  const arma::mat many = arma::repmat(v.col(5), 1, 20000);
  arma::mat sampled;
  dbn->up(0, many, sampled, &rng);
  BOOST_TEST(arma::all(arma::vectorise((sampled == 0) + (sampled == 1)) == 1));
  // Per unit: |freq - p| < 6 sqrt(p(1-p)/N) fails with probability < 1e-8.
  const arma::vec freq = arma::mean(sampled, 1);
  for (arma::uword j = 0; j < 3; ++j)
    BOOST_TEST(std::abs(freq[j] - e1(j, 5)) < 6 * std::sqrt(e1(j, 5) * (1 - e1(j, 5)) / 20000.0));
}

BOOST_AUTO_TEST_CASE(generated_samples_follow_the_generative_distribution) {
  auto dbn = test::random_dbn({4, 3, 2}, 31, 1.5);
  const arma::vec exact = brute_dbn_marginal(test::Params(*dbn->level(0)), test::Params(*dbn->level(1)));
  BOOST_TEST(arma::accu(exact) == 1.0, boost::test_tools::tolerance(1e-12));

  // N independent chains of the top RBM run well past mixing, then the
  // directed pass: N independent draws of v.
  const arma::uword n = 40000;
  ebm::BlockGibbsSampler<double> sampler;
  ebm::Rng rng(32);
  arma::mat v;
  dbn->generate(sampler, n, 200, rng, v, false);
  BOOST_REQUIRE_EQUAL(v.n_cols, n);
  arma::vec empirical(exact.n_elem, arma::fill::zeros);
  for (arma::uword c = 0; c < n; ++c) empirical[state_index(v, c)] += 1.0 / n;
  const double tv = 0.5 * arma::accu(arma::abs(empirical - exact));
  // As in test_block_gibbs: E[TV] <= 1/2 sum_x sqrt(p(1-p)/N), and by
  // McDiarmid P(TV > E[TV] + t) <= exp(-2 N t^2) = 1e-9.
  const double bound =
      0.5 * arma::accu(arma::sqrt(exact % (1 - exact) / double(n))) + std::sqrt(std::log(1e9) / (2.0 * n));
  BOOST_TEST_MESSAGE("TV = " << tv << ", bound " << bound);
  BOOST_TEST(tv < bound);
  // Teeth: the one-level model (the bottom RBM alone) is far outside it,
  // and so is a net whose top RBM differs a little.
  const arma::vec bottom_alone = test::brute_visible_marginal(test::Params(*dbn->level(0)));
  BOOST_TEST(0.5 * arma::accu(arma::abs(empirical - bottom_alone)) > bound);
  auto top = dbn->level(1);
  top->weights()(0, 0) += 1.0;
  const arma::vec other = brute_dbn_marginal(test::Params(*dbn->level(0)), test::Params(*top));
  BOOST_TEST(0.5 * arma::accu(arma::abs(empirical - other)) > bound);

  // With `mean`, the last step gives p(v_i = 1 | x_1): its average is the
  // exact marginal of each unit.
  arma::mat means;
  ebm::Rng rng2(33);
  dbn->generate(sampler, n, 200, rng2, means, true);
  const arma::mat vs = test::all_binary_states(4);
  for (arma::uword i = 0; i < 4; ++i) {
    double p_on = 0;
    for (arma::uword a = 0; a < vs.n_cols; ++a) p_on += vs(i, a) * exact[a];
    // Each mean is in [0, 1]: Hoeffding, 1e-9.
    BOOST_TEST(std::abs(arma::mean(means.row(i)) - p_on) < std::sqrt(std::log(2e9) / (2.0 * n)));
  }
}

BOOST_AUTO_TEST_CASE(a_transposed_second_level_makes_the_bound_equal_the_log_likelihood) {
  // Hinton, Osindero & Teh (2006), section 4: with q(h1|v) the first RBM's
  // posterior, log p(v) >= sum_h1 q(h1|v) [log p_top(h1) + log p(v|h1)] + H(q),
  // with equality when the second level is the first one transposed
  // (W2 = W1^T, visible bias of level 2 = hidden bias of level 1 and vice
  // versa): the net's p(v) is then the first RBM's own p(v).
  auto dbn = test::random_dbn({4, 3, 2}, 41);
  auto first = dbn->level(0);
  auto transposed = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::BernoulliLayer<double>>(3),
                                                       std::make_unique<ebm::BernoulliLayer<double>>(4));
  transposed->weights() = first->weights().t();
  transposed->visible().bias() = first->hidden().bias();
  transposed->hidden().bias() = first->visible().bias();
  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(4));
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(3));
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(3));
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(4));
  ebm::DeepBeliefNet<double> net(std::move(layers));
  net.set_level(0, *first);
  net.set_level(1, *transposed);

  const arma::mat vs = test::all_binary_states(4), hs = test::all_binary_states(3);
  const test::Params p0(*first);
  const double log_z_top = test::brute_log_partition(test::Params(*net.level(1)));
  // The bound through the net's own pieces: q from up(), p(v|h1) from
  // down(), log p_top(h1) from the top RBM's free energy.
  const arma::rowvec f_top = net.level(1)->free_energy(hs);
  auto bound_at = [&](const ebm::DeepBeliefNet<double>& model, arma::uword a, double log_z, const arma::rowvec& f) {
    arma::mat q, vm;
    model.up(0, vs.col(a), q);
    model.down(0, hs, vm);
    double bound = 0;
    for (arma::uword z = 0; z < hs.n_cols; ++z) {
      double log_q = 0, log_pv = 0;
      for (arma::uword j = 0; j < 3; ++j) log_q += std::log(hs(j, z) > 0.5 ? q(j) : 1 - q(j));
      for (arma::uword i = 0; i < 4; ++i) log_pv += std::log(vs(i, a) > 0.5 ? vm(i, z) : 1 - vm(i, z));
      const double log_top = -f[z] - log_z;
      bound += std::exp(log_q) * (log_top + log_pv - log_q);
    }
    return bound;
  };
  for (arma::uword a = 0; a < vs.n_cols; ++a) {
    const double log_p = -test::brute_free_energy(p0, vs.colptr(a)) - test::brute_log_partition(p0);
    BOOST_TEST(bound_at(net, a, log_z_top, f_top) == log_p, boost::test_tools::tolerance(1e-10));
  }
  // Teeth: perturb the top level and the bound drops strictly below the
  // net's own log p(v) (computed by enumeration).
  auto top = net.level(1);
  top->weights()(1, 2) += 0.7;
  net.set_level(1, *top);
  const test::Params pt(*top);
  const arma::vec p_net = brute_dbn_marginal(p0, pt);
  const arma::rowvec f_perturbed = top->free_energy(hs);
  const double log_z_perturbed = test::brute_log_partition(pt);
  for (arma::uword a = 0; a < vs.n_cols; ++a)
    BOOST_TEST(bound_at(net, a, log_z_perturbed, f_perturbed) < std::log(p_net[a]) - 1e-6);
}

BOOST_AUTO_TEST_CASE(greedy_training_through_the_trainer_raises_each_levels_likelihood) {
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";
  const ebm::ExperimentResult r = ebm::run_experiment(
      ebm::load_experiment_config(config, {"output.model=" + (tmp / "dbn.ebm"), "output.results=" + (tmp / "r.json")}));
  BOOST_TEST(r.model_type == "dbn");
  BOOST_TEST((r.layer_sizes == std::vector<arma::uword>{16, 8, 4}));
  BOOST_TEST(r.epochs == 1000u);
  BOOST_TEST(r.updates == 2u * 500u * 3u);  // 30 patterns in batches of 10
  // Level 2 is trained on level 1's sampled up-pass activations; its exact
  // log-likelihood of them (the monitor's enumeration) must rise.
  double first1 = NAN, last1 = NAN, first2 = NAN, last2 = NAN;
  for (const auto& e : r.history) {
    const double l1 = e.get("level1.log_likelihood_train"), l2 = e.get("level2.log_likelihood_train");
    if (std::isfinite(l1)) (std::isnan(first1) ? first1 : last1) = l1;
    if (std::isfinite(l2)) (std::isnan(first2) ? first2 : last2) = l2;
  }
  BOOST_TEST_MESSAGE("level 1: " << first1 << " -> " << last1 << ", level 2: " << first2 << " -> " << last2);
  BOOST_TEST(last1 > first1 + 3.0);
  BOOST_TEST(last2 > first2 + 0.3);
  bool has_both = false;
  for (const auto& [name, value] : r.final_measurements) has_both |= name == "level2.log_likelihood_train";
  BOOST_TEST(has_both);

  // The saved net's levels are trained (not the zero weights it starts with).
  auto loaded = ebm::load_model<double>(tmp / "dbn.ebm");
  auto* dbn = dynamic_cast<ebm::DeepBeliefNet<double>*>(loaded.model.get());
  BOOST_REQUIRE(dbn);
  BOOST_TEST(dbn->trained_levels() == 2u);
  BOOST_TEST(dbn->propagate_samples());
  BOOST_TEST(arma::abs(dbn->level(1)->weights()).max() > 0.1);
}

BOOST_AUTO_TEST_CASE(the_first_level_is_trained_exactly_like_a_plain_rbm) {
  // One training path: level 1 of a net and an `rbm` run with the same
  // settings and seed end bit-identical (same initialisation, same draws).
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";
  const std::vector<std::string> common = {"dbn.level_epochs=", "training.epochs=60", "monitor.every=20"};
  auto as_dbn = common, as_rbm = common;
  as_dbn.push_back("output.model=" + (tmp / "dbn.ebm"));
  as_rbm.insert(as_rbm.end(), {"model.type=rbm", "rbm.hidden=8", "output.model=" + (tmp / "rbm.ebm")});
  const auto d = ebm::run_experiment(ebm::load_experiment_config(config, as_dbn));
  const auto r = ebm::run_experiment(ebm::load_experiment_config(config, as_rbm));
  auto net = ebm::load_model<double>(tmp / "dbn.ebm");
  auto rbm = ebm::load_model<double>(tmp / "rbm.ebm");
  auto level = dynamic_cast<ebm::DeepBeliefNet<double>&>(*net.model).level(0);
  BOOST_TEST(test::same_parameters<double>(*level, *rbm.model));
  BOOST_REQUIRE(d.history.size() > 60u);
  for (std::size_t e : {0, 20, 40, 60}) {  // level 1's measured epochs
    BOOST_TEST(std::isfinite(r.history[e].get("log_likelihood_train")));
    BOOST_TEST(d.history[e].get("level1.log_likelihood_train") == r.history[e].get("log_likelihood_train"));
  }
}

BOOST_AUTO_TEST_CASE(archives_round_trip_in_every_encoding) {
  TempDir tmp;
  auto dbn = test::random_dbn({5, 4, 3, 2}, 51);
  dbn->set_trained_levels(2);
  dbn->set_level_epochs({3, 4, 5});
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    const std::string path = tmp / "net.ebm";
    ebm::save_model(path, static_cast<const ebm::Model<double>&>(*dbn), "[model]\ntype = dbn\n", encoding);
    auto loaded = ebm::load_model<double>(path);
    auto* back = dynamic_cast<ebm::DeepBeliefNet<double>*>(loaded.model.get());
    BOOST_REQUIRE(back);
    BOOST_TEST(test::same_parameters<double>(*dbn, *back));
    BOOST_TEST(back->trained_levels() == 2u);
    BOOST_TEST(back->level_epochs(2) == 5u);
    BOOST_TEST(back->propagate_samples() == dbn->propagate_samples());
    BOOST_TEST(back->down_samples() == dbn->down_samples());
    arma::mat a, b;
    const arma::mat v = test::all_binary_states(5);
    dbn->features(v, 3, a);
    back->features(v, 3, b);
    BOOST_TEST(arma::approx_equal(a, b, "absdiff", 0.0));
  }
}

BOOST_AUTO_TEST_CASE(a_run_resumed_at_a_level_boundary_ends_bit_identical) {
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";
  const std::vector<std::string> common = {"dbn.level_epochs=40,30", "model.scalar=float", "training.estimator=pcd",
                                           "sgd.momentum=0.5", "monitor.every=10"};
  const auto [a, b] = test::whole_and_resumed_at_level_2(config, common, tmp);
  BOOST_TEST(a.updates == b.updates);
  BOOST_REQUIRE_EQUAL(a.history.size(), b.history.size());
  arma::uword compared = 0;
  for (std::size_t e = 0; e < a.history.size(); ++e) {
    BOOST_TEST(a.history[e].epoch == b.history[e].epoch);
    BOOST_TEST(a.history[e].measurements.size() == b.history[e].measurements.size());
    const double la = a.history[e].get("level2.log_likelihood_train"),
                 lb = b.history[e].get("level2.log_likelihood_train");
    if (std::isnan(la) && std::isnan(lb)) continue;  // not measured in this epoch
    BOOST_TEST(la == lb);
    ++compared;
  }
  BOOST_TEST(compared == 4u);  // level 2: before training and after epochs 10, 20, 30
}

BOOST_AUTO_TEST_CASE(bad_dbn_options_name_the_key) {
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";
  for (const std::string bad :
       {"dbn.hidden=8,x", "dbn.hidden=", "dbn.hidden=8,0", "dbn.propagate=both", "dbn.level_epochs=3,-1"}) {
    try {
      ebm::load_experiment_config(config, {bad});
      BOOST_ERROR("accepted " << bad);
    } catch (const ebm::InputError& e) {
      const std::string key = bad.substr(0, bad.find('='));
      BOOST_TEST(std::string(e.what()).find(key) != std::string::npos, e.what());
    }
  }
  // One epoch count per level.
  BOOST_CHECK_THROW(ebm::run_experiment(ebm::load_experiment_config(config, {"dbn.level_epochs=3"})), ebm::InputError);
}

// One unit type per hidden layer: a net with Gaussian data units, NReLU
// units in x_1 and Bernoulli units in x_2 (dbn.visible_units = gaussian,
// dbn.hidden_units = nrelu, bernoulli) is built with those types and trains
// through the one trainer: each level's reconstruction error of its own
// input falls by more than a fifth from where it started (measured: by 75%
// in level 1 and 28% in level 2 over 300 epochs, NReLU data -- the SSU's
// exact conditional means -- at a learning rate small enough for the
// Gaussian level).
BOOST_AUTO_TEST_CASE(a_gaussian_bottom_with_one_unit_type_per_hidden_layer_trains) {
  TempDir tmp;
  // Real-valued data: the 30 bars-and-stripes patterns as -1/+1 pixels plus
  // N(0, 0.2^2) noise, 10 noisy copies each.
  const arma::mat patterns = test::bars_and_stripes(4);
  ebm::Rng rng(77);
  arma::mat noise(16, patterns.n_cols * 10), x(16, patterns.n_cols * 10);
  rng.fill_normal(noise, 0.0, 0.2);
  for (arma::uword c = 0; c < x.n_cols; ++c) x.col(c) = 2 * patterns.col(c % patterns.n_cols) - 1 + noise.col(c);
  {
    std::ofstream out(tmp / "real.csv");
    for (arma::uword c = 0; c < x.n_cols; ++c)
      for (arma::uword r = 0; r < 16; ++r) out << x(r, c) << (r + 1 < 16 ? "," : "\n");
  }
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";
  const ebm::ExperimentResult r = ebm::run_experiment(ebm::load_experiment_config(
      config, {"data.train=" + (tmp / "real.csv"), "dbn.visible_units=gaussian", "dbn.hidden_units=nrelu, bernoulli",
               "dbn.level_epochs=60,300", "dbn.propagate=mean", "cd.k=1", "sgd.learning_rate=0.02",
               "sgd.final_learning_rate=0.001", "monitor.list=reconstruction", "monitor.every=30",
               "output.model=" + (tmp / "net.ebm")}));
  auto loaded = ebm::load_model<double>(tmp / "net.ebm");
  auto& dbn = dynamic_cast<ebm::DeepBeliefNet<double>&>(*loaded.model);
  BOOST_TEST(dbn.level(0)->visible().type_name() == "gaussian");
  BOOST_TEST(dbn.level(0)->hidden().type_name() == "nrelu");
  BOOST_TEST(dbn.level(1)->visible().type_name() == "nrelu");
  BOOST_TEST(dbn.level(1)->hidden().type_name() == "bernoulli");
  for (const std::string level : {"level1.", "level2."}) {
    double first = NAN, last = NAN;
    for (const auto& e : r.history) {
      const double v = e.get(level + "reconstruction_error_train");
      if (std::isfinite(v)) (std::isnan(first) ? first : last) = v;
    }
    BOOST_TEST_MESSAGE(level << " reconstruction error " << first << " -> " << last);
    BOOST_TEST(last < 0.8 * first, level);
  }
}
