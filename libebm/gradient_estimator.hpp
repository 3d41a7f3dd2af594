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
//   sharded throws ContractError from set_communicator().  Registration as for every
//   block (libebm/registry/register.hpp), with create(const BlockOptions&,
//   std::unique_ptr<Sampler<eT>>).
#pragma once

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <memory>
#include <string>

#include "libebm/config/block_options.hpp"

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

  std::unique_ptr<Sampler<eT>> sampler_;
  State<eT> positive_, negative_;
  Statistics<eT> negative_statistics_;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& boost::serialization::make_nvp("sampler", sampler_);
  }
};

}  // namespace ebm
