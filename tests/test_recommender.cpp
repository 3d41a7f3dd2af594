// The RBM recommender end to end (config -> sparse ratings -> Rbm with
// softmax units with missing entries -> CD with growing k -> predictions
// -> evaluation next to the baselines) on ratings the test generates with
// planted structure: users drawn from a few taste groups, each group with
// its own preferred rating per item, plus noise.  Item means and the bias
// model cannot express "this group likes what that group dislikes"; an
// RBM's hidden units can, so it must beat the item mean by a clear margin.
// Also: predictions are expected values of the exact softmax conditional,
// and the archive-based `recommend` path sees the same model.
#define BOOST_TEST_MODULE recommender
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/recommender/ratings_experiment.hpp"
#include "libebm/recommender/rbm_recommender.hpp"
#include "libebm/units/softmax_layer.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

struct Planted {
  std::string dir, train, test;
};

/// 150 users in 3 taste groups, 90 items; group g's preferred rating of
/// item i is drawn uniformly from 1..5; a user rates each item with
/// probability 0.5, at the group's rating moved by N(0, 0.5^2) noise,
/// rounded and clipped.  A seeded 20% of the ratings is held out.
Planted planted_ratings(const std::string& name) {
  Planted p;
  p.dir = (std::filesystem::temp_directory_path() / ("ebm_test_recommender_" + name + "_" + std::to_string(::getpid())))
              .string();
  std::filesystem::create_directories(p.dir);
  p.train = p.dir + "/train.tsv", p.test = p.dir + "/test.tsv";
  ebm::Rng rng(4242);
  const arma::uword users = 150, items = 90, groups = 3;
  arma::umat preferred(groups, items);
  for (auto& x : preferred) x = 1 + rng.below(5);
  std::ofstream train(p.train), test(p.test);
  for (arma::uword u = 0; u < users; ++u) {
    const arma::uword g = u % groups;
    for (arma::uword i = 0; i < items; ++i) {
      if (rng.uniform<double>() >= 0.5) continue;
      arma::mat noise(1, 1);
      rng.fill_normal(noise, 0.0, 0.5);
      const long r = std::lround(std::min(5.0, std::max(1.0, double(preferred(g, i)) + noise(0, 0))));
      // Every user's first two ratings and every item's first ratings are
      // training ratings, so the held-out part names only known ids.
      const bool hold = i > 2 && u > 20 && rng.uniform<double>() < 0.2;
      (hold ? test : train) << u << '\t' << i << '\t' << r << '\n';
    }
  }
  return p;
}

std::string config_text(const Planted& p, const std::string& orientation, bool binarize) {
  return "seed = 7\n"
         "[data]\ntrain = " + p.train + "\ntest = " + p.test + "\nformat = ratings\n"
         "[ratings]\norientation = " + orientation + "\nlevels = 5\nk_schedule = 1 3\nvalidation = 0\n" +
         "binarize = " + (binarize ? "true" : "false") + "\n" +
         "[model]\ntype = rbm\nscalar = float\nweight_init_stddev = 0.01\n"
         "[rbm]\nhidden = 12\nvisible_units = softmax\nhidden_units = bernoulli\n"
         "[softmax]\nstates = " + (binarize ? "2" : "5") + "\nmissing = true\n"
         "[training]\nestimator = cd\nupdate = sgd\nepochs = 60\nbatch_size = 10\n"
         "[sgd]\nlearning_rate = 0.05\nmomentum = 0.9\ninitial_momentum = 0.5\nweight_decay = 0.001\n"
         "[monitor]\nlist = reconstruction\n"
         "[output]\nmodel = " + p.dir + "/" + orientation + (binarize ? "_binary" : "") + ".ebm\n";
}

double measurement(const ebm::ExperimentResult& r, const std::string& name) {
  for (const auto& [k, v] : r.final_measurements)
    if (k == name) return v;
  BOOST_FAIL("no measurement " << name);
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rbm_beats_the_item_mean_on_planted_taste_groups_in_both_orientations) {
  const Planted p = planted_ratings("orientations");
  for (const std::string orientation : {"user", "item"}) {
    BOOST_TEST_CONTEXT(orientation << "-based") {
      const auto c = ebm::parse_experiment_config("planted.ini", config_text(p, orientation, false), {});
      const auto r = ebm::run_experiment(c);
      for (const auto& n : r.notes) BOOST_TEST_MESSAGE(n);
      const double rmse = measurement(r, "test_rmse"), item_mean = measurement(r, "baseline_item_mean_rmse");
      BOOST_TEST_MESSAGE(orientation << "-based: RMSE " << rmse << ", item mean " << item_mean);
      // The planted noise alone gives RMSE ~0.5; the item mean pays for
      // the groups' disagreement (~1.2).  A clear margin, not a hair.
      BOOST_TEST(rmse < item_mean - 0.2);
      BOOST_TEST(measurement(r, "beats_best_baseline") == 1.0);
    }
  }
  std::filesystem::remove_all(p.dir);
}

BOOST_AUTO_TEST_CASE(pcd_with_per_case_chains_beats_the_item_mean_like_cd) {
  // PCD keeps one chain per user, over the items that user rated
  // (pcd.per_case = auto: the softmax layer has missing entries), so its
  // model term is that of the observed ratings, as CD's is: the same margin.
  const Planted p = planted_ratings("pcd");
  const auto c = ebm::parse_experiment_config("planted.ini", config_text(p, "user", false),
                                              {"training.estimator=pcd", "pcd.k=1"});
  const auto r = ebm::run_experiment(c);
  for (const auto& n : r.notes) BOOST_TEST_MESSAGE(n);
  const double rmse = measurement(r, "test_rmse"), item_mean = measurement(r, "baseline_item_mean_rmse");
  BOOST_TEST_MESSAGE("PCD-1, user-based: RMSE " << rmse << ", item mean " << item_mean);
  BOOST_TEST(rmse < item_mean - 0.2);
  BOOST_TEST(measurement(r, "beats_best_baseline") == 1.0);
  std::filesystem::remove_all(p.dir);
}

BOOST_AUTO_TEST_CASE(a_ratings_run_resumed_from_a_checkpoint_ends_bit_identical) {
  // CD with k growing 1 -> 3 (the schedule continues where it stopped) and
  // PCD's per-case chains, stopped after epoch 2 of 5: the resumed run's
  // model and test RMSE equal the uninterrupted run's exactly.
  const Planted p = planted_ratings("resume");
  for (const std::string estimator : {"cd", "pcd"}) {
    const std::vector<std::string> common = {"training.estimator=" + estimator, "training.epochs=5",
                                             "output.checkpoint=" + p.dir + "/run.ckpt"};
    auto full_overrides = common;
    full_overrides.push_back("output.model=" + p.dir + "/full.ebm");
    test::CheckpointGrabber grab(p.dir + "/run.ckpt", p.dir + "/stopped.ckpt", 2);
    const auto full =
        ebm::run_experiment(ebm::parse_experiment_config("planted.ini", config_text(p, "user", false), full_overrides), &grab);
    const auto resumed = ebm::resume_experiment(p.dir + "/stopped.ckpt", {"output.model=" + p.dir + "/resumed.ebm",
                                                                           "output.checkpoint=" + p.dir + "/r.ckpt"});
    auto a = ebm::load_model<float>(p.dir + "/full.ebm"), b = ebm::load_model<float>(p.dir + "/resumed.ebm");
    BOOST_TEST_CONTEXT(estimator) {
      const auto pa = a.model->parameters(), pb = b.model->parameters();
      for (std::size_t i = 0; i < pa.size(); ++i)
        BOOST_TEST(arma::approx_equal(*pa[i].value, *pb[i].value, "absdiff", 0.0f), pa[i].name);
      BOOST_TEST(measurement(full, "test_rmse") == measurement(resumed, "test_rmse"));
      BOOST_TEST(full.updates == resumed.updates);
      // Teeth: the checkpoint is of epoch 2, not a finished model.
      auto stopped = ebm::load_checkpoint<float>(p.dir + "/stopped.ckpt");
      BOOST_TEST(stopped.history.back().epoch == 2u);
      const auto ps = stopped.model->parameters();
      BOOST_TEST(!arma::approx_equal(*ps[2].value, *pa[2].value, "absdiff", 0.0f));
    }
  }
  std::filesystem::remove_all(p.dir);
}

BOOST_AUTO_TEST_CASE(binarized_rbm_beats_the_trivial_baselines) {
  const Planted p = planted_ratings("binary");
  const auto c = ebm::parse_experiment_config("planted.ini", config_text(p, "user", true), {});
  const auto r = ebm::run_experiment(c);
  for (const auto& n : r.notes) BOOST_TEST_MESSAGE(n);
  BOOST_TEST(measurement(r, "test_entry_error") < measurement(r, "baseline_always_liked_entry_error") - 0.05);
  BOOST_TEST(measurement(r, "beats_best_baseline") == 1.0);
  std::filesystem::remove_all(p.dir);
}

BOOST_AUTO_TEST_CASE(predictions_are_expected_values_of_the_exact_softmax_conditional) {
  // A small random model and known ratings: the prediction must be
  // sum_k k softmax_k(b_qk + sum_j p_j W_qk,j) with p_j = sigmoid(c_j +
  // sum over the known ratings of W), written out by loops.
  const arma::uword items = 4, levels = 3, hidden = 2;
  ebm::Rbm<double> rbm(std::make_unique<ebm::SoftmaxLayer<double>>(items * levels, levels, true),
                       std::make_unique<ebm::BernoulliLayer<double>>(hidden));
  ebm::Rng rng(808);
  rng.fill_normal(rbm.weights(), 0.0, 1.0);
  rng.fill_normal(rbm.visible().bias(), 0.0, 1.0);
  rng.fill_normal(rbm.hidden().bias(), 0.0, 1.0);
  ebm::RatingsTable known;
  known.path = "known";
  known.ratings = {{0, 0, 3, 1}, {0, 2, 1, 2}, {1, 1, 2, 3}};
  const auto sparse = ebm::SparseRatings::build(known, 2, items, false, levels, 1.0);
  ebm::RbmRecommender<double> recommender(rbm, sparse, false);
  std::vector<std::pair<arma::uword, arma::uword>> pairs;
  for (arma::uword u = 0; u < 2; ++u)
    for (arma::uword i = 0; i < items; ++i) pairs.emplace_back(u, i);
  const std::vector<double> predicted = recommender.expected_levels(pairs);
  const arma::mat& w = rbm.weights();
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    const auto [u, i] = pairs[q];
    double p[hidden];
    for (arma::uword j = 0; j < hidden; ++j) {
      double x = rbm.hidden().bias()(j);
      for (const auto& r : known.ratings)
        if (r.user == u) x += w(r.item * levels + arma::uword(r.value) - 1, j);
      p[j] = 1 / (1 + std::exp(-x));
    }
    double num = 0, den = 0;
    for (arma::uword k = 0; k < levels; ++k) {
      double x = rbm.visible().bias()(i * levels + k);
      for (arma::uword j = 0; j < hidden; ++j) x += p[j] * w(i * levels + k, j);
      num += double(k + 1) * std::exp(x), den += std::exp(x);
    }
    BOOST_TEST(predicted[q] == num / den, tt::tolerance(1e-12));
  }
  // A model whose visible layer does not fit the ratings is refused.
  ebm::Rbm<double> wrong(std::make_unique<ebm::SoftmaxLayer<double>>(items * levels, levels, false),
                         std::make_unique<ebm::BernoulliLayer<double>>(hidden));
  BOOST_CHECK_THROW(ebm::RbmRecommender<double>(wrong, sparse, false), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  const Planted p = planted_ratings("errors");
  auto message = [&](const std::vector<std::string>& overrides) -> std::string {
    try {
      ebm::run_experiment(ebm::parse_experiment_config("planted.ini", config_text(p, "user", false), overrides));
    } catch (const ebm::InputError& e) {
      return e.what();
    }
    return "";
  };
  BOOST_TEST(message({"softmax.missing=false"}).find("softmax.missing = true") != std::string::npos);
  BOOST_TEST(message({"rbm.visible_units=bernoulli"}).find("softmax") != std::string::npos);
  BOOST_TEST(message({"ratings.levels=4"}).find("is out of range") != std::string::npos);
  BOOST_TEST(message({"ratings.k_schedule=1 x"}).find("ratings.k_schedule") != std::string::npos);
  // A held-out rating of an id without training ratings: an error naming
  // file:line with ratings.unknown_ids = error, a prediction otherwise.
  { std::ofstream(p.test, std::ios::app) << "9999\t0\t3\n"; }
  const std::string unknown = message({"ratings.unknown_ids=error"});
  BOOST_TEST(unknown.find("test.tsv:") != std::string::npos, unknown);
  BOOST_TEST(unknown.find("unknown user id '9999'") != std::string::npos, unknown);
  BOOST_TEST(message({"training.epochs=1"}).empty());
  std::filesystem::remove_all(p.dir);
}
