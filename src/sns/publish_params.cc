#include "sns/publish_params.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "api/errors.h"
#include "common/ascii.h"
#include "common/crypto.h"
#include "message/body.h"

namespace ferry::sns {
namespace {

using api::ErrorId;
using message::Quoted;

constexpr size_t kMaxSubjectLength = 99;  // "less than 100 characters"
constexpr size_t kMaxAttributeNameBytes = 256;
constexpr size_t kMaxDataTypeBytes = 256;
constexpr size_t kMaxFifoIdLength = 128;
// AWS's Number: up to 38 significant digits, magnitudes from 10^-128 to
// 10^126 (and zero).
constexpr int kMaxNumberDigits = 38;
constexpr double kMaxNumberMagnitude = 1e126;
constexpr double kMinNumberMagnitude = 1e-128;

Status InvalidParameter(std::string message) {
  return api::Error(ErrorId::kSnsInvalidParameter, std::move(message));
}
Status InvalidAttribute(std::string message) {
  return api::Error(ErrorId::kSnsInvalidParameterValue, std::move(message));
}

// An optional string field of the message: absent or null → nullopt.
Result<std::optional<std::string_view>> StringField(const boost::json::object& fields,
                                                    std::string_view name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->value().is_null()) return std::optional<std::string_view>();
  if (!it->value().is_string()) return api::InvalidParameterType(name, "a string");
  return std::optional<std::string_view>(it->value().get_string());
}

// Subjects are ASCII text that begins with a letter, number or punctuation
// mark, hold no line breaks or control characters, and are shorter than 100
// characters. SNS names only the parameter when one is not.
Status CheckSubject(std::string_view subject) {
  bool ok = !subject.empty() && subject.size() <= kMaxSubjectLength && subject.front() != ' ';
  for (char c : subject) ok = ok && c >= 0x20 && c <= 0x7e;
  return ok ? Status::Ok() : InvalidParameter("Invalid parameter: Subject");
}

// MessageStructure=json: a JSON object whose "default" is a string. Keys of
// other protocols, and keys whose values are not strings, are ignored.
Status ReadStructure(PublishMessage* m) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(m->message, ec);
  if (ec || !v.is_object()) {
    return InvalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  const boost::json::object& o = v.get_object();
  auto def = o.find("default");
  if (def == o.end() || !def->value().is_string()) {
    return InvalidParameter(
        "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
  m->structured = true;
  m->default_copy = def->value().get_string();
  for (Protocol p : {Protocol::kSqs, Protocol::kHttp, Protocol::kHttps}) {
    auto it = o.find(ProtocolName(p));
    if (it != o.end() && it->value().is_string()) {
      m->protocol_copies[static_cast<size_t>(p)] = std::string(it->value().get_string());
    }
  }
  return Status::Ok();
}

Status CheckFifoId(std::string_view parameter, std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxFifoIdLength;
  for (char c : id) ok = ok && c >= 0x21 && c <= 0x7e;
  if (ok) return Status::Ok();
  return InvalidParameter("Invalid parameter: " + std::string(parameter) + " Reason: " +
                          std::string(parameter) +
                          " can only include alphanumeric and punctuation characters. 1 to 128 "
                          "in length.");
}

bool IsAsciiNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

Status CheckAttributeName(std::string_view name) {
  if (name.empty()) {
    return InvalidAttribute("The request must contain non-empty message attribute name.");
  }
  if (name.size() > kMaxAttributeNameBytes) {
    return InvalidAttribute("Length of message attribute name must be less than 256 bytes.");
  }
  if (name.front() == '.') {
    return InvalidAttribute("Invalid message attribute name starting with character '.' was found.");
  }
  if (name.back() == '.') {
    return InvalidAttribute("Invalid message attribute name ending with character '.' was found.");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (!IsAsciiNameCharacter(static_cast<char>(c))) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "#x%X", c);
      return InvalidAttribute("Invalid non-alphanumeric character '" + std::string(hex) +
                              "' was found in the message attribute name. Can only include "
                              "alphanumeric characters, hyphens, underscores, or dots.");
    }
    if (c == '.' && name[i - 1] == '.') {
      return InvalidAttribute("Message attribute name can not have successive '.' character.");
    }
  }
  if (StartsWithIgnoringAsciiCase(name, "aws.") || StartsWithIgnoringAsciiCase(name, "amazon.")) {
    return InvalidAttribute("The message attribute name " + Quoted(name) +
                            " is reserved: the prefixes AWS. and Amazon. (in any case) are "
                            "reserved.");
  }
  return Status::Ok();
}

// A Number as SNS accepts it: a decimal number (message::IsDecimalNumber)
// of at most 38 significant digits, zero or a magnitude from 10^-128 to
// 10^126.
bool IsSnsNumber(std::string_view s) {
  if (!message::IsDecimalNumber(s)) return false;
  int significant = 0;
  bool leading = true;
  for (char c : s.substr(0, s.find_first_of("eE"))) {
    if (c < '0' || c > '9' || (leading && c == '0')) continue;
    leading = false;
    ++significant;
  }
  if (significant > kMaxNumberDigits) return false;
  const double v = std::fabs(std::strtod(std::string(s).c_str(), nullptr));
  return v == 0 || (v >= kMinNumberMagnitude && v <= kMaxNumberMagnitude);
}

Result<message::MessageAttribute> ReadAttribute(std::string_view name,
                                                const boost::json::object& v) {
  auto data_type = StringField(v, "DataType");
  if (!data_type.ok()) return data_type.status();
  if (!data_type->has_value() || (*data_type)->empty()) {
    return InvalidAttribute("The message attribute " + Quoted(name) +
                            " must contain non-empty message attribute type.");
  }
  message::MessageAttribute out;
  out.name = std::string(name);
  out.data_type = std::string(**data_type);
  const std::string_view type = out.data_type;
  const size_t dot = type.find('.');
  const std::string_view base = type.substr(0, dot);
  if ((base != "String" && base != "Number" && base != "Binary") ||
      (dot != std::string_view::npos && dot + 1 == type.size()) ||
      type.size() > kMaxDataTypeBytes || !message::CheckBodyCharacters(type).ok()) {
    return InvalidAttribute("The message attribute " + Quoted(name) +
                            " has an invalid message attribute type, the set of supported type "
                            "prefixes is Binary, Number, and String.");
  }
  out.binary = base == "Binary";
  const std::string_view field = out.binary ? "Binary" : "String";
  auto raw = StringField(v, out.binary ? "BinaryValue" : "StringValue");
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) {
    return InvalidAttribute("The message attribute " + Quoted(name) + " with type " +
                            Quoted(type) + " must use field " + Quoted(field) + ".");
  }
  const std::string empty_text = "The message attribute " + Quoted(name) +
                                 " must contain non-empty message attribute value for message "
                                 "attribute type " +
                                 Quoted(type) + ".";
  if ((*raw)->empty()) return InvalidAttribute(empty_text);
  if (out.binary) {
    std::optional<std::string> bytes = Base64Decode(**raw);
    if (!bytes) {
      return InvalidAttribute("The binary value of message attribute " + Quoted(name) +
                              " is not valid base64.");
    }
    if (bytes->empty()) return InvalidAttribute(empty_text);
    out.value = std::move(*bytes);
    return out;
  }
  out.value = std::string(**raw);
  if (!message::CheckBodyCharacters(out.value).ok()) {
    return InvalidAttribute("The message attribute " + Quoted(name) +
                            " contains characters outside the allowed set.");
  }
  if (base == "Number" && !IsSnsNumber(out.value)) {
    return InvalidAttribute("Could not cast message attribute " + Quoted(name) +
                            " value to number.");
  }
  if (type == "String.Array" && !message::IsStringArrayValue(out.value)) {
    return InvalidAttribute("The message attribute " + Quoted(name) +
                            " with type 'String.Array' must hold a JSON array of strings, "
                            "numbers, booleans and nulls.");
  }
  return out;
}

}  // namespace

Result<std::vector<message::MessageAttribute>> ReadSnsAttributes(const api::Params& params) {
  auto map = params.ObjectMap("MessageAttributes");
  if (!map.ok()) return map.status();
  std::vector<message::MessageAttribute> out;
  out.reserve(map->size());
  for (auto& [name, obj] : *map) {
    FERRY_RETURN_IF_ERROR(CheckAttributeName(name));
    Result<message::MessageAttribute> a = ReadAttribute(name, *obj);
    if (!a.ok()) return a.status();
    out.push_back(std::move(a).value());
  }
  message::SortByName(&out);
  return out;
}

Status CheckFifoIdsPresent(const PublishRules& rules, bool has_group, bool has_dedup) {
  if (!rules.fifo) return Status::Ok();
  if (!has_group) {
    return InvalidParameter(
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  }
  if (!has_dedup && !rules.content_based_dedup) {
    return InvalidParameter(
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly");
  }
  return Status::Ok();
}

Result<PublishMessage> ReadPublishMessage(const api::Params& params, const PublishRules& rules) {
  PublishMessage m;
  auto message = params.OptionalString("Message");
  if (!message.ok()) return message.status();
  if (!message->has_value()) {
    return api::Error(ErrorId::kSnsValidation,
                      "1 validation error detected: Value null at 'message' failed to satisfy "
                      "constraint: Member must not be null");
  }
  m.message = std::move(**message);
  if (m.message.empty()) return InvalidParameter("Invalid parameter: Empty message");
  if (Status s = message::CheckBodyCharacters(m.message); !s.ok()) {
    return InvalidParameter("Invalid parameter: Message Reason: " + s.message());
  }

  auto subject = params.OptionalString("Subject");
  if (!subject.ok()) return subject.status();
  if (subject->has_value()) {
    FERRY_RETURN_IF_ERROR(CheckSubject(**subject));
    m.subject = std::move(*subject);
  }

  auto structure = params.OptionalString("MessageStructure");
  if (!structure.ok()) return structure.status();
  if (structure->has_value()) {
    if (**structure != "json") {
      return InvalidParameter("Invalid parameter: MessageStructure Reason: Value " + **structure +
                              " is not valid. Valid value is json");
    }
    FERRY_RETURN_IF_ERROR(ReadStructure(&m));
  }

  auto attributes = ReadSnsAttributes(params);
  if (!attributes.ok()) return attributes.status();
  m.attributes = std::move(attributes).value();
  if (message::MessageSize(m.message, m.attributes) > kMaxPublishBytes) {
    return InvalidParameter("Invalid parameter: Message too long");
  }

  auto group = params.OptionalString("MessageGroupId");
  if (!group.ok()) return group.status();
  auto dedup = params.OptionalString("MessageDeduplicationId");
  if (!dedup.ok()) return dedup.status();
  if (!rules.fifo && dedup->has_value()) {
    return InvalidParameter(
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  FERRY_RETURN_IF_ERROR(CheckFifoIdsPresent(rules, group->has_value(), dedup->has_value()));
  if (group->has_value()) {
    FERRY_RETURN_IF_ERROR(CheckFifoId("MessageGroupId", **group));
    m.group_id = std::move(**group);
  }
  if (rules.fifo) {
    if (dedup->has_value()) {
      FERRY_RETURN_IF_ERROR(CheckFifoId("MessageDeduplicationId", **dedup));
      m.dedup_id = std::move(**dedup);
    } else {
      // Content-based deduplication: the SHA-256 of the message, not of its
      // attributes, as SNS derives it.
      m.dedup_id = Sha256Hex(m.message);
    }
  }
  return m;
}

}  // namespace ferry::sns
