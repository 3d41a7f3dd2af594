// Training raises the exact log-likelihood of bars-and-stripes toward its
// optimum -log(number of patterns) (test 5), and the same seed gives the
// same parameters bit for bit (test 7).
#define BOOST_TEST_MODULE training
#include <boost/test/unit_test.hpp>

#include "libebm/monitors/exact_log_likelihood.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace {

struct Run {
  std::string estimator = "cd";
  unsigned k = 1;
  arma::uword hidden = 16;
  arma::uword chains = 0;
  double learning_rate = 0.1;
  double final_learning_rate = 0.01;  // linear decay: lets the noisy estimates settle
  double momentum = 0.5;
  arma::uword epochs = 20000;
  arma::uword batch_size = 0;  // 0: the whole data set
  arma::uword monitor_every = 2000;
  std::uint64_t seed = 1;
};

struct Outcome {
  std::vector<double> log_likelihood;  // per monitored epoch, epoch 0 first
  double best = -INFINITY;
  std::unique_ptr<ebm::Rbm<double>> rbm;
};

Outcome train_bars_and_stripes(arma::uword n, const Run& run) {
  const arma::mat data = test::bars_and_stripes(n);
  Outcome out;
  out.rbm = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::BernoulliLayer<double>>(n * n),
                                               std::make_unique<ebm::BernoulliLayer<double>>(run.hidden));
  ebm::Rng rng(run.seed);
  out.rbm->initialize(data, rng, 0.01);
  std::unique_ptr<ebm::GradientEstimator<double>> estimator;
  auto sampler = std::make_unique<ebm::BlockGibbsSampler<double>>();
  if (run.estimator == "cd")
    estimator = std::make_unique<ebm::ContrastiveDivergence<double>>(std::move(sampler), run.k);
  else
    estimator = std::make_unique<ebm::PersistentContrastiveDivergence<double>>(std::move(sampler), run.k, run.chains);
  ebm::SgdOptions sgd;
  sgd.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::linear, run.learning_rate,
                                           run.final_learning_rate);
  sgd.momentum = run.momentum;
  ebm::Sgd<double> rule(sgd);
  ebm::TrainerOptions options;
  options.epochs = run.epochs;
  options.batch_size = run.batch_size ? run.batch_size : data.n_cols;
  options.monitor_every = run.monitor_every;
  ebm::Trainer<double> trainer(*out.rbm, *estimator, rule, options);
  trainer.add_monitor(std::make_unique<ebm::ExactLogLikelihood<double>>());
  for (const auto& record : trainer.train(data, nullptr, rng)) {
    const double ll = record.get("log_likelihood_train");
    if (std::isnan(ll)) continue;
    out.log_likelihood.push_back(ll);
    out.best = std::max(out.best, ll);
  }
  return out;
}

std::string show(const std::vector<double>& v) {
  std::ostringstream s;
  for (double x : v) s << x << " ";
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(cd1_on_3x3_bars_and_stripes_gets_within_one_nat) {
  const double optimum = -std::log(14.0);
  Run run;
  const Outcome o = train_bars_and_stripes(3, run);
  BOOST_TEST_MESSAGE("3x3 CD-1: optimum " << optimum << ", curve " << show(o.log_likelihood));
  BOOST_TEST(o.log_likelihood.back() > optimum - 1.0);
}

BOOST_AUTO_TEST_CASE(cd10_on_4x4_bars_and_stripes_gets_within_one_nat) {
  const double optimum = -std::log(30.0);
  Run run;
  run.k = 10;
  const Outcome o = train_bars_and_stripes(4, run);
  BOOST_TEST_MESSAGE("4x4 CD-10: optimum " << optimum << ", curve " << show(o.log_likelihood));
  BOOST_TEST(o.log_likelihood.back() > optimum - 1.0);
}

BOOST_AUTO_TEST_CASE(pcd_on_4x4_bars_and_stripes_gets_within_one_and_a_half_nats) {
  const double optimum = -std::log(30.0);
  Run run;
  run.estimator = "pcd";
  run.chains = 500;
  // PCD's chains must keep up with the parameters: a small learning rate
  // (with momentum 0.5 and rate 0.05 the chains fall behind and it oscillates).
  run.learning_rate = 0.02;
  run.final_learning_rate = 0.002;
  run.momentum = 0.0;
  const Outcome o = train_bars_and_stripes(4, run);
  BOOST_TEST_MESSAGE("4x4 PCD-1: optimum " << optimum << ", curve " << show(o.log_likelihood));
  BOOST_TEST(o.log_likelihood.back() > optimum - 1.5);
}

BOOST_AUTO_TEST_CASE(cd1_on_4x4_bars_and_stripes_rises_clearly) {
  // CD-1 is biased here: it peaks 1.1-1.4 nats short of the optimum and can
  // then drift down (Fischer & Igel 2010), so only a clear rise is asked.
  Run run;
  const Outcome o = train_bars_and_stripes(4, run);
  BOOST_TEST_MESSAGE("4x4 CD-1: curve " << show(o.log_likelihood));
  BOOST_TEST(o.best > o.log_likelihood.front() + 5.0);
}

BOOST_AUTO_TEST_CASE(same_seed_gives_identical_parameters) {
  Run run;
  run.epochs = 50;
  run.batch_size = 5;
  run.monitor_every = 50;
  const Outcome a = train_bars_and_stripes(3, run), b = train_bars_and_stripes(3, run);
  BOOST_TEST(arma::approx_equal(a.rbm->weights(), b.rbm->weights(), "absdiff", 0.0));
  BOOST_TEST(arma::approx_equal(a.rbm->visible().bias(), b.rbm->visible().bias(), "absdiff", 0.0));
  BOOST_TEST(arma::approx_equal(a.rbm->hidden().bias(), b.rbm->hidden().bias(), "absdiff", 0.0));
  run.seed = 2;
  const Outcome c = train_bars_and_stripes(3, run);
  BOOST_TEST(!arma::approx_equal(a.rbm->weights(), c.rbm->weights(), "absdiff", 0.0));
}
