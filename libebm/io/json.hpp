// The two JSON pieces every result line needs: a string literal and a
// number (null when not finite, as JSON has no NaN or infinity).
#pragma once

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace ebm {

inline std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}

inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace ebm
