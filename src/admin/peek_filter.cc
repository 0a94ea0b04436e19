#include "admin/peek_filter.h"

#include <algorithm>
#include <cstdint>

#include "api/errors.h"

namespace ferry::admin {
namespace {

constexpr std::string_view kFilterKey = "MessageAttributeFilter";
constexpr std::string_view kBodyKey = "BodyContains";

std::string FilterKey(std::string_view name) {
  return std::string(kFilterKey) + "." + std::string(name);
}

// "Value for parameter <key> is invalid. Reason: <reason>", as
// api::InvalidParameterType words it: the value itself may be long, or a
// JSON structure.
Status Invalid(std::string_view key, std::string_view reason) {
  return api::Error(
      api::ErrorId::kInvalidParameterValue,
      "Value for parameter " + std::string(key) + " is invalid. Reason: " + std::string(reason));
}

Status CheckValue(std::string_view key, std::string_view value, bool may_be_empty) {
  if (value.size() > kMaxFilterValueBytes) {
    return Invalid(key, "Must be at most " + std::to_string(kMaxFilterValueBytes) + " bytes.");
  }
  if (!may_be_empty && value.empty()) return Invalid(key, "Must not be empty.");
  return Status::Ok();
}

// One entry of MessageAttributeFilter: a string (equals), or an object of
// exactly one of Exists (a boolean) and Prefix (a string).
Result<AttributeCondition> ReadCondition(std::string_view name, const boost::json::value& v) {
  const std::string key = FilterKey(name);
  AttributeCondition c;
  c.name = std::string(name);
  if (v.is_string()) {
    FERRY_RETURN_IF_ERROR(CheckValue(key, v.get_string(), true));
    c.kind = AttributeCondition::Kind::kEquals;
    c.value = std::string(v.get_string());
    return c;
  }
  const char* kShape = R"(Must be a string, {"Exists": true|false} or {"Prefix": "..."}.)";
  if (!v.is_object() || v.get_object().size() != 1) return Invalid(key, kShape);
  const auto& [op, operand] = *v.get_object().begin();
  if (op == "Exists" && operand.is_bool()) {
    c.kind =
        operand.get_bool() ? AttributeCondition::Kind::kExists : AttributeCondition::Kind::kAbsent;
    return c;
  }
  if (op == "Prefix" && operand.is_string()) {
    FERRY_RETURN_IF_ERROR(CheckValue(key + ".Prefix", operand.get_string(), false));
    c.kind = AttributeCondition::Kind::kPrefix;
    c.value = std::string(operand.get_string());
    return c;
  }
  return Invalid(key, kShape);
}

std::string_view BaseType(std::string_view data_type) {
  return data_type.substr(0, data_type.find('.'));
}

bool ValueEquals(const message::AttributeView& a, std::string_view want) {
  if (a.binary) return false;
  if (BaseType(a.data_type) != "Number") return a.value == want;
  std::optional<std::string> have = CanonicalNumber(a.value);
  return have && have == CanonicalNumber(want);
}

bool Holds(const AttributeCondition& c, const message::AttributeView* a) {
  switch (c.kind) {
    case AttributeCondition::Kind::kExists:
      return a != nullptr;
    case AttributeCondition::Kind::kAbsent:
      return a == nullptr;
    case AttributeCondition::Kind::kEquals:
      return a != nullptr && ValueEquals(*a, c.value);
    case AttributeCondition::Kind::kPrefix:
      return a != nullptr && !a->binary && a->value.starts_with(c.value);
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<PeekFilter> PeekFilter::Parse(const boost::json::object& request,
                                     const api::Params& params) {
  PeekFilter filter;
  if (const boost::json::value* f = request.if_contains(kFilterKey); f && !f->is_null()) {
    if (!f->is_object()) return api::InvalidParameterType(kFilterKey, "a map of attribute names");
    const boost::json::object& map = f->get_object();
    if (map.size() > kMaxFilterAttributes) {
      return Invalid(kFilterKey, "At most " + std::to_string(kMaxFilterAttributes) +
                                     " attribute names, found " + std::to_string(map.size()) + ".");
    }
    for (const auto& [name, value] : map) {
      if (name.empty() || name.size() > kMaxFilterNameBytes) {
        return Invalid(kFilterKey, "Attribute names must be 1 to " +
                                       std::to_string(kMaxFilterNameBytes) + " bytes.");
      }
      Result<AttributeCondition> c = ReadCondition(name, value);
      if (!c.ok()) return c.status();
      filter.conditions_.push_back(std::move(c).value());
    }
  }
  Result<std::optional<std::string>> body = params.OptionalString(kBodyKey);
  if (!body.ok()) return body.status();
  if (*body) {
    FERRY_RETURN_IF_ERROR(CheckValue(kBodyKey, **body, false));
    filter.body_contains_ = std::move(*body);
  }
  return filter;
}

bool PeekFilter::Matches(const message::DecodedPayload& payload) const {
  if (body_contains_ && payload.body.find(*body_contains_) == std::string_view::npos) return false;
  for (const AttributeCondition& c : conditions_) {
    // Attributes are sorted by name; at most kMaxMessageAttributes of them.
    auto it = std::find_if(payload.attributes.begin(), payload.attributes.end(),
                           [&](const message::AttributeView& a) { return a.name == c.name; });
    if (!Holds(c, it == payload.attributes.end() ? nullptr : &*it)) return false;
  }
  return true;
}

std::optional<std::string> CanonicalNumber(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string digits;
  int64_t exponent = 0;  // the value is 0.<digits> × 10^exponent, once normalised
  size_t int_digits = 0, frac_digits = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i, ++int_digits) digits += text[i];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && IsDigit(text[i]); ++i, ++frac_digits) digits += text[i];
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  exponent = static_cast<int64_t>(int_digits);
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    int64_t e = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      e = std::min<int64_t>(e * 10 + (text[i] - '0'), int64_t{1} << 40);  // saturates
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) return std::nullopt;
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return std::string("0");
  const size_t last = digits.find_last_not_of('0');
  exponent -= static_cast<int64_t>(first);
  return std::string(negative ? "-" : "") + "0." + digits.substr(first, last - first + 1) + "e" +
         std::to_string(exponent);
}

}  // namespace ferry::admin
