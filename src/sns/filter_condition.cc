#include "sns/filter_condition.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

namespace ferry::sns {

namespace {

namespace json = boost::json;

// AWS's numeric range and precision (subscription-filter-policy-constraints).
constexpr double kNumberLimit = 1e9;
constexpr double kNumberScale = 1e5;

Status Invalid(std::string reason) { return Status::InvalidArgument("FilterPolicy: " + reason); }

// A policy number, or the refusal AWS gives for a non-number.
Result<int64_t> PolicyNumber(const json::value& v, std::string_view op_name) {
  if (!v.is_number()) return Invalid("Value of " + std::string(op_name) + " must be numeric");
  const std::optional<int64_t> n = ComparableNumber(v.to_number<double>());
  if (!n) return Invalid("Numeric values must be between -1.0E9 and 1.0E9");
  return *n;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

// Parses an IPv4 or IPv6 address into `out`; returns its size (4 or 16), or
// 0 if `text` is not an address.
uint8_t ParseAddress(std::string_view text, std::array<uint8_t, 16>& out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return 0;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, out.data()) == 1) return 4;
  if (inet_pton(AF_INET6, buf, out.data()) == 1) return 16;
  return 0;
}

// Clears the bits of `address` past the first `bits`.
void KeepPrefix(std::array<uint8_t, 16>& address, uint8_t size, uint8_t bits) {
  for (uint8_t i = 0; i < size; ++i) {
    const int keep = std::clamp(static_cast<int>(bits) - 8 * i, 0, 8);
    address[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
}

bool WildcardTest(const std::vector<std::string>& parts, std::string_view text) {
  // parts[0] is anchored at the start, parts.back() at the end, and the ones
  // between are found left to right: the leftmost occurrence of each leaves
  // the most room for the rest, so the greedy search is exact.
  if (parts.size() == 1) return text == parts[0];
  const std::string& first = parts.front();
  const std::string& last = parts.back();
  if (text.size() < first.size() + last.size()) return false;
  if (text.substr(0, first.size()) != first) return false;
  if (text.substr(text.size() - last.size()) != last) return false;
  std::string_view middle = text.substr(first.size(), text.size() - first.size() - last.size());
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    const size_t at = middle.find(parts[i]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + parts[i].size());
  }
  return true;
}

}  // namespace

std::optional<int64_t> ComparableNumber(double value) {
  if (!std::isfinite(value) || value < -kNumberLimit || value > kNumberLimit) return std::nullopt;
  return std::llround(value * kNumberScale);
}

// Builds a FilterCondition from one JSON match expression.
class ConditionParser {
 public:
  static Result<FilterCondition> Parse(const json::value& v) {
    FilterCondition c;
    switch (v.kind()) {
      case json::kind::string:
        c.op_ = FilterCondition::Op::kString;
        c.text_ = std::string(v.get_string());
        return c;
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_: {
        Result<int64_t> n = PolicyNumber(v, "equals");
        if (!n.ok()) return n.status();
        c.op_ = FilterCondition::Op::kNumber;
        c.number_ = *n;
        return c;
      }
      case json::kind::bool_:
        c.op_ = FilterCondition::Op::kBoolean;
        c.flag_ = v.get_bool();
        return c;
      case json::kind::null:
        c.op_ = FilterCondition::Op::kNull;
        return c;
      case json::kind::array:
        return Invalid("Match value must be String, number, true, false, or null");
      case json::kind::object:
        break;
    }
    const json::object& o = v.get_object();
    if (o.empty()) return Invalid("Empty objects are not allowed");
    if (o.size() != 1) return Invalid("Only one key allowed in match expression");
    const std::string_view name = o.begin()->key();
    const json::value& arg = o.begin()->value();
    if (name == "prefix" || name == "suffix" || name == "equals-ignore-case") {
      if (!arg.is_string()) return Invalid(std::string(name) + " match pattern must be a string");
      c.op_ = name == "prefix"   ? FilterCondition::Op::kPrefix
              : name == "suffix" ? FilterCondition::Op::kSuffix
                                 : FilterCondition::Op::kEqualsIgnoreCase;
      c.text_ = c.op_ == FilterCondition::Op::kEqualsIgnoreCase ? LowerAscii(arg.get_string())
                                                                : std::string(arg.get_string());
      return c;
    }
    if (name == "wildcard") return Wildcard(arg);
    if (name == "exists") {
      if (!arg.is_bool()) return Invalid("exists match pattern must be either true or false.");
      c.op_ = FilterCondition::Op::kExists;
      c.flag_ = arg.get_bool();
      return c;
    }
    if (name == "anything-but") return AnythingBut(arg);
    if (name == "numeric") return Numeric(arg);
    if (name == "cidr") return Cidr(arg);
    return Invalid("Unrecognized match type " + std::string(name));
  }

 private:
  static Result<FilterCondition> Wildcard(const json::value& arg) {
    if (!arg.is_string()) return Invalid("wildcard match pattern must be a string");
    const std::string_view pattern = arg.get_string();
    FilterCondition c;
    c.op_ = FilterCondition::Op::kWildcard;
    c.strings_.emplace_back();
    for (size_t i = 0; i < pattern.size(); ++i) {
      const char ch = pattern[i];
      if (ch == '*') {
        if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
          return Invalid("Consecutive wildcard characters at pos " + std::to_string(i + 1));
        }
        c.strings_.emplace_back();
      } else if (ch == '\\') {
        if (i + 1 >= pattern.size() || (pattern[i + 1] != '*' && pattern[i + 1] != '\\')) {
          return Invalid("Invalid escape character at pos " + std::to_string(i));
        }
        c.strings_.back().push_back(pattern[++i]);
      } else {
        c.strings_.back().push_back(ch);
      }
    }
    return c;
  }

  static Result<FilterCondition> AnythingBut(const json::value& arg) {
    FilterCondition c;
    c.op_ = FilterCondition::Op::kAnythingBut;
    if (arg.is_object()) {
      const json::object& o = arg.get_object();
      if (o.empty()) return Invalid("Empty objects are not allowed");
      if (o.size() != 1) return Invalid("Only one key allowed in match expression");
      const std::string_view name = o.begin()->key();
      if (name != "prefix" && name != "suffix") {
        return Invalid("Unsupported anything-but pattern: " + std::string(name));
      }
      const json::value& text = o.begin()->value();
      if (!text.is_string()) return Invalid(std::string(name) + " match pattern must be a string");
      c.op_ = name == "prefix" ? FilterCondition::Op::kAnythingButPrefix
                               : FilterCondition::Op::kAnythingButSuffix;
      c.text_ = std::string(text.get_string());
      return c;
    }
    const json::value* single[] = {&arg};
    std::vector<const json::value*> items;
    if (arg.is_array()) {
      if (arg.get_array().empty()) return Invalid("Empty arrays are not allowed");
      for (const json::value& item : arg.get_array()) {
        if (!item.is_string() && !item.is_number()) {
          return Invalid("Inside anything but list, start|null|boolean is not supported.");
        }
        items.push_back(&item);
      }
    } else if (arg.is_string() || arg.is_number()) {
      items.assign(std::begin(single), std::end(single));
    } else {
      return Invalid("Value of anything-but must be an array or single string/number value.");
    }
    for (const json::value* item : items) {
      if (item->is_string()) {
        c.strings_.emplace_back(item->get_string());
      } else {
        Result<int64_t> n = PolicyNumber(*item, "anything-but");
        if (!n.ok()) return n.status();
        c.numbers_.push_back(*n);
      }
    }
    std::sort(c.strings_.begin(), c.strings_.end());
    std::sort(c.numbers_.begin(), c.numbers_.end());
    return c;
  }

  // ["=", x] | ["<"|"<="|">"|">=", x] | [">"|">=", x, "<"|"<=", y] with x < y.
  static Result<FilterCondition> Numeric(const json::value& arg) {
    if (!arg.is_array()) return Invalid("Value of numeric must be an array.");
    const json::array& a = arg.get_array();
    if (a.empty()) return Invalid("Invalid member in numeric match: ]");
    if (!a[0].is_string()) return Invalid("Invalid member in numeric match: " + Text(a[0]));
    const std::string_view op = a[0].get_string();
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
      return Invalid("Unrecognized numeric range operator: " + std::string(op));
    }
    if (a.size() < 2) return Invalid("Value of " + OpName(op) + " must be numeric");
    Result<int64_t> first = PolicyNumber(a[1], OpName(op));
    if (!first.ok()) return first.status();
    FilterCondition c;
    c.op_ = FilterCondition::Op::kNumeric;
    const FilterCondition::Bound bound{*first, op.size() == 2 || op == "="};
    if (op == "=") {
      c.lower_ = c.upper_ = bound;
    } else if (op[0] == '<') {
      c.upper_ = bound;
    } else {
      c.lower_ = bound;
    }
    if (a.size() == 2) return c;
    if (op[0] != '>') return Invalid("Too many elements in numeric expression");
    if (!a[2].is_string()) return Invalid("Bad value in numeric range: " + Text(a[2]));
    const std::string_view op2 = a[2].get_string();
    if (op2 != "<" && op2 != "<=")
      return Invalid("Bad numeric range operator: " + std::string(op2));
    if (a.size() < 4) return Invalid("Value of " + std::string(op2) + " must be numeric");
    Result<int64_t> second = PolicyNumber(a[3], op2);
    if (!second.ok()) return second.status();
    if (*second <= *first) return Invalid("Bottom must be less than top");
    if (a.size() > 4) return Invalid("Too many terms in numeric range expression");
    c.upper_ = FilterCondition::Bound{*second, op2.size() == 2};
    return c;
  }

  static Result<FilterCondition> Cidr(const json::value& arg) {
    // AWS answers a non-string CIDR with the prefix operator's text.
    if (!arg.is_string()) return Invalid("prefix match pattern must be a string");
    const std::string_view text = arg.get_string();
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) {
      return Invalid("Malformed CIDR, one '/' required");
    }
    const std::string_view address = text.substr(0, slash);
    const std::string_view mask = text.substr(slash + 1);
    int bits = -1;
    const auto [end, ec] = std::from_chars(mask.data(), mask.data() + mask.size(), bits);
    if (ec != std::errc() || end != mask.data() + mask.size() || mask.empty()) {
      return Invalid("Malformed CIDR, mask bits must be an integer");
    }
    FilterCondition c;
    c.op_ = FilterCondition::Op::kCidr;
    c.address_size_ = ParseAddress(address, c.network_);
    if (c.address_size_ == 0) return Invalid("Nonstandard IP address: " + std::string(address));
    if (bits < 0 || bits > 8 * c.address_size_) {
      return Invalid("Malformed CIDR, mask bits must be between 0 and " +
                     std::to_string(8 * c.address_size_));
    }
    c.prefix_bits_ = static_cast<uint8_t>(bits);
    KeepPrefix(c.network_, c.address_size_, c.prefix_bits_);
    return c;
  }

  static std::string OpName(std::string_view op) { return op == "=" ? "equals" : std::string(op); }

  // A JSON value as AWS quotes it in a refusal (strings without quotes).
  static std::string Text(const json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
  }
};

Result<FilterCondition> ParseCondition(const json::value& json) {
  return ConditionParser::Parse(json);
}

bool FilterCondition::Test(const FilterValue& v) const {
  using Kind = FilterValue::Kind;
  switch (op_) {
    case Op::kString:
      return v.kind == Kind::kString && v.text == text_;
    case Op::kNumber:
      return v.kind == Kind::kNumber && v.number == number_;
    case Op::kBoolean:
      return v.kind == (flag_ ? Kind::kTrue : Kind::kFalse);
    case Op::kNull:
      return v.kind == Kind::kNull;
    case Op::kPrefix:
      return v.kind == Kind::kString && v.text.starts_with(text_);
    case Op::kSuffix:
      return v.kind == Kind::kString && v.text.ends_with(text_);
    case Op::kEqualsIgnoreCase:
      return v.kind == Kind::kString && v.text.size() == text_.size() &&
             std::equal(v.text.begin(), v.text.end(), text_.begin(),
                        [](char a, char b) { return LowerAscii(a) == b; });
    case Op::kWildcard:
      return v.kind == Kind::kString && WildcardTest(strings_, v.text);
    case Op::kAnythingBut:
      if (v.kind == Kind::kString) {
        return !std::binary_search(strings_.begin(), strings_.end(), v.text);
      }
      if (v.kind == Kind::kNumber) {
        return !v.number || !std::binary_search(numbers_.begin(), numbers_.end(), *v.number);
      }
      return false;
    case Op::kAnythingButPrefix:
      return v.kind == Kind::kString && !v.text.starts_with(text_);
    case Op::kAnythingButSuffix:
      return v.kind == Kind::kString && !v.text.ends_with(text_);
    case Op::kNumeric:
      if (v.kind != Kind::kNumber || !v.number) return false;
      if (lower_ && (lower_->inclusive ? *v.number < lower_->value : *v.number <= lower_->value)) {
        return false;
      }
      if (upper_ && (upper_->inclusive ? *v.number > upper_->value : *v.number >= upper_->value)) {
        return false;
      }
      return true;
    case Op::kExists:
      return false;
    case Op::kCidr: {
      if (v.kind != Kind::kString) return false;
      std::array<uint8_t, 16> address{};
      if (ParseAddress(v.text, address) != address_size_) return false;
      KeepPrefix(address, address_size_, prefix_bits_);
      return address == network_;
    }
  }
  return false;
}

}  // namespace ferry::sns
