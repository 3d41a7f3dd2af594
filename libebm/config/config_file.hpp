// INI-style config files read with Boost.Program_options, with error
// messages that name the file, the line and the key.
//
// Keys are "section.name" ([section] headers as in Boost's config-file
// syntax); keys before any section have no prefix.  Each accepted key is
// declared once with its type, default and a description; that declaration
// is also what `ebm help config` prints.  Command-line overrides
// ("--set section.name=value") take precedence over the file.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ebm {

class ConfigFile {
 public:
  ConfigFile();

  /// Declares key `key` (e.g. "training.epochs") stored into `*target`,
  /// whose initial value is the default.  `expected` describes the accepted
  /// values for error messages ("an integer >= 1").
  template <typename T>
  void declare(const std::string& key, T* target, const std::string& description, const std::string& expected);

  /// Adds a check run after parsing: `valid()` false means the value of
  /// `key` is out of range; the message then says `expected`.
  void check(const std::string& key, std::function<bool()> valid, const std::string& expected);

  /// Parses `path` and the overrides, stores every value, runs the checks.
  /// Throws InputError "file:line: key 'k': ..." for unknown keys (listing
  /// the accepted keys of the section), malformed values and failed checks.
  /// Same as load() then parse_values(true).
  void parse(const std::string& path, const std::vector<std::string>& overrides);

  /// Reads the file (or `text`, reported as `name`) and the overrides
  /// without storing values yet; rejects syntax errors and repeated keys.
  void load(const std::string& path, const std::vector<std::string>& overrides);
  void load_text(const std::string& name, const std::string& text, const std::vector<std::string>& overrides);

  /// Stores the values of every key declared so far.  With final = false,
  /// keys not (yet) declared are ignored and no checks run: the first pass
  /// of a two-pass read, which learns the chosen types so that their own
  /// options can be declared before the final pass.
  void parse_values(bool final);

  /// The sections that the file or the overrides set keys in.
  std::vector<std::string> sections_used() const;

  /// True when the file or an override sets `key`.
  bool is_set(const std::string& key) const { return line_of_.count(key) || override_of_.count(key); }

  /// Where `key` was set: "file:line", "--set key=value", or "default".
  std::string origin(const std::string& key) const;

  /// Every declared key with its final value as text, in declaration order.
  std::vector<std::pair<std::string, std::string>> resolved() const;

  /// The reference of every key: "key = default  # description".
  std::string reference() const;

  /// Throws InputError "file:line: key 'key': message" (or naming the
  /// --set override that set the key).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  struct Key {
    std::string name, description, expected;
    std::function<std::string()> value_text;
    bool is_unsigned;  // Boost's lexical_cast wraps "-3" around: reject a sign ourselves
  };
  std::string accepted_in_section(const std::string& key) const;
  std::string expected_of(const std::string& key) const;

  boost::program_options::options_description description_;
  std::vector<Key> keys_;
  std::vector<std::pair<std::string, std::pair<std::function<bool()>, std::string>>> checks_;
  std::map<std::string, std::size_t> line_of_;        // key -> line in the file
  std::map<std::string, std::string> value_of_;       // key -> value text in the file
  std::map<std::string, std::string> override_of_;    // key -> "--set k=v"
  std::string path_, text_;
  std::vector<std::string> overrides_;
};

}  // namespace ebm

#include "libebm/config/config_file_impl.hpp"
