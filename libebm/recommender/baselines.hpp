// The baselines every recommender result is printed next to, fitted on the
// training ratings and scored on the same held-out ratings as the model:
//   rating mode:    global mean, user mean, item mean, and the regularised
//                   user + item bias model r = mu + b_u + b_i (Koren 2008,
//                   "Factorization meets the neighborhood", section 2.1),
//                   its two penalties chosen on a validation part of the
//                   training ratings;
//   binarized mode: always "liked", per-item majority, per-user majority.
// A model that does not beat the best of them is reported as such.
#pragma once

#include <string>
#include <vector>

#include "libebm/data/ratings.hpp"

namespace ebm {

struct Score {
  std::string name;
  double rmse = 0, mae = 0;     ///< rating mode (stars)
  double entry_error = 0;       ///< binarized: mean |prediction - truth| over held-out entries
  double user_error = 0;        ///< binarized: the same per user, averaged over users
};

/// RMSE and MAE of `predicted` (one per rating of `truth`, in order).
Score score_ratings(const std::string& name, const RatingsTable& truth, const std::vector<double>& predicted);
/// Per-entry and per-user error of 0/1 predictions against 0/1 values.
Score score_binary(const std::string& name, const RatingsTable& truth, const std::vector<double>& predicted);

/// The user + item bias model fitted by alternating exact minimisation of
/// sum (r - mu - b_u - b_i)^2 + lambda_u |b_u|^2 + lambda_i |b_i|^2.
struct BiasModel {
  double mu = 0;
  std::vector<double> user, item;
  void fit(const RatingsTable& train, arma::uword n_users, arma::uword n_items, double lambda_user,
           double lambda_item, int sweeps = 25);
  double predict(arma::uword u, arma::uword i) const { return mu + user[u] + item[i]; }
};

/// Rating-mode baselines on `test`, predictions clipped to [lo, hi].  The
/// bias model's penalties come from a grid, each scored on a random 10%
/// of `train` (drawn with `seed`) after fitting the other 90%; the chosen
/// pair is refitted on all of `train` and named in the result.
std::vector<Score> rating_baselines(const RatingsTable& train, const RatingsTable& test, arma::uword n_users,
                                    arma::uword n_items, double lo, double hi, std::uint64_t seed);

/// Binarized baselines (values 0/1) on `test`.
std::vector<Score> binary_baselines(const RatingsTable& train, const RatingsTable& test, arma::uword n_users,
                                    arma::uword n_items);

}  // namespace ebm
