// The options of one block (a model, unit type, sampler, estimator, update
// rule or monitor), read from the config section named after the block's
// type: the options of `estimator = pcd` live in `[pcd]`.
//
// A block type declares its options once (name, default, description,
// accepted values); the same declaration validates config files, fills in
// defaults for programs that build blocks directly, and documents the type
// (`ebm help config`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace ebm {

class ConfigFile;

class BlockOptions {
 public:
  using Value = std::variant<bool, std::uint64_t, std::int64_t, double, std::string>;

  explicit BlockOptions(std::string section = "") : section_(std::move(section)) {}
  BlockOptions(const BlockOptions& other);
  BlockOptions& operator=(const BlockOptions& other);
  BlockOptions(BlockOptions&&) = default;
  BlockOptions& operator=(BlockOptions&&) = default;

  /// Declares option `name` with its default.  `valid` (optional) checks the
  /// final value; `expected` says in words what is accepted.  T is one of
  /// bool, std::uint64_t, std::int64_t, double, std::string.
  template <typename T>
  void declare(const std::string& name, T default_value, const std::string& description, const std::string& expected,
               std::function<bool(const T&)> valid = {});

  /// Declares an option whose value names a registered type of `kind`
  /// (e.g. "units"); that type's own section is then read too.
  void declare_choice(const std::string& name, const std::string& default_value, const std::string& kind,
                      const std::string& description);

  /// The same for a comma-separated list of such names (one per layer,
  /// say); every name's section is read.  Split with choice_list().
  void declare_choice_list(const std::string& name, const std::string& default_value, const std::string& kind,
                           const std::string& description);

  /// The value of option `name`.  Throws ContractError when `name` was not
  /// declared or has another type.
  template <typename T>
  const T& get(const std::string& name) const;

  /// Sets a declared option (for programs that build blocks directly).
  template <typename T>
  void set(const std::string& name, T value);

  bool has(const std::string& name) const;
  const std::string& section() const { return section_; }

  struct Choice {
    std::string name, kind;
    bool list = false;  ///< declared with declare_choice_list
  };
  std::vector<Choice> choices() const;

  /// Declares every option on `file` as "<section>.<name>", bound to this
  /// object's storage (which must outlive the parse).
  void bind(ConfigFile& file);

  /// Runs every option's check; returns the first failing option's name, or "".
  std::string first_invalid() const;

 private:
  struct Option {
    std::string name, description, expected, kind;
    bool list = false;
    Value value;
    std::function<bool(const Value&)> valid;
  };
  const Option& find(const std::string& name) const;
  Option& find(const std::string& name);

  std::string section_;
  std::vector<std::unique_ptr<Option>> options_;
};

/// "nrelu, bernoulli" -> {"nrelu", "bernoulli"}: the names of a list
/// choice (comma-separated, blanks around each trimmed).
std::vector<std::string> choice_list(const std::string& value);

template <typename T>
void BlockOptions::declare(const std::string& name, T default_value, const std::string& description,
                           const std::string& expected, std::function<bool(const T&)> valid) {
  auto o = std::make_unique<Option>();
  o->name = name;
  o->description = description;
  o->expected = expected;
  o->value = Value(std::move(default_value));
  if (valid) o->valid = [valid](const Value& v) { return valid(std::get<T>(v)); };
  options_.push_back(std::move(o));
}

template <typename T>
const T& BlockOptions::get(const std::string& name) const {
  const Option& o = find(name);
  const T* v = std::get_if<T>(&o.value);
  if (!v) throw std::logic_error("BlockOptions::get(): option '" + section_ + "." + name + "' has another type");
  return *v;
}

template <typename T>
void BlockOptions::set(const std::string& name, T value) {
  Option& o = find(name);
  if (!std::holds_alternative<T>(o.value))
    throw std::logic_error("BlockOptions::set(): option '" + section_ + "." + name + "' has another type");
  o.value = Value(std::move(value));
}

}  // namespace ebm
