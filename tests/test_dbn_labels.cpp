// Label units of the deep belief net (Hinton, Osindero & Teh 2006): the top
// RBM models [x_{L-1}; y] and the net classifies by its free energy with
// each label clamped.  Checked: on a tiny 4-3-(3+3)-2 net, log p(y | x) and
// the classification equal p(y | h) summed by enumeration of the top RBM's
// hidden states, h the up pass written here; features and generation with
// label units; a labelled net trained from a config (data.train_labels) on
// noisy bars vs stripes classifies held-out samples far above chance; the
// archive round trip; bit-identical resumption; config errors.
#define BOOST_TEST_MODULE dbn_labels
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <fstream>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/registry/kinds.hpp"
#include "models/deep_belief_net.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "test_support.hpp"

namespace {

using Dbn = ebm::DeepBeliefNet<double>;
using Labelled = ebm::LabelledLayer<double>;

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

/// A 4-3-2 Bernoulli net whose top RBM's visible layer is 3 units + 3
/// labels; every parameter N(0, 1).
std::unique_ptr<Dbn> labelled_dbn(std::uint64_t seed) {
  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(4));
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(3));
  layers.push_back(std::make_unique<Labelled>(std::make_unique<ebm::BernoulliLayer<double>>(3), 3));
  layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(2));
  auto dbn = std::make_unique<Dbn>(std::move(layers));
  ebm::Rng rng(seed);
  for (auto& p : dbn->parameters()) rng.fill_normal(*p.value, 0.0, 1.0);
  return dbn;
}

/// Noisy 4x4 bars (label 0: rows all on or off) and stripes (label 1:
/// columns), neither blank nor full, each pixel flipped with probability
/// 0.05; `n` samples, one per column.
void noisy_bars_and_stripes(arma::uword n, std::uint64_t seed, arma::mat& x, arma::urowvec& labels) {
  ebm::Rng rng(seed);
  x.set_size(16, n);
  labels.set_size(n);
  for (arma::uword c = 0; c < n; ++c) {
    const arma::uword label = rng.below(2);
    arma::uword mask = 0;
    while (mask == 0 || mask == 15) mask = rng.below(16);
    for (arma::uword r = 0; r < 4; ++r)
      for (arma::uword q = 0; q < 4; ++q) {
        const bool on = (mask >> (label == 0 ? r : q)) & 1;
        x(4 * r + q, c) = (rng.uniform<double>() < 0.05) != on ? 1.0 : 0.0;
      }
    labels[c] = label;
  }
}

void write_csv(const std::string& path, const arma::mat& x) {
  std::ofstream out(path);
  for (arma::uword c = 0; c < x.n_cols; ++c)
    for (arma::uword r = 0; r < x.n_rows; ++r) out << x(r, c) << (r + 1 < x.n_rows ? "," : "\n");
}

void write_labels(const std::string& path, const arma::urowvec& y) {
  std::ofstream out(path);
  for (arma::uword i = 0; i < y.n_elem; ++i) out << y[i] << "\n";
}

/// The planted labelled data set in `tmp` and a config training a
/// 16-16-(16+2)-32 net on it; returns the config's path.
std::string planted_config(const test::TempDir& tmp) {
  arma::mat train, test;
  arma::urowvec train_labels, test_labels;
  noisy_bars_and_stripes(400, 1, train, train_labels);
  noisy_bars_and_stripes(200, 2, test, test_labels);
  write_csv(tmp / "train.csv", train);
  write_csv(tmp / "test.csv", test);
  write_labels(tmp / "train_labels.csv", train_labels);
  write_labels(tmp / "test_labels.csv", test_labels);
  std::ofstream(tmp / "labelled.ini") << "seed = 3\n"
                                         "[data]\ntrain = train.csv\ntest = test.csv\n"
                                         "train_labels = train_labels.csv\ntest_labels = test_labels.csv\n"
                                         "binarize = none\n"
                                         "[model]\ntype = dbn\nscalar = double\n"
                                         "[dbn]\nhidden = 16, 32\nlabels = 2\n"
                                         "[training]\nestimator = cd\nepochs = 30\nbatch_size = 10\n"
                                         "[sgd]\nlearning_rate = 0.1\nmomentum = 0.5\nweight_decay = 0\n"
                                         "[monitor]\nlist = reconstruction\nevery = 10\n";
  return tmp / "labelled.ini";
}

}  // namespace

BOOST_AUTO_TEST_CASE(free_energy_classification_is_the_exact_label_posterior) {
  auto dbn = labelled_dbn(7);
  BOOST_TEST(dbn->n_classes() == 3u);
  BOOST_TEST((dbn->layer_sizes() == std::vector<arma::uword>{4, 3, 2}));
  const auto bottom = dbn->level(0), top = dbn->level(1);
  const arma::mat vs = test::all_binary_states(4), zs = test::all_binary_states(2);
  arma::mat log_p;
  dbn->class_log_probabilities(vs, log_p);
  BOOST_REQUIRE_EQUAL(log_p.n_rows, 3u);
  BOOST_REQUIRE_EQUAL(log_p.n_cols, 16u);
  const arma::mat &w0 = bottom->weights(), &w1 = top->weights();
  const arma::mat &c0 = bottom->hidden().bias(), &b1 = top->visible().bias(), &c1 = top->hidden().bias();
  for (arma::uword a = 0; a < vs.n_cols; ++a) {
    // The mean up pass h = sigmoid(c0 + W0^T v), by loops.
    arma::vec h(3);
    for (arma::uword i = 0; i < 3; ++i) {
      double u = c0(i, 0);
      for (arma::uword r = 0; r < 4; ++r) u += vs(r, a) * w0(r, i);
      h[i] = sigmoid(u);
    }
    // log sum_z exp(-E([h; e_y], z)) for each label y, z over all 4 hidden states.
    std::vector<double> joint(3);
    for (arma::uword y = 0; y < 3; ++y) {
      std::vector<double> terms;
      for (arma::uword z = 0; z < zs.n_cols; ++z) {
        double minus_e = b1(3 + y, 0);
        for (arma::uword i = 0; i < 3; ++i) minus_e += b1(i, 0) * h[i];
        for (arma::uword j = 0; j < 2; ++j) {
          double u = c1(j, 0) + w1(3 + y, j);
          for (arma::uword i = 0; i < 3; ++i) u += h[i] * w1(i, j);
          minus_e += zs(j, z) * u;
        }
        terms.push_back(minus_e);
      }
      joint[y] = test::log_sum_exp(terms);
    }
    const double norm = test::log_sum_exp(joint);
    arma::uword best = 0;
    for (arma::uword y = 0; y < 3; ++y) {
      BOOST_TEST(log_p(y, a) == joint[y] - norm, boost::test_tools::tolerance(1e-12));
      if (joint[y] > joint[best]) best = y;
    }
    BOOST_TEST(log_p.col(a).index_max() == best);
  }
  // A net without label units has no classes, and says so.
  std::vector<std::unique_ptr<ebm::Layer<double>>> plain;
  for (arma::uword n : {4, 3}) plain.push_back(std::make_unique<ebm::BernoulliLayer<double>>(n));
  Dbn unlabelled(std::move(plain));
  BOOST_TEST(unlabelled.n_classes() == 0u);
  BOOST_CHECK_THROW(unlabelled.class_log_probabilities(vs, log_p), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(features_and_samples_leave_the_labels_out) {
  auto dbn = labelled_dbn(8);
  const arma::mat vs = test::all_binary_states(4);
  // Into the top layer the label units send nothing: sigmoid(c1 + W1[x rows]^T h).
  arma::mat h, top_features;
  dbn->features(vs, 1, h);
  dbn->features(vs, 2, top_features);
  const auto top = dbn->level(1);
  arma::mat u = top->weights().rows(0, 2).t() * h;
  u.each_col() += top->hidden().bias().col(0);
  const arma::mat expected = 1 / (1 + arma::exp(-u));
  BOOST_TEST(arma::approx_equal(top_features, expected, "absdiff", 1e-14));
  ebm::State<double> state;
  dbn->positive_phase(vs, state);
  BOOST_TEST(state.layers[2].n_rows == 6u);
  BOOST_TEST(arma::approx_equal(state.layers[3], expected, "absdiff", 1e-14));
  // Generation: the top RBM's chains carry labels; the samples are x_0 only.
  ebm::BlockGibbsSampler<double> sampler;
  ebm::Rng rng(4);
  arma::mat samples;
  dbn->generate(sampler, 5, 10, rng, samples, false);
  BOOST_TEST(samples.n_rows == 4u);
  BOOST_TEST(samples.n_cols == 5u);
  BOOST_TEST(arma::all(arma::vectorise(samples == 0 || samples == 1)));
  // Label units only on the top RBM's visible layer of a net of two or more levels.
  std::vector<std::unique_ptr<ebm::Layer<double>>> one_level;
  one_level.push_back(std::make_unique<Labelled>(std::make_unique<ebm::BernoulliLayer<double>>(4), 2));
  one_level.push_back(std::make_unique<ebm::BernoulliLayer<double>>(3));
  BOOST_CHECK_THROW(Dbn(std::move(one_level)), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(class_conditional_samples_follow_the_exact_distribution_given_the_label) {
  // On the 4-3-(3+3)-2 net, p(v | y) = sum_x1 p(x1 | y) p(v | x1): p(x1 | y)
  // from the top RBM by enumeration of x1 and its 2 hidden units, p(v | x1)
  // the bottom level's directed conditional, all written here by loops.  The
  // empirical distribution of 20,000 class-conditional samples per class
  // must be within the total-variation bound of the sample size (test::tv_bound).
  auto dbn = labelled_dbn(9);
  {
    // Strong weights, so that each class has its own p(v | y).
    auto top_level = dbn->level(1), bottom_level = dbn->level(0);
    top_level->weights() *= 4.0;
    bottom_level->weights() *= 3.0;
    dbn->set_level(1, *top_level);
    dbn->set_level(0, *bottom_level);
  }
  const auto bottom = dbn->level(0), top = dbn->level(1);
  const arma::mat xs = test::all_binary_states(3), hs = test::all_binary_states(2), vs = test::all_binary_states(4);
  const arma::uword n = 20000;
  double largest_gap = 0;
  arma::vec p_v_of_class0;
  for (arma::uword y = 0; y < 3; ++y) {
    arma::vec p_x(xs.n_cols);
    for (arma::uword a = 0; a < xs.n_cols; ++a) {
      arma::vec top_v(6, arma::fill::zeros);
      top_v.head(3) = xs.col(a);
      top_v[3 + y] = 1;
      std::vector<double> terms;
      for (arma::uword b = 0; b < hs.n_cols; ++b) {
        double e = 0;
        for (arma::uword i = 0; i < 6; ++i) e += top->visible().bias()(i, 0) * top_v[i];
        for (arma::uword j = 0; j < 2; ++j) e += top->hidden().bias()(j, 0) * hs(j, b);
        for (arma::uword i = 0; i < 6; ++i)
          for (arma::uword j = 0; j < 2; ++j) e += top_v[i] * top->weights()(i, j) * hs(j, b);
        terms.push_back(e);
      }
      p_x[a] = test::log_sum_exp(terms);
    }
    p_x = arma::exp(p_x - p_x.max());
    p_x /= arma::accu(p_x);
    arma::vec p_v(vs.n_cols, arma::fill::zeros);
    for (arma::uword a = 0; a < xs.n_cols; ++a)
      for (arma::uword c = 0; c < vs.n_cols; ++c) {
        double p = p_x[a];
        for (arma::uword i = 0; i < 4; ++i) {
          double u = bottom->visible().bias()(i, 0);
          for (arma::uword j = 0; j < 3; ++j) u += bottom->weights()(i, j) * xs(j, a);
          p *= vs(i, c) > 0.5 ? sigmoid(u) : 1 - sigmoid(u);
        }
        p_v[c] += p;
      }
    ebm::Rng rng(100 + y);
    arma::mat samples;
    dbn->generate_class(arma::urowvec(n, arma::fill::value(y)), 50, rng, samples, false);
    BOOST_REQUIRE(samples.n_rows == 4u && samples.n_cols == n);
    arma::vec counts(vs.n_cols, arma::fill::zeros);
    for (arma::uword c = 0; c < n; ++c) counts[test::joint_index(std::vector<arma::mat>{samples}, c)] += 1;
    const double tv = 0.5 * arma::accu(arma::abs(counts / double(n) - p_v));
    BOOST_TEST_MESSAGE("class " << y << ": TV " << tv << ", bound " << test::tv_bound(p_v, n));
    BOOST_TEST(tv < test::tv_bound(p_v, n));
    if (y > 0) largest_gap = std::max(largest_gap, 0.5 * arma::accu(arma::abs(p_v - p_v_of_class0)));
    if (y == 0) p_v_of_class0 = p_v;
  }
  // The classes give different distributions (the label is not ignored).
  BOOST_TEST(largest_gap > 3 * test::tv_bound(p_v_of_class0, n));
  // Errors: a class the net does not have; a net without label units.
  arma::mat samples;
  ebm::Rng rng(1);
  BOOST_CHECK_THROW(dbn->generate_class(arma::urowvec{0, 3}, 5, rng, samples, false), ebm::ContractError);
  auto unlabelled = test::random_dbn({4, 3, 2}, 5);
  BOOST_CHECK_THROW(unlabelled->generate_class(arma::urowvec{0}, 5, rng, samples, false), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(a_labelled_net_trained_from_a_config_classifies_far_above_chance) {
  test::TempDir tmp("ebm_dbn_labels");
  const std::string config = planted_config(tmp);
  const ebm::ExperimentResult r =
      ebm::run_experiment(ebm::load_experiment_config(config, {"output.model=" + (tmp / "net.ebm")}));
  double accuracy = NAN, log_likelihood = NAN;
  for (const auto& [name, value] : r.final_measurements) {
    if (name == "label_accuracy_test") accuracy = value;
    if (name == "label_log_likelihood_test") log_likelihood = value;
  }
  BOOST_TEST_MESSAGE("held-out accuracy by free energy " << accuracy << ", mean log p(y | x) " << log_likelihood);
  // Chance is 1/2; 200 held-out samples put 0.8 more than 8 standard
  // deviations above it.
  BOOST_TEST(accuracy > 0.8);
  BOOST_TEST(log_likelihood > std::log(0.5));
  // The top level saw [features; label]: the reconstruction of its 18 units.
  BOOST_TEST(std::isfinite(r.history.back().get("level2.reconstruction_error_train")));
  BOOST_TEST(std::isfinite(r.history.back().get("level2.reconstruction_error_test")));

  // The saved net classifies the same, and archives in every encoding keep it.
  auto loaded = ebm::load_model<double>(tmp / "net.ebm");
  BOOST_TEST(loaded.model->n_classes() == 2u);
  arma::mat test;
  arma::urowvec test_labels;
  noisy_bars_and_stripes(200, 2, test, test_labels);
  arma::mat log_p;
  loaded.model->class_log_probabilities(test, log_p);
  const arma::urowvec predicted = arma::index_max(log_p, 0);
  BOOST_TEST(double(arma::accu(predicted == test_labels)) / 200.0 == accuracy);
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    ebm::save_model(tmp / "copy.ebm", *loaded.model, loaded.config, encoding);
    auto copy = ebm::load_model<double>(tmp / "copy.ebm");
    BOOST_TEST(test::same_parameters<double>(*loaded.model, *copy.model));
    arma::mat again;
    copy.model->class_log_probabilities(test, again);
    BOOST_TEST(arma::approx_equal(again, log_p, "absdiff", 0.0));
  }
}

BOOST_AUTO_TEST_CASE(a_labelled_run_resumed_at_the_top_level_ends_bit_identical) {
  test::TempDir tmp("ebm_dbn_labels");
  const std::string config = planted_config(tmp);
  const std::vector<std::string> common = {"training.epochs=5", "model.scalar=float", "training.estimator=pcd",
                                           "monitor.every=5"};
  const auto [a, b] = test::whole_and_resumed_at_level_2(config, common, tmp);
  BOOST_TEST(a.final_measurements == b.final_measurements);
}

BOOST_AUTO_TEST_CASE(label_and_unit_type_errors_name_the_key) {
  test::TempDir tmp("ebm_dbn_labels");
  const std::string config = planted_config(tmp);
  const auto error = [&](const std::vector<std::string>& overrides) -> std::string {
    try {
      ebm::run_experiment(ebm::load_experiment_config(config, overrides));
    } catch (const ebm::InputError& e) {
      return e.what();
    }
    return "no error";
  };
  const auto contains = [](const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; };
  std::string e = error({"dbn.labels=1"});
  BOOST_TEST(contains(e, "dbn.labels"), e);
  e = error({"dbn.hidden=16"});
  BOOST_TEST((contains(e, "dbn.labels = 2") && contains(e, "two or more levels")), e);
  e = error({"data.train_labels="});
  BOOST_TEST((contains(e, "dbn.labels = 2") && contains(e, "data.train_labels")), e);
  e = error({"dbn.labels=2", "data.train_labels=" + (tmp / "test_labels.csv")});
  BOOST_TEST((contains(e, "data.train_labels") && contains(e, "200 labels for 400 samples")), e);
  {
    std::ofstream out(tmp / "bad_labels.csv");
    for (int i = 0; i < 400; ++i) out << (i == 7 ? 5 : i % 2) << "\n";
  }
  e = error({"data.train_labels=" + (tmp / "bad_labels.csv")});
  BOOST_TEST((contains(e, "sample 8 has label 5") && contains(e, "expected 0..1")), e);
  // One unit type per hidden layer, or one for all.
  e = error({"dbn.hidden_units=bernoulli,bernoulli,bernoulli"});
  BOOST_TEST((contains(e, "dbn.hidden_units") && contains(e, "3 unit types for 2 hidden layers")), e);
  e = error({"dbn.hidden_units=bernoulli, nosuch"});
  BOOST_TEST((contains(e, "dbn.hidden_units") && contains(e, "nosuch")), e);
  e = error({"dbn.hidden_units=bernoulli,"});
  BOOST_TEST(contains(e, "dbn.hidden_units"), e);
}
