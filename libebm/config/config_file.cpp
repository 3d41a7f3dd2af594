#include "libebm/config/config_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "libebm/error.hpp"

namespace po = boost::program_options;

namespace ebm {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string section_of(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

}  // namespace

ConfigFile::ConfigFile() : description_("ebm config") {}

void ConfigFile::check(const std::string& key, std::function<bool()> valid, const std::string& expected) {
  checks_.push_back({key, {std::move(valid), expected}});
}

std::string ConfigFile::origin(const std::string& key) const {
  if (auto o = override_of_.find(key); o != override_of_.end()) return o->second;
  if (auto l = line_of_.find(key); l != line_of_.end()) return path_ + ":" + std::to_string(l->second);
  return "default";
}

void ConfigFile::fail(const std::string& key, const std::string& message) const {
  if (auto o = override_of_.find(key); o != override_of_.end())
    throw InputError(o->second + ": key '" + key + "': " + message);
  const auto l = line_of_.find(key);
  throw InputError(located(path_, l == line_of_.end() ? 0 : l->second, "key '" + key + "': " + message));
}

std::string ConfigFile::expected_of(const std::string& key) const {
  for (const auto& k : keys_)
    if (k.name == key) return k.expected;
  return "a valid value";
}

std::string ConfigFile::accepted_in_section(const std::string& key) const {
  const std::string section = section_of(key);
  std::string list;
  for (const auto& k : keys_) {
    if (section_of(k.name) != section) continue;
    list += (list.empty() ? "" : ", ") + k.name;
  }
  if (list.empty()) {
    std::string sections;
    std::string last;
    for (const auto& k : keys_) {
      const std::string s = section_of(k.name);
      if (s != last && sections.find("[" + s + "]") == std::string::npos) sections += (sections.empty() ? "" : ", ") + ("[" + s + "]");
      last = s;
    }
    return "no section [" + section + "]; sections are " + sections;
  }
  return "accepted keys: " + list;
}

void ConfigFile::parse(const std::string& path, const std::vector<std::string>& overrides) {
  load(path, overrides);
  parse_values(true);
}

void ConfigFile::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path);
  if (!file) throw InputError(located(path, 0, "cannot open config file"));
  std::stringstream text;
  text << file.rdbuf();
  load_text(path, text.str(), overrides);
}

void ConfigFile::load_text(const std::string& name, const std::string& text, const std::vector<std::string>& overrides) {
  path_ = name;
  const std::string& path = name;
  text_ = text;
  overrides_ = overrides;
  line_of_.clear();
  value_of_.clear();
  override_of_.clear();

  // Our own pass over the file only to learn which line sets which key, and
  // to reject syntax Boost would report without a line number.
  {
    std::istringstream lines(text_);
    std::string line, section;
    for (std::size_t number = 1; std::getline(lines, line); ++number) {
      std::string t = trim(line);
      if (t.empty() || t[0] == '#' || t[0] == ';') continue;
      if (t.front() == '[') {
        if (t.back() != ']') throw InputError(located(path, number, "malformed section header '" + t + "'"));
        section = trim(t.substr(1, t.size() - 2));
        continue;
      }
      const auto eq = t.find('=');
      if (eq == std::string::npos)
        throw InputError(located(path, number, "expected 'key = value', got '" + t + "'"));
      const std::string name = trim(t.substr(0, eq));
      const std::string key = section.empty() ? name : section + "." + name;
      if (line_of_.count(key))
        throw InputError(located(path, number, "key '" + key + "' is set twice (first on line " +
                                                   std::to_string(line_of_[key]) + ")"));
      line_of_[key] = number;
      value_of_[key] = trim(t.substr(eq + 1));
    }
  }

  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) throw InputError("--set " + o + ": expected key=value");
    override_of_[trim(o.substr(0, eq))] = "--set " + o;
  }
}

void ConfigFile::parse_values(bool final) {
  const std::string& path = path_;
  const bool allow_unknown = !final;
  po::variables_map values;
  // Overrides first: Program_options keeps the first value stored for a key.
  for (const std::string& o : overrides_) {
    const auto eq = o.find('=');
    const std::string key = trim(o.substr(0, eq));
    std::istringstream one(key + "=" + o.substr(eq + 1));
    try {
      po::store(po::parse_config_file(one, description_, allow_unknown), values);
    } catch (const po::unknown_option&) {
      fail(key, "unknown key; " + accepted_in_section(key));
    } catch (const po::error_with_option_name& e) {
      fail(key, "'" + trim(o.substr(eq + 1)) + "' is not a valid value; expected " + expected_of(key));
    }
  }
  try {
    std::istringstream in(text_);
    po::store(po::parse_config_file(in, description_, allow_unknown), values);
  } catch (const po::unknown_option& e) {
    const std::string key = e.get_option_name();
    fail(key, "unknown key; " + accepted_in_section(key));
  } catch (const po::error_with_option_name& e) {
    const std::string key = e.get_option_name();
    fail(key, "'" + value_of_[key] + "' is not a valid value; expected " + expected_of(key));
  } catch (const po::error& e) {
    throw InputError(located(path, 0, e.what()));
  }
  try {
    po::notify(values);
  } catch (const po::error_with_option_name& e) {
    fail(e.get_option_name(), e.what());
  }
  if (!final) return;
  for (const auto& k : keys_) {
    if (!k.is_unsigned) continue;
    std::string text;
    if (auto o = override_of_.find(k.name); o != override_of_.end()) text = trim(o->second.substr(o->second.find('=') + 1));
    else if (auto v = value_of_.find(k.name); v != value_of_.end()) text = v->second;
    if (!text.empty() && text[0] == '-') fail(k.name, "'" + text + "' is not a valid value; expected " + k.expected);
  }
  for (const auto& [key, check] : checks_) {
    if (check.first()) continue;
    std::string value;
    for (const auto& k : keys_)
      if (k.name == key) value = k.value_text();
    fail(key, "'" + value + "' is out of range; expected " + check.second);
  }
}

std::vector<std::string> ConfigFile::sections_used() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& key) {
    const std::string s = section_of(key);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const auto& [key, line] : line_of_) add(key);
  for (const auto& [key, text] : override_of_) add(key);
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigFile::resolved() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& k : keys_) out.emplace_back(k.name, k.value_text());
  return out;
}

std::string ConfigFile::reference() const {
  std::ostringstream out;
  std::string section = "\x01";
  for (const auto& k : keys_) {
    const std::string s = section_of(k.name);
    if (s != section) {
      out << (section == "\x01" ? "" : "\n") << (s.empty() ? "" : "[" + s + "]\n");
      section = s;
    }
    const std::string name = s.empty() ? k.name : k.name.substr(s.size() + 1);
    out << name << " = " << k.value_text() << "    # " << k.description << " (" << k.expected << ")\n";
  }
  return out.str();
}

}  // namespace ebm
