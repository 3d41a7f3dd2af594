#include "libebm/data/binarize.hpp"

namespace ebm {

template <typename eT>
void binarize_threshold(arma::Mat<eT>& x, eT threshold) {
  eT* p = x.memptr();
  const arma::uword n = x.n_elem;
  for (arma::uword i = 0; i < n; ++i) p[i] = p[i] > threshold ? eT(1) : eT(0);
}

template <typename eT>
void binarize_stochastic(arma::Mat<eT>& x, Rng& rng) {
  // One draw per entry in memory (column-major) order, so a given seed gives
  // the same data on every platform.  u < p with u uniform on [0, 1) is 1 with
  // probability p for p in [0, 1]; it is 1 always for p >= 1 and never for
  // p <= 0 (or NaN), which is the clamping the header promises.
  eT* p = x.memptr();
  const arma::uword n = x.n_elem;
  for (arma::uword i = 0; i < n; ++i) p[i] = rng.uniform<eT>() < p[i] ? eT(1) : eT(0);
}

template void binarize_threshold<float>(arma::Mat<float>&, float);
template void binarize_threshold<double>(arma::Mat<double>&, double);
template void binarize_stochastic<float>(arma::Mat<float>&, Rng&);
template void binarize_stochastic<double>(arma::Mat<double>&, Rng&);

}  // namespace ebm
