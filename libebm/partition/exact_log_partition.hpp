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

/// log2 of the number of states exact_log_partition would visit, or -1 when
/// the model cannot be enumerated.
template <typename eT>
double exact_log_partition_cost(const Model<eT>& model) {
  return BipartiteEnumeration<eT>::cost(model);
}

}  // namespace ebm
