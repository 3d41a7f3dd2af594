// The joint state of a batch of configurations of a layered model.
#pragma once

#include <armadillo>
#include <vector>

namespace ebm {

/// layers[l] is (units of layer l) x (batch size), one configuration per
/// column.  Layer 0 is always the visible layer.
template <typename eT>
struct State {
  std::vector<arma::Mat<eT>> layers;

  arma::uword n_cols() const { return layers.empty() ? 0 : layers[0].n_cols; }
};

}  // namespace ebm
