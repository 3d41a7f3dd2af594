// Greedy layer-wise pretraining of a deep Boltzmann machine with the
// weight-doubling correction (Salakhutdinov & Hinton 2009, "Deep Boltzmann
// Machines", section 3.1; Salakhutdinov & Hinton 2012, Neural Computation
// 24(8), section 4).
//
// Hidden layer l of a DBM receives input from both neighbours, but an RBM
// trained greedily on layer l-1 sees only one.  So RBM k (joining layers
// k-1 and k of an L-hidden-layer DBM) is trained with its messages scaled:
//     bottom (k = 1):   input to layer 1 = c + 2 W^T x_0,   to layer 0 = b + W x_1
//     middle:           both directions doubled (2W^T, 2W)
//     top (k = L):      input to layer L = c + W^T x_{L-1}, to layer L-1 = b + 2 W x_L
// (the bottom doubling is an RBM whose visible vector is duplicated with
// tied weights; the top one duplicates the top layer).  When the RBMs are
// composed, every hidden layer gets its input half from below and half
// from above, each of which was trained to carry it alone: the DBM takes the
// W's as they are (the doublings are not part of the stored W), the
// visible bias from RBM 1, the top bias from RBM L, and the average of the
// two estimates for each layer in between.  Each RBM is trained on the
// previous one's up-pass means, by the same Trainer, gradient estimator
// and update rule types as the joint training (any sampler that handles a
// bipartite model, e.g. block Gibbs + PCD).  With one hidden layer the
// DBM is an RBM and no scaling applies.
#pragma once

#include <functional>
#include <memory>

#include "libebm/gradient_estimator.hpp"
#include "libebm/training/trainer.hpp"
#include "libebm/training/update_rule.hpp"
#include "models/deep_boltzmann_machine.hpp"

namespace ebm {

/// How to train each layer's RBM: fresh estimator and update rule per RBM
/// (so no persistent chains or momentum leak between layers) and the
/// trainer's options (epochs, batch size).
template <typename eT>
struct DbmPretraining {
  /// A fresh layer of unit type `type` (the DBM's own are not shared).
  std::function<std::unique_ptr<Layer<eT>>(const std::string& type, arma::uword size)> make_layer;
  std::function<std::unique_ptr<GradientEstimator<eT>>()> make_estimator;
  std::function<std::unique_ptr<UpdateRule<eT>>()> make_update_rule;
  TrainerOptions options;
  double weight_stddev = 0.01;
  /// Told about each RBM's progress (may be null); its epoch records carry
  /// dbm_pretrain_level = k first.
  TrainingObserver* observer = nullptr;
  /// Called after RBM k is trained and composed into the DBM (whose
  /// pretraining progress then says k): where a run writes its checkpoint.
  std::function<void(arma::uword level)> after_level;
};

/// Pretrains the layers of `dbm` on `data` (one sample per column, in the
/// visible unit type's encoding) and writes the composed parameters into
/// it, each RBM's as soon as it is trained.  Starts after the RBMs the
/// DBM's pretraining progress says are done (a resumed run: their up-passes
/// are recomputed, so the result is bit-identical to an uninterrupted run
/// given the generator's state at the interruption).  All randomness from
/// `rng`.  Returns the training seconds of each RBM trained here.
template <typename eT>
std::vector<double> pretrain_dbm(DeepBoltzmannMachine<eT>& dbm, const arma::Mat<eT>& data,
                                 const DbmPretraining<eT>& how, Rng& rng);

struct ExperimentConfig;

/// The experiment runner's hook: when `model` is a DBM, [dbm]
/// pretrain_epochs > 0 and its pretraining is unfinished (a fresh model, or
/// a run resumed between two RBMs), pretrains it with the run's estimator,
/// sampler and update rule types and batch size, telling `observer` and
/// calling `after_level` as pretrain_dbm does; returns notes for the
/// results (empty when nothing was done).
template <typename eT>
std::vector<std::string> pretrain_from_config(const ExperimentConfig& config, Model<eT>& model,
                                              const arma::Mat<eT>& data, Rng& rng, TrainingObserver* observer,
                                              const std::function<void(arma::uword)>& after_level);

}  // namespace ebm
