#include "libebm/data/ratings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "libebm/error.hpp"
#include "libebm/experiment.hpp"

namespace ebm {

arma::uword IdMap::lookup(const std::string& name, bool grow) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  if (!grow) return npos;
  index.emplace(name, names.size());
  names.push_back(name);
  return names.size() - 1;
}

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::vector<std::string> split(const std::string& line, const std::string& separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = line.find(separator, start);
    out.push_back(trim(line.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return out;
    start = at + separator.size();
  }
}

bool parse_number(const std::string& s, double& value) {
  if (s.empty()) return false;
  char* end = nullptr;
  value = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(value);
}

std::string shown(const std::string& line) { return line.size() > 80 ? line.substr(0, 77) + "..." : line; }

}  // namespace

RatingsTable read_ratings(const std::string& path, const std::string& format_in, IdMap& users, IdMap& items,
                          bool grow_ids) {
  std::ifstream in(path);
  if (!in) throw InputError(located(path, 0, "cannot open the ratings file"));
  RatingsTable table;
  table.path = path;
  std::string format = format_in, separator, line;
  std::size_t number = 0;
  bool header_pending = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    if (format == "auto") {
      if (line.find("::") != std::string::npos) format = "dat";
      else if (line.find('\t') != std::string::npos) format = "tab";
      else if (line.find(',') != std::string::npos) {
        const auto f = split(line, ",");
        double v;
        format = f.size() >= 3 && parse_number(f[2], v) ? "plain" : "csv";
      } else {
        throw InputError(located(path, number, "cannot tell the ratings format from '" + shown(line) +
                                                   "'; expected user<TAB>item<TAB>rating, user::item::rating or "
                                                   "user,item,rating (set the format explicitly)"));
      }
    }
    if (separator.empty()) {
      if (format == "tab") separator = "\t";
      else if (format == "dat") separator = "::";
      else if (format == "csv" || format == "plain") separator = ",";
      else throw InputError("ratings format '" + format + "': expected tab, dat, csv, plain or auto");
      header_pending = format == "csv";
    }
    if (header_pending) {  // the header line of ratings.csv
      header_pending = false;
      continue;
    }
    const auto fields = split(line, separator);
    const char* expected = format == "tab"   ? "user<TAB>item<TAB>rating[<TAB>timestamp]"
                           : format == "dat" ? "user::item::rating[::timestamp]"
                                             : "user,item,rating[,...]";
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty())
      throw InputError(located(path, number, "malformed ratings line '" + shown(line) + "'; expected " + expected));
    Rating r;
    if (!parse_number(fields[2], r.value))
      throw InputError(located(path, number, "rating '" + fields[2] + "' is not a number; expected " + expected));
    r.line = number;
    r.user = users.lookup(fields[0], grow_ids);
    if (r.user == IdMap::npos)
      throw InputError(located(path, number, "unknown user id '" + fields[0] + "' (not in the training ratings)"));
    r.item = items.lookup(fields[1], grow_ids);
    if (r.item == IdMap::npos)
      throw InputError(located(path, number, "unknown item id '" + fields[1] + "' (not in the training ratings)"));
    table.ratings.push_back(r);
  }
  if (table.ratings.empty()) throw InputError(located(path, 0, "no ratings in the file"));
  return table;
}

unsigned rating_level(const RatingsTable& table, const Rating& r, unsigned levels, double scale) {
  const double x = r.value * scale;
  const double rounded = std::round(x);
  if (std::abs(x - rounded) > 1e-6 || rounded < 1 || rounded > double(levels)) {
    std::ostringstream expected;
    expected << "rating " << r.value << " is out of range; expected a multiple of " << 1 / scale << " from "
             << 1 / scale << " to " << levels / scale << " (keys 'ratings.levels' = " << levels
             << ", 'ratings.scale' = " << scale << ")";
    throw InputError(located(table.path, r.line, expected.str()));
  }
  return unsigned(rounded);
}

void split_ratings(const RatingsTable& all, double fraction, bool per_user, Rng& rng, RatingsTable& train,
                   RatingsTable& test) {
  if (!(fraction > 0 && fraction < 1)) throw InputError("split fraction must lie in (0, 1)");
  train.path = all.path + " (training part)";
  test.path = all.path + " (held-out part)";
  train.ratings.clear(), test.ratings.clear();
  std::vector<char> held(all.ratings.size(), 0);
  if (!per_user) {
    const arma::uvec order = rng.permutation(all.ratings.size());
    const arma::uword n_test = arma::uword(std::llround(fraction * double(all.ratings.size())));
    for (arma::uword i = 0; i < n_test; ++i) held[order[i]] = 1;
  } else {
    arma::uword n_users = 0;
    for (const auto& r : all.ratings) n_users = std::max(n_users, r.user + 1);
    std::vector<std::vector<arma::uword>> by_user(n_users);
    for (arma::uword i = 0; i < all.ratings.size(); ++i) by_user[all.ratings[i].user].push_back(i);
    for (const auto& list : by_user) {
      if (list.size() < 2) continue;
      arma::uword n_test = arma::uword(std::llround(fraction * double(list.size())));
      n_test = std::min<arma::uword>(std::max<arma::uword>(n_test, 1), list.size() - 1);
      const arma::uvec order = rng.permutation(list.size());
      for (arma::uword i = 0; i < n_test; ++i) held[list[order[i]]] = 1;
    }
  }
  for (arma::uword i = 0; i < all.ratings.size(); ++i) (held[i] ? test : train).ratings.push_back(all.ratings[i]);
}

void write_ratings(const std::string& path, const RatingsTable& table, const IdMap& users, const IdMap& items) {
  std::ostringstream out;
  out.precision(10);
  for (const auto& r : table.ratings) out << users.names[r.user] << '\t' << items.names[r.item] << '\t' << r.value << '\n';
  write_file_atomically(path, out.str());
}

SparseRatings SparseRatings::build(const RatingsTable& table, arma::uword n_users, arma::uword n_items,
                                   bool item_based, unsigned levels, double scale) {
  SparseRatings s;
  s.levels = levels;
  s.n_samples = item_based ? n_items : n_users;
  s.n_variables = item_based ? n_users : n_items;
  std::vector<arma::uword> count(s.n_samples + 1, 0);
  for (const auto& r : table.ratings) ++count[(item_based ? r.item : r.user) + 1];
  s.offsets.assign(s.n_samples + 1, 0);
  for (arma::uword i = 0; i < s.n_samples; ++i) s.offsets[i + 1] = s.offsets[i] + count[i + 1];
  s.variables.resize(table.ratings.size());
  s.level.resize(table.ratings.size());
  std::vector<arma::uword> next(s.offsets.begin(), s.offsets.end() - 1);
  for (const auto& r : table.ratings) {
    const arma::uword sample = item_based ? r.item : r.user;
    const arma::uword at = next[sample]++;
    s.variables[at] = item_based ? r.user : r.item;
    s.level[at] = std::uint8_t(rating_level(table, r, levels, scale) - 1);
  }
  return s;
}

template <typename eT>
void SparseRatings::gather(const arma::uvec& samples, arma::Mat<eT>& out) const {
  out.zeros(n_variables * levels, samples.n_elem);
  for (arma::uword c = 0; c < samples.n_elem; ++c) {
    const arma::uword s = samples[c];
    eT* col = out.colptr(c);
    for (arma::uword e = offsets[s]; e < offsets[s + 1]; ++e) col[variables[e] * levels + level[e]] = eT(1);
  }
}

template void SparseRatings::gather<float>(const arma::uvec&, arma::Mat<float>&) const;
template void SparseRatings::gather<double>(const arma::uvec&, arma::Mat<double>&) const;

std::unordered_map<std::string, std::string> read_item_titles(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(located(path, 0, "cannot open the item file"));
  std::unordered_map<std::string, std::string> titles;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const auto fields = split(line, line.find("::") != std::string::npos ? "::" : "|");
    if (fields.size() < 2)
      throw InputError(located(path, number, "malformed item line '" + shown(line) + "'; expected id|title|... or id::title::genres"));
    std::string title;
    for (unsigned char ch : fields[1]) {  // u.item is Latin-1: as UTF-8
      if (ch < 0x80) title += char(ch);
      else title += char(0xC0 | (ch >> 6)), title += char(0x80 | (ch & 0x3F));
    }
    titles[fields[0]] = title;
  }
  return titles;
}

}  // namespace ebm
