// The one trainer.  It drives any Model through the same loop:
//
//   for each epoch: shuffle (seeded) -> for each minibatch:
//       gradient <- estimator.estimate(model, batch)     (data term - model term)
//       update_rule.apply(model.parameters(), gradient)
// (as estimate_factored / apply_factored, which may leave dense weight
// terms as outer products for the rule's GEMMs, libebm/gradient_factors.hpp,
// except when the whole gradient is needed first: data-parallel sums and
// centering take the materialised path)
//   then run the monitors and report to the observer.
//
// It never looks inside the model, the sampler or the update rule: new
// models, unit types, samplers and rules plug in without touching it.
#pragma once

#include <memory>
#include <vector>

#include "libebm/gradient_estimator.hpp"
#include "libebm/model.hpp"
#include "libebm/monitor.hpp"
#include "libebm/random.hpp"
#include "libebm/training/centering.hpp"
#include "libebm/training/update_rule.hpp"

namespace ebm {

struct TrainerOptions {
  arma::uword epochs = 10;        ///< total epochs of the run (a resumed run continues up to it)
  arma::uword batch_size = 100;
  arma::uword monitor_every = 1;  ///< run monitors every this many epochs (and after the last)
  bool monitor_initial = true;    ///< also measure the untrained model as epoch 0
  /// Centered training (libebm/training/centering.hpp): the update is taken
  /// in centered coordinates, the model keeps its ordinary parameters.
  CenteringOptions centering;
};

/// Measurements after an epoch (epoch 0: before training).
struct EpochRecord {
  arma::uword epoch = 0;
  double seconds = 0;  ///< wall time of the epoch's updates (monitors excluded)
  Measurements measurements;

  /// The value named `name`, or NaN.
  double get(const std::string& name) const;
};

/// Told about progress; the command line tool draws its progress line with it.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) {
    (void)step, (void)batch, (void)n_batches;
  }
  virtual void on_epoch(const EpochRecord& record) { (void)record; }
};

/// Minibatches of a training set that is not held as one dense matrix
/// (issue 4: sparse ratings, expanded one minibatch at a time).
/// gather(columns, out): out <- the samples with these indices, one per
/// column, n_rows() x columns.n_elem.
template <typename eT>
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual arma::uword n_samples() const = 0;
  virtual arma::uword n_rows() const = 0;
  virtual void gather(const arma::uvec& columns, arma::Mat<eT>& out) const = 0;
};

template <typename eT>
class Trainer {
 public:
  using Matrix = arma::Mat<eT>;

  Trainer(Model<eT>& model, GradientEstimator<eT>& estimator, UpdateRule<eT>& update_rule,
          const TrainerOptions& options);

  /// Checks at once that the monitor applies to the model (ContractError if not).
  void add_monitor(std::unique_ptr<Monitor<eT>> monitor);
  void set_observer(TrainingObserver* observer) { observer_ = observer; }

  /// Data-parallel training (libebm/distributed/communicator.hpp; null: one
  /// process).  Every process calls train() with the same data, model,
  /// blocks and seed: each takes its column_shard of every minibatch, the
  /// gradient shares are summed over the processes, and every process
  /// applies the same update -- so N processes compute what one process
  /// does, up to the order of the additions.  Monitors run on rank 0 only
  /// (the others' records carry no measurements).
  void set_communicator(Communicator* communicator);

  /// Trains on `train` (one sample per column) from the last epoch done up
  /// to options.epochs; `test` (may be null) is only given to the monitors.
  /// Throws std::runtime_error if a parameter becomes non-finite
  /// (divergence), naming the epoch and the parameter.
  const std::vector<EpochRecord>& train(const Matrix& train, const Matrix* test, Rng& rng);

  /// The same loop over minibatches drawn from `source` (the same seeded
  /// order); the monitors measure `monitor_train` and `monitor_test` (e.g.
  /// a fixed dense subset of a sparse data set), from which centering
  /// offsets are also initialised.
  const std::vector<EpochRecord>& train(const BatchSource<eT>& source, const Matrix& monitor_train,
                                        const Matrix* monitor_test, Rng& rng);

  /// Runs every monitor now.
  Measurements measure(const Matrix& train, const Matrix* test);

 private:
  /// gradient <- its sum over the processes (one message for all matrices).
  void sum_over_processes(Statistics<eT>& gradient);

 public:

  const std::vector<EpochRecord>& history() const { return history_; }

  /// Continues a run from a checkpoint: the updates taken and the history
  /// (whose last epoch is where training resumes).
  void restore(arma::uword steps, std::vector<EpochRecord> history);
  arma::uword steps_taken() const { return steps_; }

 private:
  void check_finite(arma::uword epoch);
  /// The loop itself; gather(batches, b, first, count, out) fills `out`
  /// with samples first .. first + count - 1 of minibatch b (all of it, or
  /// a process's shard in data-parallel training).
  template <class Gather>
  const std::vector<EpochRecord>& train_loop(arma::uword n_samples, const Gather& gather, const Matrix& monitor_train,
                                             const Matrix* monitor_test, Rng& rng);

  Model<eT>& model_;
  GradientEstimator<eT>& estimator_;
  UpdateRule<eT>& update_rule_;
  TrainerOptions options_;
  std::vector<std::unique_ptr<Monitor<eT>>> monitors_;
  TrainingObserver* observer_ = nullptr;
  Communicator* communicator_ = nullptr;
  std::vector<eT> reduce_buffer_;
  Centering<eT> centering_;
  Statistics<eT> offset_means_;  ///< batch means of the positive phase, for the offsets
  State<eT> centering_state_;    ///< the positive phase, when the estimator keeps none
  std::vector<EpochRecord> history_;
  arma::uword steps_ = 0;
};

}  // namespace ebm
