// The helper threads of the elementwise passes (libebm/helper_threads.hpp)
// and for_each_chunk on them (libebm/random.hpp): every part runs exactly
// once whatever the number of threads; passes from inside a part, from two
// threads at once and with one thread still work; and the numbers do not
// depend on the number of threads or on which thread took which chunk --
// bulk draws equal the stream's definition filled in one piece, and unit
// types' draws and means are bit for bit those of one thread, for passes
// below parallel_min_elements (on the caller) and above it (on the team).
// The helpers are checked to have taken part (shared_passes), so the
// comparisons are not between two serial runs.
#define BOOST_TEST_MODULE helper_threads
#include <omp.h>

#include <atomic>
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "libebm/helper_threads.hpp"
#include "libebm/units/gaussian_layer.hpp"
#include "libebm/units/spin_layer.hpp"
#include "tests/test_support.hpp"

namespace {

using float_and_double = boost::mpl::list<float, double>;

// Sets omp_get_max_threads() (the team's size) for a scope.
struct Threads {
  int saved = omp_get_max_threads();
  explicit Threads(int n) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(saved); }
};

const int thread_counts[] = {1, 2, 3, 4};

// Sizes: one chunk, two, a 784 x 100 minibatch (all on the caller), and a
// pass of more than parallel_min_elements with a partial last chunk (on the
// team).
const arma::uword shapes[][2] = {{100, 50}, {128, 128}, {784, 100}, {1024, 4099}};
static_assert(1024 * 4099 >= ebm::parallel_min_elements, "the last shape must go to the team");

template <typename eT>
bool identical(const arma::Mat<eT>& a, const arma::Mat<eT>& b) {
  return a.n_rows == b.n_rows && a.n_cols == b.n_cols &&
         std::equal(a.begin(), a.end(), b.begin(), [](eT x, eT y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_part_runs_exactly_once) {
  ebm::HelperThreads& team = ebm::HelperThreads::instance();
  for (int threads : thread_counts) {
    Threads scope(threads);
    BOOST_TEST(team.threads() == unsigned(threads));
    for (std::size_t parts : {0, 1, 2, 3, 7, 64, 1000}) {
      for (int repeat = 0; repeat < 20; ++repeat) {
        std::vector<std::atomic<int>> calls(parts);
        for (auto& c : calls) c = 0;
        team.run(parts, [&](std::size_t p) { calls.at(p).fetch_add(1); });
        for (std::size_t p = 0; p < parts; ++p)
          BOOST_REQUIRE_MESSAGE(calls[p] == 1, "part " << p << " of " << parts << " ran " << calls[p]
                                                       << " times with " << threads << " threads");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(helpers_take_part_when_there_are_threads) {
  ebm::HelperThreads& team = ebm::HelperThreads::instance();
  {
    Threads scope(1);
    const auto before = team.shared_passes();
    team.run(8, [](std::size_t) {});
    BOOST_TEST(team.shared_passes() == before);  // one thread: all on the caller
  }
  Threads scope(2);
  const auto before = team.shared_passes();
  // Two parts that each wait (up to 10 s) for the other to start: the
  // caller takes one, and only a helper can start the other meanwhile.
  std::atomic<int> started{0};
  std::atomic<bool> helper_ran{false};
  const std::thread::id caller = std::this_thread::get_id();
  team.run(2, [&](std::size_t) {
    if (std::this_thread::get_id() != caller) helper_ran = true;
    ++started;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started < 2 && std::chrono::steady_clock::now() < end) std::this_thread::yield();
  });
  BOOST_TEST(team.shared_passes() == before + 1);
  BOOST_TEST(helper_ran.load());
}

BOOST_AUTO_TEST_CASE(nested_and_concurrent_passes_complete) {
  ebm::HelperThreads& team = ebm::HelperThreads::instance();
  Threads scope(2);
  // A pass from inside a part runs on that part's thread.
  std::atomic<int> inner{0};
  team.run(4, [&](std::size_t) { team.run(5, [&](std::size_t) { ++inner; }); });
  BOOST_TEST(inner == 20);
  // Two threads posting passes at once: one gets the team, the other runs
  // its parts alone; both see every part once.
  std::atomic<long> sum_a{0}, sum_b{0};
  std::thread other([&] {
    for (int r = 0; r < 200; ++r) team.run(50, [&](std::size_t p) { sum_b += long(p); });
  });
  for (int r = 0; r < 200; ++r) team.run(50, [&](std::size_t p) { sum_a += long(p); });
  other.join();
  BOOST_TEST(sum_a == 200L * 1225);
  BOOST_TEST(sum_b == 200L * 1225);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(bulk_draws_are_the_stream_whatever_the_threads, eT, float_and_double) {
  // The stream's definition, filled in one call on this thread: value i of
  // the key's stream for element i (counter_uniforms::fill; its values are
  // checked against Philox's known answers in tests/test_random.cpp).
  for (const auto& shape : shapes) {
    ebm::Rng key_source(5);
    const std::uint64_t key = key_source.next();
    arma::Mat<eT> expected(shape[0], shape[1]);
    ebm::counter_uniforms::fill(key, 0, expected.n_elem, expected.memptr());
    arma::Mat<eT> p(shape[0], shape[1]);
    ebm::Rng(6).fill_uniform(p);
    arma::Mat<eT> expected_draws(arma::size(p));
    for (arma::uword i = 0; i < p.n_elem; ++i) expected_draws[i] = expected[i] < p[i] ? eT(1) : eT(0);
    for (int threads : thread_counts) {
      Threads scope(threads);
      for (int repeat = 0; repeat < 3; ++repeat) {  // chunks go to whichever thread is free
        ebm::Rng rng(5);
        arma::Mat<eT> u(shape[0], shape[1]), b;
        rng.fill_uniform(u);
        BOOST_TEST(identical(u, expected), shape[0] << "x" << shape[1] << ", " << threads << " threads");
        ebm::Rng rng_b(5);
        rng_b.fill_bernoulli(p, b);
        BOOST_TEST(identical(b, expected_draws), shape[0] << "x" << shape[1] << ", " << threads << " threads");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(unit_draws_and_means_do_not_depend_on_the_threads, eT, float_and_double) {
  for (const auto& shape : shapes) {
    const arma::uword n = shape[0], cols = shape[1];
    arma::Mat<eT> input(n, cols);
    ebm::Rng(8).fill_uniform(input);
    input = (input - eT(0.5)) * eT(12);
    ebm::BernoulliLayer<eT> bernoulli(n);
    ebm::SpinLayer<eT> spin(n);
    ebm::GaussianLayer<eT> gaussian(n);
    arma::Mat<eT> mean1, sample1, spin1, gauss1;
    {
      Threads scope(1);
      ebm::Rng rng(9);
      bernoulli.mean(input, mean1);
      bernoulli.sample(input, sample1, rng);
      spin.sample(input, spin1, rng);
      gaussian.sample(input, gauss1, rng);
    }
    for (int threads : {2, 3, 4}) {
      Threads scope(threads);
      const auto before = ebm::HelperThreads::instance().shared_passes();
      ebm::Rng rng(9);
      arma::Mat<eT> mean, sample, spin_sample, gauss;
      bernoulli.mean(input, mean);
      bernoulli.sample(input, sample, rng);
      spin.sample(input, spin_sample, rng);
      gaussian.sample(input, gauss, rng);
      const std::string what = std::to_string(n) + "x" + std::to_string(cols) + ", " + std::to_string(threads);
      BOOST_TEST(identical(mean, mean1), what);
      BOOST_TEST(identical(sample, sample1), what);
      BOOST_TEST(identical(spin_sample, spin1), what);
      BOOST_TEST(identical(gauss, gauss1), what);
      // Passes of parallel_min_elements or more went to the team.
      if (n * cols >= ebm::parallel_min_elements)
        BOOST_TEST(ebm::HelperThreads::instance().shared_passes() > before);
    }
  }
}
