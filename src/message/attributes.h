// Message attributes: what a message carries beside its body, and how a
// request's attribute structures ({DataType, StringValue | BinaryValue}, the
// MessageAttributeValue shape of both SQS and SNS) are read and validated.
//
// A service names the parameter that holds the attributes and passes its
// rules (AttributeRules); what differs by service is a rule, never a service
// name. Refusals are Status values with generic codes, and the service says
// which of its errors each one is:
//   - kInvalidArgument: the attribute breaks a rule (AWS's texts);
//   - kUnimplemented: list values (StringListValues, BinaryListValues);
//   - a Status with an api::ErrorId detail: the parameter is ill-typed
//     (from api::Params, passed on unchanged).
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/params.h"
#include "common/status.h"

namespace ferry::message {

// One message or system attribute. `value` is the text of a String or Number
// attribute, the decoded bytes of a Binary one.
struct MessageAttribute {
  std::string name;
  std::string data_type;  // "String", "Number.float", "Binary.png", ...
  bool binary = false;
  std::string value;
};

// A view of a MessageAttribute (into a decoded payload, or of an owned one).
struct AttributeView {
  std::string_view name;
  std::string_view data_type;
  bool binary = false;
  std::string_view value;
};

inline AttributeView View(const MessageAttribute& a) {
  return {a.name, a.data_type, a.binary, a.value};
}

// The MessageAttributeValue shape of an attribute, as answers carry it:
// {"DataType", "StringValue"} or {"DataType", "BinaryValue" (base64)}.
boost::json::object AttributeJson(const AttributeView& a);

// An attribute's transport type as AWS's MD5 layout writes it (1 for String
// and Number, 2 for Binary); the payload stores the same byte.
constexpr uint8_t TransportByte(bool binary) { return binary ? 2 : 1; }

// No service allows more attributes on one message (SQS and SNS: 10), so no
// stored payload holds more.
inline constexpr size_t kMaxMessageAttributes = 10;

// What a service allows in its messages' attributes.
struct AttributeRules {
  // At most this many attributes (and never more than kMaxMessageAttributes).
  size_t max_attributes = kMaxMessageAttributes;
  // "String.Array" is an array type whose StringValue must be a JSON array
  // of strings, numbers, booleans and nulls (SNS). Without it,
  // "String.Array" is a String with the custom label "Array" (SQS).
  bool string_array = false;
};

// Reads and validates the map params[key] of attribute structures; returns
// them sorted by name. `operation` names the action in the text of the
// kUnimplemented refusal ("Message attribute list values in SendMessage
// operation are not supported.").
Result<std::vector<MessageAttribute>> ReadAttributes(const api::Params& params,
                                                     std::string_view key,
                                                     const AttributeRules& rules,
                                                     std::string_view operation);

// Reads and validates one attribute structure, `value`, of the attribute
// `name` (whose name the caller has checked); the name is left empty.
Result<MessageAttribute> ReadAttributeValue(const api::Params& value, std::string_view name,
                                            const AttributeRules& rules,
                                            std::string_view operation);

// A decimal number as SQS and SNS accept a Number attribute's value:
// [+-] digits [. digits] [e [+-] digits], with at least one digit before or
// after the point.
bool IsDecimalNumber(std::string_view s);
// A String.Array value: a JSON array of strings, numbers, booleans and nulls.
bool IsStringArrayValue(std::string_view value);

// "'name'", as AWS quotes names in its messages.
std::string Quoted(std::string_view name);

// Sorts attributes by name (byte order), the order of the payload and the
// MD5 layout.
void SortByName(std::vector<MessageAttribute>* attributes);

// The size a message's attributes count against its size limit: the bytes
// of each name, data type and value.
size_t AttributesSize(std::span<const MessageAttribute> attributes);

}  // namespace ferry::message
