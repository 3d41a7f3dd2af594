#include "libebm/training/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "libebm/data/minibatches.hpp"
#include "libebm/error.hpp"

namespace ebm {

double EpochRecord::get(const std::string& name) const {
  for (const auto& [key, value] : measurements)
    if (key == name) return value;
  return std::numeric_limits<double>::quiet_NaN();
}

template <typename eT>
Trainer<eT>::Trainer(Model<eT>& model, GradientEstimator<eT>& estimator, UpdateRule<eT>& update_rule,
                     const TrainerOptions& options)
    : model_(model), estimator_(estimator), update_rule_(update_rule), options_(options), centering_(options.centering) {
  if (options.batch_size == 0) throw InputError("training.batch_size must be >= 1");
  if (options.monitor_every == 0) throw InputError("monitor.every must be >= 1");
}

template <typename eT>
void Trainer<eT>::add_monitor(std::unique_ptr<Monitor<eT>> monitor) {
  monitor->check_applies_to(model_);
  monitors_.push_back(std::move(monitor));
}

template <typename eT>
void Trainer<eT>::set_communicator(Communicator* communicator) {
  communicator_ = communicator;
  estimator_.set_communicator(communicator);
}

template <typename eT>
void Trainer<eT>::sum_over_processes(Statistics<eT>& gradient) {
  std::size_t n = 0;
  for (const auto& g : gradient) n += g.n_elem;
  reduce_buffer_.resize(n);
  eT* p = reduce_buffer_.data();
  for (const auto& g : gradient) p = std::copy(g.begin(), g.end(), p);
  communicator_->sum(reduce_buffer_.data(), n);
  p = reduce_buffer_.data();
  for (auto& g : gradient) {
    std::copy(p, p + g.n_elem, g.begin());
    p += g.n_elem;
  }
}

template <typename eT>
Measurements Trainer<eT>::measure(const Matrix& train, const Matrix* test) {
  Measurements out;
  if (communicator_ && communicator_->rank() != 0) return out;
  MonitorData<eT> data{&train, test};
  for (auto& m : monitors_) m->measure(model_, data, out);
  return out;
}

template <typename eT>
void Trainer<eT>::check_finite(arma::uword epoch) {
  for (const auto& p : model_.parameters())
    if (!p.value->is_finite())
      throw std::runtime_error("training diverged in epoch " + std::to_string(epoch) + ": parameter " + p.name +
                               " is no longer finite; lower training.learning_rate or raise weight_decay");
}

template <typename eT>
const std::vector<EpochRecord>& Trainer<eT>::train(const Matrix& train, const Matrix* test, Rng& rng) {
  if (train.n_rows != model_.n_visible())
    throw InputError("Trainer::train(): data has " + std::to_string(train.n_rows) + " rows, the model has " +
                     std::to_string(model_.n_visible()) + " visible units");
  if (test && test->n_rows != train.n_rows)
    throw InputError("Trainer::train(): test data has " + std::to_string(test->n_rows) + " rows, expected " +
                     std::to_string(train.n_rows));
  if (train.n_cols == 0) throw InputError("Trainer::train(): no training samples");
  centering_.initialize(model_, train);
  return train_loop(
      train.n_cols,
      [&train](const Minibatches& batches, arma::uword b, arma::uword first, arma::uword count, Matrix& out) {
        batches.gather(b, first, count, train, out);
      },
      train, test, rng);
}

template <typename eT>
const std::vector<EpochRecord>& Trainer<eT>::train(const BatchSource<eT>& source, const Matrix& monitor_train,
                                                   const Matrix* monitor_test, Rng& rng) {
  if (source.n_rows() != model_.n_visible())
    throw InputError("Trainer::train(): data has " + std::to_string(source.n_rows()) + " rows, the model has " +
                     std::to_string(model_.n_visible()) + " visible units");
  if (source.n_samples() == 0) throw InputError("Trainer::train(): no training samples");
  centering_.initialize(model_, monitor_train);
  return train_loop(
      source.n_samples(),
      [&source](const Minibatches& batches, arma::uword b, arma::uword first, arma::uword count, Matrix& out) {
        source.gather(batches.index_view(b, first, count), out);
      },
      monitor_train, monitor_test, rng);
}

template <typename eT>
template <class Gather>
const std::vector<EpochRecord>& Trainer<eT>::train_loop(arma::uword n_samples, const Gather& gather,
                                                        const Matrix& train, const Matrix* test, Rng& rng) {
  const arma::uword first_epoch = history_.empty() ? 0 : history_.back().epoch;
  if (history_.empty() && options_.monitor_initial && !monitors_.empty()) {
    EpochRecord initial;
    initial.measurements = measure(train, test);
    history_.push_back(initial);
    if (observer_) observer_->on_epoch(history_.back());
  }

  Minibatches batches(n_samples, std::min<arma::uword>(options_.batch_size, n_samples));
  const bool split = communicator_ && communicator_->size() > 1;
  if (split) {
    // Every process needs at least one column of every minibatch (an empty
    // share has no batch means).
    const arma::uword processes = arma::uword(communicator_->size());
    const arma::uword last = n_samples - (batches.n_batches() - 1) * batches.batch_size();
    if (batches.batch_size() < processes || last < processes)
      throw InputError("training.batch_size = " + std::to_string(options_.batch_size) + " with " +
                       std::to_string(processes) + " processes and " + std::to_string(n_samples) +
                       " samples: every minibatch (the last has " + std::to_string(last) +
                       ") needs at least one sample per process");
  }
  ParameterList<eT> parameters = model_.parameters();
  Statistics<eT> gradient;
  // The usual path: the estimator may leave dense weight terms as factors
  // and the update rule fold them into its GEMMs (libebm/gradient_factors.hpp),
  // which saves writing and re-reading a W-sized gradient.  Not when the
  // whole gradient must exist first: summed over processes, or centered
  // (the centering correction changes it).
  const bool factored = !split && !centering_.active();
  FactoredGradient<eT> factored_gradient;
  Matrix batch;
  StepContext step;
  step.epochs = options_.epochs;
  step.steps_per_epoch = batches.n_batches();

  for (arma::uword epoch = first_epoch + 1; epoch <= options_.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    batches.shuffle(rng);
    for (arma::uword b = 0; b < batches.n_batches(); ++b) {
      step.epoch = epoch - 1;
      step.step = steps_;
      // This process's columns of the minibatch (all of them when training
      // is not split), drawn at their global columns
      // (Rng::set_column_offset), and its share of the gradient.
      const arma::uword n = batches.size_of(b);
      const ColumnShard shard = split ? column_shard(n, communicator_->rank(), communicator_->size()) : ColumnShard{0, n};
      gather(batches, b, shard.first, shard.count, batch);
      estimator_.set_global_batch_size(n);
      estimator_.set_batch_cases(batches.index_view(b, 0, n), n_samples);  // for per-case estimator state
      {
        Rng::ColumnOffset offset(rng, shard.first);
        if (factored) estimator_.estimate_factored(model_, batch, factored_gradient, rng);
        else estimator_.estimate(model_, batch, gradient, rng);
      }
      if (factored) {
        update_rule_.apply_factored(parameters, factored_gradient, step);
      } else {
        if (centering_.active()) {
          // The offsets follow the positive phase of this minibatch (the
          // estimator's, or computed here when it keeps none, e.g. the exact
          // data term by enumeration).
          const State<eT>* positive = &estimator_.positive_state();
          if (positive->layers.size() != model_.n_layers() || positive->layers[0].n_cols != batch.n_cols) {
            model_.positive_phase(batch, centering_state_);
            positive = &centering_state_;
          }
          centering_.batch_means(*positive, n, offset_means_);
          if (split) sum_over_processes(offset_means_);
        }
        if (split) sum_over_processes(gradient);
        if (centering_.active()) {
          centering_.update(model_, parameters, gradient, update_rule_, step);
          centering_.slide(model_, offset_means_);
        } else {
          update_rule_.apply(parameters, gradient, step);
        }
      }
      ++steps_;
      if (observer_) observer_->on_batch(step, b, batches.n_batches());
    }
    EpochRecord record;
    record.epoch = epoch;
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    check_finite(epoch);
    if (!monitors_.empty() && (epoch % options_.monitor_every == 0 || epoch == options_.epochs))
      record.measurements = measure(train, test);
    history_.push_back(record);
    if (observer_) observer_->on_epoch(history_.back());
  }
  return history_;
}

template <typename eT>
void Trainer<eT>::restore(arma::uword steps, std::vector<EpochRecord> history) {
  steps_ = steps;
  history_ = std::move(history);
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace ebm
