#include "libebm/data/label_reader.hpp"

#include <cmath>

#include "libebm/data/csv_reader.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/error.hpp"

namespace ebm {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

arma::urowvec read_labels(const std::string& path, std::uint64_t limit) {
  if (!ends_with(path, ".csv") && !ends_with(path, ".txt")) return read_idx_labels(path, limit);
  CsvOptions o;
  o.limit = limit;
  const arma::mat x = read_csv<double>(path, o);
  if (x.n_rows != 1)
    throw InputError(path + ": expected one label per line, found " + std::to_string(x.n_rows) + " values");
  arma::urowvec labels(x.n_cols);
  for (arma::uword i = 0; i < x.n_cols; ++i) {
    const double v = x(0, i);
    if (!(v >= 0) || v != std::floor(v) || v > 1e6)
      throw InputError(path + ":" + std::to_string(i + 1) + ": label '" + std::to_string(v) +
                       "': expected an integer class 0, 1, 2, ...");
    labels[i] = arma::uword(v);
  }
  return labels;
}

void check_labels(const arma::urowvec& labels, arma::uword n_samples, arma::uword classes, const std::string& what,
                  const std::string& samples_what) {
  if (labels.n_elem != n_samples)
    throw InputError(what + ": " + std::to_string(labels.n_elem) + " labels for " + std::to_string(n_samples) +
                     " samples in " + samples_what);
  if (classes > 0)
    for (arma::uword i = 0; i < labels.n_elem; ++i)
      if (labels[i] >= classes)
        throw InputError(what + ": sample " + std::to_string(i + 1) + " has label " + std::to_string(labels[i]) +
                         ", expected 0.." + std::to_string(classes - 1));
}

}  // namespace ebm
