// ebm split RATINGS --train OUT --test OUT [--fraction F] [--seed S]
// [--per-user] [--format F]: a held-out split of a ratings file when it has
// no predefined one -- random over all ratings, or the same fraction of
// each user's ratings (--per-user).  The same seed gives the same split.
// Output: tab-separated user, item, rating lines with the original ids.
#include <cstdio>

#include "libebm/data/ratings.hpp"
#include "libebm/error.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

int split(int argc, char** argv) {
  const std::string usage =
      "ebm split RATINGS --train OUT --test OUT [--fraction F] [--seed S] [--per-user] [--format F]";
  std::string input, train_path, test_path, format = "auto";
  double fraction = 0.2;
  std::uint64_t seed = 1;
  bool per_user = false;
  po::options_description options("options");
  options.add_options()("train", po::value<std::string>(&train_path)->required(), "where the training part goes")(
      "test", po::value<std::string>(&test_path)->required(), "where the held-out part goes")(
      "fraction", po::value<double>(&fraction), "held-out fraction (default 0.2)")(
      "seed", po::value<std::uint64_t>(&seed), "seed of the split (default 1)")(
      "per-user", po::bool_switch(&per_user), "hold out the fraction of each user's ratings")(
      "format", po::value<std::string>(&format), "tab, dat, csv, plain or auto (default)")(
      "ratings", po::value<std::string>(&input)->required(), "ratings file");
  po::positional_options_description positional;
  positional.add("ratings", 1);
  po::variables_map values;
  if (!parse_command_line("split", usage, argc, argv, options, positional, values)) return 0;
  if (!(fraction > 0 && fraction < 1))
    throw InputError("--fraction: " + std::to_string(fraction) + " is out of range; expected a number in (0, 1)");
  IdMap users, items;
  const RatingsTable all = read_ratings(input, format, users, items, true);
  Rng rng(seed);
  RatingsTable train, test;
  split_ratings(all, fraction, per_user, rng, train, test);
  write_ratings(train_path, train, users, items);
  write_ratings(test_path, test, users, items);
  std::printf("%zu ratings: %zu for training (%s), %zu held out (%s)\n", all.ratings.size(), train.ratings.size(),
              train_path.c_str(), test.ratings.size(), test_path.c_str());
  return 0;
}

}  // namespace ebm::tool
