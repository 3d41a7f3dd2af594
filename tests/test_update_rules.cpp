// SGD with momentum and weight decay, and the learning-rate schedules,
// against their defining formulas.
#define BOOST_TEST_MODULE update_rules
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "libebm/training/sgd.hpp"

namespace tt = boost::test_tools;
using Kind = ebm::LearningRateSchedule::Kind;

BOOST_AUTO_TEST_CASE(sgd_follows_the_momentum_recursion) {
  arma::mat w(1, 2), b(1, 1);
  w(0, 0) = 1.0, w(0, 1) = -2.0, b(0, 0) = 0.5;
  ebm::ParameterList<double> params{{"w", &w, true}, {"b", &b, false}};
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(Kind::constant, 0.1);
  o.momentum = 0.9;
  o.weight_decay = 0.01;
  ebm::Sgd<double> sgd(o);
  ebm::Statistics<double> g{arma::mat(1, 2), arma::mat(1, 1)};
  g[0](0, 0) = 0.3, g[0](0, 1) = 0.4, g[1](0, 0) = -1.0;
  // Reference, by hand: v1 = lr (g - d w0); w1 = w0 + v1; v2 = m v1 + lr (g - d w1); w2 = w1 + v2.
  arma::mat w_ref = w, v_ref(1, 2, arma::fill::zeros);
  double b_ref = 0.5, vb = 0;
  ebm::StepContext step;
  for (int t = 0; t < 2; ++t) {
    sgd.apply(params, g, step);
    v_ref = (t == 0 ? 0.0 : 0.9) * v_ref + 0.1 * (g[0] - 0.01 * w_ref);
    w_ref += v_ref;
    vb = (t == 0 ? 0.0 : 0.9) * vb + 0.1 * g[1](0, 0);  // no decay on biases
    b_ref += vb;
  }
  BOOST_TEST(arma::approx_equal(w, w_ref, "absdiff", 1e-15));
  BOOST_TEST(b(0, 0) == b_ref, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(momentum_warms_up) {
  arma::mat w(1, 1, arma::fill::zeros);
  ebm::ParameterList<double> params{{"w", &w, true}};
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(Kind::constant, 1.0);
  o.initial_momentum = 0.5;
  o.momentum = 0.9;
  o.momentum_warmup_epochs = 1;
  ebm::Sgd<double> sgd(o);
  const ebm::Statistics<double> g{arma::mat(1, 1, arma::fill::ones)};
  ebm::StepContext step;
  sgd.apply(params, g, step);  // v = 1
  sgd.apply(params, g, step);  // epoch 0: v = 0.5 + 1
  BOOST_TEST(w(0, 0) == 2.5, tt::tolerance(1e-15));
  step.epoch = 1;
  sgd.apply(params, g, step);  // v = 0.9 * 1.5 + 1
  BOOST_TEST(w(0, 0) == 2.5 + 2.35, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(schedules_match_their_formulas) {
  ebm::StepContext step;
  step.epochs = 10;
  step.steps_per_epoch = 10;  // 100 steps in all
  step.step = 25;
  BOOST_TEST(ebm::LearningRateSchedule(Kind::constant, 0.1).at(step) == 0.1);
  BOOST_TEST(ebm::LearningRateSchedule(Kind::linear, 0.1, 0.02).at(step) == 0.1 - 0.08 * 0.25, tt::tolerance(1e-14));
  BOOST_TEST(ebm::LearningRateSchedule(Kind::exponential, 0.1, 0.001).at(step) == 0.1 * std::pow(0.01, 0.25),
             tt::tolerance(1e-14));
  BOOST_TEST(ebm::LearningRateSchedule(Kind::inverse, 0.1, 0, 0.5).at(step) == 0.1 / (1 + 0.5 * 2.5),
             tt::tolerance(1e-14));
  BOOST_TEST((ebm::LearningRateSchedule::parse_kind("linear") == Kind::linear));
  BOOST_CHECK_THROW(ebm::LearningRateSchedule::parse_kind("cosine"), ebm::InputError);
  BOOST_CHECK_THROW(ebm::LearningRateSchedule(Kind::constant, -1.0), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(bad_options_are_rejected) {
  ebm::SgdOptions o;
  o.momentum = 1.0;
  BOOST_CHECK_THROW(ebm::Sgd<double>{o}, ebm::InputError);
  o.momentum = 0.5;
  o.weight_decay = -1;
  BOOST_CHECK_THROW(ebm::Sgd<double>{o}, ebm::InputError);
}

BOOST_AUTO_TEST_CASE(a_misshapen_gradient_is_refused_naming_the_call) {
  arma::mat w(2, 3, arma::fill::zeros), b(2, 1, arma::fill::zeros);
  ebm::ParameterList<double> params{{"w", &w, true}, {"b", &b, false}};
  ebm::Sgd<double> sgd{ebm::SgdOptions{}};
  const ebm::StepContext step;
  const auto names = [](const char* call) {
    return [call](const ebm::ContractError& e) {
      const std::string what = e.what();
      return what.find(call) != std::string::npos && what.find("gradient of b has 3 elements") != std::string::npos;
    };
  };
  ebm::Statistics<double> g{arma::mat(2, 3, arma::fill::zeros), arma::mat(3, 1, arma::fill::zeros)};
  BOOST_CHECK_EXCEPTION(sgd.apply(params, g, step), ebm::ContractError, names("Sgd::apply()"));
  ebm::FactoredGradient<double> factored;
  factored.reset(2);
  factored.gradient = g;
  BOOST_CHECK_EXCEPTION(sgd.apply_factored(params, factored, step), ebm::ContractError,
                        names("Sgd::apply_factored()"));
}
