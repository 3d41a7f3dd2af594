// Predictions of an RBM recommender (Salakhutdinov, Mnih & Hinton 2007,
// "Restricted Boltzmann machines for collaborative filtering"): an Rbm whose
// visible layer is softmax units with missing entries, one group of K
// rating levels per variable, the weights tied per (variable, level, hidden
// unit) -- exactly a dense connection from the variables x K softmax layer.
//
// User-based orientation: a sample is a user, the variables are the items
// (the paper's model: one RBM per user over the items they rated, all
// sharing the weights).  Item-based: a sample is an item, the variables are
// the users who rated it (the transposed ratings matrix).
//
// The prediction for a (user, item) pair is read from the sample's known
// ratings V by one mean-field pass (the paper's eq. 4 with p_j in place of
// binary states):
//     p_j = E[h_j | V],   p(v_q = k | p) = softmax_k(b_qk + sum_j p_j W_qk,j)
// and the predicted rating is the expected value sum_k k p(v_q = k) (the
// mode is far worse on RMSE); binarized, it is p(liked).
#pragma once

#include <utility>
#include <vector>

#include "libebm/data/ratings.hpp"
#include "models/rbm.hpp"

namespace ebm {

template <typename eT>
class RbmRecommender {
 public:
  /// `known`: the ratings predictions condition on, by sample in the
  /// model's orientation (item_based: samples are items).  Both must
  /// outlive the recommender.  InputError when the model's visible layer
  /// is not softmax with known.levels states and missing entries over
  /// known.n_variables groups.
  RbmRecommender(const Rbm<eT>& model, const SparseRatings& known, bool item_based);

  /// p(level | known ratings) for each (user, item) pair: levels x pairs.
  arma::mat level_probabilities(const std::vector<std::pair<arma::uword, arma::uword>>& pairs) const;

  /// Expected level (1..K) for each pair.
  std::vector<double> expected_levels(const std::vector<std::pair<arma::uword, arma::uword>>& pairs) const;

 private:
  const Rbm<eT>& model_;
  const SparseRatings& known_;
  bool item_based_;
};

}  // namespace ebm
