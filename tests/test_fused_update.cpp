// The fused update (libebm/gradient_factors.hpp): an estimator leaves a
// dense connection's weight term as outer products of its states and the
// update rule folds them into its GEMMs.  Checked against the materialised
// path -- estimate() then apply(), the formula of tests/test_hot_loop.cpp's
// sgd_step_follows_its_formula -- for CD and PCD, SGD with and without
// momentum and weight decay: equal to rounding (double: 1e-12 relative over
// many steps; float: one step within Higham's bound for the two GEMMs).
// And that what must not be fused is not: estimators that do not opt in
// and rules without their own apply_factored give bit for bit the
// materialised numbers; with centering the Trainer's result is bit for bit
// the centered path's.
#define BOOST_TEST_MODULE fused_update
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "libebm/data/minibatches.hpp"
#include "libebm/training/centering.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "tests/test_support.hpp"

namespace {

using test::random_binary;

template <typename eT>
std::unique_ptr<ebm::GradientEstimator<eT>> make_estimator(const std::string& kind, unsigned k) {
  auto sampler = std::make_unique<ebm::BlockGibbsSampler<eT>>();
  if (kind == "cd") return std::make_unique<ebm::ContrastiveDivergence<eT>>(std::move(sampler), k);
  return std::make_unique<ebm::PersistentContrastiveDivergence<eT>>(std::move(sampler), k);
}

struct SgdCase {
  const char* name;
  double momentum, initial_momentum, weight_decay;
  arma::uword warmup_epochs;
};

// No momentum (the velocity-free path) with and without decay; momentum
// with and without decay (the velocity path); a warm-up from momentum 0 to
// 0.5 (the velocity path at momentum 0, then its velocity read).
const SgdCase sgd_cases[] = {{"plain", 0, 0, 0, 0},
                             {"decay", 0, 0, 0.01, 0},
                             {"momentum", 0.9, 0.9, 0, 0},
                             {"momentum+decay", 0.9, 0.9, 0.01, 0},
                             {"warm-up", 0.5, 0, 0.01, 1}};

ebm::SgdOptions sgd_options(const SgdCase& c, double lr) {
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, lr);
  o.momentum = c.momentum;
  o.initial_momentum = c.initial_momentum;
  o.weight_decay = c.weight_decay;
  o.momentum_warmup_epochs = c.warmup_epochs;
  return o;
}

/// Largest |a - b| over the largest |a|, over every matrix.
template <typename eT>
double relative_difference(const std::vector<arma::Mat<eT>>& a, const std::vector<arma::Mat<eT>>& b) {
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(arma::abs(a[i] - b[i]).max()));
    scale = std::max(scale, double(arma::abs(a[i]).max()));
  }
  return diff / scale;
}

template <typename eT>
std::vector<arma::Mat<eT>> values(const ebm::ParameterList<eT>& parameters) {
  std::vector<arma::Mat<eT>> out;
  for (const auto& p : parameters) out.push_back(*p.value);
  return out;
}

/// Two copies of one model (make() twice), each with its own estimator
/// (`kind`, k steps), SGD rule (case c, rate lr) and generator (`seed`):
/// `a` trained the materialised way, `b` the fused way.
template <typename eT>
struct Twins {
  template <class Make>
  Twins(Make make, const std::string& kind, unsigned k, const SgdCase& c, double lr, std::uint64_t seed)
      : a(make()),
        b(make()),
        ea(make_estimator<eT>(kind, k)),
        eb(make_estimator<eT>(kind, k)),
        ra(sgd_options(c, lr)),
        rb(sgd_options(c, lr)),
        pa(a->parameters()),
        pb(b->parameters()),
        rng_a(seed),
        rng_b(seed) {}

  /// One minibatch: estimate() + apply() on a, estimate_factored() +
  /// apply_factored() on b (`factored` keeps b's factors for the caller).
  void step(const arma::Mat<eT>& batch, const ebm::StepContext& context) {
    ea->estimate(*a, batch, gradient, rng_a);
    ra.apply(pa, gradient, context);
    eb->estimate_factored(*b, batch, factored, rng_b);
    rb.apply_factored(pb, factored, context);
  }

  std::unique_ptr<ebm::Rbm<eT>> a, b;
  std::unique_ptr<ebm::GradientEstimator<eT>> ea, eb;
  ebm::Sgd<eT> ra, rb;
  const ebm::ParameterList<eT> pa, pb;
  ebm::Rng rng_a, rng_b;
  ebm::Statistics<eT> gradient;
  ebm::FactoredGradient<eT> factored;
};

/// An update rule with no apply_factored of its own: plain gradient ascent.
template <typename eT>
class PlainAscent : public ebm::UpdateRule<eT> {
 public:
  std::string type_name() const override { return "plain_ascent"; }
  void apply(const ebm::ParameterList<eT>& parameters, const ebm::Statistics<eT>& gradient,
             const ebm::StepContext&) override {
    for (std::size_t i = 0; i < parameters.size(); ++i) *parameters[i].value += eT(0.05) * gradient[i];
  }
  void reset() override {}
};

}  // namespace

BOOST_AUTO_TEST_CASE(factors_are_the_dense_weight_terms_and_materialise_bit_for_bit) {
  // For an RBM the weights (parameter 2) are factored, the biases not, and
  // materialise() gives the plain path's gradient to the last bit.
  auto rbm = test::random_rbm<double>(12, 7, 1, 0.5);
  const arma::mat batch = random_binary<double>(12, 15, 2);
  for (const char* kind : {"cd", "pcd"}) {
    auto plain = make_estimator<double>(kind, 2), fused = make_estimator<double>(kind, 2);
    ebm::Rng rng_plain(3), rng_fused(3);
    for (int repeat = 0; repeat < 2; ++repeat) {  // buffers reused
      ebm::Statistics<double> gradient;
      ebm::FactoredGradient<double> factored;
      plain->estimate(*rbm, batch, gradient, rng_plain);
      fused->estimate_factored(*rbm, batch, factored, rng_fused);
      BOOST_REQUIRE_EQUAL(factored.factors.size(), 3u);
      BOOST_TEST(!factored.is_factored(0));
      BOOST_TEST(!factored.is_factored(1));
      BOOST_TEST(factored.is_factored(2));
      BOOST_TEST(factored.factors[2].size() == 2u);
      // The states are the factors: alpha = 1/B and -1/B.
      BOOST_TEST(factored.factors[2][0].alpha == 1.0 / 15);
      BOOST_TEST(factored.factors[2][1].alpha == -1.0 / 15);
      factored.materialise();
      BOOST_TEST(!factored.any_factored());
      for (std::size_t i = 0; i < gradient.size(); ++i)
        BOOST_TEST(arma::approx_equal(factored.gradient[i], gradient[i], "absdiff", 0.0), kind << " parameter " << i);
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_sgd_equals_materialised_sgd_in_double) {
  // Twelve steps of CD-1, CD-3 and PCD-1 on two copies of an RBM, one
  // through estimate() + apply(), one through estimate_factored() +
  // apply_factored(), the same seeds: the parameters (and the velocity,
  // where one is kept) agree within 1e-12 relative after every step.
  const arma::mat data = random_binary<double>(16, 120, 11);
  for (const SgdCase& c : sgd_cases) {
    for (const auto& [kind, k] : {std::pair<const char*, unsigned>{"cd", 1}, {"cd", 3}, {"pcd", 1}}) {
      Twins<double> t([] { return test::random_rbm<double>(16, 9, 12, 0.3); }, kind, k, c, 0.1, 13);
      ebm::StepContext step;
      step.epochs = 3;
      step.steps_per_epoch = 4;
      double worst = 0, worst_velocity = 0;
      for (arma::uword s = 0; s < 12; ++s) {
        step.step = s;
        step.epoch = s / 4;
        t.step(data.cols(10 * s, 10 * s + 9), step);
        BOOST_REQUIRE(t.factored.is_factored(2));
        worst = std::max(worst, relative_difference(values(t.pa), values(t.pb)));
        if (c.momentum > 0)
          worst_velocity = std::max(worst_velocity, relative_difference(t.ra.velocity(), t.rb.velocity()));
      }
      BOOST_TEST_MESSAGE(c.name << " " << kind << "-" << k << ": parameters " << worst << ", velocity "
                                << worst_velocity);
      BOOST_TEST(worst < 1e-12, c.name << " " << kind << "-" << k);
      BOOST_TEST(worst_velocity < 1e-12, c.name << " " << kind << "-" << k);
      // Not vacuous: training moved the weights by far more than that.
      BOOST_TEST(arma::abs(t.a->weights() - test::random_rbm<double>(16, 9, 12, 0.3)->weights()).max() > 1e-3);
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_sgd_equals_materialised_sgd_in_float) {
  // One step from the same state (the same draws, so the same states): the
  // two float results differ by no more than the rounding both paths may
  // commit, |error| <= (gamma_{2B+4} + gamma_{B+4}) (|theta| + |m v| + lr |X+||Y+|^T / B +
  // lr |X-||Y-|^T / B + lr wd |theta|) elementwise (Higham, "Accuracy and
  // stability of numerical algorithms", 2nd ed., eq. 3.13 for the products,
  // a few roundings for the sums) -- and a wrong alpha, sign or decay
  // misses that by orders of magnitude.
  const arma::uword nv = 40, nh = 25, batch_size = 20;
  const arma::fmat data = random_binary<float>(nv, 2 * batch_size, 21);
  const double eps = std::numeric_limits<float>::epsilon();
  for (const SgdCase& c : sgd_cases) {
    for (const char* kind : {"cd", "pcd"}) {
      Twins<float> t([&] { return test::random_rbm<float>(nv, nh, 22, 0.3); }, kind, 1, c, 0.1, 23);
      auto &a = t.a, &b = t.b;
      auto &ea = t.ea, &eb = t.eb;
      auto &ra = t.ra, &rb = t.rb;
      const auto &pa = t.pa, &pb = t.pb;
      ebm::StepContext step;
      step.epochs = 2;
      step.steps_per_epoch = 1;
      // A first step gives the momentum cases a velocity (both rules the
      // materialised way, so the second step starts from equal states).
      const arma::fmat first = data.cols(0, batch_size - 1), second = data.cols(batch_size, 2 * batch_size - 1);
      ea->estimate(*a, first, t.gradient, t.rng_a);
      ra.apply(pa, t.gradient, step);
      eb->estimate(*b, first, t.gradient, t.rng_b);
      rb.apply(pb, t.gradient, step);
      BOOST_REQUIRE(arma::approx_equal(a->weights(), b->weights(), "absdiff", 0.0f));
      step.step = step.epoch = 1;
      const arma::mat theta = arma::conv_to<arma::mat>::from(a->weights());
      const arma::mat velocity = arma::conv_to<arma::mat>::from(ra.velocity()[2]);
      t.step(second, step);
      BOOST_REQUIRE(t.factored.is_factored(2));
      for (std::size_t i = 0; i < 2; ++i)  // the biases take the same pass
        BOOST_TEST(arma::approx_equal(*pa[i].value, *pb[i].value, "absdiff", 0.0f));
      const auto abs_d = [](const arma::fmat& x) { return arma::mat(arma::abs(arma::conv_to<arma::mat>::from(x))); };
      const ebm::State<float>& pos = ea->positive_state();
      const ebm::State<float>& neg = ea->negative_state();
      const double lr = 0.1, m = c.momentum;
      const arma::mat scale = (1 + lr * c.weight_decay) * arma::abs(theta) + m * arma::abs(velocity) +
                              lr * abs_d(pos.layers[0]) * abs_d(pos.layers[1]).t() / double(batch_size) +
                              lr * abs_d(neg.layers[0]) * abs_d(neg.layers[1]).t() / double(batch_size);
      // The fused path sums 2B products in one GEMM (joined factors), the
      // materialised one B at a time.
      const auto gamma_of = [eps](double n) { return n * eps / (1 - n * eps); };
      const double gamma = 0.5 * (gamma_of(double(2 * batch_size + 4)) + gamma_of(double(batch_size + 4)));
      const arma::mat error =
          arma::abs(arma::conv_to<arma::mat>::from(a->weights()) - arma::conv_to<arma::mat>::from(b->weights()));
      const double ratio = (error / (2 * gamma * scale)).max();
      BOOST_TEST_MESSAGE(c.name << " " << kind << ": float error / bound " << ratio << ", largest error "
                                << error.max());
      BOOST_TEST(ratio <= 1.0, c.name << " " << kind);
      // The step moved the weights by far more than the bound.
      BOOST_TEST(arma::abs(arma::conv_to<arma::mat>::from(a->weights()) - theta).max() > 1e3 * error.max());
    }
  }
}

BOOST_AUTO_TEST_CASE(what_cannot_be_factored_is_materialised) {
  // An estimator that does not opt in (the exact gradient) leaves no
  // factors; an update rule without its own apply_factored materialises
  // them: both bit for bit the numbers of estimate() + apply().
  auto rbm = test::random_rbm<double>(6, 4, 31, 0.5);
  const arma::mat batch = random_binary<double>(6, 8, 32);
  {
    ebm::ExactGradient<double> plain, fused;
    ebm::Statistics<double> gradient;
    ebm::FactoredGradient<double> factored;
    ebm::Rng rng_a(33), rng_b(33);
    plain.estimate(*rbm, batch, gradient, rng_a);
    fused.estimate_factored(*rbm, batch, factored, rng_b);
    BOOST_TEST(!factored.any_factored());
    for (std::size_t i = 0; i < gradient.size(); ++i)
      BOOST_TEST(arma::approx_equal(factored.gradient[i], gradient[i], "absdiff", 0.0));
  }
  {
    auto a = test::random_rbm<double>(6, 4, 31, 0.5), b = test::random_rbm<double>(6, 4, 31, 0.5);
    auto ea = make_estimator<double>("cd", 1), eb = make_estimator<double>("cd", 1);
    PlainAscent<double> ra, rb;
    ebm::Statistics<double> gradient;
    ebm::FactoredGradient<double> factored;
    ebm::Rng rng_a(34), rng_b(34);
    for (int s = 0; s < 3; ++s) {
      ea->estimate(*a, batch, gradient, rng_a);
      ra.apply(a->parameters(), gradient, ebm::StepContext{});
      eb->estimate_factored(*b, batch, factored, rng_b);
      BOOST_TEST(factored.is_factored(2));
      rb.apply_factored(b->parameters(), factored, ebm::StepContext{});
    }
    BOOST_TEST(test::same_parameters(*a, *b));
  }
}

BOOST_AUTO_TEST_CASE(gaussian_units_with_a_learned_variance_keep_the_weights_factored) {
  // The weight term of Gaussian-Bernoulli units is still X+ Y+^T / B -
  // X- Y-^T / B of the states (interaction = identity); the log-variance
  // gradient is a layer statistic and stays materialised.  Ten CD-1 steps
  // with momentum and decay agree with the materialised path in double.
  const auto make = [] {
    auto rbm = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::GaussianLayer<double>>(10, 1.0, true),
                                                  std::make_unique<ebm::BernoulliLayer<double>>(6));
    ebm::Rng rng(51);
    rng.fill_normal(rbm->weights(), 0.0, 0.1);
    return rbm;
  };
  const arma::mat data = test::random_normal(10, 100, 52);
  const SgdCase c{"momentum+decay", 0.9, 0.9, 0.01, 0};
  Twins<double> t(make, "cd", 1, c, 0.01, 53);
  BOOST_REQUIRE_EQUAL(t.pa.size(), 4u);  // visible bias, log-variance, hidden bias, weights
  double worst = 0;
  for (arma::uword s = 0; s < 10; ++s) {
    t.step(data.cols(10 * s, 10 * s + 9), ebm::StepContext{});
    BOOST_TEST(!t.factored.is_factored(1));
    BOOST_TEST(t.factored.is_factored(3));
    worst = std::max(worst, relative_difference(values(t.pa), values(t.pb)));
  }
  BOOST_TEST_MESSAGE("learned-variance Gaussian: parameters " << worst);
  BOOST_TEST(worst < 1e-12);
  BOOST_TEST(arma::abs(t.a->weights() - make()->weights()).max() > 1e-3);
}

namespace {

/// The Trainer's loop written out (one process), either path: estimate +
/// Centering::update + slide, or estimate_factored + apply_factored.
template <typename eT>
void reference_loop(ebm::Model<eT>& model, ebm::GradientEstimator<eT>& estimator, ebm::UpdateRule<eT>& rule,
                    const arma::Mat<eT>& data, arma::uword epochs, arma::uword batch_size,
                    const ebm::Centering<eT>* centering, ebm::Rng& rng) {
  if (centering) centering->initialize(model, data);
  ebm::Minibatches batches(data.n_cols, batch_size);
  const ebm::ParameterList<eT> parameters = model.parameters();
  ebm::StepContext step;
  step.epochs = epochs;
  step.steps_per_epoch = batches.n_batches();
  ebm::Statistics<eT> gradient, means;
  ebm::FactoredGradient<eT> factored;
  arma::Mat<eT> batch;
  for (arma::uword epoch = 0; epoch < epochs; ++epoch) {
    batches.shuffle(rng);
    for (arma::uword b = 0; b < batches.n_batches(); ++b, ++step.step) {
      step.epoch = epoch;
      batches.gather(b, data, batch);
      estimator.set_global_batch_size(batch.n_cols);
      estimator.set_batch_cases(batches.index_view(b, 0, batch.n_cols), data.n_cols);
      if (centering) {
        estimator.estimate(model, batch, gradient, rng);
        centering->batch_means(estimator.positive_state(), batch.n_cols, means);
        centering->update(model, parameters, gradient, rule, step);
        centering->slide(model, means);
      } else {
        estimator.estimate_factored(model, batch, factored, rng);
        rule.apply_factored(parameters, factored, step);
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_trainer_fuses_unless_centering) {
  // Without centering the Trainer's result is bit for bit the fused loop's;
  // with centering, bit for bit the materialised centered loop's (whose
  // update needs the whole gradient).
  const arma::mat data = test::bars_and_stripes(3);  // 9 units, 14 patterns
  const arma::mat train = arma::repmat(data, 1, 4);
  for (bool centered : {false, true}) {
    auto a = test::random_rbm<double>(9, 5, 41, 0.1), b = test::random_rbm<double>(9, 5, 41, 0.1);
    auto ea = make_estimator<double>("pcd", 1), eb = make_estimator<double>("pcd", 1);
    const SgdCase c{"momentum+decay", 0.5, 0.5, 0.001, 0};
    ebm::Sgd<double> ra(sgd_options(c, 0.05)), rb(sgd_options(c, 0.05));
    ebm::TrainerOptions options;
    options.epochs = 3;
    options.batch_size = 8;
    if (centered) options.centering.mode = ebm::CenteringMode::data_and_hidden;
    ebm::Trainer<double> trainer(*a, *ea, ra, options);
    ebm::Rng rng_a(42), rng_b(42);
    trainer.train(train, nullptr, rng_a);
    const ebm::Centering<double> centering(options.centering);
    reference_loop<double>(*b, *eb, rb, train, options.epochs, options.batch_size, centered ? &centering : nullptr,
                           rng_b);
    BOOST_TEST(test::same_parameters(*a, *b), (centered ? "centered" : "plain"));
  }
}
