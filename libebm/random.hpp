// The run's source of randomness.
//
// Every random draw in a run comes from an Rng owned by that run and seeded
// from its config, so the same config and seed give the same numbers.  We do
// not use Armadillo's randu(): its generator is global state shared by every
// caller, which makes runs depend on what else happened in the process.
#pragma once

#include <armadillo>
#include <cstdint>
#include <random>
#include <string>

namespace ebm {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) : engine_(seed) {}

  void seed(std::uint64_t seed) { engine_.seed(seed); }

  /// Uniform on [0, 1) with the full precision of eT (24 bits for float, 53 for double).
  template <typename eT>
  eT uniform() {
    if constexpr (sizeof(eT) == 4) {
      return eT(engine_() >> 40) * eT(1.0 / 16777216.0);
    } else {
      return eT(engine_() >> 11) * eT(1.0 / 9007199254740992.0);
    }
  }

  /// Fills every element with an independent uniform draw on [0, 1).
  template <typename eT>
  void fill_uniform(arma::Mat<eT>& m) {
    eT* p = m.memptr();
    const arma::uword n = m.n_elem;
    for (arma::uword i = 0; i < n; ++i) p[i] = uniform<eT>();
  }

  /// Fills with independent N(mean, stddev^2) draws.
  template <typename eT>
  void fill_normal(arma::Mat<eT>& m, double mean = 0.0, double stddev = 1.0) {
    std::normal_distribution<double> dist(mean, stddev);
    eT* p = m.memptr();
    for (arma::uword i = 0; i < m.n_elem; ++i) p[i] = eT(dist(engine_));
  }

  /// A uniformly random permutation of 0..n-1 (Fisher-Yates on our engine,
  /// so it is the same on every standard library, unlike std::shuffle).
  arma::uvec permutation(arma::uword n);

  /// Integer uniform on [0, n).
  std::uint64_t below(std::uint64_t n);

  std::uint64_t next() { return engine_(); }

  /// The full engine state as text, for checkpoints.
  std::string state() const;
  void set_state(const std::string& state);

 private:
  std::mt19937_64 engine_;
};

}  // namespace ebm
