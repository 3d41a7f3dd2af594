// `ebm train` on ratings data (data.format = ratings): the recommender of
// issue 4 as a configuration of the generic pieces -- an Rbm with softmax
// visible units with missing entries, trained by the one Trainer with any
// registered estimator (CD-k with k growing by ratings.k_schedule, or PCD)
// and update rule (momentum, weight decay), the ratings kept sparse and
// expanded one minibatch at a time -- and its evaluation next to the
// baselines.  See docs/recommender.md.
#pragma once

#include <string>
#include <vector>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/data/ratings.hpp"
#include "libebm/distributed/communicator.hpp"
#include "libebm/experiment.hpp"
#include "libebm/recommender/baselines.hpp"
#include "models/rbm.hpp"

namespace ebm {

/// The ratings of a config, read and checked, with what the model makes of them.
struct RatingsData {
  IdMap users, items;
  RatingsTable train, test;  ///< values as read (test empty without data.test)
  bool item_based = false;
  bool binarize = false;
  double threshold = 3;
  unsigned levels = 5;  ///< the model's levels: ratings.levels, or 2 when binarized
  double scale = 1;     ///< ratings.scale (1 when binarized)

  /// Values replaced by the model's levels 1..K (binarized: 1 not liked,
  /// 2 liked); every rating is checked against ratings.levels/scale first
  /// (InputError naming file:line).
  RatingsTable to_levels(const RatingsTable& t, const RatingsConfig& c) const;
  /// Values as scored: stars, or 0/1 when binarized.
  RatingsTable to_targets(const RatingsTable& t) const;
  SparseRatings sparse(const RatingsTable& levels_table) const;
};

/// Reads data.train and data.test (when set; kept when `with_test`) as
/// [ratings] says.  Ids are numbered over both files, training file first.
RatingsData load_ratings_data(const ExperimentConfig& c, bool with_test);

struct RatingsEvaluation {
  Score model;
  std::vector<Score> baselines;
  bool beats_best = false;
  std::string report;  ///< the table and the verdict, several lines
};

/// Scores `model` on `queries` (predictions conditioned on `known`, both as
/// read) next to the baselines fitted on `known`.
template <typename eT>
RatingsEvaluation evaluate_recommender(const Rbm<eT>& model, const RatingsData& data, const RatingsConfig& c,
                                       const RatingsTable& known, const RatingsTable& queries, std::uint64_t seed,
                                       const std::string& model_name);

/// The predicted value (stars, or p(liked) when binarized) for each pair.
template <typename eT>
std::vector<double> predict_ratings(const Rbm<eT>& model, const RatingsData& data, const SparseRatings& known,
                                    const std::vector<std::pair<arma::uword, arma::uword>>& pairs);

/// Trains and evaluates.  With output.checkpoint, the whole training state
/// is saved as ordinary runs save it; `resume` (may be null) continues such a
/// checkpoint and ends bit-identical to the uninterrupted run.  With a
/// `communicator` of several processes every process trains its share of
/// each minibatch (docs/distributed.md) and only rank 0 writes files and
/// reports; every process returns the same evaluation.
template <typename eT>
ExperimentResult run_ratings_experiment(const ExperimentConfig& c, TrainingObserver* observer,
                                        TrainingCheckpoint<eT>* resume = nullptr,
                                        Communicator* communicator = nullptr);

}  // namespace ebm
