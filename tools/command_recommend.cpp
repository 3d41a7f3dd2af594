// ebm recommend MODEL --user ID --top N [--items FILE]: the unseen items a
// trained recommender (data.format = ratings) predicts highest for a user,
// by expected rating (or probability of "liked" when binarized), with
// titles from a MovieLens u.item / movies.dat file.  The user's known
// ratings are re-read from the training file named in the model's stored
// config (data.train), so the model needs no copy of the data.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/recommender/ratings_experiment.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

struct RecommendArguments {
  std::string model, user, items;
  std::uint64_t top = 10;
  std::vector<std::string> overrides;
};

template <typename eT>
int recommend_for(const RecommendArguments& a) {
  LoadedModel<eT> loaded = load_model<eT>(a.model);
  const ExperimentConfig c = parse_experiment_config(a.model + " (its stored config)", loaded.config, a.overrides);
  if (c.data.format != "ratings")
    throw InputError(a.model + ": not a recommender (its config has data.format = " + c.data.format + ", not ratings)");
  const auto* rbm = dynamic_cast<const Rbm<eT>*>(loaded.model.get());
  if (!rbm) throw InputError(a.model + ": not an rbm");
  RatingsData data = load_ratings_data(c, false);
  const arma::uword user = data.users.lookup(a.user, false);
  if (user == IdMap::npos) throw InputError("--user: unknown user id '" + a.user + "' (not in " + c.data.train + ")");
  std::vector<char> seen(data.items.size(), 0);
  for (const auto& r : data.train.ratings)
    if (r.user == user) seen[r.item] = 1;
  std::vector<std::pair<arma::uword, arma::uword>> pairs;
  for (arma::uword i = 0; i < data.items.size(); ++i)
    if (!seen[i]) pairs.emplace_back(user, i);
  const SparseRatings known = data.sparse(data.to_levels(data.train, c.ratings));
  const std::vector<double> score = predict_ratings(*rbm, data, known, pairs);
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  // Highest first; ties by item id order, so the list is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return score[x] > score[y]; });
  const std::string items_file = a.items.empty() ? c.ratings.items : a.items;
  std::unordered_map<std::string, std::string> titles;
  if (!items_file.empty()) titles = read_item_titles(items_file);
  std::printf("top %llu unseen items for user %s (%s):\n", (unsigned long long)std::min<std::uint64_t>(a.top, order.size()),
              a.user.c_str(), data.binarize ? "probability of liked" : "expected rating");
  for (std::size_t r = 0; r < order.size() && r < a.top; ++r) {
    const std::string& id = data.items.names[pairs[order[r]].second];
    const auto t = titles.find(id);
    std::printf("%3zu  %-8s %6.3f  %s\n", r + 1, id.c_str(), score[order[r]], t == titles.end() ? "" : t->second.c_str());
  }
  return 0;
}

}  // namespace

int recommend(int argc, char** argv) {
  const std::string usage = "ebm recommend MODEL --user ID [--top N] [--items FILE] [--set key=value]...";
  RecommendArguments a;
  po::options_description options("options");
  options.add_options()("user", po::value<std::string>(&a.user)->required(), "user id as in the ratings file")(
      "top", po::value<std::uint64_t>(&a.top), "how many items (default 10)")(
      "items", po::value<std::string>(&a.items), "item titles: MovieLens u.item or movies.dat (default: ratings.items)")(
      "set", po::value<std::vector<std::string>>(&a.overrides)->composing(),
      "override a key of the stored config, e.g. --set data.train=/new/path/u1.base")(
      "model", po::value<std::string>(&a.model)->required(), "model archive");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map values;
  if (!parse_command_line("recommend", usage, argc, argv, options, positional, values)) return 0;
  return read_archive_header(a.model).scalar == "double" ? recommend_for<double>(a) : recommend_for<float>(a);
}

/// `ebm evaluate` of a recommender: RMSE/MAE (or binarized errors) on the
/// held-out ratings `data`, next to the baselines; called by command_evaluate.cpp.
template <typename eT>
int evaluate_recommender_model(const std::string& model_path, const std::string& test, const LoadedModel<eT>& loaded,
                               const std::vector<std::string>& overrides, bool json) {
  std::vector<std::string> o = overrides;
  o.push_back("data.test=" + test);
  const ExperimentConfig c = parse_experiment_config(model_path + " (its stored config)", loaded.config, o);
  const auto* rbm = dynamic_cast<const Rbm<eT>*>(loaded.model.get());
  if (!rbm) throw InputError(model_path + ": not an rbm");
  RatingsData data = load_ratings_data(c, true);
  const std::string name = std::string("rbm (") + (data.item_based ? "item" : "user") + "-based, " +
                           std::to_string(rbm->hidden().size()) + " hidden)";
  const RatingsEvaluation e = evaluate_recommender(*rbm, data, c.ratings, data.train, data.test, c.seed, name);
  if (json) {
    std::printf("{\"model\":%s,\"data\":%s,\"ratings\":%zu,\"%s\":%s,\"%s\":%s,\"beats_best_baseline\":%s}\n",
                json_string(model_path).c_str(), json_string(test).c_str(), data.test.ratings.size(),
                data.binarize ? "entry_error" : "rmse",
                json_number(data.binarize ? e.model.entry_error : e.model.rmse).c_str(),
                data.binarize ? "user_error" : "mae", json_number(data.binarize ? e.model.user_error : e.model.mae).c_str(),
                e.beats_best ? "true" : "false");
  } else {
    std::printf("%s", e.report.c_str());
  }
  return 0;
}

template int evaluate_recommender_model<float>(const std::string&, const std::string&, const LoadedModel<float>&,
                                               const std::vector<std::string>&, bool);
template int evaluate_recommender_model<double>(const std::string&, const std::string&, const LoadedModel<double>&,
                                                const std::vector<std::string>&, bool);

}  // namespace ebm::tool
