#include "libebm/recommender/baselines.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm {

Score score_ratings(const std::string& name, const RatingsTable& truth, const std::vector<double>& predicted) {
  Score s;
  s.name = name;
  double se = 0, ae = 0;
  for (std::size_t k = 0; k < truth.ratings.size(); ++k) {
    const double d = predicted[k] - truth.ratings[k].value;
    se += d * d, ae += std::abs(d);
  }
  const double n = double(std::max<std::size_t>(truth.ratings.size(), 1));
  s.rmse = std::sqrt(se / n), s.mae = ae / n;
  return s;
}

Score score_binary(const std::string& name, const RatingsTable& truth, const std::vector<double>& predicted) {
  Score s;
  s.name = name;
  arma::uword n_users = 0;
  for (const auto& r : truth.ratings) n_users = std::max(n_users, r.user + 1);
  std::vector<double> wrong(n_users, 0), count(n_users, 0);
  double total = 0;
  for (std::size_t k = 0; k < truth.ratings.size(); ++k) {
    const double e = std::abs(predicted[k] - truth.ratings[k].value);
    total += e;
    wrong[truth.ratings[k].user] += e, count[truth.ratings[k].user] += 1;
  }
  s.entry_error = total / double(std::max<std::size_t>(truth.ratings.size(), 1));
  double users = 0, sum = 0;
  for (arma::uword u = 0; u < n_users; ++u)
    if (count[u] > 0) sum += wrong[u] / count[u], users += 1;
  s.user_error = users > 0 ? sum / users : 0;
  return s;
}

void BiasModel::fit(const RatingsTable& train, arma::uword n_users, arma::uword n_items, double lambda_user,
                    double lambda_item, int sweeps) {
  mu = 0;
  for (const auto& r : train.ratings) mu += r.value;
  mu /= double(std::max<std::size_t>(train.ratings.size(), 1));
  user.assign(n_users, 0), item.assign(n_items, 0);
  std::vector<double> sum, count;
  for (int s = 0; s < sweeps; ++s) {
    // Each step is the exact minimiser over one block given the other.
    sum.assign(n_items, 0), count.assign(n_items, 0);
    for (const auto& r : train.ratings) sum[r.item] += r.value - mu - user[r.user], count[r.item] += 1;
    for (arma::uword i = 0; i < n_items; ++i) item[i] = sum[i] / (count[i] + lambda_item);
    sum.assign(n_users, 0), count.assign(n_users, 0);
    for (const auto& r : train.ratings) sum[r.user] += r.value - mu - item[r.item], count[r.user] += 1;
    for (arma::uword u = 0; u < n_users; ++u) user[u] = sum[u] / (count[u] + lambda_user);
  }
}

std::vector<Score> rating_baselines(const RatingsTable& train, const RatingsTable& test, arma::uword n_users,
                                    arma::uword n_items, double lo, double hi, std::uint64_t seed) {
  auto clip = [lo, hi](double x) { return std::min(hi, std::max(lo, x)); };
  double mu = 0;
  for (const auto& r : train.ratings) mu += r.value;
  mu /= double(train.ratings.size());
  std::vector<double> us(n_users, 0), uc(n_users, 0), is(n_items, 0), ic(n_items, 0);
  for (const auto& r : train.ratings) us[r.user] += r.value, uc[r.user] += 1, is[r.item] += r.value, ic[r.item] += 1;
  std::vector<double> global, by_user, by_item, bias;
  for (const auto& r : test.ratings) {
    global.push_back(clip(mu));
    by_user.push_back(clip(uc[r.user] > 0 ? us[r.user] / uc[r.user] : mu));
    by_item.push_back(clip(ic[r.item] > 0 ? is[r.item] / ic[r.item] : mu));
  }
  // Penalties on a validation part of the training ratings only.
  Rng rng(seed);
  RatingsTable fit, validation;
  split_ratings(train, 0.1, false, rng, fit, validation);
  double best = std::numeric_limits<double>::infinity(), best_user = 0, best_item = 0;
  for (double lu : {0.0, 1.0, 2.0, 5.0, 10.0, 15.0, 25.0})
    for (double li : {0.0, 1.0, 2.0, 5.0, 10.0, 15.0, 25.0}) {
      BiasModel m;
      m.fit(fit, n_users, n_items, lu, li);
      double se = 0;
      for (const auto& r : validation.ratings) se += std::pow(clip(m.predict(r.user, r.item)) - r.value, 2);
      if (se < best) best = se, best_user = lu, best_item = li;
    }
  BiasModel m;
  m.fit(train, n_users, n_items, best_user, best_item);
  for (const auto& r : test.ratings) bias.push_back(clip(m.predict(r.user, r.item)));
  char name[96];
  std::snprintf(name, sizeof name, "user+item bias (lambda %g/%g)", best_user, best_item);
  return {score_ratings("global mean", test, global), score_ratings("user mean", test, by_user),
          score_ratings("item mean", test, by_item), score_ratings(name, test, bias)};
}

std::vector<Score> binary_baselines(const RatingsTable& train, const RatingsTable& test, arma::uword n_users,
                                    arma::uword n_items) {
  std::vector<double> ul(n_users, 0), uc(n_users, 0), il(n_items, 0), ic(n_items, 0);
  double liked = 0;
  for (const auto& r : train.ratings) {
    ul[r.user] += r.value, uc[r.user] += 1, il[r.item] += r.value, ic[r.item] += 1, liked += r.value;
  }
  const double overall = liked * 2 >= double(train.ratings.size()) ? 1.0 : 0.0;
  std::vector<double> always, by_item, by_user;
  for (const auto& r : test.ratings) {
    always.push_back(1.0);
    by_item.push_back(ic[r.item] > 0 ? (il[r.item] * 2 >= ic[r.item] ? 1.0 : 0.0) : overall);
    by_user.push_back(uc[r.user] > 0 ? (ul[r.user] * 2 >= uc[r.user] ? 1.0 : 0.0) : overall);
  }
  return {score_binary("always liked", test, always), score_binary("per-item majority", test, by_item),
          score_binary("per-user majority", test, by_user)};
}

}  // namespace ebm
