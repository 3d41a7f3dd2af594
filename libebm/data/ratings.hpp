// Ratings data (user, item, rating) for recommenders: readers for the
// MovieLens formats and a generic CSV, id remapping, splits, and the sparse
// per-sample storage a softmax RBM with missing entries trains from
// (Salakhutdinov, Mnih & Hinton 2007).
//
// Formats (`format`):
//   tab   user<TAB>item<TAB>rating[<TAB>timestamp]      MovieLens-100k u.data, u1.base, ...
//   dat   user::item::rating[::timestamp]                 MovieLens-1M/10M ratings.dat
//   csv   user,item,rating[,...] after a header line      MovieLens ratings.csv (userId,movieId,rating,timestamp)
//   plain user,item,rating[,...] without a header         the generic form
//   auto  by the first line: '::' -> dat, a tab -> tab, a comma -> csv if the
//         first line's rating field is not a number, else plain
// Every malformed line is an InputError naming file:line, the line and what
// was expected.  Ids are strings, remapped to 0.. in order of appearance.
#pragma once

#include <armadillo>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "libebm/random.hpp"

namespace ebm {

/// One rating with remapped ids; `line` is its line in the file (for errors).
struct Rating {
  arma::uword user = 0, item = 0;
  double value = 0;
  std::size_t line = 0;
};

/// Ids seen so far: external id string <-> internal index.
struct IdMap {
  std::vector<std::string> names;
  std::unordered_map<std::string, arma::uword> index;

  /// The index of `name`, adding it when `grow` (else: npos when unknown).
  arma::uword lookup(const std::string& name, bool grow);
  arma::uword size() const { return names.size(); }
  static constexpr arma::uword npos = ~arma::uword(0);
};

struct RatingsTable {
  std::string path;  ///< where it was read from (for errors)
  std::vector<Rating> ratings;
};

/// Reads `path` in `format` (tab, dat, csv, plain or auto).  With
/// `grow_ids`, new user and item ids are added to `users`/`items`; without
/// (a test split), an id not in them is an error naming file:line.
RatingsTable read_ratings(const std::string& path, const std::string& format, IdMap& users, IdMap& items,
                          bool grow_ids = true);

/// The rating levels 1..K of a rating: level = value * scale, which must be
/// an integer in 1..levels (e.g. MovieLens' half stars with scale 2, levels
/// 10).  InputError naming file:line otherwise.
unsigned rating_level(const RatingsTable& table, const Rating& r, unsigned levels, double scale);

/// Random holdout: each rating goes to `test` with probability `fraction`
/// (exactly round(fraction * n) of them, chosen by `rng`); per-user holdout
/// (`per_user`): the same fraction of each user's ratings (at least one
/// kept for training when the user has two or more).
void split_ratings(const RatingsTable& all, double fraction, bool per_user, Rng& rng, RatingsTable& train,
                   RatingsTable& test);

/// Writes a table as tab-separated user, item, rating lines with the
/// original ids (atomically).
void write_ratings(const std::string& path, const RatingsTable& table, const IdMap& users, const IdMap& items);

/// Sparse storage of the ratings by sample: sample s (a user, or an item
/// in item-based orientation) has the entries offsets[s] .. offsets[s+1]-1
/// of (variable, level 0..K-1).  Never densified whole; a minibatch is
/// expanded to one-hot form by gather().
struct SparseRatings {
  arma::uword n_samples = 0, n_variables = 0;
  unsigned levels = 5;
  std::vector<arma::uword> offsets{0};
  std::vector<arma::uword> variables;
  std::vector<std::uint8_t> level;

  /// From a table: samples are users (item_based false) or items.
  static SparseRatings build(const RatingsTable& table, arma::uword n_users, arma::uword n_items, bool item_based,
                             unsigned levels, double scale);
  arma::uword n_ratings() const { return variables.size(); }
  /// out <- the one-hot expansion (n_variables * levels) x columns.size()
  /// of the given samples; unrated variables are all-zero groups.
  template <typename eT>
  void gather(const arma::uvec& samples, arma::Mat<eT>& out) const;
};

/// Titles of items from a MovieLens u.item (`id|title|...`, Latin-1) or
/// movies.dat (`id::title::genres`) file, by external item id.
std::unordered_map<std::string, std::string> read_item_titles(const std::string& path);

}  // namespace ebm
