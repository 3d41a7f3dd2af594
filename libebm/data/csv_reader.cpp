#include "libebm/data/csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "libebm/error.hpp"

namespace ebm {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// from_chars, not strtod: it needs no NUL-terminated copy of each field and
// does not depend on the C locale's decimal point.  It rejects a leading '+',
// which CSV writers do emit, so we allow one here.
bool parse_number(std::string_view text, double& value) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  // Out-of-range values (1e999) are still numbers; keep from_chars' verdict
  // only on syntax.
  if (ec == std::errc::result_out_of_range) {
    value = std::strtod(std::string(text).c_str(), nullptr);
    return ptr == end;
  }
  return ec == std::errc() && ptr == end;
}

}  // namespace

template <typename eT>
arma::Mat<eT> read_csv(const std::string& path, const CsvOptions& options) {
  // A directory opens fine as an ifstream and then just reads as empty, which
  // would be reported as "no data"; say what is really wrong.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw InputError(located(path, 0, "cannot open: is a directory"));
  }
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    throw InputError(located(path, 0, std::string("cannot open: ") +
                                          (errno != 0 ? std::strerror(errno) : "unknown error")));
  }

  // Each line's values are appended in order, which is exactly column-major
  // layout for one sample per column, so the matrix is a single copy at the end.
  std::vector<eT> values;
  std::size_t n_fields = 0;
  std::size_t first_data_line = 0;
  std::size_t n_samples = 0;
  std::size_t line_number = 0;
  std::string line;
  while ((options.limit == 0 || n_samples < options.limit) && std::getline(in, line)) {
    ++line_number;
    if (options.header && line_number == 1) continue;
    std::string_view rest(line);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);  // CRLF files
    if (trim(rest).empty()) continue;

    std::size_t field = 0;
    while (true) {
      const std::size_t cut = rest.find(options.delimiter);
      const std::string_view text = trim(rest.substr(0, cut));
      ++field;
      double value = 0.0;
      if (!parse_number(text, value)) {
        throw InputError(located(path, line_number, "field " + std::to_string(field) + ": '" +
                                                        std::string(text) + "' is not a number"));
      }
      values.push_back(eT(value));
      if (cut == std::string_view::npos) break;
      rest.remove_prefix(cut + 1);
    }

    if (n_samples == 0) {
      n_fields = field;
      first_data_line = line_number;
    } else if (field != n_fields) {
      throw InputError(located(path, line_number,
                               "has " + std::to_string(field) + " fields, expected " +
                                   std::to_string(n_fields) + " (as on line " +
                                   std::to_string(first_data_line) + ")"));
    }
    ++n_samples;
  }
  if (in.bad()) {
    throw InputError(located(path, line_number + 1, "read error"));
  }
  if (n_samples == 0) throw InputError(located(path, 0, "no data"));

  arma::Mat<eT> data(static_cast<arma::uword>(n_fields), static_cast<arma::uword>(n_samples));
  std::copy(values.begin(), values.end(), data.memptr());
  return data;
}

template arma::Mat<float> read_csv<float>(const std::string&, const CsvOptions&);
template arma::Mat<double> read_csv<double>(const std::string&, const CsvOptions&);

}  // namespace ebm
