#include "message/payload.h"

#include "common/coding.h"

namespace ferry::message {
namespace {

constexpr uint8_t kPayloadVersion = 1;

void PutAttributes(std::string* out, std::span<const MessageAttribute> attrs) {
  PutVarint64(out, attrs.size());
  for (const MessageAttribute& a : attrs) {
    PutLengthPrefixed(out, a.name);
    PutLengthPrefixed(out, a.data_type);
    out->push_back(static_cast<char>(TransportByte(a.binary)));
    PutLengthPrefixed(out, a.value);
  }
}

// Reads a list of attributes; false when it is not one PutAttributes wrote.
bool GetAttributes(Reader* in, std::vector<AttributeView>* out) {
  const uint64_t n = in->Varint64();
  if (n > kMaxMessageAttributes) return false;
  out->reserve(n);
  for (uint64_t i = 0; in->ok() && i < n; ++i) {
    AttributeView a;
    a.name = in->LengthPrefixed();
    a.data_type = in->LengthPrefixed();
    const uint8_t transport = in->Byte();
    if (transport != TransportByte(false) && transport != TransportByte(true)) return false;
    a.binary = transport == TransportByte(true);
    a.value = in->LengthPrefixed();
    out->push_back(a);
  }
  return in->ok();
}

}  // namespace

std::string EncodePayload(const OutgoingMessage& message) {
  std::string out;
  out.reserve(1 + message.body_md5.size() + 20 + message.sender_id.size() + message.body.size() +
              AttributesSize(message.attributes) + AttributesSize(message.system_attributes) +
              16 * (message.attributes.size() + message.system_attributes.size()));
  out.push_back(static_cast<char>(kPayloadVersion));
  out.append(reinterpret_cast<const char*>(message.body_md5.data()), message.body_md5.size());
  PutLengthPrefixed(&out, message.sender_id);
  PutLengthPrefixed(&out, message.body);
  PutAttributes(&out, message.attributes);
  PutAttributes(&out, message.system_attributes);
  return out;
}

std::optional<DecodedPayload> DecodePayload(std::string_view payload) {
  Reader in(payload);
  if (in.Byte() != kPayloadVersion) return std::nullopt;
  DecodedPayload out;
  out.body_md5 = in.Bytes(sizeof(Md5Digest));
  out.sender_id = in.LengthPrefixed();
  out.body = in.LengthPrefixed();
  if (!GetAttributes(&in, &out.attributes) || !GetAttributes(&in, &out.system_attributes) ||
      !in.empty()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace ferry::message
