// Extension point: a gradient estimator decides which chains supply the
// negative ("model") statistics and how far they run.
//
// CONTRACT
//   estimate(model, batch, gradient, rng):
//     gradient <- <d(-E)/dtheta>_data - <d(-E)/dtheta>_model, one matrix per
//     parameter in the order of model.parameters().  The data term comes
//     from model.positive_phase(batch); the model term from the estimator's
//     chains moved by its sampler.  All randomness comes from `rng`.
//   negative_state(): the chains used for the last model term (after the
//     sampler's Rao-Blackwellisation), for monitors and tests.
//   estimate_factored(model, batch, out, rng) (what the Trainer calls): the
//     same gradient, but with the dense connections' weight terms left as
//     outer products of the states (libebm/gradient_factors.hpp) so that
//     the update rule can fold them into its GEMMs.  An estimator opts in
//     with delivers_factors() when its estimate() ends with difference()
//     and changes neither the gradient nor positive_/negative_ after it;
//     difference() then leaves the factors (pointing into positive_ and
//     negative_, valid until the next estimate).  The others materialise
//     every matrix, which is always correct.
//   Everything that must survive a checkpoint (persistent chains, step
//   counters) is serialized; scratch is not.
//   Data-parallel training (libebm/distributed/communicator.hpp): the
//   Trainer calls set_communicator() once and set_global_batch_size() before each
//   estimate(); the batch is then this process's columns of the global
//   minibatch, and the gradient must be this process's SHARE of the global
//   one, so that the sum over processes is the gradient a single process
//   would compute: weight the data term by data_weight() and the model term
//   by the process's share of the chains (difference() does both for
//   chains that are the batch's own columns).  Draw chains that are split
//   over processes under Rng::ColumnOffset at their global first column, so
//   that they get the draws a single process would make.  An estimator
//   that keeps per-chain state splits it (split_shards) and joins it
//   (join_shards, collective) around checkpoints; one that cannot run
//   sharded throws ContractError from set_communicator().
//   Column blocks (libebm/column_blocks.hpp): an estimator moves its chains
//   through for_each_chain_block(), which splits them over threads when the
//   sampler runs_by_columns() and the minibatch is large enough (and
//   otherwise calls the task once with every column); the task touches only
//   its block's columns, through column_view()s of states sized beforehand.
//   Registration as for every
//   block (libebm/registry/register.hpp), with create(const BlockOptions&,
//   std::unique_ptr<Sampler<eT>>).
#pragma once

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "libebm/archive/clone.hpp"
#include "libebm/column_blocks.hpp"
#include "libebm/config/block_options.hpp"
#include "libebm/error.hpp"
#include "libebm/helper_threads.hpp"

#include "libebm/distributed/communicator.hpp"
#include "libebm/model.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

template <typename eT>
class GradientEstimator {
 public:
  using Matrix = arma::Mat<eT>;

  explicit GradientEstimator(std::unique_ptr<Sampler<eT>> sampler) : sampler_(std::move(sampler)) {}
  virtual ~GradientEstimator() = default;

  virtual std::string type_name() const = 0;
  virtual void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) = 0;

  /// estimate(), leaving factors where delivers_factors() (see the contract).
  void estimate_factored(const Model<eT>& model, const Matrix& batch, FactoredGradient<eT>& out, Rng& rng);
  /// Whether estimate() ends with difference() and touches nothing after it
  /// (then estimate_factored() can leave factors).  Default: no.
  virtual bool delivers_factors() const { return false; }

  const State<eT>& positive_state() const { return positive_; }
  const State<eT>& negative_state() const { return negative_; }
  Sampler<eT>& sampler() { return *sampler_; }
  /// The sampler, or null for estimators that do not sample (exact).
  const Sampler<eT>* sampler_if_any() const { return sampler_.get(); }

  /// Data-parallel training: the processes this estimator's work is split
  /// over (null or a SingleProcess: not split).  Splits persistent state.
  virtual void set_communicator(Communicator* communicator) { communicator_ = communicator; }
  /// The next estimate()'s batch is this process's share of a global
  /// minibatch of `global` columns (its draws are placed by the Rng's
  /// column offset, which the Trainer sets).
  void set_global_batch_size(arma::uword global) { batch_global_ = global; }
  /// The training cases of the next estimate()'s minibatch (issue 4; the
  /// Trainer sets them before each estimate()): `cases` are the column
  /// indices, in the training set of `n_cases` samples, of the WHOLE global
  /// minibatch in column order -- the same on every process, whose batch is
  /// its column_shard of them.  An estimator that keeps state per training
  /// case (PCD's per-case chains for data with missing entries) needs them;
  /// the others ignore them.  Unset (n_cases 0) when estimate() is called
  /// without a Trainer.
  void set_batch_cases(const arma::uvec& cases, arma::uword n_cases) {
    batch_cases_ = cases;  // a copy: the Trainer's view lives until the next shuffle only
    n_cases_ = n_cases;
  }
  /// Collective: make split persistent state whole on every process (before
  /// it is saved), and take this process's part of whole state again.
  virtual void join_shards() {}
  virtual void split_shards() {}

 protected:
  GradientEstimator() = default;  // for loading from an archive

  bool sharded() const { return communicator_ && communicator_->size() > 1; }
  /// This process's share of the global minibatch (1 when not sharded).
  eT data_weight(arma::uword local_columns) const {
    return sharded() && batch_global_ ? eT(local_columns) / eT(batch_global_) : eT(1);
  }

  /// gradient <- statistics(positive_) - statistics(negative_), each
  /// weighted by this process's share (the chains are the batch's columns).
  void difference(const Model<eT>& model, Statistics<eT>& gradient);
  /// The same with the model term's weight given (chains split otherwise).
  void difference(const Model<eT>& model, Statistics<eT>& gradient, eT negative_weight);

  Communicator* communicator_ = nullptr;
  /// Set during estimate_factored(): where difference() leaves its factors.
  FactoredGradient<eT>* factored_ = nullptr;
  arma::uword batch_global_ = 0;
  arma::uvec batch_cases_;  ///< set_batch_cases(): the global minibatch's training cases
  arma::uword n_cases_ = 0;  ///< set_batch_cases(): the training set's size (0: not told)

  /// One block of chains in for_each_chain_block(): its place, its own
  /// sampler and generator copy, and room for the views its task makes.
  struct ChainBlock {
    unsigned index = 0, count = 1;
    Sampler<eT>* sampler = nullptr;  ///< the estimator's own in block 0, a clone in the others
    Rng rng;                         ///< a copy of the run's generator (offset: the run's)
    State<eT> positive, chains, negative;
    Matrix input;
    std::unique_ptr<Sampler<eT>> own_sampler;
    const Sampler<eT>* cloned_from = nullptr;  ///< the sampler own_sampler copies
    std::exception_ptr error;  ///< what the task threw on a helper thread

    /// This block's columns of a set of n (every block holds >= 1 column
    /// of a set of at least `count`).
    ColumnShard shard(arma::uword n) const { return column_shard(n, int(index), int(count)); }
  };

  /// Calls task(block) for every block of the `n_chains` chains of `model`
  /// (column_block_count: fixed by the columns and the model, so the bits
  /// do not depend on the threads), with single-threaded BLAS on up to
  /// column_block_threads() threads when there are several, else once on
  /// this thread with every column.  The task draws its chains under
  /// Rng::ColumnOffset at block.rng's offset + its first column; `rng` ends
  /// where every block's copy ends (ContractError if they differ: a sampler
  /// that broke its runs_by_columns() promise).  An exception in a block is
  /// rethrown here.
  template <class Task>
  void for_each_chain_block(const Model<eT>& model, arma::uword n_chains, Rng& rng, const Task& task);

  /// ContractError if a view of the block's states was resized (a release
  /// build of Armadillo then moves it to memory of its own, silently, so
  /// its results would never reach the estimator's states).
  void check_views(const ChainBlock& block) const {
    for (const State<eT>* s : {&block.positive, &block.chains, &block.negative})
      for (const auto& m : s->layers)
        if (m.mem_state != 2)
          throw ContractError("sampler '" + sampler_->type_name() +
                              "' or the model resized a column block's state (runs_by_columns() and "
                              "positive_phase_by_columns() promise fixed shapes)");
  }

  /// state <- one matrix per layer of `model`, (layer size) x n, to be filled.
  static void size_for(const Model<eT>& model, arma::uword n, State<eT>& state) {
    state.layers.resize(model.n_layers());
    for (arma::uword l = 0; l < model.n_layers(); ++l) state.layers[l].set_size(model.layer(l).size(), n);
  }

  std::unique_ptr<Sampler<eT>> sampler_;
  State<eT> positive_, negative_;
  Statistics<eT> negative_statistics_;
  std::vector<ChainBlock> chain_blocks_;  // scratch of for_each_chain_block
  bool chains_in_blocks_ = false;         // whether the last for_each_chain_block split

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& boost::serialization::make_nvp("sampler", sampler_);
  }
};

template <typename eT>
template <class Task>
void GradientEstimator<eT>::for_each_chain_block(const Model<eT>& model, arma::uword n_chains, Rng& rng,
                                                 const Task& task) {
  arma::uword units = 0;
  for (arma::uword l = 0; l < model.n_layers(); ++l) units += model.layer(l).size();
  const unsigned count = sampler_->runs_by_columns() ? column_block_count(n_chains, units) : 1;
  chains_in_blocks_ = count > 1;
  if (chain_blocks_.size() < count) chain_blocks_.resize(count);
  for (unsigned b = 0; b < count; ++b) {
    ChainBlock& block = chain_blocks_[b];
    block.index = b;
    block.count = count;
    if (b == 0) {
      block.sampler = sampler_.get();
    } else {
      // A clone per block (its scratch is its own); made again if the
      // estimator's sampler was replaced (a loaded checkpoint).
      if (!block.own_sampler || block.cloned_from != sampler_.get()) {
        block.own_sampler = clone_sampler(*sampler_);
        block.cloned_from = sampler_.get();
      }
      block.sampler = block.own_sampler.get();
    }
    block.rng = rng;
  }
  if (count == 1) {
    task(chain_blocks_[0]);
    check_views(chain_blocks_[0]);
    rng = chain_blocks_[0].rng;
    return;
  }
  {
    const unsigned threads = column_block_threads();  // read before BLAS goes single-threaded
    SingleThreadedBlas single_threaded;
    HelperThreads::instance().run(
        count,
        [&](std::size_t b) {
          ChainBlock& block = chain_blocks_[b];
          block.error = nullptr;
          try {
            task(block);
          } catch (...) {
            block.error = std::current_exception();
          }
        },
        threads);
  }
  for (unsigned b = 0; b < count; ++b)
    if (chain_blocks_[b].error) std::rethrow_exception(chain_blocks_[b].error);
  for (unsigned b = 0; b < count; ++b) check_views(chain_blocks_[b]);
  for (unsigned b = 1; b < count; ++b)
    if (!chain_blocks_[b].rng.same_engine(chain_blocks_[0].rng))
      throw ContractError("sampler '" + sampler_->type_name() +
                          "' declares runs_by_columns() but made different generator calls in two column blocks");
  rng = chain_blocks_[0].rng;
}

}  // namespace ebm
