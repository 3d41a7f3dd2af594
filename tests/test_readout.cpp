// The softmax-regression readout (libebm/readout/softmax_regression.hpp):
// its gradient against finite differences, an analytic optimum, planted
// linearly separable data, a planted softmax model recovered within its
// statistical error; and the generic Model::features it reads.
#define BOOST_TEST_MODULE readout
#include <boost/test/unit_test.hpp>

#include "libebm/error.hpp"
#include "libebm/readout/softmax_regression.hpp"
#include "test_support.hpp"

namespace {

/// Labels drawn from a softmax model with parameters `theta` (K x (d+1)).
arma::urowvec draw_labels(const arma::mat& theta, const arma::mat& x, ebm::Rng& rng) {
  arma::urowvec y(x.n_cols);
  arma::mat u(1, x.n_cols);
  rng.fill_uniform(u);
  for (arma::uword i = 0; i < x.n_cols; ++i) {
    arma::vec s = theta.head_cols(x.n_rows) * x.col(i) + theta.col(x.n_rows);
    s = arma::exp(s - s.max());
    s /= arma::accu(s);
    double c = 0;
    y[i] = s.n_elem - 1;
    for (arma::uword k = 0; k < s.n_elem; ++k)
      if (u(0, i) < (c += s[k])) {
        y[i] = k;
        break;
      }
  }
  return y;
}

}  // namespace

BOOST_AUTO_TEST_CASE(gradient_matches_finite_differences) {
  ebm::Rng rng(1);
  arma::mat x(4, 30), theta(3, 5);
  rng.fill_normal(x, 0.0, 1.0);
  rng.fill_normal(theta, 0.0, 1.0);
  arma::urowvec y(30);
  for (arma::uword i = 0; i < 30; ++i) y[i] = i % 3;
  for (double l2 : {0.0, 0.3}) {
    arma::mat g;
    ebm::SoftmaxRegression<double>::objective(theta, x, y, l2, &g);
    const double h = 1e-6;
    for (arma::uword e = 0; e < theta.n_elem; ++e) {
      arma::mat plus = theta, minus = theta;
      plus[e] += h, minus[e] -= h;
      const double fd = (ebm::SoftmaxRegression<double>::objective(plus, x, y, l2, nullptr) -
                         ebm::SoftmaxRegression<double>::objective(minus, x, y, l2, nullptr)) /
                        (2 * h);
      BOOST_TEST(g[e] == fd, boost::test_tools::tolerance(1e-7));
    }
  }
  // The objective itself, by the formula: at theta = 0 it is log K.
  BOOST_TEST(ebm::SoftmaxRegression<double>::objective(arma::mat(3, 5, arma::fill::zeros), x, y, 0.3, nullptr) ==
                 std::log(3.0),
             boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(without_features_the_fit_is_the_class_frequencies) {
  // One constant-zero feature: only the biases matter, and the minimum of
  // the (unpenalised) cross-entropy has p(k) = the class frequency.
  arma::mat x(1, 100, arma::fill::zeros);
  arma::urowvec y(100);
  for (arma::uword i = 0; i < 100; ++i) y[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
  ebm::SoftmaxRegression<double> r;
  ebm::SoftmaxRegressionOptions o;
  o.l2 = 0.5;
  o.gradient_tolerance = 1e-10;
  r.fit(x, y, 3, o);
  BOOST_TEST(r.converged());
  const arma::mat p = r.probabilities(x.col(0));
  BOOST_TEST(p(0, 0) == 0.5, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(p(1, 0) == 0.3, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(p(2, 0) == 0.2, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(r.final_objective() == -(0.5 * std::log(0.5) + 0.3 * std::log(0.3) + 0.2 * std::log(0.2)),
             boost::test_tools::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(linearly_separable_planted_classes_are_separated) {
  ebm::Rng rng(7);
  const arma::uword d = 6, k = 4;
  arma::mat planted(k, d + 1);
  rng.fill_normal(planted, 0.0, 3.0);
  arma::mat x(d, 3000);
  rng.fill_normal(x, 0.0, 1.0);
  // Labels: the argmax of the planted scores (noise-free, separable).
  arma::urowvec y(x.n_cols);
  for (arma::uword i = 0; i < x.n_cols; ++i)
    y[i] = arma::vec(planted.head_cols(d) * x.col(i) + planted.col(d)).index_max();
  const arma::mat x_train = x.head_cols(2000), x_test = x.tail_cols(1000);
  const arma::urowvec y_train = y.head(2000), y_test = y.tail(1000);
  for (bool single : {false, true}) {
    ebm::SoftmaxRegressionOptions o;
    o.l2 = 1e-6;
    o.max_iterations = 500;
    double train_acc = 0, test_acc = 0;
    if (single) {
      ebm::SoftmaxRegression<float> r;
      r.fit(arma::conv_to<arma::fmat>::from(x_train), y_train, k, o);
      train_acc = r.accuracy(arma::conv_to<arma::fmat>::from(x_train), y_train);
      test_acc = r.accuracy(arma::conv_to<arma::fmat>::from(x_test), y_test);
    } else {
      ebm::SoftmaxRegression<double> r;
      r.fit(x_train, y_train, k, o);
      train_acc = r.accuracy(x_train, y_train);
      test_acc = r.accuracy(x_test, y_test);
    }
    BOOST_TEST_MESSAGE((single ? "float" : "double") << ": train " << train_acc << ", test " << test_acc);
    BOOST_TEST(train_acc > 0.99);
    BOOST_TEST(test_acc > 0.97);
  }
  // Teeth: chance is about 1/4; the same labels shuffled are not learnable.
  ebm::SoftmaxRegression<double> r;
  arma::urowvec shuffled = y_train;
  for (arma::uword i = 0; i < shuffled.n_elem; ++i) shuffled[i] = y_train[(i * 7919) % shuffled.n_elem];
  r.fit(x_train, shuffled, k, {});
  BOOST_TEST(r.accuracy(x_test, y_test) < 0.6);
}

BOOST_AUTO_TEST_CASE(a_planted_softmax_model_is_recovered) {
  // Maximum likelihood is consistent: with 40,000 draws from a known softmax
  // model the fit is close to it.  Parameters are identified only up to a
  // common shift across classes, so compare differences to class 0.
  ebm::Rng rng(11);
  const arma::uword d = 3, k = 3, n = 40000;
  arma::mat planted(k, d + 1);
  rng.fill_normal(planted, 0.0, 1.0);
  arma::mat x(d, n);
  rng.fill_normal(x, 0.0, 1.0);
  const arma::urowvec y = draw_labels(planted, x, rng);
  ebm::SoftmaxRegression<double> r;
  ebm::SoftmaxRegressionOptions o;
  o.l2 = 0;
  o.gradient_tolerance = 1e-9;
  r.fit(x, y, k, o);
  BOOST_TEST(r.converged());
  const arma::mat fitted = r.parameters().each_row() - arma::rowvec(r.parameters().row(0));
  const arma::mat truth = planted.each_row() - arma::rowvec(planted.row(0));
  // Standard errors of these parameters are about 1/sqrt(n p(1-p)) ~ 0.01;
  // 0.08 is many of them.
  BOOST_TEST(arma::abs(fitted - truth).max() < 0.08);
  // At the optimum the gradient vanishes.
  arma::mat g;
  ebm::SoftmaxRegression<double>::objective(r.parameters(), x, y, 0, &g);
  BOOST_TEST(arma::abs(g).max() < 1e-8);
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_contract_errors) {
  ebm::SoftmaxRegression<double> r;
  arma::mat x(2, 3, arma::fill::zeros);
  BOOST_CHECK_THROW(r.fit(x, arma::urowvec{0, 1}, 2), ebm::ContractError);
  BOOST_CHECK_THROW(r.fit(x, arma::urowvec{0, 1, 2}, 2), ebm::ContractError);
  BOOST_CHECK_THROW(r.predict(x), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(an_rbms_features_are_its_hidden_means) {
  // The generic Model::features: layer 0 the data, layer 1 E[h | v].
  auto rbm = test::random_rbm(4, 3, 5);
  const arma::mat v = test::all_binary_states(4);
  arma::mat f0, f1;
  rbm->features(v, 0, f0);
  rbm->features(v, 1, f1);
  BOOST_TEST(arma::approx_equal(f0, v, "absdiff", 0.0));
  const test::Params p(*rbm);
  for (arma::uword n = 0; n < v.n_cols; ++n)
    for (arma::uword j = 0; j < 3; ++j) {
      double a = p.c[j];
      for (arma::uword i = 0; i < 4; ++i) a += v(i, n) * p.w(i, j);
      BOOST_TEST(f1(j, n) == 1.0 / (1.0 + std::exp(-a)), boost::test_tools::tolerance(1e-14));
    }
  BOOST_TEST(rbm->n_feature_layers() == 2u);
  BOOST_CHECK_THROW(rbm->features(v, 2, f0), ebm::ContractError);
}
