// The run's generators (libebm/random.hpp): xoshiro256** and Philox4x32-10
// against their published definitions and known answers, the uniformity of
// the bulk draws within bounds set by the sample size, exact checkpoint
// round trips, and bulk draws that do not depend on the number of threads.
#define BOOST_TEST_MODULE random
#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>

#include "libebm/error.hpp"
#include "libebm/random.hpp"

namespace {

// The reference algorithms, transcribed from their papers' code and sharing
// nothing with the library: SplitMix64 seeding and xoshiro256** (Blackman &
// Vigna 2018).
struct ReferenceXoshiro {
  std::uint64_t s[4];
  explicit ReferenceXoshiro(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& w : s) {
      std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      w = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(engine_is_xoshiro256starstar_seeded_by_splitmix64) {
  for (std::uint64_t seed : {0ull, 1ull, 42ull, 0xdeadbeefcafef00dull}) {
    ebm::Rng rng(seed);
    ReferenceXoshiro reference(seed);
    for (int i = 0; i < 1000; ++i) BOOST_REQUIRE_EQUAL(rng.next(), reference.next());
  }
  // Known answers from the state {1, 2, 3, 4}: rotl(2 * 5, 7) * 9 = 11520, then 0.
  ebm::Rng rng;
  rng.set_state("xoshiro256** 0000000000000001 0000000000000002 0000000000000003 0000000000000004");
  BOOST_TEST(rng.next() == 11520u);
  BOOST_TEST(rng.next() == 0u);
  BOOST_TEST(rng.next() == 1509978240u);
  BOOST_TEST(rng.next() == 1215971899390074240u);
}

BOOST_AUTO_TEST_CASE(philox_matches_the_random123_known_answers) {
  using ebm::counter_uniforms::philox4x32;
  using A4 = std::array<std::uint32_t, 4>;
  BOOST_TEST((philox4x32({0, 0, 0, 0}, {0, 0}) == A4{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  BOOST_TEST((philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
              A4{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  BOOST_TEST((philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
              A4{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

BOOST_AUTO_TEST_CASE(counter_streams_follow_their_definition) {
  // Float value g*64 + w*16 + j of stream `key` is word w of the Philox block
  // with counter (g*16 + j, 0, 0) and key (low, high half of `key`), top 24
  // bits; double value g*32 + p*16 + j joins words 2p and 2p+1, top 53 bits.
  const std::uint64_t key = 0x0123456789abcdefull;
  const std::array<std::uint32_t, 2> k = {std::uint32_t(key), std::uint32_t(key >> 32)};
  std::vector<float> f(300);
  std::vector<double> d(300);
  ebm::counter_uniforms::fill(key, 0, f.size(), f.data());
  ebm::counter_uniforms::fill(key, 0, d.size(), d.data());
  for (std::size_t i = 0; i < f.size(); ++i) {
    const std::uint64_t block = (i / 64) * 16 + i % 16;
    const auto words = ebm::counter_uniforms::philox4x32({std::uint32_t(block), 0, 0, 0}, k);
    BOOST_REQUIRE_EQUAL(f[i], float(words[(i % 64) / 16] >> 8) / 16777216.0f);
  }
  for (std::size_t i = 0; i < d.size(); ++i) {
    const std::uint64_t block = (i / 32) * 16 + i % 16;
    const auto words = ebm::counter_uniforms::philox4x32({std::uint32_t(block), 0, 0, 0}, k);
    const std::size_t p = (i % 32) / 16;
    const std::uint64_t bits = (std::uint64_t(words[2 * p]) << 32) | words[2 * p + 1];
    BOOST_REQUIRE_EQUAL(d[i], double(bits >> 11) / 9007199254740992.0);
  }
  // Any piece of a stream is the same as that piece of the whole stream.
  std::vector<float> piece(77);
  for (std::uint64_t first : {0ull, 1ull, 15ull, 63ull, 64ull, 100ull, 200ull}) {
    ebm::counter_uniforms::fill(key, first, piece.size(), piece.data());
    for (std::size_t j = 0; j < piece.size() && first + j < f.size(); ++j) BOOST_REQUIRE_EQUAL(piece[j], f[first + j]);
  }
}

BOOST_AUTO_TEST_CASE(bulk_uniforms_are_uniform) {
  // N draws in 64 equal bins: each count is Binomial(N, 1/64); 6 standard
  // deviations bound all 64 at once with failure probability ~1e-7.  The
  // mean of the products of neighbours is 1/4 for independent draws, with
  // standard deviation below sqrt(7/144 / N).
  const arma::uword n = 1 << 20;
  for (std::uint64_t seed : {3ull, 4ull}) {
    ebm::Rng rng(seed);
    arma::fmat f(1024, n / 1024);
    rng.fill_uniform(f);
    BOOST_TEST(f.min() >= 0.0f);
    BOOST_TEST(f.max() < 1.0f);
    arma::vec counts(64, arma::fill::zeros);
    double products = 0;
    for (arma::uword i = 0; i < f.n_elem; ++i) {
      counts[arma::uword(f[i] * 64)] += 1;
      if (i) products += double(f[i]) * double(f[i - 1]);
    }
    const double p = 1.0 / 64, sd = std::sqrt(n * p * (1 - p));
    BOOST_TEST(arma::abs(counts - n * p).max() < 6 * sd);
    BOOST_TEST(std::abs(products / double(n - 1) - 0.25) < 6 * std::sqrt(7.0 / 144.0 / n));
    // Doubles carry 53 random bits: the lowest, of value * 2^53, is a fair
    // coin (Binomial(1000, 1/2): 500 +- 6 * 15.8).
    arma::mat d(1000, 1);
    rng.fill_uniform(d);
    int odd = 0;
    for (arma::uword i = 0; i < d.n_elem; ++i) odd += int(std::uint64_t(d[i] * 9007199254740992.0) & 1u);
    BOOST_TEST(std::abs(odd - 500) < 95);
  }
}

BOOST_AUTO_TEST_CASE(bernoulli_draws_have_their_probabilities) {
  // Each row's frequency of ones estimates its p, standard error <= 0.5/sqrt(N).
  const arma::fvec p = {0.0f, 1e-3f, 0.1f, 0.5f, 0.9f, 1.0f};
  const arma::uword n = 100000;
  ebm::Rng rng(7);
  arma::fmat x;
  rng.fill_bernoulli(arma::fmat(arma::repmat(p, 1, n)), x);
  BOOST_TEST(arma::all(arma::vectorise((x == 0.0f) + (x == 1.0f)) == 1u));
  for (arma::uword i = 0; i < p.n_elem; ++i) {
    const double frequency = arma::accu(x.row(i)) / double(n);
    BOOST_TEST(std::abs(frequency - p[i]) < 6 * 0.5 / std::sqrt(double(n)));
  }
  BOOST_TEST(arma::accu(x.row(0)) == 0.0f);      // p = 0: never
  BOOST_TEST(arma::accu(x.row(5)) == float(n));  // p = 1: always (u < 1)
}

BOOST_AUTO_TEST_CASE(state_round_trips_exactly) {
  ebm::Rng a(99);
  for (int i = 0; i < 5; ++i) a.next();
  const std::string saved = a.state();
  ebm::Rng b(1);
  b.set_state(saved);
  BOOST_TEST(b.state() == saved);
  for (int i = 0; i < 100; ++i) BOOST_REQUIRE_EQUAL(a.next(), b.next());
  arma::fmat fa(33, 7), fb(33, 7);
  a.fill_uniform(fa);
  b.fill_uniform(fb);
  BOOST_TEST(arma::approx_equal(fa, fb, "absdiff", 0.0f));
  for (const std::string bad : {"", "mt19937 1 2 3 4", "xoshiro256** 1 2 3", "xoshiro256** 1 2 3 4 5",
                                "xoshiro256** 0 0 0 0", "xoshiro256** 1 2 3 zz"})
    BOOST_CHECK_THROW(b.set_state(bad), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(bulk_draws_do_not_depend_on_the_number_of_threads) {
  // Big enough for for_each_chunk() to use OpenMP threads.
  const arma::uword rows = 1024, cols = ebm::parallel_min_elements / 1024 + 3;
  arma::fmat u1(rows, cols), u2(rows, cols), p(rows, cols), b1, b2;
  ebm::Rng source(11);
  source.fill_uniform(p);
  const int threads = omp_get_max_threads();
  ebm::Rng r1(12), r2(12);
  omp_set_num_threads(1);
  r1.fill_uniform(u1);
  r1.fill_bernoulli(p, b1);
  omp_set_num_threads(2);
  r2.fill_uniform(u2);
  r2.fill_bernoulli(p, b2);
  omp_set_num_threads(threads);
  BOOST_TEST(arma::approx_equal(u1, u2, "absdiff", 0.0f));
  BOOST_TEST(arma::approx_equal(b1, b2, "absdiff", 0.0f));
  BOOST_TEST(r1.next() == r2.next());
}

BOOST_AUTO_TEST_CASE(normals_have_mean_zero_and_unit_variance) {
  // Sample mean within 6/sqrt(N); sample variance within 6 sqrt(2/N).
  const arma::uword n = 200000;
  ebm::Rng rng(13);
  arma::mat z(n, 1);
  rng.fill_normal(z);
  BOOST_TEST(std::abs(arma::mean(z.col(0))) < 6 / std::sqrt(double(n)));
  BOOST_TEST(std::abs(arma::var(z.col(0)) - 1) < 6 * std::sqrt(2.0 / n));
  // The fraction beyond 2 sigma: 2 (1 - Phi(2)) = 0.0455.
  const double tail = double(arma::accu(arma::abs(z) > 2.0)) / n;
  BOOST_TEST(std::abs(tail - 0.0455003) < 6 * std::sqrt(0.0455 * 0.9545 / n));
}

BOOST_AUTO_TEST_CASE(counter_based_normals_have_the_normal_distribution) {
  // Kolmogorov-Smirnov against Phi: sup |F_n - Phi| below the DKW bound
  // sqrt(log(2/alpha) / (2N)) at alpha = 1e-9, plus mean and variance.
  const arma::uword n = 200000;
  ebm::Rng rng(17);
  arma::mat z(100, n / 100);
  rng.fill_standard_normal(z);
  arma::vec x = arma::sort(arma::vectorise(z));
  double d = 0;
  for (arma::uword i = 0; i < n; ++i) {
    const double phi = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
    d = std::max({d, std::abs(double(i + 1) / n - phi), std::abs(double(i) / n - phi)});
  }
  BOOST_TEST(d < std::sqrt(std::log(2 / 1e-9) / (2.0 * n)));
  BOOST_TEST(std::abs(arma::mean(x)) < 6 / std::sqrt(double(n)));
  BOOST_TEST(std::abs(arma::var(x) - 1) < 6 * std::sqrt(2.0 / n));
}

BOOST_AUTO_TEST_CASE(bulk_draws_split_by_columns_equal_the_whole_matrix) {
  // Data-parallel training: a process holding columns [c, c + n) sets the
  // column offset c and draws what one process draws there.
  ebm::Rng whole(23), left(23), right(23);
  arma::fmat p(7, 10);
  ebm::Rng(29).fill_uniform(p);
  arma::fmat u(7, 10), b(7, 10);
  arma::mat z(7, 10);
  whole.fill_uniform(u);
  whole.fill_bernoulli(p, b);
  whole.fill_standard_normal(z);
  arma::fmat ul(7, 3), ur(7, 7), bl, br;
  arma::mat zl(7, 3), zr(7, 7);
  left.fill_uniform(ul);
  left.fill_bernoulli(arma::fmat(p.cols(0, 2)), bl);
  left.fill_standard_normal(zl);
  {
    ebm::Rng::ColumnOffset offset(right, 3);
    right.fill_uniform(ur);
    right.fill_bernoulli(arma::fmat(p.cols(3, 9)), br);
    right.fill_standard_normal(zr);
  }
  BOOST_TEST(right.column_offset() == 0u);
  BOOST_TEST(arma::approx_equal(arma::join_rows(ul, ur), u, "absdiff", 0.0f));
  BOOST_TEST(arma::approx_equal(arma::join_rows(bl, br), b, "absdiff", 0.0f));
  BOOST_TEST(arma::approx_equal(arma::join_rows(zl, zr), z, "absdiff", 0.0));
  // One engine call per bulk draw, whatever its size: the engines stay equal.
  const std::uint64_t next = whole.next();
  BOOST_TEST(left.next() == next);
  BOOST_TEST(right.next() == next);
}

BOOST_AUTO_TEST_CASE(every_kernel_on_this_cpu_gives_the_same_values) {
  // The vectorised kernels (AVX2, AVX-512) against the portable one; the
  // portable one is checked against the definition above.
  BOOST_TEST_MESSAGE("float kernel in use: " << ebm::counter_uniforms::kernel_name());
  for (std::uint64_t first : {0ull, 5ull, 64ull, 1000ull, (1ull << 32) * 64 - 100})
    for (std::uint64_t key : {0ull, 0xffffffffffffffffull, 0x0123456789abcdefull}) {
      const auto bad = ebm::counter_uniforms::kernels_disagreeing(key, first, 5000);
      BOOST_TEST(bad.empty(), "kernels disagreeing: " << (bad.empty() ? "" : bad.front()));
    }
}
