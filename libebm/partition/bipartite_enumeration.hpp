// Exact sums over all states of a model with a bipartite layer graph: one
// colour class (A) is enumerated, the other (B) summed out analytically.
//
// For every joint state x_A of the enumerated class, the unnormalised log
// marginal is
//     log w(x_A) = -sum_{l in A} self_energy_l(x_l) + sum_{l in B} log_partition_l(input_l(x_A)),
// and given x_A the layers of B are independent with known means.  log Z is
// the log-sum-exp of log w; expectations under the model are
// sum_A p(x_A) E[stat | x_A].  For an RBM, A is the smaller layer.
//
// The same sums serve models whose layer graph is not bipartite (a general
// Boltzmann machine with lateral couplings): B is then any set of layers
// with no connection among them (no lateral couplings either), A the rest,
// and log w(x_A) also holds the energy terms of the connections inside A:
//     log w(x_A) = -E_A(x_A) + sum_{l in B} log_partition_l(input_l(x_A)).
// B may be empty (every layer enumerated).  With layer 0 *clamped* to one
// visible configuration v, the sums run over the latent layers only, so
// log_partition() is log sum_latent exp(-E(v, latent)) = -F(v): the exact
// free energy (and, through for_each_block, the exact posterior
// expectations) of any small model.
#pragma once

#include <functional>
#include <vector>

#include "libebm/model.hpp"

namespace ebm {

template <typename eT>
class BipartiteEnumeration {
 public:
  /// Chooses the enumerable colour class with the fewest states.  Throws
  /// ContractError when the graph is not bipartite, no class is enumerable,
  /// or the enumeration exceeds 2^max_log2_states states.
  BipartiteEnumeration(const Model<eT>& model, unsigned max_log2_states = 25);
  /// Layer 0 held at `clamped_visible` (one column) in every enumerated
  /// state; the sums run over the other layers.  Works for bipartite and
  /// non-bipartite layer graphs alike.
  BipartiteEnumeration(const Model<eT>& model, unsigned max_log2_states, const arma::Mat<eT>& clamped_visible);

  /// log2 of the number of enumerated states, or -1 when `model` cannot be
  /// enumerated this way (`clamped`: with layer 0 held fixed).
  static double cost(const Model<eT>& model, bool clamped = false);

  /// Calls visit(state, log_w) for consecutive blocks of joint states:
  /// layers of A hold the enumerated configurations, layers of B their
  /// conditional means given A (only when `with_means`; otherwise they are
  /// left unset, which saves half the work when only log Z is wanted);
  /// log_w[c] is log w of column c, in double.
  void for_each_block(const std::function<void(const State<eT>&, const arma::rowvec&)>& visit,
                      bool with_means = true) const;

  /// log Z by a running log-sum-exp in double.
  double log_partition() const;

  const std::vector<arma::uword>& enumerated_layers() const { return enumerated_; }

 private:
  /// Picks the enumerated and summed layer classes (ContractError when none
  /// fits the limit) and the connections inside the enumerated class.
  void choose_split(unsigned max_log2_states);

  const Model<eT>& model_;
  std::vector<arma::uword> enumerated_;  // class A, the largest layer last (visited in contiguous blocks)
  std::vector<arma::uword> summed_;      // class B
  std::vector<arma::uword> internal_;    // connections with both ends in A (or the clamped layer): none when bipartite
  bool clamped_ = false;                 // layer 0 held at clamped_visible_
  arma::Mat<eT> clamped_visible_;
};

}  // namespace ebm
