// The run's source of randomness.
//
// Every random draw in a run comes from an Rng owned by that run and seeded
// from its config, so the same config and seed give the same numbers.  We do
// not use Armadillo's randu(): its generator is global state shared by every
// caller, which makes runs depend on what else happened in the process.
//
// Two generators work together:
//   - xoshiro256** (Blackman & Vigna 2018, "Scrambled linear pseudorandom
//     number generators") is the sequential engine: next(), uniform(),
//     below(), permutation(), fill_normal().  Its 256-bit state is the
//     generator's whole state (state()/set_state() for checkpoints).
//   - Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random
//     numbers: as easy as 1, 2, 3") is counter-based: value i of a stream is
//     a fixed function of (key, i).  Bulk draws (fill_uniform,
//     fill_bernoulli, unit types' sample()) take one key from the engine per
//     call and then compute value i for element i, so any block of a matrix
//     can be drawn by any thread in any order with the same result: runs are
//     bit-identical whatever OMP_NUM_THREADS is, and the loops vectorise.
#pragma once

#include <omp.h>

#include <armadillo>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "libebm/helper_threads.hpp"

// Hot elementwise loops are compiled for AVX-512, AVX2 and baseline x86-64
// and the version for the CPU at hand is picked at load time (GCC function
// multiversioning), so one binary runs everywhere at full vector width.  The
// loops use only operations that IEEE 754 rounds exactly (and the build does
// not contract a*b+c into FMAs: ISO C++ mode), so every version gives the
// same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EBM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EBM_VECTOR_CLONES
#endif

namespace ebm {

namespace counter_uniforms {

/// One Philox4x32-10 block (for the published known-answer tests).
std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> counter, std::array<std::uint32_t, 2> key);

/// out[j] <- value first + j of stream `key`, uniform on [0, 1) with 24
/// random bits (float) or 53 (double).  Value i of a stream does not depend
/// on `first` or `count`: a stream can be filled piecewise.
void fill(std::uint64_t key, std::uint64_t first, std::size_t count, float* out);
void fill(std::uint64_t key, std::uint64_t first, std::size_t count, double* out);

/// out[j] <- 1 if (value first + j of stream `key`) < p[j], else 0: a
/// Bernoulli(p[j]) draw.  Same values as fill() followed by the comparison.
void bernoulli(std::uint64_t key, std::uint64_t first, std::size_t count, const float* p, float* out);
void bernoulli(std::uint64_t key, std::uint64_t first, std::size_t count, const double* p, double* out);

/// out[j] <- a standard normal from values 2(first + j) and 2(first + j) + 1
/// of stream `key` (Box-Muller in double: sqrt(-2 log(1 - u1)) cos(2 pi u2)).
void standard_normals(std::uint64_t key, std::uint64_t first, std::size_t count, float* out);
void standard_normals(std::uint64_t key, std::uint64_t first, std::size_t count, double* out);

/// The float kernel in use on this CPU ("avx512f", "avx2" or "portable").
std::string kernel_name();
/// The kernels available on this CPU whose float values [first, first +
/// count) of stream `key` differ from the portable kernel's (for the tests:
/// empty when they all agree).
std::vector<std::string> kernels_disagreeing(std::uint64_t key, std::uint64_t first, std::size_t count);

}  // namespace counter_uniforms

/// Elements per chunk of the elementwise loops.  Chunks are fixed by this
/// number alone, never by the number of threads.
constexpr std::size_t parallel_chunk = 8192;

/// The smallest loop that is spread over threads: by for_each_chunk over the
/// helper threads, and by the OpenMP loops outside it (the softmax groups).
/// Smaller passes -- every elementwise pass of a typical minibatch -- run
/// vectorised on the thread that calls them (in training: the thread
/// moving that column block of the chains, libebm/column_blocks.hpp), between the BLAS products.  An OpenMP
/// team spins for milliseconds after each parallel loop (libgomp's default
/// wait policy), so the product that follows shares a core with a spinning
/// thread: measured on 2 cores, a 784x500 CD-1 epoch with OpenMP passes of
/// 50-80k elements ran 2 to 10 times slower than with serial ones.  The
/// helper threads (libebm/helper_threads.hpp) avoid that, but on minibatch
/// passes they gained 1-3% in some runs and lost up to 3% in others (PCD-10
/// with the Haswell core: lower in 5 of 5 pairs), so they too start here
/// (docs/performance.md, "Helper threads").
constexpr std::size_t parallel_min_elements = std::size_t(1) << 22;

/// Calls f(first, count) for the chunks [first, first + count) of [0, n)
/// (chunk c starts at c * parallel_chunk).  Loops of at least
/// parallel_min_elements are spread over the helper threads (which, unlike
/// an OpenMP team, never spin beside the BLAS), chunks taken in any order by
/// any thread.  f must only touch its own chunk and must not throw; with
/// counter-based draws (element i from value first + i of a stream) the
/// results do not depend on the number of threads.
template <class F>
void for_each_chunk(std::size_t n, F&& f) {
  const std::size_t chunks = (n + parallel_chunk - 1) / parallel_chunk;
  const auto chunk = [&](std::size_t c) {
    const std::size_t first = c * parallel_chunk;
    f(first, std::min(parallel_chunk, n - first));
  };
  if (n >= parallel_min_elements) {
    HelperThreads::instance().run(chunks, chunk);
  } else {
    for (std::size_t c = 0; c < chunks; ++c) chunk(c);
  }
}

class Rng {
 public:
  using result_type = std::uint64_t;

  explicit Rng(std::uint64_t seed = 1) { this->seed(seed); }

  /// Restarts the engine from `seed` (expanded to 256 bits by SplitMix64, as
  /// the xoshiro authors recommend).
  void seed(std::uint64_t seed);

  /// The next 64 random bits of the engine.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // A UniformRandomBitGenerator, for std:: algorithms that want one.
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return next(); }

  /// Uniform on [0, 1) with the full precision of eT (24 bits for float, 53 for double).
  template <typename eT>
  eT uniform() {
    if constexpr (sizeof(eT) == 4) {
      return eT(next() >> 40) * eT(1.0 / 16777216.0);
    } else {
      return eT(next() >> 11) * eT(1.0 / 9007199254740992.0);
    }
  }

  /// Data-parallel training (libebm/distributed/): a process that holds
  /// columns [c, c + n) of a matrix that is split by columns over several
  /// processes sets the column offset c, so that its bulk draws (fill_uniform,
  /// fill_bernoulli) take the stream values of exactly those columns -- the
  /// values one process holding the whole matrix would draw there.  Every
  /// process keeps the same engine state (they make the same calls), so an
  /// N-process run draws what a 1-process run draws.  0 outside sharded work;
  /// not part of the state (ColumnOffset sets it for a scope).
  void set_column_offset(arma::uword offset) { column_offset_ = offset; }
  arma::uword column_offset() const { return column_offset_; }

  /// Sets the column offset for the lifetime of the guard, then restores it.
  class ColumnOffset {
   public:
    ColumnOffset(Rng& rng, arma::uword offset) : rng_(rng), saved_(rng.column_offset()) { rng.set_column_offset(offset); }
    ~ColumnOffset() { rng_.set_column_offset(saved_); }
    ColumnOffset(const ColumnOffset&) = delete;
    ColumnOffset& operator=(const ColumnOffset&) = delete;

   private:
    Rng& rng_;
    arma::uword saved_;
  };

  /// The stream of one bulk draw over a matrix with `n_rows` rows: a key
  /// from the engine and the stream position of element 0 (the column
  /// offset times n_rows); element i takes value first + i of the key's
  /// stream (counter_uniforms::fill).  Unit types draw through this so that
  /// their draws are shard-exact (see set_column_offset).
  struct BulkStream {
    std::uint64_t key;
    std::uint64_t first;
  };
  BulkStream bulk_stream(arma::uword n_rows) { return {next(), std::uint64_t(column_offset_) * n_rows}; }

  /// Fills every element with an independent uniform draw on [0, 1): one
  /// key from the engine, then a counter-based stream (parallel).
  template <typename eT>
  void fill_uniform(arma::Mat<eT>& m) {
    const BulkStream stream = bulk_stream(m.n_rows);
    eT* p = m.memptr();
    for_each_chunk(m.n_elem, [&](std::size_t first, std::size_t count) {
      counter_uniforms::fill(stream.key, stream.first + first, count, p + first);
    });
  }

  /// out <- independent Bernoulli draws with success probabilities p (same
  /// shape): out[i] = 1 if u_i < p[i] else 0, with u from one key as in
  /// fill_uniform.  Any unit type taking values in {0, 1} is drawn exactly
  /// so from its conditional mean.
  template <typename eT>
  void fill_bernoulli(const arma::Mat<eT>& p, arma::Mat<eT>& out) {
    out.set_size(p.n_rows, p.n_cols);
    const BulkStream stream = bulk_stream(p.n_rows);
    const eT* in = p.memptr();
    eT* o = out.memptr();
    for_each_chunk(p.n_elem, [&](std::size_t first, std::size_t count) {
      counter_uniforms::bernoulli(stream.key, stream.first + first, count, in + first, o + first);
    });
  }

  /// Fills with independent N(0, 1) draws from one bulk stream (Box-Muller:
  /// element i takes stream values 2(first + i) and 2(first + i) + 1, in
  /// double), so, unlike fill_normal, a matrix split by columns over
  /// processes gets the values a whole matrix gets (set_column_offset), and
  /// the engine advances by one call whatever the size.  Unit types draw
  /// their Gaussian noise with it.
  template <typename eT>
  void fill_standard_normal(arma::Mat<eT>& m) {
    const BulkStream stream = bulk_stream(m.n_rows);
    eT* p = m.memptr();
    for_each_chunk(m.n_elem, [&](std::size_t first, std::size_t count) {
      counter_uniforms::standard_normals(stream.key, stream.first + first, count, p + first);
    });
  }

  /// Fills with independent N(mean, stddev^2) draws (Marsaglia's polar
  /// method on the engine's uniforms: the same numbers on every standard
  /// library, unlike std::normal_distribution).
  template <typename eT>
  void fill_normal(arma::Mat<eT>& m, double mean = 0.0, double stddev = 1.0) {
    eT* p = m.memptr();
    double z[2];
    for (arma::uword i = 0; i < m.n_elem; i += 2) {
      standard_normal_pair(z);
      p[i] = eT(mean + stddev * z[0]);
      if (i + 1 < m.n_elem) p[i + 1] = eT(mean + stddev * z[1]);
    }
  }

  /// A uniformly random permutation of 0..n-1 (Fisher-Yates on our engine,
  /// so it is the same on every standard library, unlike std::shuffle).
  arma::uvec permutation(arma::uword n);

  /// Integer uniform on [0, n).
  std::uint64_t below(std::uint64_t n);

  /// The full engine state as text, for checkpoints: "xoshiro256** " and
  /// four 64-bit words in hexadecimal.  set_state(state()) restores it exactly.
  std::string state() const;
  /// Throws InputError for text that state() did not write.
  void set_state(const std::string& state);
  /// Whether the two engines are in the same state (the column offset is
  /// not part of it).
  bool same_engine(const Rng& other) const {
    return s_[0] == other.s_[0] && s_[1] == other.s_[1] && s_[2] == other.s_[2] && s_[3] == other.s_[3];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  /// Two independent N(0, 1) draws.
  void standard_normal_pair(double* z);

  std::uint64_t s_[4];
  arma::uword column_offset_ = 0;
};

}  // namespace ebm
