// Reader for dense numeric data in delimited text (CSV) files.
//
// One sample per line in the file, one sample per column in the result.
#pragma once

#include <armadillo>
#include <cstddef>
#include <string>

namespace ebm {

struct CsvOptions {
  char delimiter = ',';
  bool header = false;    ///< skip the first line
  std::size_t limit = 0;  ///< keep only the first `limit` samples (0: all)
};

/// Reads a CSV file of numbers.  Every line must have the same number of
/// fields; empty lines are skipped.  Throws InputError "file:line: ..." naming
/// the field and the bad text for non-numeric fields, ragged lines, or an
/// empty file.
template <typename eT>
arma::Mat<eT> read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace ebm
