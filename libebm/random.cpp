#include "libebm/random.hpp"

#include <sstream>

#include "libebm/error.hpp"

namespace ebm {

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire's rejection-free-in-expectation bounded draw; exact uniformity.
  const std::uint64_t limit = (~std::uint64_t(0)) - ((~std::uint64_t(0)) % n);
  std::uint64_t x;
  do {
    x = engine_();
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

std::string Rng::state() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Rng::set_state(const std::string& state) {
  std::istringstream in(state);
  in >> engine_;
  if (!in) throw InputError("Rng::set_state(): malformed generator state");
}

}  // namespace ebm
