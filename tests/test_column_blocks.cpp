// Column blocks (libebm/column_blocks.hpp): the estimators' chains split
// into blocks fixed by the columns and the model, run on the helper threads,
// each block on single-threaded BLAS.
//   - views write into the matrix they view and refuse another shape;
//   - the block count follows the policy (powers of two, blocks at least
//     min_columns wide, never more blocks than columns) and not the threads;
//   - SingleThreadedBlas restores OpenBLAS's thread count;
//   - on models whose products are exact in floating point (weights and
//     biases multiples of 1/8, binary units: every input is a short sum of
//     eighths, whatever the order of the additions), CD-k and PCD-k
//     estimates in blocks -- gradients, positive and negative states, the
//     generator's state after -- are bit for bit those of the whole batch:
//     the views, the column offsets of the draws and the per-block samplers
//     are right, independently of how the BLAS rounds;
//   - on general models (random weights, a Gaussian-visible RBM, a DBM
//     whose mean-field positive phase stays whole, PCD with more chains
//     than the batch has columns) the estimates are bit for bit the same
//     with 1, 2, 3 and 4 threads, and the helpers are checked to have run
//     blocks, so the comparison is not between two serial runs;
//   - whole training runs through the Trainer (momentum, CD-3 and PCD-2)
//     give the same parameters with 1 and 2 threads;
//   - the update's product in column blocks (gemm_in_column_blocks) equals
//     the whole product: bit for bit on integer matrices, to rounding on
//     others, for every transposition and beta;
//   - a sampler that declares runs_by_columns() but makes generator calls
//     that depend on its block is caught (ContractError), not silently
//     giving runs that depend on the blocks.
#define BOOST_TEST_MODULE column_blocks
#include <omp.h>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "libebm/column_blocks.hpp"
#include "libebm/error.hpp"
#include "libebm/gemm.hpp"
#include "libebm/helper_threads.hpp"
#include "libebm/registry/register.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/training/trainer.hpp"
#include "models/deep_boltzmann_machine.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/contrastive_divergence.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "tests/test_support.hpp"

extern "C" int openblas_get_num_threads(void);

namespace column_blocks_test {

/// Block Gibbs that draws one extra number per chain: its generator calls
/// depend on how many columns it is given, which runs_by_columns() forbids.
template <typename eT>
class ColumnCountingSampler : public ebm::BlockGibbsSampler<eT> {
 public:
  static constexpr const char* name = "column_counting_gibbs";
  std::string type_name() const override { return name; }
  static void declare_options(ebm::BlockOptions&) {}
  static std::unique_ptr<ColumnCountingSampler> create(const ebm::BlockOptions&) {
    return std::make_unique<ColumnCountingSampler>();
  }
  void run_and_rao_blackwellize(const ebm::Model<eT>& model, ebm::State<eT>& state, unsigned steps, ebm::Rng& rng,
                                ebm::State<eT>& expectations) override {
    for (arma::uword c = 0; c < state.n_cols(); ++c) rng.next();
    ebm::BlockGibbsSampler<eT>::run_and_rao_blackwellize(model, state, steps, rng, expectations);
  }

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int) {
    // (BlockGibbsSampler's own serialize() is compiled in libebm only; it
    // stores nothing beyond the Sampler base either.)
    ar& boost::serialization::make_nvp("sampler", boost::serialization::base_object<ebm::Sampler<eT>>(*this));
  }
};

}  // namespace column_blocks_test

EBM_REGISTER(ebm::SamplerKind, column_blocks_test::ColumnCountingSampler,
             "test only: block Gibbs whose generator calls depend on its column count")

namespace {

using float_and_double = boost::mpl::list<float, double>;

// Sets the block policy (blocks of at least `min_columns`, whatever the
// model's size) and the team's size (omp_get_max_threads()) for a scope.
struct Blocks {
  ebm::ColumnBlockPolicy saved = ebm::column_block_policy();
  int saved_threads = omp_get_max_threads();
  explicit Blocks(int threads, arma::uword min_columns = 8) {
    ebm::ColumnBlockPolicy p;
    p.min_elements = 0;
    p.min_columns = min_columns;
    p.with_single_threaded_blas = true;  // the same blocks on any machine
    ebm::set_column_block_policy(p);
    omp_set_num_threads(threads);
  }
  ~Blocks() {
    ebm::set_column_block_policy(saved);
    omp_set_num_threads(saved_threads);
  }
};

// No blocks at all: the whole batch in one piece.
constexpr arma::uword whole = 1u << 30;

template <typename eT>
bool identical(const arma::Mat<eT>& a, const arma::Mat<eT>& b) {
  return a.n_rows == b.n_rows && a.n_cols == b.n_cols &&
         std::equal(a.begin(), a.end(), b.begin(), [](eT x, eT y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

template <typename eT>
bool identical(const std::vector<arma::Mat<eT>>& a, const std::vector<arma::Mat<eT>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!identical(a[i], b[i])) return false;
  return true;
}

template <typename eT>
std::unique_ptr<ebm::GradientEstimator<eT>> make_estimator(const std::string& kind, unsigned k,
                                                           arma::uword chains = 0) {
  auto sampler = std::make_unique<ebm::BlockGibbsSampler<eT>>();
  if (kind == "cd") return std::make_unique<ebm::ContrastiveDivergence<eT>>(std::move(sampler), k);
  return std::make_unique<ebm::PersistentContrastiveDivergence<eT>>(std::move(sampler), k, chains);
}

/// What three consecutive estimates leave: the gradients, the last positive
/// and negative states, the generator's state.
template <typename eT>
struct Estimates {
  std::vector<ebm::Statistics<eT>> gradients;
  ebm::State<eT> positive, negative;
  std::string rng_state;

  bool operator==(const Estimates& o) const {
    if (gradients.size() != o.gradients.size() || rng_state != o.rng_state) return false;
    for (std::size_t i = 0; i < gradients.size(); ++i)
      if (!identical(gradients[i], o.gradients[i])) return false;
    return identical(positive.layers, o.positive.layers) && identical(negative.layers, o.negative.layers);
  }
};

template <typename eT>
Estimates<eT> estimates(const ebm::Model<eT>& model, ebm::GradientEstimator<eT>& estimator,
                        const arma::Mat<eT>& data, arma::uword batch) {
  Estimates<eT> out;
  ebm::Rng rng(7);
  for (arma::uword first = 0; first + batch <= data.n_cols; first += batch) {
    ebm::Statistics<eT> g;
    estimator.estimate(model, data.cols(first, first + batch - 1), g, rng);
    out.gradients.push_back(g);
  }
  out.positive = estimator.positive_state();
  out.negative = estimator.negative_state();
  out.rng_state = rng.state();
  return out;
}

// The estimates of a fresh estimator on one thread, then on 2, 3 and 4:
// each must equal the first, and blocks must really have run on the team.
template <typename eT, class MakeEstimator>
void check_thread_counts(const ebm::Model<eT>& model, const MakeEstimator& make, const arma::Mat<eT>& data,
                         arma::uword batch, const std::string& what) {
  Estimates<eT> one;
  {
    Blocks blocks(1);
    auto e = make();
    one = estimates(model, *e, data, batch);
  }
  BOOST_TEST_REQUIRE(one.gradients.size() >= 3u);
  for (int threads : {2, 3, 4}) {
    Blocks blocks(threads);
    const auto before = ebm::HelperThreads::instance().shared_passes();
    auto e = make();
    const Estimates<eT> split = estimates(model, *e, data, batch);
    BOOST_TEST((split == one), what << ": " << threads << " threads differ from one");
    BOOST_TEST(ebm::HelperThreads::instance().shared_passes() > before, what << ": the blocks ran on one thread");
  }
}

// The estimates in blocks of at least 8 columns (4 blocks of a batch of 37)
// and of at least 16 (2 blocks) against the whole batch's.
template <typename eT, class MakeEstimator>
void check_blocks_against_whole(const ebm::Model<eT>& model, const MakeEstimator& make, const arma::Mat<eT>& data,
                                arma::uword batch, const std::string& what) {
  Estimates<eT> reference;
  {
    Blocks blocks(2, whole);
    auto e = make();
    reference = estimates(model, *e, data, batch);
  }
  for (arma::uword min_columns : {8u, 16u}) {
    Blocks blocks(2, min_columns);
    BOOST_TEST_REQUIRE(ebm::column_block_count(batch, 1) > 1u);
    auto e = make();
    BOOST_TEST((estimates(model, *e, data, batch) == reference),
               what << ": blocks of >= " << min_columns << " columns differ from the whole batch");
  }
}

/// An RBM whose products are exact: weights and biases k/8 for integers
/// |k| <= 8, binary units.
template <typename eT>
std::unique_ptr<ebm::Rbm<eT>> dyadic_rbm(arma::uword nv, arma::uword nh, std::uint64_t seed) {
  auto rbm = test::random_rbm<eT>(nv, nh, seed, 0.0);
  ebm::Rng rng(seed);
  for (ebm::Parameter<eT>& p : rbm->parameters())
    for (eT& x : *p.value) x = eT(double(rng.below(17)) - 8.0) / eT(8);
  return rbm;
}

}  // namespace

BOOST_AUTO_TEST_CASE(views_write_through_and_keep_their_shape) {
  arma::mat m(3, 5, arma::fill::zeros);
  arma::mat view = ebm::column_view(m, ebm::ColumnShard{1, 3});
  BOOST_TEST(view.n_rows == 3u);
  BOOST_TEST(view.n_cols == 3u);
  view.fill(2.0);
  view.set_size(3, 3);  // the same shape: allowed, nothing moves
  view(0, 0) = 5.0;
  BOOST_TEST(m(0, 1) == 5.0);
  BOOST_TEST(arma::accu(m) == 2.0 * 9 + 3.0);
  BOOST_TEST(arma::accu(m.col(0)) == 0.0);
  BOOST_TEST(arma::accu(m.col(4)) == 0.0);
  // Another shape cannot write into m: a debug build of Armadillo throws, a
  // release build moves the view to memory of its own (which the
  // estimators check after every block: GradientEstimator::check_views).
  BOOST_TEST(view.mem_state == 2u);
  try {
    view.set_size(3, 4);
    view.fill(7.0);
    BOOST_TEST(view.mem_state != 2u);
  } catch (const std::logic_error&) {
  }
  BOOST_TEST(arma::accu(m) == 2.0 * 9 + 3.0);

  ebm::State<double> whole, part;
  whole.layers = {arma::mat(2, 4, arma::fill::zeros), arma::mat(3, 4, arma::fill::zeros)};
  ebm::column_view(whole, ebm::ColumnShard{2, 2}, part).layers[1].fill(1.0);
  BOOST_TEST(arma::accu(whole.layers[1].cols(2, 3)) == 6.0);
  BOOST_TEST(arma::accu(whole.layers[1].cols(0, 1)) == 0.0);
}

BOOST_AUTO_TEST_CASE(block_count_follows_the_policy) {
  for (int threads : {1, 2, 3}) {
    Blocks blocks(threads, 8);
    BOOST_TEST(ebm::column_block_count(100, 10) == 8u);  // 12 blocks of 8 fit: the power of two below
    BOOST_TEST(ebm::column_block_count(37, 10) == 4u);
    BOOST_TEST(ebm::column_block_count(16, 10) == 2u);
    BOOST_TEST(ebm::column_block_count(15, 10) == 1u);  // two blocks would be narrower than 8
    BOOST_TEST(ebm::column_block_count(100000, 10) == ebm::max_column_blocks);
  }
  const ebm::ColumnBlockPolicy saved = ebm::column_block_policy();
  ebm::ColumnBlockPolicy defaults;
  const int blas_threads = openblas_get_num_threads();
  ebm::set_column_block_policy(defaults);
  {
    ebm::SingleThreadedBlas single;  // OPENBLAS_NUM_THREADS=1: the run stays whole
    BOOST_TEST(ebm::column_block_count(100, 784 + 500) == 1u);
  }
  BOOST_TEST(ebm::column_block_count(100, 784 + 500) == (blas_threads > 1 ? 2u : 1u));
  defaults.with_single_threaded_blas = true;  // the sizes below on any machine
  ebm::set_column_block_policy(defaults);
  BOOST_TEST(ebm::column_block_count(100, 784 + 500) == 2u);  // a Fashion-MNIST minibatch: 2 blocks of 50
  BOOST_TEST(ebm::column_block_count(64, 784 + 500) == 2u);
  BOOST_TEST(ebm::column_block_count(63, 784 + 500) == 1u);
  BOOST_TEST(ebm::column_block_count(100, 9 + 5) == 1u);  // a tiny model stays whole
  ebm::set_column_block_policy(saved);
}

BOOST_AUTO_TEST_CASE(single_threaded_blas_restores_the_thread_count) {
  const int before = openblas_get_num_threads();
  {
    ebm::SingleThreadedBlas single;
    BOOST_TEST(openblas_get_num_threads() == 1);
  }
  BOOST_TEST(openblas_get_num_threads() == before);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(exact_models_give_the_whole_batch_bits_in_blocks, eT, float_and_double) {
  auto rbm = dyadic_rbm<eT>(300, 120, 3);
  const arma::Mat<eT> data = test::random_binary<eT>(300, 3 * 37, 4);
  for (unsigned k : {1u, 3u})
    check_blocks_against_whole<eT>(*rbm, [k] { return make_estimator<eT>("cd", k); }, data, 37, "CD-" + std::to_string(k));
  check_blocks_against_whole<eT>(*rbm, [] { return make_estimator<eT>("pcd", 2); }, data, 37, "PCD-2");

  std::vector<std::unique_ptr<ebm::Layer<eT>>> layers;
  for (arma::uword n : {30u, 20u, 10u}) layers.push_back(std::make_unique<ebm::BernoulliLayer<eT>>(n));
  ebm::DeepBoltzmannMachine<eT> dbm(std::move(layers));
  ebm::Rng rng(8);
  for (ebm::Parameter<eT>& p : dbm.parameters())
    for (eT& x : *p.value) x = eT(double(rng.below(9)) - 4.0) / eT(8);
  const arma::Mat<eT> binary = test::random_binary<eT>(30, 3 * 37, 9);
  check_blocks_against_whole<eT>(dbm, [] { return make_estimator<eT>("pcd", 2); }, binary, 37, "DBM PCD-2");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(estimates_do_not_depend_on_the_threads, eT, float_and_double) {
  auto rbm = test::random_rbm<eT>(300, 120, 3, 0.05);
  const arma::Mat<eT> data = test::random_binary<eT>(300, 3 * 37, 4);
  for (unsigned k : {1u, 3u})
    check_thread_counts<eT>(*rbm, [k] { return make_estimator<eT>("cd", k); }, data, 37, "CD-" + std::to_string(k));
  check_thread_counts<eT>(*rbm, [] { return make_estimator<eT>("pcd", 2); }, data, 37, "PCD-2");
  check_thread_counts<eT>(*rbm, [] { return make_estimator<eT>("pcd", 1, 50); }, data, 37, "PCD-1, 50 chains");
}

BOOST_AUTO_TEST_CASE(gaussian_and_dbm_estimates_do_not_depend_on_the_threads) {
  auto gaussian = test::random_gaussian_rbm(40, 30, 5, false);
  const arma::mat real = test::random_normal(40, 3 * 23, 6);
  check_thread_counts<double>(*gaussian, [] { return make_estimator<double>("cd", 2); }, real, 23, "Gaussian CD-2");

  std::vector<std::unique_ptr<ebm::Layer<double>>> layers;
  for (arma::uword n : {30u, 20u, 10u}) layers.push_back(std::make_unique<ebm::BernoulliLayer<double>>(n));
  ebm::DeepBoltzmannMachine<double> dbm(std::move(layers));
  ebm::Rng rng(8);
  for (arma::uword l = 1; l < dbm.n_layers(); ++l) rng.fill_normal(dbm.weights(l), 0.0, 0.3);
  BOOST_TEST(!dbm.positive_phase_by_columns());  // its mean field stops on the whole batch
  const arma::mat binary = test::random_binary<double>(30, 3 * 23, 9);
  check_thread_counts<double>(dbm, [] { return make_estimator<double>("pcd", 2); }, binary, 23, "DBM PCD-2");
}

BOOST_AUTO_TEST_CASE(training_runs_do_not_depend_on_the_blocks) {
  const arma::fmat data = test::random_binary<float>(200, 300, 10, 0.3);
  for (const char* kind : {"cd", "pcd"}) {
    std::unique_ptr<ebm::Rbm<float>> models[2];
    for (int threads : {1, 2}) {
      Blocks blocks(threads);
      auto& rbm = models[threads - 1];
      rbm = test::random_rbm<float>(200, 80, 11, 0.05);
      auto estimator = make_estimator<float>(kind, kind == std::string("cd") ? 3 : 2);
      ebm::SgdOptions o;
      o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::constant, 0.05);
      o.momentum = o.initial_momentum = 0.5;
      o.weight_decay = 0.001;
      ebm::Sgd<float> sgd(o);
      ebm::TrainerOptions options;
      options.epochs = 2;
      options.batch_size = 50;
      ebm::Trainer<float> trainer(*rbm, *estimator, sgd, options);
      ebm::Rng rng(12);
      trainer.train(data, nullptr, rng);
    }
    BOOST_TEST(test::same_parameters(*models[0], *models[1]), kind);
    // Training moved the parameters (the comparison is not of two untouched models).
    auto untouched = test::random_rbm<float>(200, 80, 11, 0.05);
    BOOST_TEST(!test::same_parameters(*models[0], *untouched), kind);
  }
}

BOOST_AUTO_TEST_CASE(a_sampler_whose_calls_depend_on_its_block_is_caught) {
  auto rbm = test::random_rbm<double>(20, 10, 13);
  const arma::mat data = test::random_binary<double>(20, 37, 14);
  ebm::ContrastiveDivergence<double> cd(std::make_unique<column_blocks_test::ColumnCountingSampler<double>>(), 1);
  ebm::Statistics<double> g;
  ebm::Rng rng(15);
  {
    Blocks blocks(2, whole);
    BOOST_CHECK_NO_THROW(cd.estimate(*rbm, data, g, rng));
  }
  Blocks blocks(1, 16);  // blocks of 18 and 19 columns: different numbers of calls
  BOOST_CHECK_EXCEPTION(cd.estimate(*rbm, data, g, rng), ebm::ContractError, [](const ebm::ContractError& e) {
    return std::string(e.what()).find("column_counting_gibbs") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(products_in_column_blocks_equal_the_whole_product) {
  // Integer entries: every sum is exact, so the blocks must give the whole
  // product's bits whatever the kernels; random entries: within rounding.
  Blocks blocks(3);
  ebm::Rng rng(16);
  for (bool trans_a : {false, true})
    for (bool trans_b : {false, true})
      for (bool integers : {true, false}) {
        const arma::uword m = 37, n = 70, k = 23;
        arma::mat a(trans_a ? k : m, trans_a ? m : k), b(trans_b ? n : k, trans_b ? k : n), c(m, n);
        for (arma::mat* x : {&a, &b, &c}) {
          rng.fill_normal(*x, 0.0, 4.0);
          if (integers) *x = arma::round(*x);
        }
        for (double beta : {0.0, 1.0, -0.5}) {
          arma::mat whole = c, split = c;
          ebm::gemm(trans_a, trans_b, 0.5, a, b, beta, whole);
          ebm::gemm_in_column_blocks(trans_a, trans_b, 0.5, a, b, beta, split, 16);  // 4 blocks of 70
          BOOST_TEST_REQUIRE(ebm::column_block_count(n, m, 16) == 4u);
          if (integers)
            BOOST_TEST(identical(whole, split), trans_a << trans_b << " beta " << beta);
          else
            BOOST_TEST(arma::abs(whole - split).max() <= 1e-12 * arma::abs(whole).max(), trans_a << trans_b);
        }
      }
  // A shape that does not fit is refused as by gemm().
  arma::mat a(3, 4), b(5, 6), c(3, 6);
  BOOST_CHECK_THROW(ebm::gemm_in_column_blocks(false, false, 1.0, a, b, 1.0, c, 1), ebm::ContractError);
}
