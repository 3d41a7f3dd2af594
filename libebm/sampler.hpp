// Extension point: a sampler moves Markov chains of a model's joint state.
//
// CONTRACT
//   - initialize_chains(model, state, n, rng): sets `state` to n chains (n
//     columns in every layer) drawn from a fixed, model-dependent starting
//     distribution using only `rng`.
//   - run(model, state, steps, rng): advances every chain (column) by
//     `steps` transitions that each leave p(x) = exp(-E(x))/Z invariant;
//     steps == 0 leaves `state` untouched.  All randomness comes from `rng`.
//     Throws ContractError if the model's structure is one it cannot handle.
//   - rao_blackwellize(model, state): replaces the layers that the sampler
//     would draw next by their conditional expectations, which lowers the
//     variance of the statistics computed from `state` without biasing
//     them.  May be a no-op.
//   - run_and_rao_blackwellize(model, state, steps, rng, expectations): what
//     the gradient estimators call: run(), then `expectations` <- a copy of
//     `state` passed through rao_blackwellize() (`state` keeps its samples).
//     The default does exactly that; a sampler may fuse the two (block
//     Gibbs takes the expectations from the conditional its last half-step
//     draws from, which saves a matrix product per call).
//   - keeps_chain_state(): true when the sampler holds state per chain
//     besides `state` (parallel tempering's replicas), which data-parallel
//     training cannot split yet.
//   - runs_by_columns(): true when the estimators may split the chains
//     (columns) into blocks and call run_and_rao_blackwellize() on each
//     block at once from several threads, each block with its own clone of
//     the sampler (libebm/archive/clone.hpp) and its own copy of the
//     generator (libebm/column_blocks.hpp).  It promises: each chain's
//     transitions depend on its own column only; the states passed in are
//     views of fixed size (resize nothing to another shape); bulk draws go
//     through the Rng (shard-exact under its column offset); and the calls
//     made on the generator do not depend on the number of chains or on
//     their values, so every block's copy ends in the same state.
//   - redraws_visible_first(): true when every step of run() begins by
//     drawing layer 0 afresh given the other layers, so that the values a
//     chain's visible layer holds before a step matter only through which
//     units they leave unobserved (Layer::mark_unobserved).  PCD's per-case
//     chains for data with missing entries (persisting only the latent
//     layers, the visible layer set from the case's data) need this.
// A sampler may keep scratch matrices between calls (hence non-const) but no
// state that changes what it computes, except per-chain state it declares.
#pragma once

#include <boost/serialization/access.hpp>
#include <string>

#include "libebm/config/block_options.hpp"

#include "libebm/model.hpp"
#include "libebm/random.hpp"
#include "libebm/state.hpp"

namespace ebm {

template <typename eT>
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::string type_name() const = 0;
  virtual void initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains, Rng& rng) = 0;
  virtual void run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) = 0;
  virtual void rao_blackwellize(const Model<eT>& model, State<eT>& state) { (void)model, (void)state; }
  virtual bool keeps_chain_state() const { return false; }
  virtual bool runs_by_columns() const { return false; }
  virtual bool redraws_visible_first() const { return false; }
  virtual void run_and_rao_blackwellize(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng,
                                        State<eT>& expectations) {
    run(model, state, steps, rng);
    expectations.layers = state.layers;
    rao_blackwellize(model, expectations);
  }

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive&, const unsigned int) {}
};

}  // namespace ebm
