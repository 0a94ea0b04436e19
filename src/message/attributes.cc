#include "message/attributes.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/ascii.h"
#include "common/crypto.h"
#include "common/utf8.h"

namespace ferry::message {
namespace {

constexpr size_t kMaxAttributeNameLength = 256;
constexpr size_t kMaxDataTypeLength = 256;
constexpr std::string_view kStringArray = "String.Array";

Status Invalid(std::string message) { return Status::InvalidArgument(std::move(message)); }

Status ValidateAttributeName(std::string_view name) {
  if (name.empty()) return Invalid("The request must contain non-empty message attribute name.");
  // Letters and digits of any script ("attr.1øßä" is a name AWS accepts).
  bool ok = name.front() != '.' && name.back() != '.' && name.find("..") == std::string_view::npos;
  size_t characters = 0;
  for (size_t i = 0; ok && i < name.size(); ++characters) {
    const int32_t cp = DecodeUtf8(name, &i);
    ok = IsLetterOrDigit(cp) || cp == '_' || cp == '-' || cp == '.';
  }
  if (!ok || characters > kMaxAttributeNameLength) {
    return Invalid("Message (user) attribute name " + Quoted(name) +
                   " is invalid. Names may contain only letters, digits, hyphens, "
                   "underscores and periods, must not start or end with a period or contain "
                   "consecutive periods, and must be at most 256 characters long.");
  }
  if (StartsWithIgnoringAsciiCase(name, "aws.") || StartsWithIgnoringAsciiCase(name, "amazon.")) {
    return Invalid("Message (user) attribute name " + Quoted(name) +
                   " is invalid. The prefixes AWS. and Amazon. (in any case) are reserved.");
  }
  return Status::Ok();
}

}  // namespace

std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

bool IsDecimalNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t mantissa = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

bool IsStringArrayValue(std::string_view value) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_array()) return false;
  for (const boost::json::value& e : v.get_array()) {
    if (e.is_array() || e.is_object()) return false;
  }
  return true;
}

Result<MessageAttribute> ReadAttributeValue(const api::Params& v, std::string_view name,
                                            const AttributeRules& rules,
                                            std::string_view operation) {
  MessageAttribute out;
  auto data_type = v.OptionalString("DataType");
  if (!data_type.ok()) return data_type.status();
  if (!data_type->has_value() || (*data_type)->empty()) {
    return Invalid("The message attribute " + Quoted(name) +
                   " must contain non-empty message attribute type.");
  }
  out.data_type = std::move(**data_type);
  const std::string_view type = out.data_type;
  const std::string_view base = type.substr(0, type.find('.'));
  if (type.size() > kMaxDataTypeLength ||
      (base != "String" && base != "Number" && base != "Binary")) {
    return Invalid("The type of message (user) attribute " + Quoted(name) +
                   " is invalid. You must use only the following supported type prefixes: "
                   "Binary, Number, String.");
  }
  // A custom label ("String.\u0001") has the message body's character rules;
  // the type is echoed on every receive, in XML too.
  if (!IsValidSqsText(type)) {
    return Invalid("The type of message (user) attribute " + Quoted(name) +
                   " contains characters outside the allowed set.");
  }
  for (std::string_view list : {"StringListValues", "BinaryListValues"}) {
    auto values = v.StringList(list);
    if (!values.ok()) return values.status();
    if (!values->empty()) {
      return Status::Unimplemented("Message attribute list values in " + std::string(operation) +
                                   " operation are not supported.");
    }
  }
  out.binary = base == "Binary";
  auto value = v.OptionalString(out.binary ? "BinaryValue" : "StringValue");
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return Invalid("The message attribute " + Quoted(name) + " with type " + Quoted(base) +
                   " must use field " + Quoted(base) + ".");
  }
  if ((*value)->empty()) {
    return Invalid("Message (user) attribute " + Quoted(name) +
                   " must contain a non-empty value of type " + Quoted(base) + ".");
  }
  if (out.binary) {
    std::optional<std::string> bytes = Base64Decode(**value);
    if (!bytes) {
      return Invalid("The binary value of message (user) attribute " + Quoted(name) +
                     " is not valid base64.");
    }
    if (bytes->empty()) {
      return Invalid("Message (user) attribute " + Quoted(name) +
                     " must contain a non-empty value of type 'Binary'.");
    }
    out.value = std::move(*bytes);
    return out;
  }
  out.value = std::move(**value);
  if (!IsValidSqsText(out.value)) {
    return Invalid("Message (user) attribute " + Quoted(name) +
                   " contains characters outside the allowed set.");
  }
  if (base == "Number" && !IsDecimalNumber(out.value)) {
    return Invalid("Can't cast the value of message (user) attribute " + Quoted(name) +
                   " to a number.");
  }
  if (rules.string_array && type == kStringArray && !IsStringArrayValue(out.value)) {
    return Invalid("The value of message (user) attribute " + Quoted(name) +
                   " of type 'String.Array' must be a JSON array of strings, numbers, "
                   "booleans and nulls.");
  }
  return out;
}

Result<std::vector<MessageAttribute>> ReadAttributes(const api::Params& params,
                                                     std::string_view key,
                                                     const AttributeRules& rules,
                                                     std::string_view operation) {
  auto map = params.ObjectMap(key);
  if (!map.ok()) return map.status();
  const size_t max = std::min(rules.max_attributes, kMaxMessageAttributes);
  if (map->size() > max) {
    return Invalid("Number of message attributes [" + std::to_string(map->size()) +
                   "] exceeds the allowed maximum [" + std::to_string(max) + "].");
  }
  std::vector<MessageAttribute> out;
  out.reserve(map->size());
  for (auto& [name, obj] : *map) {
    FERRY_RETURN_IF_ERROR(ValidateAttributeName(name));
    Result<MessageAttribute> a = ReadAttributeValue(params.Nested(*obj), name, rules, operation);
    if (!a.ok()) return a.status();
    a->name = std::move(name);
    out.push_back(std::move(a).value());
  }
  SortByName(&out);
  return out;
}

void SortByName(std::vector<MessageAttribute>* attributes) {
  std::sort(attributes->begin(), attributes->end(),
            [](const MessageAttribute& a, const MessageAttribute& b) { return a.name < b.name; });
}

size_t AttributesSize(std::span<const MessageAttribute> attributes) {
  size_t n = 0;
  for (const MessageAttribute& a : attributes)
    n += a.name.size() + a.data_type.size() + a.value.size();
  return n;
}

boost::json::object AttributeJson(const AttributeView& a) {
  boost::json::object v;
  v.emplace("DataType", a.data_type);
  if (a.binary) {
    v.emplace("BinaryValue", Base64Encode(a.value));
  } else {
    v.emplace("StringValue", a.value);
  }
  return v;
}

}  // namespace ferry::message
