// Reading the text exposition back in tests: the value of one series, named
// exactly as it is printed (name and labels in the order the collector
// gives them), or nullopt when the text has no such line.
//
// Thread-safety: a free function over values.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace ferry::metrics::testing {

inline std::optional<double> SeriesValue(const std::string& text, std::string_view series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace ferry::metrics::testing
