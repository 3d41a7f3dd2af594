// Exact log Z by enumeration (see bipartite_enumeration.hpp): practical up to
// about 2^25 states of the enumerated side.
#pragma once

#include "libebm/partition/bipartite_enumeration.hpp"

namespace ebm {

/// Throws ContractError when the model cannot be enumerated within
/// 2^max_log2_states states.
template <typename eT>
double exact_log_partition(const Model<eT>& model, unsigned max_log2_states = 25) {
  return BipartiteEnumeration<eT>(model, max_log2_states).log_partition();
}

/// F(v) = -log sum_latent exp(-E(v, latent)) per column of `visible`, by
/// enumerating the latent layers with v clamped (any small model, including
/// those with lateral couplings).  Throws ContractError above 2^max_log2_states
/// states per column.
template <typename eT>
arma::rowvec exact_free_energy(const Model<eT>& model, const arma::Mat<eT>& visible, unsigned max_log2_states = 20) {
  arma::rowvec f(visible.n_cols);
  for (arma::uword n = 0; n < visible.n_cols; ++n)
    f[n] = -BipartiteEnumeration<eT>(model, max_log2_states, arma::Mat<eT>(visible.col(n))).log_partition();
  return f;
}

/// log2 of the number of latent states exact_free_energy visits per column,
/// or -1 when the latent layers cannot be enumerated.
template <typename eT>
double exact_free_energy_cost(const Model<eT>& model) {
  return BipartiteEnumeration<eT>::cost(model, true);
}

/// log2 of the number of states exact_log_partition would visit, or -1 when
/// the model cannot be enumerated.
template <typename eT>
double exact_log_partition_cost(const Model<eT>& model) {
  return BipartiteEnumeration<eT>::cost(model);
}

}  // namespace ebm
