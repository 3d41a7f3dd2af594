// One name per type.
//
// Every block type (model, unit type, connection, sampler, gradient
// estimator, update rule, monitor) has ONE name, e.g. "pcd".  The name is
//   1. its key in the Registry of factories, so `estimator = pcd` in a
//      config file builds it;
//   2. its Boost.Serialization export key ("pcd/float", "pcd/double": one
//      per element type), so an archive holds it behind a base pointer;
//   3. the section of its own options in the config file ([pcd]).
// A type registers itself with one line in its own .cpp (EBM_REGISTER, in
// libebm/registry/register.hpp), so adding a type never means editing a
// central switch -- also for types defined outside libebm.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libebm/config/block_options.hpp"
#include "libebm/error.hpp"

namespace ebm {

/// What each registered type is, independent of the element type: its
/// kind, summary and option declarations.  Used to read config files
/// (two passes: the chosen types, then their options) and for `ebm help`.
class TypeCatalog {
 public:
  using Declare = std::function<void(BlockOptions&)>;
  struct Entry {
    std::string kind, name, summary;
    Declare declare;
  };

  static TypeCatalog& instance() {
    static TypeCatalog catalog;
    return catalog;
  }

  /// Throws ContractError when `name` is already registered for `kind`: two
  /// types cannot share a name (the later one would silently replace the
  /// earlier in configs and archives).
  void add(const std::string& kind, const std::string& name, const std::string& summary, Declare declare) {
    if (has(kind, name)) throw ContractError("TypeCatalog: " + kind + " type '" + name + "' is registered twice");
    entries_[kind][name] = Entry{kind, name, summary, std::move(declare)};
  }
  bool has(const std::string& kind, const std::string& name) const {
    auto k = entries_.find(kind);
    return k != entries_.end() && k->second.count(name) > 0;
  }
  const Entry& at(const std::string& kind, const std::string& name) const {
    if (!has(kind, name))
      throw InputError("unknown " + kind + " type '" + name + "'; registered: " + joined_names(kind));
    return entries_.at(kind).at(name);
  }
  /// The options of type `name` with their defaults, section = name.
  BlockOptions defaults(const std::string& kind, const std::string& name) const {
    BlockOptions options(name);
    at(kind, name).declare(options);
    return options;
  }
  std::vector<std::string> names(const std::string& kind) const {
    std::vector<std::string> out;
    if (auto k = entries_.find(kind); k != entries_.end())
      for (const auto& [name, entry] : k->second) out.push_back(name);
    return out;
  }
  std::string joined_names(const std::string& kind) const {
    std::string s;
    for (const auto& n : names(kind)) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "(none)" : s;
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& [kind, e] : entries_) out.push_back(kind);
    return out;
  }

 private:
  std::map<std::string, std::map<std::string, Entry>> entries_;
};

/// Factories of one base type (per element type): name -> factory.
template <typename Base, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Base>(const BlockOptions&, Args...)>;

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  /// Throws ContractError when `name` is already registered.
  void add(const std::string& name, Factory factory) {
    if (has(name)) throw ContractError("Registry: type '" + name + "' is registered twice");
    factories_[name] = std::move(factory);
  }
  bool has(const std::string& name) const { return factories_.count(name) > 0; }

  /// Builds type `name` from its options; throws InputError listing the
  /// registered names when `name` is unknown.
  std::unique_ptr<Base> create(const std::string& name, const BlockOptions& options, Args... args) const {
    auto f = factories_.find(name);
    if (f == factories_.end()) {
      std::string names;
      for (const auto& [n, factory] : factories_) names += (names.empty() ? "" : ", ") + n;
      throw InputError("unknown type '" + name + "'; registered: " + names);
    }
    return f->second(options, std::forward<Args>(args)...);
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace ebm
