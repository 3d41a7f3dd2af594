// Gaussian units (fixed and learned variance) against closed-form integrals
// and numerical quadrature: the layer's log-partition and conditionals, the
// free energies and exact log Z of a Gaussian-Bernoulli RBM (the Gaussian
// side integrated analytically, the binary side summed by loops), the
// gradient against finite differences of the exact log-likelihood, and the
// sampler's moments.
#define BOOST_TEST_MODULE gaussian_layer
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>

#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/units/nrelu_layer.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/exact_gradient.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

namespace {

/// log of int exp(f(x)) dx by Simpson's rule on [lo, hi] with n (even) intervals.
template <typename F>
double log_integral(F f, double lo, double hi, int n = 20000) {
  const double h = (hi - lo) / n;
  double m = -INFINITY;
  for (int i = 0; i <= n; ++i) m = std::max(m, f(lo + i * h));
  double s = 0;
  for (int i = 0; i <= n; ++i) s += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * std::exp(f(lo + i * h) - m);
  return m + std::log(s * h / 3);
}

}  // namespace

BOOST_AUTO_TEST_CASE(log_partition_matches_quadrature) {
  // One unit: log int exp(-(x - b)^2 / (2 s) + x m) dx with m = input - b / s.
  for (double z : {-1.5, 0.0, 0.8}) {
    ebm::GaussianLayer<double> layer(1, std::exp(z / 2), true);
    layer.bias()(0) = 0.7;
    const double s = std::exp(z), b = 0.7;
    arma::mat input;
    layer.base_input(input, 1);
    BOOST_TEST(input(0, 0) == b / s, tt::tolerance(1e-14));
    for (double m : {-3.0, -0.4, 0.0, 1.1, 4.0}) {
      const arma::mat u(1, 1, arma::fill::value(b / s + m));
      const double mu = b + s * m, sd = std::sqrt(s);
      const double numeric =
          log_integral([&](double x) { return -(x - b) * (x - b) / (2 * s) + x * m; }, mu - 14 * sd, mu + 14 * sd);
      BOOST_TEST(layer.log_partition(u)[0] == numeric, tt::tolerance(1e-9));
      // mean = d log_partition / du (central differences) = b + s m.
      arma::mat mean;
      layer.mean(u, mean);
      BOOST_TEST(mean(0, 0) == mu, tt::tolerance(1e-12));
      const double h = 1e-5;
      BOOST_TEST(std::abs((layer.log_partition(u + h)[0] - layer.log_partition(u - h)[0]) / (2 * h) - mu) < 1e-7);
    }
  }
  BOOST_CHECK_THROW(ebm::GaussianLayer<double>(2, 0.0), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(samples_have_the_conditional_mean_and_variance) {
  const arma::uword n = 200000;
  ebm::GaussianLayer<double> layer(2, 1.0, true);
  layer.log_variance() = arma::mat(arma::vec{std::log(0.25), std::log(4.0)});
  const arma::vec u = {2.0, -0.5};
  arma::mat x;
  ebm::Rng rng(701);
  layer.sample(arma::repmat(u, 1, n), x, rng);
  const arma::vec var = {0.25, 4.0};
  for (arma::uword i = 0; i < 2; ++i) {
    const double mu = var[i] * u[i];
    const double mean = arma::mean(x.row(i)), v = arma::var(x.row(i));
    BOOST_TEST(std::abs(mean - mu) < 6 * std::sqrt(var[i] / n));
    BOOST_TEST(std::abs(v - var[i]) < 6 * var[i] * std::sqrt(2.0 / n));
  }
  ebm::Rng a(702), b(702);
  arma::mat xa, xb;
  layer.sample(arma::repmat(u, 1, 3), xa, a);
  layer.sample(arma::repmat(u, 1, 3), xb, b);
  BOOST_TEST(arma::approx_equal(xa, xb, "absdiff", 0.0));
}

BOOST_AUTO_TEST_CASE(free_energies_and_log_z_match_closed_form_integrals) {
  for (bool learn : {false, true}) {
    auto rbm = test::random_gaussian_rbm(3, 4, 710 + learn, learn);
    const test::BruteGaussianRbm brute(*rbm);
    const arma::mat v = test::random_normal(3, 6, 711);
    const arma::rowvec f = rbm->free_energy(v);
    for (arma::uword n = 0; n < v.n_cols; ++n) BOOST_TEST(f[n] == brute.free_energy(v.colptr(n)), tt::tolerance(1e-12));
    const arma::mat hs = test::all_binary_states(4);
    const arma::rowvec fh = rbm->hidden_free_energy(hs);
    for (arma::uword z = 0; z < hs.n_cols; ++z) BOOST_TEST(fh[z] == brute.hidden_free_energy(hs.colptr(z)), tt::tolerance(1e-12));
    BOOST_TEST(ebm::exact_log_partition(*rbm) == brute.log_partition(), tt::tolerance(1e-11));
    // Energy of joint states, through the generic Model::energy.
    ebm::State<double> state;
    state.layers = {v, hs.cols(0, 5)};
    const arma::rowvec e = rbm->energy(state);
    for (arma::uword n = 0; n < 6; ++n)
      BOOST_TEST(e[n] == brute.energy(v.colptr(n), hs.colptr(n)), tt::tolerance(1e-12));
  }
  // The closed form itself, against quadrature, for one visible unit.
  auto one = test::random_gaussian_rbm(1, 2, 712, true);
  const test::BruteGaussianRbm brute(*one);
  const arma::mat hs = test::all_binary_states(2);
  for (arma::uword z = 0; z < 4; ++z) {
    const double numeric = log_integral([&](double x) { return -brute.energy(&x, hs.colptr(z)); }, -40, 40, 40000);
    BOOST_TEST(-brute.hidden_free_energy(hs.colptr(z)) == numeric, tt::tolerance(1e-9));
  }
}

BOOST_AUTO_TEST_CASE(exact_gradient_matches_finite_differences_for_bias_and_weights) {
  // ExactGradient sums the Gaussian side out with its conditional means,
  // which is exact for statistics linear in v: the bias and the weights.
  for (bool learn : {false, true}) {
    auto rbm = test::random_gaussian_rbm(2, 3, 720 + learn, learn);
    const arma::mat data = test::random_normal(2, 10, 721);
    ebm::ExactGradient<double> estimator;
    ebm::Statistics<double> gradient;
    ebm::Rng rng(1);
    estimator.estimate(*rbm, data, gradient, rng);
    auto parameters = rbm->parameters();
    const double h = 1e-5;
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      if (parameters[k].name == "layer0.log_variance") continue;  // quadratic in v: next test
      arma::mat& theta = *parameters[k].value;
      for (arma::uword i = 0; i < theta.n_elem; ++i) {
        const double saved = theta[i];
        theta[i] = saved + h;
        const double up = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
        theta[i] = saved - h;
        const double down = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
        theta[i] = saved;
        BOOST_TEST_CONTEXT(parameters[k].name << "[" << i << "]") {
          BOOST_TEST(std::abs(gradient[k][i] - (up - down) / (2 * h)) < 1e-7);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(sampled_gradient_of_the_log_variance_matches_finite_differences) {
  // d(-E)/dz = (v - b)^2 / (2 sigma^2) is quadratic in v, so its model term
  // needs samples of v: CD-k with long chains on many copies of the data
  // (the Gaussian layer is drawn, not averaged, by block Gibbs).  Bound: 6
  // standard errors from the chains' own spread of the statistic.
  auto rbm = test::random_gaussian_rbm(2, 3, 730, true);
  const arma::mat data = test::random_normal(2, 5, 731, 1.3);
  const arma::uword copies = 20000;
  ebm::ContrastiveDivergence<double> cd(std::make_unique<ebm::BlockGibbsSampler<double>>(), 40);
  ebm::Statistics<double> gradient;
  ebm::Rng rng(732);
  cd.estimate(*rbm, arma::repmat(data, 1, copies), gradient, rng);
  const auto& g = dynamic_cast<const ebm::GaussianLayer<double>&>(rbm->visible());
  const arma::mat& v = cd.negative_state().layers[0];
  auto parameters = rbm->parameters();
  BOOST_REQUIRE(parameters[1].name == "layer0.log_variance");
  const double h = 1e-5;
  for (arma::uword i = 0; i < 2; ++i) {
    const arma::rowvec stat = arma::square(v.row(i) - g.bias()(i)) / (2 * std::exp(g.log_variance()(i)));
    const double bound = 6 * arma::stddev(stat) / std::sqrt(double(stat.n_elem));
    arma::mat& z = *parameters[1].value;
    const double saved = z[i];
    z[i] = saved + h;
    const double up = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
    z[i] = saved - h;
    const double down = test::BruteGaussianRbm(*rbm).mean_log_likelihood(data);
    z[i] = saved;
    const double numeric = (up - down) / (2 * h);
    BOOST_TEST_MESSAGE("dz[" << i << "]: sampled " << gradient[1][i] << ", numeric " << numeric << ", bound " << bound);
    BOOST_TEST(std::abs(gradient[1][i] - numeric) < bound);
    // Teeth: substituting E[v | h] for v would miss the variance term
    // sigma^2 / (2 sigma^2) = 1/2, far outside the bound.
    BOOST_TEST(bound < 0.1);
  }
}

BOOST_AUTO_TEST_CASE(initialization_from_data_fits_independent_gaussians) {
  const arma::mat data = test::random_normal(3, 500, 740, 2.0) + 1.5;
  ebm::GaussianLayer<double> learned(3, 1.0, true), fixed(3, 1.0, false);
  learned.initialize_from_data(data);
  fixed.initialize_from_data(data);
  BOOST_TEST(arma::approx_equal(learned.bias(), arma::mat(arma::mean(data, 1)), "absdiff", 1e-12));
  BOOST_TEST(arma::approx_equal(learned.log_variance(), arma::mat(arma::log(arma::var(data, 1, 1))), "absdiff", 1e-12));
  BOOST_TEST(arma::approx_equal(fixed.log_variance(), arma::mat(3, 1, arma::fill::zeros), "absdiff", 0.0));
  // With W = 0 the ML independent model's exact bias gradient vanishes.
  auto rbm = test::random_gaussian_rbm(3, 2, 741, true);
  ebm::Rng rng(742);
  rbm->initialize(data, rng, 0.0);
  ebm::ExactGradient<double> estimator;
  ebm::Statistics<double> gradient;
  estimator.estimate(*rbm, data, gradient, rng);
  BOOST_TEST(arma::abs(gradient[0]).max() < 1e-10);
}

BOOST_AUTO_TEST_CASE(archives_keep_learned_variances_and_nrelu_hidden_units) {
  // A Gaussian-NReLU RBM (Nair & Hinton 2010's combination): the learned
  // log-variances, the learn_sigma flag and the hidden unit type survive
  // every encoding, and the loaded model's free energies are identical.
  auto rbm = std::make_unique<ebm::Rbm<double>>(std::make_unique<ebm::GaussianLayer<double>>(3, 0.7, true),
                                                std::make_unique<ebm::NreluLayer<double>>(4));
  ebm::Rng rng(750);
  rng.fill_normal(rbm->weights(), 0.0, 0.3);
  rng.fill_normal(rbm->visible().bias(), 0.0, 1.0);
  auto& g = dynamic_cast<ebm::GaussianLayer<double>&>(rbm->visible());
  rng.fill_normal(g.log_variance(), 0.0, 0.5);
  const arma::mat v = test::random_normal(3, 5, 751);
  for (auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("ebm_gaussian_" + std::to_string(::getpid()) + "." + ebm::encoding_name(encoding)))
                                 .string();
    ebm::save_model(path, *rbm, "", encoding);
    auto loaded = ebm::load_model<double>(path);
    std::filesystem::remove(path);
    const auto& lg = dynamic_cast<const ebm::GaussianLayer<double>&>(loaded.model->layer(0));
    BOOST_TEST(lg.learns_sigma());
    BOOST_TEST(arma::approx_equal(lg.log_variance(), g.log_variance(), "absdiff", 0.0));
    BOOST_TEST(loaded.model->layer(1).type_name() == "nrelu");
    BOOST_TEST(arma::approx_equal(arma::rowvec(loaded.model->free_energy(v)), arma::rowvec(rbm->free_energy(v)),
                                  "absdiff", 0.0));
  }
}
