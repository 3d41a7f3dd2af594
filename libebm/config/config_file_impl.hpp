// Template bodies of ConfigFile.
#pragma once

#include <sstream>

namespace ebm {

namespace config_detail {

template <typename T>
std::string to_text(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else {
    std::ostringstream out;
    out << value;
    return out.str();
  }
}

}  // namespace config_detail

template <typename T>
void ConfigFile::declare(const std::string& key, T* target, const std::string& description,
                         const std::string& expected) {
  description_.add_options()(key.c_str(), boost::program_options::value<T>(target)->default_value(*target,
                                                                      config_detail::to_text(*target)),
                             description.c_str());
  keys_.push_back({key, description, expected, [target] { return config_detail::to_text(*target); },
                   std::is_unsigned_v<T> && !std::is_same_v<T, bool>});
}

}  // namespace ebm
