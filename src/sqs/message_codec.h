// Message codec: what SQS stores with a message, and the digests it returns.
//
//  - Validation of the MessageAttributes and MessageSystemAttributes of a
//    send (names, data types, values, count), with AWS's error codes.
//  - The payload: the engine stores one opaque string per message. Ferry puts
//    the body, the message and system attributes, the sender id and the body
//    digest in it, in a compact length-prefixed binary form (see
//    EncodePayload), read back without copying by DecodePayload.
//  - The MD5 digests: of the body (hex) and of a set of message attributes,
//    in the byte layout AWS and the SDKs use (AttributesMd5Hex).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/params.h"
#include "common/crypto.h"
#include "common/status.h"

namespace ferry::sqs {

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

constexpr size_t kMaxMessageAttributes = 10;

// Reads and validates params["MessageAttributes"]; returns them sorted by
// name. `action` names the operation in AWS's messages ("SendMessage").
// Errors: InvalidParameterValue; UnsupportedOperation for list values.
Result<std::vector<MessageAttribute>> ParseMessageAttributes(const api::Params& params,
                                                             std::string_view action);
// Reads and validates params["MessageSystemAttributes"] (AWSTraceHeader only).
Result<std::vector<MessageAttribute>> ParseMessageSystemAttributes(const api::Params& params,
                                                                   std::string_view action);

// The size SQS counts against MaximumMessageSize for these attributes: the
// bytes of each name, data type and value.
size_t AttributesSize(std::span<const MessageAttribute> attributes);

// MD5 (hex) of attributes as AWS computes MD5OfMessageAttributes: for each
// attribute in byte order of its name, the 4-byte big-endian length and bytes
// of the name, then of the data type, then one transport byte (1 string,
// 2 binary), then the length and bytes of the value. `sorted` must be sorted
// by name.
std::string AttributesMd5Hex(std::span<const AttributeView> sorted);

// What EncodePayload stores.
struct OutgoingMessage {
  std::string_view body;
  Md5Digest body_md5{};
  std::string_view sender_id;
  std::span<const MessageAttribute> attributes;         // sorted by name
  std::span<const MessageAttribute> system_attributes;  // sorted by name
};

// A payload read back; views into the payload string, which must outlive it.
struct DecodedPayload {
  std::string_view body;
  std::string_view body_md5;  // 16 raw bytes
  std::string_view sender_id;
  std::vector<AttributeView> attributes;         // sorted by name
  std::vector<AttributeView> system_attributes;  // sorted by name
};

// Payload format, version 1 (varint = unsigned LEB128, str = varint length +
// bytes):
//   u8 version (1) | 16 bytes MD5 of the body | str sender id | str body |
//   varint n, n × attribute | varint m, m × system attribute
//   attribute = str name | str data type | u8 transport (1 string, 2 binary) |
//               str value
std::string EncodePayload(const OutgoingMessage& message);
// nullopt for a payload EncodePayload cannot have produced.
std::optional<DecodedPayload> DecodePayload(std::string_view payload);

}  // namespace ferry::sqs
