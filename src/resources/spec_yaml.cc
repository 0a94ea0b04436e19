// The YAML side of reading a resources file (spec_yaml.h): bounds, the
// problem list, scalar grammars and mapping entries, kept apart from the
// schema in spec.cc.
#include "resources/spec_yaml.h"

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "common/utf8.h"

namespace ferry::resources::internal {
namespace {

// Skips the digits at the front of `s`; false if there were none.
bool SkipDigits(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  s.remove_prefix(n);
  return n > 0;
}

// A plain (unquoted) scalar, which YAML reads as a number, boolean or null
// when it looks like one; a quoted scalar is always text.
bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

}  // namespace

std::string OneLine(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

bool IsInteger(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<bool> BoolOf(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool IsJsonNumber(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  if (s.starts_with('0')) {
    s.remove_prefix(1);
  } else if (s.empty() || s[0] < '1' || s[0] > '9' || !SkipDigits(s)) {
    return false;
  }
  if (s.starts_with('.')) {
    s.remove_prefix(1);
    if (!SkipDigits(s)) return false;
  }
  if (s.starts_with('e') || s.starts_with('E')) {
    s.remove_prefix(1);
    if (s.starts_with('+') || s.starts_with('-')) s.remove_prefix(1);
    if (!SkipDigits(s)) return false;
  }
  return s.empty();
}

bool IsPrometheusDuration(std::string_view s) {
  if (s.empty()) return false;
  while (!s.empty()) {
    if (!SkipDigits(s)) return false;
    if (s.starts_with("ms")) {
      s.remove_prefix(2);
    } else if (!s.empty() && std::string_view("smhdwy").find(s[0]) != std::string_view::npos) {
      s.remove_prefix(1);
    } else {
      return false;
    }
  }
  return true;
}

int FlowDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  char quote = 0;
  bool comment = false;
  bool escaped = false;
  char previous = '\n';
  for (char c : text) {
    if (comment) {
      comment = c != '\n';
    } else if (quote != 0) {
      if (escaped) {
        escaped = false;
      } else if (quote == '"' && c == '\\') {
        escaped = true;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '#' && (previous == ' ' || previous == '\t' || previous == '\n')) {
      comment = true;
    } else if ((c == '"' || c == '\'') &&
               std::string_view("[{,: \t\n").find(previous) != std::string_view::npos) {
      quote = c;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    previous = c;
  }
  return deepest;
}

bool CheckTree(const YAML::Node& node, int depth, size_t& budget, Problems& problems) {
  if (depth > kMaxDepth) {
    problems.Add(node, "the file nests deeper than " + std::to_string(kMaxDepth) +
                           " levels, counting each alias as what it names");
    return false;
  }
  if (budget == 0) {
    problems.Add(node, "the file has more than " + std::to_string(kMaxNodes) +
                           " values, counting each alias as what it names");
    return false;
  }
  --budget;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!CheckTree(it->first, depth + 1, budget, problems) ||
          !CheckTree(it->second, depth + 1, budget, problems)) {
        return false;
      }
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (!CheckTree(item, depth + 1, budget, problems)) return false;
    }
  }
  return true;
}

Location FirstNonUtf8(std::string_view text, const std::string& file) {
  Location at{file, 1, 1};
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    if (DecodeUtf8(text, &i) < 0) break;
    if (text[start] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

boost::json::value ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      boost::json::object out;
      for (auto it = node.begin(); it != node.end(); ++it) {
        out[it->first.Scalar()] = ToJson(it->second);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      boost::json::array out;
      for (const YAML::Node& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (!IsPlain(node)) return boost::json::value(s);
      if (s == "null" || s == "~") return nullptr;
      if (auto b = BoolOf(s)) return *b;
      if (IsJsonNumber(s)) {
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(s, ec);
        // A number too large for a double would serialize as no JSON number.
        if (!ec && (!v.is_double() || std::isfinite(v.get_double()))) return v;
      }
      return boost::json::value(s);
    }
    default:
      return nullptr;
  }
}

std::vector<Entry> Entries(const YAML::Node& map, Problems& problems) {
  std::vector<Entry> out;
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      problems.Add(it->first, "a key must be a name");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (!seen.insert(key).second) {
      problems.Add(it->first, "'" + key + "' is given twice");
      continue;
    }
    out.push_back(Entry{key, it->first, it->second});
  }
  return out;
}

bool IsMapOrNull(const YAML::Node& node) { return node.IsMap() || node.IsNull(); }

}  // namespace ferry::resources::internal
