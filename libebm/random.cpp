#include "libebm/random.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "libebm/error.hpp"

namespace ebm {

namespace counter_uniforms {

namespace {

// Philox4x32-10 constants (Salmon et al. 2011; Random123).
constexpr std::uint32_t philox_m0 = 0xD2511F53u, philox_m1 = 0xCD9E8D57u;
constexpr std::uint32_t philox_w0 = 0x9E3779B9u, philox_w1 = 0xBB67AE85u;
constexpr std::uint64_t low32 = 0xffffffffu;

// A stream is a sequence of groups of `lanes` Philox blocks; group g holds
// the blocks with counters (g * lanes + j, 0, 0), j < lanes.  Word w of
// block j is float value g * 4 * lanes + w * lanes + j of the stream
// (word-major, so the loops run over j and vectorise), and double value
// g * 2 * lanes + p * lanes + j joins words 2p (high) and 2p + 1 (low) of
// block j.  The layout is part of the stream's definition: it never depends
// on the CPU.
constexpr std::size_t lanes = 16;
constexpr std::size_t floats_per_group = 4 * lanes, doubles_per_group = 2 * lanes;

// The four words of each block of a group, in 64-bit lanes (the upper
// halves are don't-cares until the words are read out).
struct Group {
  alignas(64) std::uint64_t c[4][lanes];
};

__attribute__((always_inline)) inline void words_to_floats(const Group& g, float* out) {
  constexpr float scale = 1.0f / 16777216.0f;  // 2^-24
  // The top 24 bits of each word, through int32 (exact), which every vector
  // unit converts.
  for (int w = 0; w < 4; ++w)
    for (std::size_t j = 0; j < lanes; ++j) out[w * lanes + j] = float(std::int32_t((g.c[w][j] & low32) >> 8)) * scale;
}

__attribute__((always_inline)) inline void words_to_doubles(const Group& g, double* out) {
  constexpr double scale = 1.0 / 9007199254740992.0;  // 2^-53
  for (int p = 0; p < 2; ++p)
    for (std::size_t j = 0; j < lanes; ++j)
      out[p * lanes + j] = double((((g.c[2 * p][j] & low32) << 32) | (g.c[2 * p + 1][j] & low32)) >> 11) * scale;
}

// Portable kernel: ten rounds on 16 blocks in plain C++.
__attribute__((always_inline)) inline void philox_group_portable(std::uint64_t key, std::uint64_t group, Group& g) {
  std::uint64_t k0 = key & low32, k1 = key >> 32;
  for (std::size_t j = 0; j < lanes; ++j) {
    const std::uint64_t block = group * lanes + j;
    g.c[0][j] = block & low32;
    g.c[1][j] = block >> 32;
    g.c[2][j] = 0;
    g.c[3][j] = 0;
  }
  for (int round = 0; round < 10; ++round) {
    for (std::size_t j = 0; j < lanes; ++j) {
      const std::uint64_t p0 = (g.c[0][j] & low32) * philox_m0;
      const std::uint64_t p1 = (g.c[2][j] & low32) * philox_m1;
      const std::uint64_t n0 = (p1 >> 32) ^ g.c[1][j] ^ k0;
      const std::uint64_t n2 = (p0 >> 32) ^ g.c[3][j] ^ k1;
      g.c[1][j] = p1 & low32;
      g.c[3][j] = p0 & low32;
      g.c[0][j] = n0 & low32;
      g.c[2][j] = n2 & low32;
    }
    k0 = (k0 + philox_w0) & low32;
    k1 = (k1 + philox_w1) & low32;
  }
}

// The kernels: `n` groups from group `group` on, as floats or doubles.
// Compilers do not turn the portable 32x32 -> 64-bit products into single
// pmuludq instructions (they emulate a full 64-bit product, three times the
// work), hence the intrinsics.  All kernels give the same bits
// (tests/test_random.cpp compares them).
void floats_portable(std::uint64_t key, std::uint64_t group, std::size_t n, float* out) {
  Group g;
  for (std::size_t i = 0; i < n; ++i) {
    philox_group_portable(key, group + i, g);
    words_to_floats(g, out + i * floats_per_group);
  }
}

void doubles_portable(std::uint64_t key, std::uint64_t group, std::size_t n, double* out) {
  Group g;
  for (std::size_t i = 0; i < n; ++i) {
    philox_group_portable(key, group + i, g);
    words_to_doubles(g, out + i * doubles_per_group);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12 warns about the intentionally undefined pass-through operand of
// its own AVX-512 intrinsics (_mm512_undefined_epi32): a known false alarm.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Eight blocks per 512-bit register, two registers per word.
__attribute__((target("avx512f"))) void floats_avx512(std::uint64_t key, std::uint64_t group, std::size_t n,
                                                      float* out) {
  const __m512i m0 = _mm512_set1_epi64(philox_m0), m1 = _mm512_set1_epi64(philox_m1);
  const __m512i mask = _mm512_set1_epi64(low32), lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  Group g;
  for (std::size_t i = 0; i < n; ++i) {
    __m512i c0[2], c1[2], c2[2], c3[2];
    for (int h = 0; h < 2; ++h) {
      const __m512i block = _mm512_add_epi64(_mm512_set1_epi64(std::int64_t((group + i) * lanes + 8 * h)), lane);
      c0[h] = _mm512_and_si512(block, mask);
      c1[h] = _mm512_srli_epi64(block, 32);
      c2[h] = c3[h] = _mm512_setzero_si512();
    }
    std::uint32_t k0 = std::uint32_t(key), k1 = std::uint32_t(key >> 32);
    for (int round = 0; round < 10; ++round) {
      const __m512i key0 = _mm512_set1_epi64(k0), key1 = _mm512_set1_epi64(k1);
      for (int h = 0; h < 2; ++h) {
        const __m512i p0 = _mm512_mul_epu32(c0[h], m0), p1 = _mm512_mul_epu32(c2[h], m1);
        c0[h] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1[h]), key0);
        c2[h] = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3[h]), key1);
        c1[h] = p1;
        c3[h] = p0;
      }
      k0 += philox_w0;
      k1 += philox_w1;
    }
    for (int h = 0; h < 2; ++h) {
      _mm512_store_si512(reinterpret_cast<__m512i*>(g.c[0] + 8 * h), c0[h]);
      _mm512_store_si512(reinterpret_cast<__m512i*>(g.c[1] + 8 * h), c1[h]);
      _mm512_store_si512(reinterpret_cast<__m512i*>(g.c[2] + 8 * h), c2[h]);
      _mm512_store_si512(reinterpret_cast<__m512i*>(g.c[3] + 8 * h), c3[h]);
    }
    words_to_floats(g, out + i * floats_per_group);
  }
}
#pragma GCC diagnostic pop

// Four blocks per 256-bit register, four registers per word.
__attribute__((target("avx2"))) void floats_avx2(std::uint64_t key, std::uint64_t group, std::size_t n, float* out) {
  const __m256i m0 = _mm256_set1_epi64x(philox_m0), m1 = _mm256_set1_epi64x(philox_m1);
  const __m256i mask = _mm256_set1_epi64x(low32), lane = _mm256_set_epi64x(3, 2, 1, 0);
  Group g;
  for (std::size_t i = 0; i < n; ++i) {
    __m256i c0[4], c1[4], c2[4], c3[4];
    for (int h = 0; h < 4; ++h) {
      const __m256i block = _mm256_add_epi64(_mm256_set1_epi64x(std::int64_t((group + i) * lanes + 4 * h)), lane);
      c0[h] = _mm256_and_si256(block, mask);
      c1[h] = _mm256_srli_epi64(block, 32);
      c2[h] = c3[h] = _mm256_setzero_si256();
    }
    std::uint32_t k0 = std::uint32_t(key), k1 = std::uint32_t(key >> 32);
    for (int round = 0; round < 10; ++round) {
      const __m256i key0 = _mm256_set1_epi64x(k0), key1 = _mm256_set1_epi64x(k1);
      for (int h = 0; h < 4; ++h) {
        const __m256i p0 = _mm256_mul_epu32(c0[h], m0), p1 = _mm256_mul_epu32(c2[h], m1);
        c0[h] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1[h]), key0);
        c2[h] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3[h]), key1);
        c1[h] = p1;
        c3[h] = p0;
      }
      k0 += philox_w0;
      k1 += philox_w1;
    }
    for (int h = 0; h < 4; ++h) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(g.c[0] + 4 * h), c0[h]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(g.c[1] + 4 * h), c1[h]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(g.c[2] + 4 * h), c2[h]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(g.c[3] + 4 * h), c3[h]);
    }
    words_to_floats(g, out + i * floats_per_group);
  }
}
#endif

using FloatKernel = void (*)(std::uint64_t, std::uint64_t, std::size_t, float*);

struct NamedKernel {
  const char* name;
  FloatKernel kernel;
};

std::vector<NamedKernel> available_kernels() {
  std::vector<NamedKernel> out = {{"portable", floats_portable}};
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) out.push_back({"avx2", floats_avx2});
  if (__builtin_cpu_supports("avx512f")) out.push_back({"avx512f", floats_avx512});
#endif
  return out;
}

const NamedKernel& best_kernel() {
  static const NamedKernel best = available_kernels().back();
  return best;
}

// Values [first, first + count) of a stream: whole groups straight into
// `out` by `kernel`, the partial groups at either end through a buffer.
template <typename eT, class Kernel>
void stream_values(Kernel kernel, std::uint64_t key, std::uint64_t first, std::size_t count, eT* out) {
  constexpr std::size_t n = sizeof(eT) == 4 ? floats_per_group : doubles_per_group;
  alignas(64) eT buffer[n];
  std::uint64_t group = first / n;
  const std::size_t head = std::size_t(first % n);
  std::size_t done = 0;
  if (head) {
    kernel(key, group++, 1, buffer);
    done = std::min(n - head, count);
    std::memcpy(out, buffer + head, done * sizeof(eT));
  }
  const std::size_t whole = (count - done) / n;
  kernel(key, group, whole, out + done);
  group += whole;
  done += whole * n;
  if (done < count) {
    kernel(key, group, 1, buffer);
    std::memcpy(out + done, buffer, (count - done) * sizeof(eT));
  }
}

EBM_VECTOR_CLONES void compare(const float* u, const float* p, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = u[i] < p[i] ? 1.0f : 0.0f;
}
EBM_VECTOR_CLONES void compare(const double* u, const double* p, double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = u[i] < p[i] ? 1.0 : 0.0;
}

template <typename eT>
void bernoulli_impl(std::uint64_t key, std::uint64_t first, std::size_t count, const eT* p, eT* out) {
  constexpr std::size_t block = 2048;
  alignas(64) eT u[block];
  for (std::size_t done = 0; done < count; done += block) {
    const std::size_t take = std::min(block, count - done);
    fill(key, first + done, take, u);
    compare(u, p + done, out + done, take);
  }
}

}  // namespace

std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> c, std::array<std::uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t(philox_m0) * c[0];
    const std::uint64_t p1 = std::uint64_t(philox_m1) * c[2];
    c = {std::uint32_t(p1 >> 32) ^ c[1] ^ k[0], std::uint32_t(p1), std::uint32_t(p0 >> 32) ^ c[3] ^ k[1],
         std::uint32_t(p0)};
    k[0] += philox_w0;
    k[1] += philox_w1;
  }
  return c;
}

void fill(std::uint64_t key, std::uint64_t first, std::size_t count, float* out) {
  stream_values(best_kernel().kernel, key, first, count, out);
}

void fill(std::uint64_t key, std::uint64_t first, std::size_t count, double* out) {
  stream_values(doubles_portable, key, first, count, out);
}

namespace {

template <typename eT>
void standard_normals_impl(std::uint64_t key, std::uint64_t first, std::size_t count, eT* out) {
  constexpr std::size_t block = 512;
  double u[2 * block];
  constexpr double two_pi = 6.283185307179586476925286766559;
  for (std::size_t done = 0; done < count; done += block) {
    const std::size_t take = std::min(block, count - done);
    fill(key, 2 * (first + done), 2 * take, u);
    for (std::size_t j = 0; j < take; ++j)
      out[done + j] = eT(std::sqrt(-2.0 * std::log(1.0 - u[2 * j])) * std::cos(two_pi * u[2 * j + 1]));
  }
}

}  // namespace

void standard_normals(std::uint64_t key, std::uint64_t first, std::size_t count, float* out) {
  standard_normals_impl(key, first, count, out);
}

void standard_normals(std::uint64_t key, std::uint64_t first, std::size_t count, double* out) {
  standard_normals_impl(key, first, count, out);
}

void bernoulli(std::uint64_t key, std::uint64_t first, std::size_t count, const float* p, float* out) {
  bernoulli_impl(key, first, count, p, out);
}

void bernoulli(std::uint64_t key, std::uint64_t first, std::size_t count, const double* p, double* out) {
  bernoulli_impl(key, first, count, p, out);
}

std::string kernel_name() { return best_kernel().name; }

std::vector<std::string> kernels_disagreeing(std::uint64_t key, std::uint64_t first, std::size_t count) {
  const auto kernels = available_kernels();
  std::vector<float> reference(count), other(count);
  stream_values(kernels.front().kernel, key, first, count, reference.data());
  std::vector<std::string> out;
  for (const auto& k : kernels) {
    stream_values(k.kernel, key, first, count, other.data());
    if (std::memcmp(reference.data(), other.data(), count * sizeof(float)) != 0) out.push_back(k.name);
  }
  return out;
}

}  // namespace counter_uniforms

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr const char* state_tag = "xoshiro256**";

}  // namespace

void Rng::seed(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& word : s_) word = splitmix64(x);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection of the top partial range: exactly uniform.
  const std::uint64_t limit = (~std::uint64_t(0)) - ((~std::uint64_t(0)) % n);
  std::uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

arma::uvec Rng::permutation(arma::uword n) {
  arma::uvec p(n);
  for (arma::uword i = 0; i < n; ++i) p[i] = i;
  for (arma::uword i = n; i > 1; --i) {
    const arma::uword j = arma::uword(below(i));
    std::swap(p[i - 1], p[j]);
  }
  return p;
}

void Rng::standard_normal_pair(double* z) {
  // Marsaglia's polar method: (u, v) uniform in the unit disc, then
  // (u, v) * sqrt(-2 log s / s) are two independent standard normals.
  double u, v, s;
  do {
    u = 2 * uniform<double>() - 1;
    v = 2 * uniform<double>() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double f = std::sqrt(-2 * std::log(s) / s);
  z[0] = u * f;
  z[1] = v * f;
}

std::string Rng::state() const {
  char text[128];
  std::snprintf(text, sizeof text, "%s %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64, state_tag, s_[0],
                s_[1], s_[2], s_[3]);
  return text;
}

void Rng::set_state(const std::string& state) {
  char tag[16] = {0};
  std::uint64_t s[4];
  int end = 0;
  if (std::sscanf(state.c_str(), "%15s %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 "%n", tag, &s[0], &s[1], &s[2],
                  &s[3], &end) != 5 ||
      std::string(tag) != state_tag || state.find_first_not_of(" \n", std::size_t(end)) != std::string::npos)
    throw InputError("Rng::set_state(): malformed generator state (expected '" + std::string(state_tag) +
                     "' and four hexadecimal words)");
  if ((s[0] | s[1] | s[2] | s[3]) == 0)
    throw InputError("Rng::set_state(): the all-zero state is not a valid xoshiro256** state");
  std::copy(s, s + 4, s_);
}

}  // namespace ebm
