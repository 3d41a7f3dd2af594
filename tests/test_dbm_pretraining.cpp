// Greedy layer-wise pretraining of a DBM with the weight-doubling correction
// (models/dbm_pretraining.hpp): the doubled messages of each layer's RBM,
// the composition rule (checked by loops on untrained RBMs), the plain-RBM
// case bit for bit, and pretraining raising the exact log-likelihood.
#define BOOST_TEST_MODULE dbm_pretraining
#include <boost/test/unit_test.hpp>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/experiment.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "models/dbm_layer_rbm.hpp"
#include "models/dbm_pretraining.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace {

using Dbm = ebm::DeepBoltzmannMachine<double>;

std::unique_ptr<Dbm> make_dbm(const std::vector<arma::uword>& sizes) {
  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  for (arma::uword n : sizes) layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(n));
  return std::make_unique<Dbm>(std::move(layers));
}

ebm::DbmPretraining<double> how(arma::uword epochs, double learning_rate) {
  ebm::DbmPretraining<double> h;
  h.make_layer = [](const std::string&, arma::uword n) { return std::make_unique<ebm::BernoulliLayer<double>>(n); };
  h.make_estimator = [] {
    return std::make_unique<ebm::PersistentContrastiveDivergence<double>>(
        std::make_unique<ebm::BlockGibbsSampler<double>>(), 1, 20);
  };
  h.make_update_rule = [learning_rate] {
    ebm::SgdOptions sgd;
    sgd.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, learning_rate, learning_rate);
    return std::make_unique<ebm::Sgd<double>>(sgd);
  };
  h.options.epochs = epochs;
  h.options.batch_size = 20;
  h.options.monitor_every = 1;
  h.options.monitor_initial = false;
  h.weight_stddev = 0.3;
  return h;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1 - p)); }

double exact_mean_log_likelihood(const ebm::Model<double>& model, const arma::mat& data) {
  return -arma::mean(model.free_energy(data)) - ebm::exact_log_partition(model);
}

}  // namespace

BOOST_AUTO_TEST_CASE(layer_rbm_doubles_the_messages_it_is_told_to) {
  for (double up : {1.0, 2.0})
    for (double down : {1.0, 2.0}) {
      ebm::DbmLayerRbm<double> rbm(std::make_unique<ebm::BernoulliLayer<double>>(3),
                                   std::make_unique<ebm::BernoulliLayer<double>>(2), up, down);
      ebm::Rng rng(1);
      rng.fill_normal(rbm.weights());
      rng.fill_normal(rbm.layer(0).bias());
      rng.fill_normal(rbm.layer(1).bias());
      const arma::mat v = test::all_binary_states(3), h = test::all_binary_states(2);
      ebm::State<double> s;
      rbm.positive_phase(v, s);
      for (arma::uword n = 0; n < v.n_cols; ++n)
        for (arma::uword j = 0; j < 2; ++j) {
          double x = rbm.layer(1).bias()(j, 0);
          for (arma::uword i = 0; i < 3; ++i) x += up * v(i, n) * rbm.weights()(i, j);
          BOOST_TEST(s.layers[1](j, n) == sigmoid(x), boost::test_tools::tolerance(1e-14));
        }
      ebm::State<double> t;
      t.layers = {arma::mat(3, h.n_cols, arma::fill::zeros), h};
      arma::mat input;
      rbm.total_input(0, t, input);
      for (arma::uword n = 0; n < h.n_cols; ++n)
        for (arma::uword i = 0; i < 3; ++i) {
          double x = rbm.layer(0).bias()(i, 0);
          for (arma::uword j = 0; j < 2; ++j) x += down * rbm.weights()(i, j) * h(j, n);
          BOOST_TEST(input(i, n) == x, boost::test_tools::tolerance(1e-14));
        }
    }
}

BOOST_AUTO_TEST_CASE(composition_takes_the_weights_and_averages_the_middle_biases) {
  // With no training epochs each RBM is just initialised: visible biases
  // logit(data marginals), hidden biases 0, random W.  So the composed DBM
  // must have b_v = logit(mean v), b_h1 = 1/2 (0 + logit(mean sigmoid(2 W1^T v)))
  // (RBM 2 is trained on the doubled up-pass of RBM 1), b_h2 = 0.
  arma::mat data = arma::repmat(test::bars_and_stripes(2), 1, 5);
  data.col(0).fill(1.0);
  auto dbm = make_dbm({4, 3, 2});
  ebm::Rng rng(3);
  ebm::pretrain_dbm(*dbm, data, how(0, 0.1), rng);
  const arma::mat& w1 = dbm->weights(1);
  BOOST_TEST(arma::abs(w1).max() > 0.01);
  BOOST_TEST(arma::abs(dbm->weights(2)).max() > 0.01);
  for (arma::uword i = 0; i < 4; ++i)
    BOOST_TEST(dbm->layer(0).bias()(i, 0) == logit(arma::mean(data.row(i))), boost::test_tools::tolerance(1e-12));
  for (arma::uword j = 0; j < 3; ++j) {
    double mean = 0;
    for (arma::uword n = 0; n < data.n_cols; ++n) {
      double x = 0;
      for (arma::uword i = 0; i < 4; ++i) x += 2 * data(i, n) * w1(i, j);
      mean += sigmoid(x) / double(data.n_cols);
    }
    BOOST_TEST(dbm->layer(1).bias()(j, 0) == 0.5 * logit(mean), boost::test_tools::tolerance(1e-10));
  }
  BOOST_TEST(arma::abs(dbm->layer(2).bias()).max() == 0.0);
}

BOOST_AUTO_TEST_CASE(one_hidden_layer_is_plain_rbm_training_bit_for_bit) {
  const arma::mat data = arma::repmat(test::bars_and_stripes(2), 1, 10);
  auto dbm = make_dbm({4, 3});
  ebm::Rng rng(5);
  const auto h = how(3, 0.1);
  ebm::pretrain_dbm(*dbm, data, h, rng);

  ebm::Rbm<double> rbm(std::make_unique<ebm::BernoulliLayer<double>>(4),
                       std::make_unique<ebm::BernoulliLayer<double>>(3));
  ebm::Rng rng2(5);
  rbm.initialize(data, rng2, h.weight_stddev);
  auto estimator = h.make_estimator();
  auto rule = h.make_update_rule();
  ebm::Trainer<double> trainer(rbm, *estimator, *rule, h.options);
  trainer.train(data, nullptr, rng2);
  BOOST_TEST(arma::approx_equal(dbm->weights(1), rbm.weights(), "absdiff", 0.0));
  BOOST_TEST(arma::approx_equal(dbm->layer(0).bias(), rbm.visible().bias(), "absdiff", 0.0));
  BOOST_TEST(arma::approx_equal(dbm->layer(1).bias(), rbm.hidden().bias(), "absdiff", 0.0));
}

BOOST_AUTO_TEST_CASE(pretraining_raises_the_exact_log_likelihood) {
  const arma::mat data = arma::repmat(test::bars_and_stripes(2), 1, 30);
  auto start = make_dbm({4, 4, 2});
  ebm::Rng rng(7);
  start->initialize(data, rng, 0.01);
  const double before = exact_mean_log_likelihood(*start, data);
  auto dbm = make_dbm({4, 4, 2});
  ebm::pretrain_dbm(*dbm, data, how(100, 0.3), rng);
  const double after = exact_mean_log_likelihood(*dbm, data);
  BOOST_TEST_MESSAGE("exact log-likelihood " << before << " (initialised) -> " << after << " (pretrained; optimum "
                                             << -std::log(6.0) << ")");
  BOOST_TEST(after > before + 0.3);
}

namespace {

bool is_pretraining(const ebm::EpochRecord& r) { return !std::isnan(r.get("dbm_pretrain_level")); }

/// Stops a run (by throwing) after the first joint-training epoch.
struct StopAfterEpoch1 : ebm::TrainingObserver {
  void on_epoch(const ebm::EpochRecord& r) override {
    if (r.epoch == 1 && !is_pretraining(r)) throw std::runtime_error("stopped");
  }
};

/// Stops a run (by throwing) at the first minibatch of the `nth` trainer
/// it sees start (each pretraining RBM has its own, step 0 first); counts
/// the pretraining epochs it was told about.
struct StopAtTrainerStart : ebm::TrainingObserver {
  explicit StopAtTrainerStart(int nth) : nth(nth) {}
  void on_batch(const ebm::StepContext& step, arma::uword, arma::uword) override {
    if (step.step == 0 && ++started == nth) throw std::runtime_error("stopped");
  }
  void on_epoch(const ebm::EpochRecord& r) override { pretraining_epochs += is_pretraining(r); }
  int nth, started = 0, pretraining_epochs = 0;
};

/// Notes of `r` that mention DBM pretraining.
std::string pretraining_note(const ebm::ExperimentResult& r) {
  for (const auto& n : r.notes)
    if (n.find("dbm pretraining") != std::string::npos) return n;
  return "";
}

/// Overrides of tests/data/dbn_bars_and_stripes.ini for a float DBM with
/// `hidden` layers, pretrained for `pretrain` epochs per layer, then
/// `epochs` joint PCD epochs, reconstruction measured every `every`.
std::vector<std::string> float_dbm_run(const std::string& hidden, int pretrain, int epochs, int every) {
  return {"model.type=dbm",
          "dbm.hidden=" + hidden,
          "dbm.pretrain_epochs=" + std::to_string(pretrain),
          "model.scalar=float",
          "training.estimator=pcd",
          "training.epochs=" + std::to_string(epochs),
          "sgd.momentum=0.5",
          "monitor.list=reconstruction",
          "monitor.every=" + std::to_string(every),
          "output.checkpoint_every=100"};
}

const std::string bars_and_stripes_config = std::string(EBM_TEST_DATA_DIR) + "/dbn_bars_and_stripes.ini";

/// The uninterrupted run with `overrides`, its model saved as tmp/full.ebm.
ebm::ExperimentResult uninterrupted_run(std::vector<std::string> overrides, const test::TempDir& tmp) {
  overrides.push_back("output.model=" + (tmp / "full.ebm"));
  return ebm::run_experiment(ebm::load_experiment_config(bars_and_stripes_config, overrides));
}

/// Two runs ended with bit-identical parameters, updates and histories.
void check_same_run(const std::string& model_a, const ebm::ExperimentResult& a, const std::string& model_b,
                    const ebm::ExperimentResult& b) {
  auto ma = ebm::load_model<float>(model_a);
  auto mb = ebm::load_model<float>(model_b);
  BOOST_TEST(test::same_parameters(*ma.model, *mb.model));
  BOOST_TEST(a.updates == b.updates);
  BOOST_REQUIRE_EQUAL(a.history.size(), b.history.size());
  for (std::size_t e = 0; e < a.history.size(); ++e) {
    const double x = a.history[e].get("reconstruction_error_train"), y = b.history[e].get("reconstruction_error_train");
    BOOST_TEST(((std::isnan(x) && std::isnan(y)) || x == y), "epoch " << a.history[e].epoch);
  }
}

}  // namespace

// The pretraining stage is recorded in the checkpoint: a run interrupted in
// its first joint epoch (before any joint checkpoint) resumes from the
// checkpoint written right after pretraining, does not pretrain again, and
// ends bit-identical to the uninterrupted run.
BOOST_AUTO_TEST_CASE(a_run_interrupted_after_pretraining_resumes_without_pretraining_again) {
  test::TempDir tmp("ebm_dbm_pretraining");
  const std::string& config = bars_and_stripes_config;
  const std::vector<std::string> common = float_dbm_run("8,4", 20, 4, 2);
  const auto a = uninterrupted_run(common, tmp);
  auto stopped = common;
  stopped.push_back("output.checkpoint=" + (tmp / "run.ckpt"));
  StopAfterEpoch1 stop;
  BOOST_CHECK_THROW(ebm::run_experiment(ebm::load_experiment_config(config, stopped), &stop), std::runtime_error);
  const auto b = ebm::resume_experiment(tmp / "run.ckpt", {"output.model=" + (tmp / "resumed.ebm")});
  BOOST_TEST(!pretraining_note(a).empty());
  BOOST_TEST(pretraining_note(b).empty());
  check_same_run(tmp / "full.ebm", a, tmp / "resumed.ebm", b);
}

// A run interrupted inside pretraining (three hidden layers: the bottom,
// middle and top RBMs' doublings) resumes at the next layer's RBM from the
// checkpoint written after the last finished one -- the finished RBMs'
// up-passes recomputed from the archived progress -- and ends bit-identical
// to the uninterrupted run; a second interruption inside the resumed run
// resumes again.
BOOST_AUTO_TEST_CASE(a_run_interrupted_inside_pretraining_resumes_at_the_next_layer) {
  test::TempDir tmp("ebm_dbm_pretraining_inside");
  const std::string& config = bars_and_stripes_config;
  const std::vector<std::string> common = float_dbm_run("8,4,3", 6, 3, 1);
  const auto a = uninterrupted_run(common, tmp);
  BOOST_TEST(pretraining_note(a).find("resumed") == std::string::npos);

  auto stopped = common;
  stopped.push_back("output.checkpoint=" + (tmp / "run.ckpt"));
  StopAtTrainerStart at2(2);  // RBM 2's first minibatch
  BOOST_CHECK_THROW(ebm::run_experiment(ebm::load_experiment_config(config, stopped), &at2), std::runtime_error);
  BOOST_TEST(at2.pretraining_epochs == 6);  // the observer was told RBM 1's epochs, marked
  {
    const auto checkpoint = ebm::load_checkpoint<float>(tmp / "run.ckpt");
    const auto& dbm = dynamic_cast<const ebm::DeepBoltzmannMachine<float>&>(*checkpoint.model);
    BOOST_TEST(dbm.pretrained_levels() == 1u);
    BOOST_TEST(dbm.pretraining_upper_biases().size() == 1u);
    BOOST_TEST(checkpoint.steps == 0u);
  }
  StopAtTrainerStart at3(2);  // the resumed run starts at RBM 2: RBM 3's first minibatch
  BOOST_CHECK_THROW(ebm::resume_experiment(tmp / "run.ckpt", {}, &at3), std::runtime_error);
  const auto b = ebm::resume_experiment(tmp / "run.ckpt", {"output.model=" + (tmp / "resumed.ebm")});
  BOOST_TEST(pretraining_note(b).find("resumed at layer 3") != std::string::npos);
  check_same_run(tmp / "full.ebm", a, tmp / "resumed.ebm", b);
  // The finished model's archive says pretraining is done.
  auto finished = ebm::load_model<float>(tmp / "resumed.ebm");
  const auto& dbm = dynamic_cast<const ebm::DeepBoltzmannMachine<float>&>(*finished.model);
  BOOST_TEST(dbm.pretrained_levels() == 3u);
  BOOST_TEST(dbm.pretraining_upper_biases().empty());
}
