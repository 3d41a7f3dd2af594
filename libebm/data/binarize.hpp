// Turning intensities in [0, 1] into binary data.
#pragma once

#include <armadillo>

#include "libebm/random.hpp"

namespace ebm {

/// x <- (x > threshold) ? 1 : 0.
template <typename eT>
void binarize_threshold(arma::Mat<eT>& x, eT threshold = eT(0.5));

/// x <- 1 with probability x (clamped to [0, 1]), else 0: one draw per entry
/// from `rng`, as in the binarized MNIST of Salakhutdinov & Murray 2008.
template <typename eT>
void binarize_stochastic(arma::Mat<eT>& x, Rng& rng);

}  // namespace ebm
