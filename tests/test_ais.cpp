// AIS and reverse AIS against exact log Z: known partition functions, small
// random models, and an RBM trained on real data (issue: research-grade
// evaluation).  Fixed seeds; tolerances of 0.1 nats as the issue demands.
#define BOOST_TEST_MODULE ais
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "libebm/archive/clone.hpp"
#include "libebm/data/binarize.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/monitors/ais_log_likelihood.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "libebm/units/spin_layer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

template <typename eT>
std::unique_ptr<ebm::Layer<eT>> base_rate(const ebm::Model<eT>& model, const arma::Mat<eT>& data) {
  auto base = ebm::clone_layer(model.layer(0));
  base->initialize_from_data(data);
  return base;
}

using test::random_binary;

/// Exact samples of the visible layer: many Gibbs steps from independent starts.
arma::mat model_samples(const ebm::Rbm<double>& rbm, arma::uword n, std::uint64_t seed) {
  ebm::BlockGibbsSampler<double> sampler;
  ebm::State<double> chains;
  ebm::Rng rng(seed);
  sampler.initialize_chains(rbm, chains, n, rng);
  sampler.run(rbm, chains, 500, rng);
  return chains.layers[0];
}

}  // namespace

BOOST_AUTO_TEST_CASE(schedule_of_salakhutdinov_and_murray) {
  const std::vector<double> b = ebm::annealing_schedule("0.5:500,0.9:4000,1:10000");
  BOOST_TEST(b.size() == 14501u);  // 14,500 temperatures after beta = 0
  BOOST_TEST(b.front() == 0.0);
  BOOST_TEST(b[500] == 0.5);
  BOOST_TEST(b[4500] == 0.9);
  BOOST_TEST(b.back() == 1.0);
  for (std::size_t k = 1; k < b.size(); ++k) BOOST_TEST_REQUIRE(b[k] > b[k - 1]);
  BOOST_CHECK_THROW(ebm::annealing_schedule("0.5:500,0.4:10"), ebm::InputError);
  BOOST_CHECK_THROW(ebm::annealing_schedule("0.5:500"), ebm::InputError);
  BOOST_CHECK_THROW(ebm::annealing_schedule("1:x"), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(independent_units_known_log_partition) {
  // W = 0: log Z = sum softplus(b) + sum softplus(c), whatever the base.
  auto rbm = test::random_rbm(10, 5, 81);
  rbm->weights().zeros();
  const arma::vec b = rbm->visible().bias(), c = rbm->hidden().bias();
  const double exact = arma::accu(arma::log1p(arma::exp(b))) + arma::accu(arma::log1p(arma::exp(c)));
  const auto base = base_rate<double>(*rbm, random_binary(10, 50, 82));
  ebm::Rng rng(83);
  const auto ais = ebm::ais_log_partition(*rbm, *base, ebm::annealing_schedule("1:1000"), 100, rng);
  BOOST_TEST_MESSAGE("independent units: exact " << exact << ", AIS " << ais.log_z << " +- " << ais.standard_error);
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
  const auto reverse = ebm::reverse_ais_log_partition(*rbm, *base, ebm::annealing_schedule("1:1000"),
                                                      model_samples(*rbm, 100, 84), rng);
  BOOST_TEST(std::abs(reverse.log_z - exact) < 0.1);
}

BOOST_AUTO_TEST_CASE(base_equal_to_the_model_gives_exact_weights) {
  // With W = 0 and the base's visible biases equal to the model's, every
  // intermediate distribution is the same up to the hidden factor, which
  // is independent of v: all weights are equal, so AIS is exact and its
  // standard error is zero.
  auto rbm = test::random_rbm(6, 3, 85);
  rbm->weights().zeros();
  auto base = ebm::clone_layer(rbm->layer(0));
  ebm::Rng rng(86);
  const auto ais = ebm::ais_log_partition(*rbm, *base, ebm::annealing_schedule("1:20"), 10, rng);
  BOOST_TEST(ais.log_z == ebm::exact_log_partition(*rbm), tt::tolerance(1e-12));
  BOOST_TEST(ais.standard_error < 1e-12);
}

BOOST_AUTO_TEST_CASE(single_unit_each_side) {
  auto rbm = test::random_rbm(1, 1, 87, 2.0);
  const auto base = base_rate<double>(*rbm, random_binary(1, 20, 88, 0.3));
  ebm::Rng rng(89);
  const double exact = ebm::exact_log_partition(*rbm);
  const auto ais = ebm::ais_log_partition(*rbm, *base, ebm::annealing_schedule("1:500"), 100, rng);
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
}

BOOST_AUTO_TEST_CASE(random_model_within_a_tenth_of_a_nat_and_inside_its_band) {
  auto rbm = test::random_rbm(16, 8, 90, 1.0);
  const arma::mat data = model_samples(*rbm, 200, 91);
  const auto base = base_rate<double>(*rbm, data);
  const double exact = ebm::exact_log_partition(*rbm);
  ebm::Rng rng(92);
  const auto betas = ebm::annealing_schedule("0.5:200,0.9:800,1:1000");
  const auto ais = ebm::ais_log_partition(*rbm, *base, betas, 100, rng);
  BOOST_TEST_MESSAGE("16x8: exact " << exact << ", AIS " << ais.log_z << " [" << ais.log_z_minus_3sigma << ", "
                                    << ais.log_z_plus_3sigma << "]");
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
  BOOST_TEST(ais.log_z_minus_3sigma <= exact);
  BOOST_TEST(exact <= ais.log_z_plus_3sigma);
  // Reverse AIS from exact model samples.
  const arma::mat start = data.cols(0, 99);
  const auto reverse = ebm::reverse_ais_log_partition(*rbm, *base, betas, start, rng);
  BOOST_TEST_MESSAGE("16x8: reverse AIS " << reverse.log_z);
  BOOST_TEST(std::abs(reverse.log_z - exact) < 0.1);
}

BOOST_AUTO_TEST_CASE(float_model_trained_on_fashion_mnist) {
  const std::string path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(path)) {
    BOOST_TEST_MESSAGE("skipped: " << path << " not installed (Debian package dataset-fashion-mnist)");
    return;
  }
  arma::fmat data = ebm::read_idx_images<float>(path, 6000);
  ebm::binarize_threshold(data, 0.5f);
  const arma::fmat train = data.cols(0, 4999), test = data.cols(5000, 5999);
  // 784 x 16: small enough to enumerate 2^16 hidden states exactly.
  ebm::Rbm<float> rbm(std::make_unique<ebm::BernoulliLayer<float>>(784), std::make_unique<ebm::BernoulliLayer<float>>(16));
  ebm::Rng rng(93);
  rbm.initialize(train, rng, 0.01);
  ebm::PersistentContrastiveDivergence<float> pcd(std::make_unique<ebm::BlockGibbsSampler<float>>(), 1);
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, 0.05);
  ebm::Sgd<float> sgd(o);
  ebm::TrainerOptions t;
  t.epochs = 3;
  ebm::Trainer<float> trainer(rbm, pcd, sgd, t);
  trainer.train(train, nullptr, rng);

  const double exact = ebm::exact_log_partition(rbm);
  ebm::AisLogLikelihood<float> monitor;
  ebm::BlockOptions options = ebm::TypeCatalog::instance().defaults("monitor", "ais");
  options.set<std::string>("schedule", "0.5:500,0.9:2000,1:3000");
  auto m = ebm::AisLogLikelihood<float>::create(options);
  ebm::Measurements out;
  m->measure(rbm, {&train, &test}, out);
  auto get = [&](const std::string& name) {
    for (const auto& [k, v] : out)
      if (k == name) return v;
    return double(NAN);
  };
  const double exact_test = -arma::mean(rbm.free_energy(test)) - exact;
  BOOST_TEST_MESSAGE("784x16 on Fashion-MNIST: exact log Z " << exact << ", AIS " << get("ais_log_z") << " ["
                                                             << get("ais_log_z_minus_3sd") << ", "
                                                             << get("ais_log_z_plus_3sd") << "], reverse AIS "
                                                             << get("reverse_ais_log_z") << "; exact test LL "
                                                             << exact_test << ", AIS " << get("ais_log_likelihood_test")
                                                             << ", reverse " << get("reverse_ais_log_likelihood_test"));
  BOOST_TEST(std::abs(get("ais_log_z") - exact) < 0.1);
  BOOST_TEST(std::abs(get("reverse_ais_log_z") - exact) < 0.1);
  BOOST_TEST(std::abs(get("ais_log_likelihood_test") - exact_test) < 0.1);
}

BOOST_AUTO_TEST_CASE(deeper_models_are_refused) {
  auto rbm = test::random_rbm(3, 2, 94);
  ebm::SpinLayer<double>* none = nullptr;
  (void)none;
  auto other = ebm::clone_layer(rbm->layer(1));  // a hidden-sized base: wrong size
  ebm::Rng rng(95);
  BOOST_CHECK_THROW(ebm::ais_log_partition(*rbm, *other, ebm::annealing_schedule("1:10"), 10, rng), ebm::ContractError);
}

// The couplings path (AnnealingPath::couplings): from the model without its
// couplings, every layer keeping its own biases, to the model.

BOOST_AUTO_TEST_CASE(couplings_path_is_exact_without_couplings) {
  // No couplings: p_0 is the model at every beta, every weight is 1 and
  // log Z_0 = sum over all units of softplus(bias) -- with nonzero hidden
  // biases, where the base-rate path would need the annealing to switch
  // them on.  (The DBM case: tests/test_deep_boltzmann_machine.cpp.)
  auto rbm = test::random_rbm(6, 4, 101, 2.0);
  rbm->weights().zeros();
  double analytic = arma::accu(arma::log1p(arma::exp(arma::vec(rbm->visible().bias())))) +
                    arma::accu(arma::log1p(arma::exp(arma::vec(rbm->hidden().bias()))));
  ebm::Rng rng(102);
  auto ais = ebm::ais_log_partition(*rbm, rbm->layer(0), ebm::annealing_schedule("1:20"), 10, rng,
                                    ebm::AnnealingPath::couplings);
  BOOST_TEST(ais.log_z == analytic, tt::tolerance(1e-12));
  BOOST_TEST(ais.standard_error < 1e-12);
  auto reverse = ebm::reverse_ais_log_partition(*rbm, rbm->layer(0), ebm::annealing_schedule("1:20"),
                                                model_samples(*rbm, 10, 103), rng, 0, ebm::AnnealingPath::couplings);
  BOOST_TEST(reverse.log_z == analytic, tt::tolerance(1e-12));

}

BOOST_AUTO_TEST_CASE(couplings_path_agrees_with_enumeration) {
  // Random 16x8 (as for the base-rate path above), forward and reverse
  // from exact model samples.
  auto rbm = test::random_rbm(16, 8, 90, 1.0);
  const double exact = ebm::exact_log_partition(*rbm);
  const auto betas = ebm::annealing_schedule("0.5:200,0.9:800,1:1000");
  ebm::Rng rng(105);
  const auto ais = ebm::ais_log_partition(*rbm, rbm->layer(0), betas, 100, rng, ebm::AnnealingPath::couplings);
  const auto reverse = ebm::reverse_ais_log_partition(*rbm, rbm->layer(0), betas, model_samples(*rbm, 100, 106), rng,
                                                      0, ebm::AnnealingPath::couplings);
  BOOST_TEST_MESSAGE("16x8 couplings path: exact " << exact << ", AIS " << ais.log_z << " [" << ais.log_z_minus_3sigma
                                                   << ", " << ais.log_z_plus_3sigma << "], reverse " << reverse.log_z);
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
  BOOST_TEST(std::abs(reverse.log_z - exact) < 0.1);

  // Gaussian visible units (sigma 0.8): only the couplings' messages are
  // tempered, so the path is exact for a unit type whose energy is not
  // linear in its input.  Exact log Z sums the 2^4 hidden states with the
  // Gaussian integral in closed form, written out here.
  const double sigma = 0.8;
  ebm::Rbm<double> g(std::make_unique<ebm::GaussianLayer<double>>(3, sigma, false),
                     std::make_unique<ebm::BernoulliLayer<double>>(4));
  ebm::Rng init(107);
  init.fill_normal(g.weights(), 0.0, 0.7);
  init.fill_normal(g.layer(0).bias(), 0.0, 1.0);
  init.fill_normal(g.layer(1).bias(), 0.0, 1.0);
  const arma::mat w = g.weights();
  const arma::vec b = g.layer(0).bias().col(0), c = g.layer(1).bias().col(0);
  // E(v, h) = |v - b|^2 / (2 sigma^2) - c.h - v.W h (libebm/units/gaussian_layer.hpp);
  // integrating v out for each h: sum_i [b_i m_i + sigma^2 m_i^2 / 2 +
  // log sqrt(2 pi sigma^2)] with m = W h.
  double log_z = -arma::datum::inf;
  for (unsigned s = 0; s < 16; ++s) {
    arma::vec h(4);
    for (unsigned j = 0; j < 4; ++j) h[j] = double((s >> j) & 1u);
    const arma::vec m = w * h;
    const double term = arma::dot(c, h) + arma::dot(b, m) + sigma * sigma * arma::dot(m, m) / 2 +
                        3 * 0.5 * std::log(2 * arma::datum::pi * sigma * sigma);
    log_z = std::max(log_z, term) + std::log1p(std::exp(-std::abs(log_z - term)));
  }
  BOOST_TEST(ebm::exact_log_partition(g) == log_z, tt::tolerance(1e-9));
  const auto gais = ebm::ais_log_partition(g, g.layer(0), betas, 100, rng, ebm::AnnealingPath::couplings);
  BOOST_TEST_MESSAGE("Gaussian-Bernoulli 3x4: exact " << log_z << ", AIS couplings " << gais.log_z);
  BOOST_TEST(std::abs(gais.log_z - log_z) < 0.1);
}

BOOST_AUTO_TEST_CASE(monitor_path_option_selects_the_path) {
  // The `path` option reaches the estimator: the monitor's log Z equals
  // ais_log_partition on that path with the monitor's seed; the two paths
  // give different estimates, and `both` (the default) reports each and the
  // larger as ais_log_z.  A bad value is refused by name.
  auto rbm = test::random_rbm(12, 6, 108, 1.0);
  const arma::mat data = model_samples(*rbm, 50, 109);
  const auto betas = ebm::annealing_schedule("1:300");
  auto measure = [&](const char* path) {
    ebm::BlockOptions options = ebm::TypeCatalog::instance().defaults("monitor", "ais");
    options.set<std::string>("schedule", "1:300");
    options.set<std::string>("path", path);
    options.set<bool>("reverse", false);
    ebm::Measurements out;
    ebm::AisLogLikelihood<double>::create(options)->measure(*rbm, {&data, nullptr}, out);
    return out;
  };
  auto get = [](const ebm::Measurements& out, const std::string& name) {
    for (const auto& [k, v] : out)
      if (k == name) return v;
    return double(NAN);
  };
  const auto base = base_rate<double>(*rbm, data);
  ebm::Rng rng(1);  // the monitor's default seed
  const double base_rate_z = ebm::ais_log_partition(*rbm, *base, betas, 100, rng, ebm::AnnealingPath::base_rate).log_z;
  const double couplings_z = ebm::ais_log_partition(*rbm, *base, betas, 100, rng, ebm::AnnealingPath::couplings).log_z;
  ebm::Rng fresh(1);
  BOOST_TEST(get(measure("base_rate"), "ais_log_z") == base_rate_z, tt::tolerance(1e-12));
  BOOST_TEST(get(measure("couplings"), "ais_log_z") ==
                 ebm::ais_log_partition(*rbm, *base, betas, 100, fresh, ebm::AnnealingPath::couplings).log_z,
             tt::tolerance(1e-12));
  BOOST_TEST(base_rate_z != couplings_z);
  // `both` draws the two paths one after the other from one generator.
  const auto both = measure("both");
  BOOST_TEST(get(both, "ais_base_rate_log_z") == base_rate_z, tt::tolerance(1e-12));
  BOOST_TEST(get(both, "ais_couplings_log_z") == couplings_z, tt::tolerance(1e-12));
  BOOST_TEST(get(both, "ais_log_z") == std::max(base_rate_z, couplings_z), tt::tolerance(1e-12));
  BOOST_TEST(ebm::TypeCatalog::instance().defaults("monitor", "ais").get<std::string>("path") == "both");
  BOOST_CHECK_THROW(ebm::annealing_paths("uniform"), ebm::InputError);
}
