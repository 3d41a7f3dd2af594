// Error types thrown at API and file boundaries.
//
// Every message names where the problem is (a function, or a file and line),
// the offending value and what was expected, on one line, so that the command
// line tool can print it as is and exit with a status that tells bad input
// (status 2) from internal failures (status 1).
#pragma once

#include <stdexcept>
#include <string>

namespace ebm {

/// Bad input from outside the program: a malformed file, a bad config value,
/// an unknown key.  The command line tool exits with status 2 on these.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A caller broke an API contract (wrong shapes, a model a sampler cannot
/// handle).  These indicate a bug in the calling code, not bad data.
class ContractError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// "file:line: message" (line omitted when 0).
std::string located(const std::string& file, std::size_t line, const std::string& message);

}  // namespace ebm
