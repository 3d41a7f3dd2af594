// Centered training (issue 9) against its definition, by enumeration.
//
// The centered energy of a layered binary model is written here by loops,
// with every layer's units concatenated into one vector x, one symmetric
// coupling matrix K (zero diagonal) and offsets mu:
//     E_c(x) = -sum_i b_i x_i - sum_{i<j} K_ij (x_i - mu_i)(x_j - mu_j),
// and the tests check the library's pieces against it on a tiny RBM, a
// full BM (lateral couplings on both layers) and a 3-layer DBM:
//   - the centered biases it computes give the same distribution as the
//     ordinary model (E_c - E constant over every state);
//   - its centered gradient equals central differences of the exact
//     log-likelihood as a function of the centered parameters;
//   - one centered step is the step taken in centered coordinates;
// and that centered training through the one trainer works for every
// family (bars-and-stripes; resumption; archives).
#define BOOST_TEST_MODULE centering
#include <boost/test/unit_test.hpp>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/connections/dense_connection.hpp"
#include "libebm/connections/lateral_connection.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/training/centering.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/units/bernoulli_layer.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "libebm/units/softmax_layer.hpp"
#include "models/boltzmann_machine.hpp"
#include "models/deep_boltzmann_machine.hpp"
#include "models/rbm.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "tests/test_support.hpp"

namespace {

using Model = ebm::Model<double>;

/// Any layered binary model's blocks written into one coupling matrix by
/// entries: dense connections as blocks between layers, lateral couplings
/// as pairs i < j inside one.
test::Couplings couplings_of(const Model& model) {
  std::vector<arma::uword> start;
  arma::uword n = 0;
  for (arma::uword l = 0; l < model.n_layers(); ++l) start.push_back(n), n += model.layer(l).size();
  test::Couplings c(n, model.layer(0).size());
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    for (arma::uword i = 0; i < model.layer(l).size(); ++i) c.b[start[l] + i] = model.layer(l).bias()(i, 0);
  for (arma::uword k = 0; k < model.n_connections(); ++k) {
    const auto& connection = model.connection(k);
    const arma::uword a = start[connection.from()], b = start[connection.to()];
    if (const auto* dense = dynamic_cast<const ebm::DenseConnection<double>*>(&connection)) {
      c.set_block(a, b, dense->weights());
    } else if (const auto* lateral = dynamic_cast<const ebm::LateralConnection<double>*>(&connection)) {
      for (arma::uword i = 0; i < lateral->weights().n_rows; ++i)
        for (arma::uword j = i + 1; j < lateral->weights().n_cols; ++j)
          c.k(a + i, a + j) = c.k(a + j, a + i) = lateral->weights()(i, j);
    } else {
      BOOST_FAIL("unexpected connection type " + connection.type_name());
    }
  }
  return c;
}

arma::vec concatenated_offsets(const Model& model) {
  arma::vec mu;
  for (const auto& o : model.offsets()) mu = arma::join_cols(mu, arma::vec(o.col(0)));
  return mu;
}

/// E_c(x) with the biases and couplings of `c` and offsets `mu`, by loops.
double centered_energy(const test::Couplings& c, const arma::vec& mu, const double* x) {
  double e = 0;
  for (arma::uword i = 0; i < c.b.n_elem; ++i) e -= c.b[i] * x[i];
  for (arma::uword i = 0; i < c.b.n_elem; ++i)
    for (arma::uword j = i + 1; j < c.b.n_elem; ++j) e -= c.k(i, j) * (x[i] - mu[i]) * (x[j] - mu[j]);
  return e;
}

/// Mean exact log-likelihood of `data` under the centered energy.
double centered_log_likelihood(const test::Couplings& c, const arma::vec& mu, const arma::mat& data) {
  const arma::mat xs = c.states();
  std::vector<double> all;
  for (arma::uword s = 0; s < xs.n_cols; ++s) all.push_back(-centered_energy(c, mu, xs.colptr(s)));
  const double log_z = test::log_sum_exp(all);
  double total = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    std::vector<double> terms;
    for (arma::uword s = 0; s < xs.n_cols; ++s) {
      bool matches = true;
      for (arma::uword i = 0; i < c.n_visible && matches; ++i) matches = xs(i, s) == data(i, n);
      if (matches) terms.push_back(-centered_energy(c, mu, xs.colptr(s)));
    }
    total += test::log_sum_exp(terms) - log_z;
  }
  return total / double(data.n_cols);
}

/// The largest |(E_c - E)(x) - (E_c - E)(0)| over every state x: zero when
/// the two energies define the same distribution.
double energy_difference_spread(const test::Couplings& centered, const arma::vec& mu, const test::Couplings& ordinary) {
  const arma::mat xs = ordinary.states();
  const double d0 = centered_energy(centered, mu, xs.colptr(0)) - ordinary.energy(xs.colptr(0));
  double spread = 0;
  for (arma::uword s = 1; s < xs.n_cols; ++s)
    spread = std::max(spread, std::abs(centered_energy(centered, mu, xs.colptr(s)) - ordinary.energy(xs.colptr(s)) - d0));
  return spread;
}

std::unique_ptr<Model> random_rbm(std::uint64_t seed) { return test::random_rbm<double>(4, 3, seed, 1.0); }

std::unique_ptr<Model> random_bm(std::uint64_t seed) {
  auto bm = std::make_unique<ebm::BoltzmannMachine<double>>(std::make_unique<ebm::BernoulliLayer<double>>(4),
                                                            std::make_unique<ebm::BernoulliLayer<double>>(3));
  ebm::Rng rng(seed);
  rng.fill_normal(bm->weights(), 0.0, 1.0);
  rng.fill_normal(bm->visible().bias(), 0.0, 1.0);
  rng.fill_normal(bm->hidden().bias(), 0.0, 1.0);
  arma::mat l(4, 4), j(3, 3);
  rng.fill_normal(l, 0.0, 1.0);
  rng.fill_normal(j, 0.0, 1.0);
  bm->visible_lateral()->set_weights(l);
  bm->hidden_lateral()->set_weights(j);
  return bm;
}

std::unique_ptr<Model> random_dbm(std::uint64_t seed) {
  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  for (arma::uword n : {3, 3, 2}) layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(n));
  auto dbm = std::make_unique<ebm::DeepBoltzmannMachine<double>>(std::move(layers));
  ebm::Rng rng(seed);
  for (arma::uword l = 0; l < 3; ++l) rng.fill_normal(dbm->layer(l).bias(), 0.0, 1.0);
  for (arma::uword l = 1; l < 3; ++l) rng.fill_normal(dbm->weights(l), 0.0, 1.0);
  return dbm;
}

/// Offsets in (0.1, 0.9), one column per layer.
void give_random_offsets(Model& model, std::uint64_t seed) {
  ebm::Rng rng(seed);
  std::vector<arma::mat> offsets;
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    arma::mat u(model.layer(l).size(), 1);
    rng.fill_uniform(u);
    offsets.push_back(0.1 + 0.8 * u);
  }
  model.set_offsets(offsets);
}

using test::random_binary;

/// A Centering for its pieces (center_gradient, shift_biases), which use
/// the model's offsets, not the options.
const ebm::Centering<double>& centering_math() {
  static const ebm::Centering<double> centering{ebm::CenteringOptions{}};
  return centering;
}

using Factory = std::unique_ptr<Model> (*)(std::uint64_t);
const std::vector<std::pair<const char*, Factory>> families = {
    {"rbm", random_rbm}, {"bm", random_bm}, {"dbm", random_dbm}};

}  // namespace

BOOST_AUTO_TEST_CASE(centered_biases_define_the_same_distribution) {
  for (const auto& [family, make] : families) {
    BOOST_TEST_CONTEXT(family) {
      auto model = make(11);
      give_random_offsets(*model, 12);
      const test::Couplings ordinary = couplings_of(*model);
      centering_math().shift_biases(*model, +1);
      const test::Couplings centered = couplings_of(*model);
      const arma::vec mu = concatenated_offsets(*model);
      BOOST_TEST(energy_difference_spread(centered, mu, ordinary) < 1e-12);
      // The test's own reparameterisation (b_c = b + K mu) agrees.
      BOOST_TEST(arma::abs(centered.b - (ordinary.b + ordinary.k * mu)).max() < 1e-12);
      // The centered biases are not the ordinary ones (the test can fail)...
      BOOST_TEST(energy_difference_spread(ordinary, mu, ordinary) > 0.1);
      // ... and shifting back restores them.
      centering_math().shift_biases(*model, -1);
      BOOST_TEST(arma::abs(couplings_of(*model).b - ordinary.b).max() < 1e-12);
    }
  }
}

BOOST_AUTO_TEST_CASE(centered_gradient_is_the_derivative_in_centered_coordinates) {
  const arma::mat data = random_binary(4, 6, 21).eval();
  for (const auto& [family, make] : families) {
    BOOST_TEST_CONTEXT(family) {
      auto model = make(31);
      const arma::mat v = data.rows(0, model->layer(0).size() - 1);
      give_random_offsets(*model, 32);
      // The exact gradient (data term by enumeration: exact for every family).
      ebm::ExactGradient<double> exact(20, true);
      ebm::Statistics<double> gradient;
      ebm::Rng rng(1);
      exact.estimate(*model, v, gradient, rng);
      const ebm::Statistics<double> ordinary_gradient = gradient;
      centering_math().center_gradient(*model, gradient);

      // Central differences of the centered log-likelihood in the centered
      // parameters: the biases b_c and the couplings (a lateral pair
      // L_ij = L_ji moved together).
      centering_math().shift_biases(*model, +1);
      const arma::vec mu = concatenated_offsets(*model);
      auto f = [&] { return centered_log_likelihood(couplings_of(*model), mu, v); };
      const ebm::ParameterList<double> parameters = model->parameters();
      const double h = 1e-5;
      double largest_correction = 0;
      for (std::size_t k = 0; k < parameters.size(); ++k) {
        const bool lateral = parameters[k].name.find("connection") == 0 &&
                             dynamic_cast<const ebm::LateralConnection<double>*>(
                                 &model->connection(std::stoul(parameters[k].name.substr(10)))) != nullptr;
        arma::mat& theta = *parameters[k].value;
        for (arma::uword i = 0; i < theta.n_rows; ++i)
          for (arma::uword j = 0; j < theta.n_cols; ++j) {
            if (lateral && i >= j) continue;
            auto move = [&](double d) {
              theta(i, j) += d;
              if (lateral) theta(j, i) += d;
            };
            move(h);
            const double up = f();
            move(-2 * h);
            const double down = f();
            move(h);
            const double numeric = (up - down) / (2 * h);
            BOOST_TEST_CONTEXT(parameters[k].name << "(" << i << "," << j << ")") {
              BOOST_TEST(std::abs(gradient[k](i, j) - numeric) < 1e-7);
            }
            largest_correction = std::max(largest_correction, std::abs(gradient[k](i, j) - ordinary_gradient[k](i, j)));
          }
      }
      // Centering changed the coupling gradients (the comparison has teeth).
      BOOST_TEST(largest_correction > 1e-2);
    }
  }
}

BOOST_AUTO_TEST_CASE(centered_steps_are_the_update_rule_in_centered_coordinates) {
  // Two steps of SGD with momentum and weight decay through
  // Centering::update (offsets fixed): the new ordinary model must be the
  // centered model moved by those two steps, computed here from the rule's
  // definition, v <- m v + eta (g_c - decay W), theta_c <- theta_c + v, in
  // centered coordinates.
  const arma::mat v = random_binary(4, 6, 41);
  for (const auto& [family, make] : families) {
    BOOST_TEST_CONTEXT(family) {
      auto model = make(51);
      give_random_offsets(*model, 52);
      const arma::mat x0 = v.rows(0, model->layer(0).size() - 1);
      ebm::ExactGradient<double> exact(20, true);
      ebm::Statistics<double> gradient;
      ebm::Rng rng(1);
      exact.estimate(*model, x0, gradient, rng);
      ebm::Statistics<double> centered_gradient = gradient;  // depends on the offsets only, not on W
      centering_math().center_gradient(*model, centered_gradient);

      const double eta = 0.1, decay = 0.01, momentum = 0.5;
      auto copy = make(51);
      copy->set_offsets(model->offsets());
      centering_math().shift_biases(*copy, +1);
      const ebm::ParameterList<double> p = copy->parameters();
      ebm::Statistics<double> velocity = ebm::zeros_like(p);
      for (int step = 0; step < 2; ++step)
        for (std::size_t k = 0; k < p.size(); ++k) {
          arma::mat g = centered_gradient[k];
          if (p[k].weight_decay) g -= decay * *p[k].value;
          velocity[k] = momentum * velocity[k] + eta * g;
          *p[k].value += velocity[k];
        }
      const test::Couplings expected = couplings_of(*copy);
      const arma::vec mu = concatenated_offsets(*model);

      ebm::SgdOptions o;
      o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, eta);
      o.momentum = o.initial_momentum = momentum;
      o.weight_decay = decay;
      ebm::Sgd<double> sgd(o);
      ebm::CenteringOptions centering_options;
      centering_options.mode = ebm::CenteringMode::data_and_hidden;
      const ebm::Centering<double> centering(centering_options);
      for (int step = 0; step < 2; ++step) {
        ebm::Statistics<double> g = gradient;
        centering.update(*model, model->parameters(), g, sgd, ebm::StepContext{});
      }
      const test::Couplings after = couplings_of(*model);
      BOOST_TEST(energy_difference_spread(expected, mu, after) < 1e-12);
      // The same rule in ordinary coordinates gives another model (the
      // comparison has teeth).
      auto plain = make(51);
      ebm::Sgd<double> plain_sgd(o);
      for (int step = 0; step < 2; ++step) plain_sgd.apply(plain->parameters(), gradient, ebm::StepContext{});
      BOOST_TEST(energy_difference_spread(couplings_of(*plain), arma::vec(mu.n_elem, arma::fill::zeros), after) > 1e-3);
    }
  }
}

namespace {

/// The exact training log-likelihood at the end of a bars-and-stripes run
/// (tests/data/bars_and_stripes.ini: 4x4, CD-10, full batches) with
/// `overrides`.
double final_log_likelihood(const std::vector<std::string>& overrides) {
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/bars_and_stripes.ini";
  const ebm::ExperimentResult r = ebm::run_experiment(ebm::load_experiment_config(config, overrides));
  return r.history.back().get("log_likelihood_train");
}

}  // namespace

BOOST_AUTO_TEST_CASE(centering_trains_at_least_as_well_on_bars_and_stripes) {
  // Same seed, same estimator, same number of updates: the centered run
  // must reach at least the plain run's exact log-likelihood (Melchior et
  // al. 2016, section 5: centered RBMs and DBMs learn faster on BAS).
  for (const std::vector<std::string> family :
       {std::vector<std::string>{"model.type=rbm"},
        std::vector<std::string>{"model.type=dbm", "dbm.hidden=8,4", "training.estimator=pcd", "pcd.chains=30",
                                 "dbm.pretrain_epochs=0"}}) {
    for (std::uint64_t seed : {1, 2, 3}) {
      std::vector<std::string> plain = family;
      plain.push_back("seed=" + std::to_string(seed));
      plain.push_back("training.epochs=1000");
      plain.push_back("monitor.every=1000");
      plain.push_back("monitor.list=exact_log_likelihood");
      std::vector<std::string> centered = plain;
      centered.push_back("training.centering=data+hidden");
      const double ll_plain = final_log_likelihood(plain), ll_centered = final_log_likelihood(centered);
      BOOST_TEST_MESSAGE(family[0] << " seed " << seed << ": plain " << ll_plain << ", centered " << ll_centered);
      BOOST_TEST_CONTEXT(family[0] << ", seed " << seed) {
        BOOST_TEST(std::isfinite(ll_plain));
        BOOST_TEST(ll_centered >= ll_plain);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(layers_that_cannot_be_centered_are_refused_by_name) {
  ebm::CenteringOptions o;
  o.mode = ebm::CenteringMode::data;
  const ebm::Centering<double> centering(o);
  ebm::Rbm<double> ratings(std::make_unique<ebm::SoftmaxLayer<double>>(6, 3, true),
                           std::make_unique<ebm::BernoulliLayer<double>>(2));
  ebm::Rbm<double> learned_sigma(std::make_unique<ebm::GaussianLayer<double>>(3, 1.0, true),
                                 std::make_unique<ebm::BernoulliLayer<double>>(2));
  ebm::Rbm<double> fixed_sigma(std::make_unique<ebm::GaussianLayer<double>>(3, 1.0, false),
                               std::make_unique<ebm::BernoulliLayer<double>>(2));
  auto message = [&](const ebm::Model<double>& m) -> std::string {
    try {
      centering.check(m);
    } catch (const ebm::InputError& e) {
      return e.what();
    }
    return "";
  };
  BOOST_TEST(message(ratings).find("layer 0 of the rbm cannot be centered: softmax units with missing entries") !=
             std::string::npos);
  BOOST_TEST(message(learned_sigma).empty());  // centered through the chain rule (below)
  BOOST_TEST(message(fixed_sigma).empty());
  // A rate outside (0, 1] is an input error too.
  o.rate = 0;
  BOOST_CHECK_THROW(ebm::Centering<double>{o}, ebm::InputError);
}

BOOST_AUTO_TEST_CASE(gaussian_visible_units_are_centered_in_their_own_input_units) {
  // Fixed sigma != 1: the bias enters the input as b / sigma^2, so the
  // centered biases and the centered gradient carry sigma^2.  Checked like
  // the binary families: energy differences over a grid of visible values
  // times every hidden state (the Gaussian self-energy is the same in both
  // parameterisations up to the bias), and the centered W gradient against
  // its definition <(v - mu)(h - lambda)^T>_data - <...>_model from the
  // statistics of the two states.
  const double sigma = 0.7;
  ebm::Rbm<double> rbm(std::make_unique<ebm::GaussianLayer<double>>(2, sigma, false),
                       std::make_unique<ebm::BernoulliLayer<double>>(2));
  ebm::Rng rng(5);
  rng.fill_normal(rbm.weights(), 0.0, 1.0);
  rng.fill_normal(rbm.layer(0).bias(), 0.0, 1.0);
  rng.fill_normal(rbm.layer(1).bias(), 0.0, 1.0);
  rbm.set_offsets({arma::mat(arma::vec{0.3, -0.4}), arma::mat(arma::vec{0.6, 0.2})});
  const arma::mat w = rbm.weights(), bv = rbm.layer(0).bias(), bh = rbm.layer(1).bias();
  const arma::vec mv = rbm.offsets()[0].col(0), mh = rbm.offsets()[1].col(0);
  centering_math().shift_biases(rbm, +1);
  const arma::vec cv = rbm.layer(0).bias().col(0), ch = rbm.layer(1).bias().col(0);
  auto ordinary = [&](const arma::vec& v, const arma::vec& h) {
    return arma::accu(arma::square(v - bv.col(0))) / (2 * sigma * sigma) - arma::dot(bh.col(0), h) - arma::dot(v, w * h);
  };
  auto centered = [&](const arma::vec& v, const arma::vec& h) {
    return arma::accu(arma::square(v - cv)) / (2 * sigma * sigma) - arma::dot(ch, h) -
           arma::dot(v - mv, w * (h - mh));
  };
  double d0 = 0, spread = 0;
  bool first = true;
  for (double v0 : {-1.5, 0.0, 0.8})
    for (double v1 : {-0.3, 1.1})
      for (double h0 : {0.0, 1.0})
        for (double h1 : {0.0, 1.0}) {
          const arma::vec v{v0, v1}, h{h0, h1};
          const double d = centered(v, h) - ordinary(v, h);
          if (first) d0 = d, first = false;
          spread = std::max(spread, std::abs(d - d0));
        }
  BOOST_TEST(spread < 1e-12);
  centering_math().shift_biases(rbm, -1);

  // The centered W gradient from two states (data and model columns).
  ebm::State<double> data, model;
  data.layers = {arma::mat{{0.5, -1.0, 2.0}, {0.1, 0.3, -0.7}}, arma::mat{{0.9, 0.2, 0.4}, {0.3, 0.8, 0.5}}};
  model.layers = {arma::mat{{1.5, 0.0}, {-0.2, 0.6}}, arma::mat{{0.1, 0.7}, {0.6, 0.35}}};
  ebm::Statistics<double> gradient, scratch;
  rbm.statistics_difference(data, model, gradient, scratch);
  centering_math().center_gradient(rbm, gradient);
  auto centered_product = [&](const ebm::State<double>& s) {
    arma::mat v = s.layers[0], h = s.layers[1];
    v.each_col() -= mv;
    h.each_col() -= mh;
    return arma::mat(v * h.t() / double(v.n_cols));
  };
  const arma::mat expected = centered_product(data) - centered_product(model);
  BOOST_TEST(arma::abs(gradient[2] - expected).max() < 1e-12);
}

namespace {

/// A Gaussian(learned sigma)-Bernoulli RBM 2x3 (test::random_gaussian_rbm)
/// with offsets away from zero.
std::unique_ptr<ebm::Rbm<double>> learned_sigma_rbm(std::uint64_t seed) {
  auto rbm = test::random_gaussian_rbm(2, 3, seed, true);
  rbm->set_offsets({arma::mat(arma::vec{0.4, -0.6}), arma::mat(arma::vec{0.7, 0.2, 0.5})});
  return rbm;
}

/// The brute force of `rbm` read as CENTERED parameters (its biases taken
/// as b_c, c_c) with its offsets: E_c by the definition, not by the
/// library's map to ordinary parameters.
test::BruteGaussianRbm centered_brute(const ebm::Rbm<double>& rbm) {
  test::BruteGaussianRbm b(rbm);
  b.mu_v = rbm.offsets()[0].col(0);
  b.mu_h = rbm.offsets()[1].col(0);
  return b;
}


}  // namespace

BOOST_AUTO_TEST_CASE(learned_gaussian_variances_are_centered_through_the_chain_rule) {
  // With a learned variance the ordinary visible bias b = b_c - sigma^2 W mu_h
  // depends on z = log sigma^2, so the centered log-variance gradient is
  // g_z - delta % (W mu_h), delta = sigma^2 g_b.  The ordinary gradient is
  // taken by central differences here (ExactGradient's z term is off by
  // design: libebm/units/gaussian_layer.hpp), mapped by center_gradient, and
  // compared with central differences of the log-likelihood under the
  // centered energy written out in test::BruteGaussianRbm.
  auto rbm = learned_sigma_rbm(61);
  const arma::mat data = test::random_normal(2, 6, 62, 1.3);
  const ebm::ParameterList<double> parameters = rbm->parameters();
  BOOST_REQUIRE(parameters[1].name == "layer0.log_variance");
  const ebm::Statistics<double> ordinary =
      test::central_differences(parameters, [&] { return test::BruteGaussianRbm(*rbm).mean_log_likelihood(data); });
  ebm::Statistics<double> centered = ordinary;
  centering_math().center_gradient(*rbm, centered);
  centering_math().shift_biases(*rbm, +1);
  test::check_gradient_by_central_differences(parameters, centered,
                                              [&] { return centered_brute(*rbm).mean_log_likelihood(data); });
  // The chain-rule term is there (without it the z comparison fails).
  BOOST_TEST(arma::abs(centered[1] - ordinary[1]).max() > 1e-2);
}

BOOST_AUTO_TEST_CASE(centered_steps_move_learned_variances_and_biases_together) {
  // One SGD step through Centering::update is the step in centered
  // coordinates, theta_c <- theta_c + eta g_c, mapped back with the NEW
  // variance: the updated model's log-densities equal those of the moved
  // centered parameters under the centered energy.
  auto rbm = learned_sigma_rbm(71);
  const arma::mat data = test::random_normal(2, 6, 72, 1.3);
  const ebm::Statistics<double> ordinary = test::central_differences(
      rbm->parameters(), [&] { return test::BruteGaussianRbm(*rbm).mean_log_likelihood(data); });
  ebm::Statistics<double> centered_gradient = ordinary;
  centering_math().center_gradient(*rbm, centered_gradient);

  const double eta = 0.3;
  auto moved = learned_sigma_rbm(71);
  centering_math().shift_biases(*moved, +1);
  const ebm::ParameterList<double> p = moved->parameters();
  for (std::size_t k = 0; k < p.size(); ++k) *p[k].value += eta * centered_gradient[k];
  const test::BruteGaussianRbm expected = centered_brute(*moved);

  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, eta);
  ebm::Sgd<double> sgd(o);
  ebm::CenteringOptions centering_options;
  centering_options.mode = ebm::CenteringMode::data_and_hidden;
  const ebm::Centering<double> centering(centering_options);
  ebm::Statistics<double> g = ordinary;
  const arma::mat z_before = dynamic_cast<const ebm::GaussianLayer<double>&>(rbm->visible()).log_variance();
  centering.update(*rbm, rbm->parameters(), g, sgd, ebm::StepContext{});
  const test::BruteGaussianRbm after(*rbm);

  const arma::mat points = test::random_normal(2, 8, 73, 2.0);
  auto log_density = [&](const test::BruteGaussianRbm& b, arma::uword n) {
    return -b.free_energy(points.colptr(n)) - b.log_partition();
  };
  // The visible biases mapped back with the variance from BEFORE the step:
  // a different model (the comparison has teeth).
  test::BruteGaussianRbm stale = after;
  stale.b += (after.s - arma::exp(z_before.col(0))) % (rbm->weights() * rbm->offsets()[1].col(0));
  BOOST_TEST(arma::abs(after.s - arma::exp(z_before.col(0))).max() > 1e-2);
  for (arma::uword n = 0; n < points.n_cols; ++n) {
    BOOST_TEST(std::abs(log_density(after, n) - log_density(expected, n)) < 1e-10);
    BOOST_TEST(std::abs(log_density(stale, n) - log_density(expected, n)) > 1e-4);
  }
}

BOOST_AUTO_TEST_CASE(centered_training_learns_gaussian_variances) {
  // Two clusters on the diagonal (centers +-(1.5, 1.5), sd 0.5): the best
  // independent Gaussians (the start, initialize_from_data) miss their
  // correlation, 1.6 nats below the generating mixture.  CD-5 with learned
  // variances, centered on data+hidden through the Trainer, must come
  // within 0.3 nats of the mixture's own log-likelihood of the data (exact
  // for the RBM by test::BruteGaussianRbm), and so must plain training from
  // the same start (the two are reported side by side).
  arma::mat data = test::random_normal(2, 400, 81, 0.5);
  for (arma::uword n = 0; n < data.n_cols; ++n) data.col(n) += (n % 2 ? 1.5 : -1.5);
  double mixture = 0;
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    const double near = -arma::accu(arma::square(data.col(n) - 1.5)) / (2 * 0.25);
    const double far = -arma::accu(arma::square(data.col(n) + 1.5)) / (2 * 0.25);
    mixture += test::log_sum_exp({near, far}) - std::log(2.0) - std::log(2 * M_PI * 0.25);
  }
  mixture /= double(data.n_cols);
  for (bool centered : {false, true}) {
    auto rbm = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::GaussianLayer<double>>(2, 1.0, true),
                                                  std::make_unique<ebm::BernoulliLayer<double>>(4));
    ebm::Rng init(82);
    init.fill_normal(rbm->weights(), 0.0, 0.01);
    rbm->visible().initialize_from_data(data);
    const double start = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
    ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 5);
    ebm::SgdOptions o;
    o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, 0.01);
    o.momentum = o.initial_momentum = 0.5;
    ebm::Sgd<double> sgd(o);
    ebm::TrainerOptions options;
    options.epochs = 100;
    options.batch_size = 20;
    options.monitor_initial = false;
    if (centered) options.centering.mode = ebm::CenteringMode::data_and_hidden;
    ebm::Trainer<double> trainer(*rbm, cd, sgd, options);
    ebm::Rng rng(83);
    trainer.train(data, nullptr, rng);
    const double end = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
    BOOST_TEST_MESSAGE((centered ? "centered" : "plain") << ": start " << start << ", end " << end << ", mixture "
                                                         << mixture);
    BOOST_TEST_CONTEXT((centered ? "centered" : "plain")) {
      BOOST_TEST(start < mixture - 1);  // the start misses (the test has teeth)
      BOOST_TEST(end > mixture - 0.3);
    }
  }
}
