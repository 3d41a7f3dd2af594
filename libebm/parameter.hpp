// Parameters and the statistics / gradients that travel with them.
//
// A model lists its parameters once, in a fixed order (layers first, then
// connections).  Every statistic, gradient and update-rule state is a
// std::vector of matrices in that same order, so the trainer and the update
// rules can treat every model alike without knowing what the numbers mean.
#pragma once

#include <armadillo>
#include <string>
#include <vector>

namespace ebm {

template <typename eT>
struct Parameter {
  std::string name;         ///< e.g. "layer0.bias", "connection0.weights"
  arma::Mat<eT>* value;     ///< points into the owning block; stable for its lifetime
  bool weight_decay;        ///< whether weight decay applies (weights yes, biases no)
};

template <typename eT>
using ParameterList = std::vector<Parameter<eT>>;

/// One matrix per parameter, same order and shapes as the ParameterList.
/// Holds sufficient statistics <d(-E)/dtheta> or their difference, the
/// log-likelihood gradient.
template <typename eT>
using Statistics = std::vector<arma::Mat<eT>>;

/// Zero statistics shaped like `parameters`.
template <typename eT>
Statistics<eT> zeros_like(const ParameterList<eT>& parameters) {
  Statistics<eT> s;
  s.reserve(parameters.size());
  for (const auto& p : parameters) s.emplace_back(p.value->n_rows, p.value->n_cols, arma::fill::zeros);
  return s;
}

}  // namespace ebm
