// Ratings data: the readers of every format on a tiny hand-written file,
// their errors (file:line, the value, what was expected), splits, the
// sparse by-sample storage and its one-hot minibatches, and the baselines
// against values worked out by hand.
#define BOOST_TEST_MODULE ratings
#include <boost/test/unit_test.hpp>

#include <set>

#include "libebm/data/ratings.hpp"
#include "libebm/error.hpp"
#include "libebm/recommender/baselines.hpp"

namespace tt = boost::test_tools;

namespace {

const std::string dir = EBM_TEST_DATA_DIR "/ratings/";

std::string error_of(const std::string& file, const std::string& format = "auto", bool grow = true) {
  ebm::IdMap users, items;
  if (!grow) ebm::read_ratings(dir + "tiny.tsv", "auto", users, items, true);
  try {
    const auto t = ebm::read_ratings(dir + file, format, users, items, grow);
    for (const auto& r : t.ratings) ebm::rating_level(t, r, 5, 1.0);
  } catch (const ebm::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_format_reads_the_same_ratings_with_remapped_ids) {
  for (const auto& [file, format] : std::vector<std::pair<std::string, std::string>>{
           {"tiny.tsv", "auto"}, {"tiny.dat", "auto"}, {"tiny_header.csv", "auto"}, {"tiny_plain.csv", "auto"},
           {"tiny.tsv", "tab"}, {"tiny.dat", "dat"}, {"tiny_header.csv", "csv"}, {"tiny_plain.csv", "plain"}}) {
    BOOST_TEST_CONTEXT(file << " as " << format) {
      ebm::IdMap users, items;
      const auto t = ebm::read_ratings(dir + file, format, users, items);
      // Ids in order of appearance: users 10, 20, 30 -> 0, 1, 2; items 100, 200, 300 -> 0, 1, 2.
      BOOST_TEST(users.names == (std::vector<std::string>{"10", "20", "30"}), tt::per_element());
      BOOST_TEST(items.names == (std::vector<std::string>{"100", "200", "300"}), tt::per_element());
      BOOST_REQUIRE(t.ratings.size() == 5u);
      const arma::uword expected[5][2] = {{0, 0}, {0, 1}, {1, 0}, {2, 2}, {1, 2}};
      const double values[5] = {5, 3, 4, 1, 2};
      for (int k = 0; k < 5; ++k) {
        BOOST_TEST(t.ratings[k].user == expected[k][0]);
        BOOST_TEST(t.ratings[k].item == expected[k][1]);
        BOOST_TEST(t.ratings[k].value == values[k]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_lines_are_errors_naming_file_line_value_and_expectation) {
  const std::string malformed = error_of("malformed.tsv");
  BOOST_TEST(malformed.find("malformed.tsv:2") != std::string::npos, malformed);
  BOOST_TEST(malformed.find("expected user<TAB>item<TAB>rating") != std::string::npos, malformed);
  const std::string range = error_of("out_of_range.tsv");
  BOOST_TEST(range.find("out_of_range.tsv:2") != std::string::npos, range);
  BOOST_TEST(range.find("rating 6 is out of range") != std::string::npos, range);
  BOOST_TEST(range.find("from 1 to 5") != std::string::npos, range);
  const std::string number = error_of("not_a_number.tsv");
  BOOST_TEST(number.find("not_a_number.tsv:1") != std::string::npos, number);
  BOOST_TEST(number.find("'five' is not a number") != std::string::npos, number);
  // A test split naming a user the training ratings do not have.
  const std::string unknown = error_of("unknown_user.tsv", "auto", false);
  BOOST_TEST(unknown.find("unknown_user.tsv:2") != std::string::npos, unknown);
  BOOST_TEST(unknown.find("unknown user id '40'") != std::string::npos, unknown);
  BOOST_TEST(error_of("no_such_file.tsv").find("cannot open") != std::string::npos);
  // Half stars: 3.5 is level 7 of 10 with scale 2, and out of range with scale 1.
  ebm::RatingsTable t;
  t.path = "x.csv";
  t.ratings.push_back({0, 0, 3.5, 7});
  BOOST_TEST(ebm::rating_level(t, t.ratings[0], 10, 2.0) == 7u);
  BOOST_CHECK_THROW(ebm::rating_level(t, t.ratings[0], 5, 1.0), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(splits_partition_the_ratings_reproducibly) {
  ebm::RatingsTable all;
  for (arma::uword u = 0; u < 30; ++u)
    for (arma::uword i = 0; i <= u % 7; ++i) all.ratings.push_back({u, i, double(1 + (u + i) % 5), 1 + all.ratings.size()});
  for (bool per_user : {false, true}) {
    ebm::Rng a(5), b(5);
    ebm::RatingsTable train, test, train2, test2;
    ebm::split_ratings(all, 0.25, per_user, a, train, test);
    ebm::split_ratings(all, 0.25, per_user, b, train2, test2);
    BOOST_TEST(train.ratings.size() + test.ratings.size() == all.ratings.size());
    std::set<std::size_t> lines;
    for (const auto* t : {&train, &test})
      for (const auto& r : t->ratings) lines.insert(r.line);
    BOOST_TEST(lines.size() == all.ratings.size());  // disjoint and complete
    BOOST_TEST(test.ratings.size() == test2.ratings.size());
    for (std::size_t k = 0; k < test.ratings.size(); ++k) BOOST_TEST(test.ratings[k].line == test2.ratings[k].line);
    if (!per_user) {
      BOOST_TEST(test.ratings.size() == std::size_t(std::llround(0.25 * all.ratings.size())));
    } else {
      // Every user with two or more ratings keeps at least one and gives at least one.
      std::vector<int> kept(30, 0), held(30, 0);
      for (const auto& r : train.ratings) ++kept[r.user];
      for (const auto& r : test.ratings) ++held[r.user];
      for (arma::uword u = 0; u < 30; ++u)
        if (u % 7 >= 1) BOOST_TEST((kept[u] >= 1 && held[u] >= 1));
    }
  }
}

BOOST_AUTO_TEST_CASE(sparse_storage_expands_minibatches_to_one_hot_with_empty_unrated_groups) {
  ebm::IdMap users, items;
  const auto t = ebm::read_ratings(dir + "tiny.tsv", "auto", users, items);
  for (bool item_based : {false, true}) {
    const auto s = ebm::SparseRatings::build(t, 3, 3, item_based, 5, 1.0);
    BOOST_TEST(s.n_samples == 3u);
    BOOST_TEST(s.n_ratings() == 5u);
    arma::mat batch;
    s.gather(arma::uvec{2, 0, 1}, batch);
    BOOST_TEST(batch.n_rows == 15u);
    BOOST_TEST(batch.n_cols == 3u);
    arma::mat expected(15, 3, arma::fill::zeros);
    const arma::uword order[3] = {2, 0, 1};
    for (arma::uword c = 0; c < 3; ++c)
      for (const auto& r : t.ratings)
        if ((item_based ? r.item : r.user) == order[c])
          expected((item_based ? r.user : r.item) * 5 + arma::uword(r.value) - 1, c) = 1;
    BOOST_TEST(arma::approx_equal(batch, expected, "absdiff", 0.0));
  }
}

BOOST_AUTO_TEST_CASE(scores_and_baselines_match_hand_computed_values) {
  ebm::RatingsTable truth;
  truth.ratings = {{0, 0, 4, 1}, {0, 1, 2, 2}, {1, 0, 5, 3}};
  const auto s = ebm::score_ratings("x", truth, {3.0, 2.5, 5.0});
  BOOST_TEST(s.rmse == std::sqrt((1.0 + 0.25) / 3), tt::tolerance(1e-14));
  BOOST_TEST(s.mae == 1.5 / 3, tt::tolerance(1e-14));
  ebm::RatingsTable binary;
  binary.ratings = {{0, 0, 1, 1}, {0, 1, 0, 2}, {1, 0, 1, 3}, {1, 1, 1, 4}, {1, 2, 1, 5}};
  const auto b = ebm::score_binary("x", binary, {1, 1, 0, 1, 1});
  BOOST_TEST(b.entry_error == 2.0 / 5, tt::tolerance(1e-14));
  BOOST_TEST(b.user_error == (1.0 / 2 + 1.0 / 3) / 2, tt::tolerance(1e-14));
  // An exactly additive complete matrix r = mu + a_u + c_i: the unpenalised
  // bias model recovers it.
  ebm::RatingsTable additive;
  const double a[4] = {0.5, -0.25, 0.0, 0.75}, c[3] = {-0.5, 0.25, 0.125};
  for (arma::uword u = 0; u < 4; ++u)
    for (arma::uword i = 0; i < 3; ++i) additive.ratings.push_back({u, i, 3.0 + a[u] + c[i], 0});
  ebm::BiasModel m;
  m.fit(additive, 4, 3, 0.0, 0.0, 200);
  for (const auto& r : additive.ratings) BOOST_TEST(m.predict(r.user, r.item) == r.value, tt::tolerance(1e-9));
  // Binarized baselines on a hand example: items' and users' majorities.
  ebm::RatingsTable train, test;
  train.ratings = {{0, 0, 1, 1}, {0, 1, 0, 2}, {0, 2, 0, 3}, {1, 0, 1, 4}, {1, 1, 1, 5}};
  test.ratings = {{0, 2, 1, 1}, {1, 2, 0, 2}};
  const auto baselines = ebm::binary_baselines(train, test, 2, 3);
  BOOST_TEST(baselines[0].entry_error == 0.5);  // always liked: wrong on the 0
  BOOST_TEST(baselines[1].entry_error == 0.5);  // item 2's majority is 0: wrong on the 1
  BOOST_TEST(baselines[2].entry_error == 1.0);  // user 0 mostly 0, user 1 mostly 1: both wrong
}
