// The stored payload: the engine keeps one opaque string per message, and
// this is what Ferry puts in it. The body, its MD5, the sender id, the message
// attributes and the system attributes, in a compact length-prefixed binary
// form (EncodePayload), read back without copying (DecodePayload).
//
// The format is part of the write-ahead log (a Send record carries the
// payload), so a change to it needs a new version byte, and every version
// ever written must stay readable.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "message/attributes.h"

namespace ferry::message {

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
// n and m are at most kMaxMessageAttributes.
std::string EncodePayload(const OutgoingMessage& message);
// nullopt for a payload EncodePayload cannot have produced.
std::optional<DecodedPayload> DecodePayload(std::string_view payload);

}  // namespace ferry::message
