#include "libebm/config/block_options.hpp"

#include "libebm/config/config_file.hpp"
#include "libebm/error.hpp"

namespace ebm {

BlockOptions::BlockOptions(const BlockOptions& other) : section_(other.section_) {
  for (const auto& o : other.options_) options_.push_back(std::make_unique<Option>(*o));
}

BlockOptions& BlockOptions::operator=(const BlockOptions& other) {
  if (this != &other) {
    BlockOptions copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void BlockOptions::declare_choice(const std::string& name, const std::string& default_value, const std::string& kind,
                                  const std::string& description) {
  declare<std::string>(name, default_value, description, "the name of a registered " + kind + " type");
  options_.back()->kind = kind;
}

void BlockOptions::declare_choice_list(const std::string& name, const std::string& default_value,
                                       const std::string& kind, const std::string& description) {
  declare<std::string>(name, default_value, description,
                       "the name of a registered " + kind + " type, or a comma-separated list of them",
                       [](const std::string& s) {
                         for (const auto& item : choice_list(s))
                           if (item.empty()) return false;
                         return true;
                       });
  options_.back()->kind = kind;
  options_.back()->list = true;
}

std::vector<std::string> choice_list(const std::string& value) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto comma = value.find(',', start);
    const std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

const BlockOptions::Option& BlockOptions::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o->name == name) return *o;
  throw ContractError("BlockOptions: [" + section_ + "] has no option '" + name + "'");
}

BlockOptions::Option& BlockOptions::find(const std::string& name) {
  return const_cast<Option&>(static_cast<const BlockOptions&>(*this).find(name));
}

bool BlockOptions::has(const std::string& name) const {
  for (const auto& o : options_)
    if (o->name == name) return true;
  return false;
}

std::vector<BlockOptions::Choice> BlockOptions::choices() const {
  std::vector<Choice> out;
  for (const auto& o : options_)
    if (!o->kind.empty()) out.push_back({o->name, o->kind, o->list});
  return out;
}

void BlockOptions::bind(ConfigFile& file) {
  for (auto& o : options_) {
    const std::string key = section_.empty() ? o->name : section_ + "." + o->name;
    std::visit([&](auto& stored) { file.declare(key, &stored, o->description, o->expected); }, o->value);
    if (o->valid) {
      Option* raw = o.get();
      file.check(key, [raw] { return raw->valid(raw->value); }, o->expected);
    }
  }
}

std::string BlockOptions::first_invalid() const {
  for (const auto& o : options_)
    if (o->valid && !o->valid(o->value)) return o->name;
  return "";
}

}  // namespace ebm
