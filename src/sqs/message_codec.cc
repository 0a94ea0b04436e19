#include "sqs/message_codec.h"

#include <algorithm>

#include "api/errors.h"
#include "common/ascii.h"
#include "common/utf8.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr uint8_t kPayloadVersion = 1;
constexpr uint8_t kTransportString = 1;
constexpr uint8_t kTransportBinary = 2;
constexpr size_t kMaxAttributeNameLength = 256;
constexpr size_t kMaxDataTypeLength = 256;

Status Invalid(std::string message) {
  return api::Error(ErrorId::kInvalidParameterValue, std::move(message));
}

std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

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

// A decimal number as SQS accepts it: [+-] digits [. digits] [e [+-] digits],
// with at least one digit before or after the point.
bool IsNumber(std::string_view s) {
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

// The value of one attribute structure {DataType, StringValue | BinaryValue}.
Status ParseValue(const api::Params& v, std::string_view name, std::string_view action,
                  MessageAttribute* out) {
  auto data_type = v.OptionalString("DataType");
  if (!data_type.ok()) return data_type.status();
  if (!data_type->has_value() || (*data_type)->empty()) {
    return Invalid("The message attribute " + Quoted(name) +
                   " must contain non-empty message attribute type.");
  }
  out->data_type = std::move(**data_type);
  const std::string_view type = out->data_type;
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
      return api::Error(ErrorId::kUnsupportedOperation, "Message attribute list values in " +
                                                            std::string(action) +
                                                            " operation are not supported.");
    }
  }
  out->binary = base == "Binary";
  auto value = v.OptionalString(out->binary ? "BinaryValue" : "StringValue");
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return Invalid("The message attribute " + Quoted(name) + " with type " + Quoted(base) +
                   " must use field " + Quoted(base) + ".");
  }
  if ((*value)->empty()) {
    return Invalid("Message (user) attribute " + Quoted(name) +
                   " must contain a non-empty value of type " + Quoted(base) + ".");
  }
  if (out->binary) {
    std::optional<std::string> bytes = Base64Decode(**value);
    if (!bytes) {
      return Invalid("The binary value of message (user) attribute " + Quoted(name) +
                     " is not valid base64.");
    }
    if (bytes->empty()) {
      return Invalid("Message (user) attribute " + Quoted(name) +
                     " must contain a non-empty value of type 'Binary'.");
    }
    out->value = std::move(*bytes);
    return Status::Ok();
  }
  out->value = std::move(**value);
  if (!IsValidSqsText(out->value)) {
    return Invalid("Message (user) attribute " + Quoted(name) +
                   " contains characters outside the allowed set.");
  }
  if (base == "Number" && !IsNumber(out->value)) {
    return Invalid("Can't cast the value of message (user) attribute " + Quoted(name) +
                   " to a number.");
  }
  return Status::Ok();
}

void SortByName(std::vector<MessageAttribute>* attrs) {
  std::sort(attrs->begin(), attrs->end(),
            [](const MessageAttribute& a, const MessageAttribute& b) { return a.name < b.name; });
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

void PutAttributes(std::string* out, std::span<const MessageAttribute> attrs) {
  PutVarint(out, attrs.size());
  for (const MessageAttribute& a : attrs) {
    PutString(out, a.name);
    PutString(out, a.data_type);
    out->push_back(static_cast<char>(a.binary ? kTransportBinary : kTransportString));
    PutString(out, a.value);
  }
}

void PutBigEndian32(std::string* out, size_t v) {
  out->push_back(static_cast<char>((v >> 24) & 0xff));
  out->push_back(static_cast<char>((v >> 16) & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

// Bounds-checked reading of a payload; any overrun makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) break;
      auto b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  std::string_view Bytes(uint64_t n) {
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }
  std::string_view String() { return Bytes(Varint()); }
  uint8_t Byte() {
    std::string_view b = Bytes(1);
    return b.empty() ? 0 : static_cast<uint8_t>(b.front());
  }

  void Attributes(std::vector<AttributeView>* out) {
    uint64_t n = Varint();
    if (n > kMaxMessageAttributes) ok_ = false;
    for (uint64_t i = 0; ok_ && i < n; ++i) {
      AttributeView a;
      a.name = String();
      a.data_type = String();
      uint8_t transport = Byte();
      if (transport != kTransportString && transport != kTransportBinary) ok_ = false;
      a.binary = transport == kTransportBinary;
      a.value = String();
      out->push_back(a);
    }
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

Result<std::vector<MessageAttribute>> ParseMessageAttributes(const api::Params& params,
                                                             std::string_view action) {
  auto map = params.ObjectMap("MessageAttributes");
  if (!map.ok()) return map.status();
  if (map->size() > kMaxMessageAttributes) {
    return Invalid("Number of message attributes [" + std::to_string(map->size()) +
                   "] exceeds the allowed maximum [" + std::to_string(kMaxMessageAttributes) +
                   "].");
  }
  std::vector<MessageAttribute> out;
  out.reserve(map->size());
  for (auto& [name, obj] : *map) {
    FERRY_RETURN_IF_ERROR(ValidateAttributeName(name));
    MessageAttribute a;
    FERRY_RETURN_IF_ERROR(ParseValue(params.Nested(*obj), name, action, &a));
    a.name = std::move(name);
    out.push_back(std::move(a));
  }
  SortByName(&out);
  return out;
}

Result<std::vector<MessageAttribute>> ParseMessageSystemAttributes(const api::Params& params,
                                                                   std::string_view action) {
  auto map = params.ObjectMap("MessageSystemAttributes");
  if (!map.ok()) return map.status();
  std::vector<MessageAttribute> out;
  for (auto& [name, obj] : *map) {
    if (name != "AWSTraceHeader") {
      return Invalid("Message system attribute name " + Quoted(name) +
                     " is invalid. The only supported name is 'AWSTraceHeader'.");
    }
    MessageAttribute a;
    FERRY_RETURN_IF_ERROR(ParseValue(params.Nested(*obj), name, action, &a));
    if (a.data_type != "String") {
      return Invalid("The message system attribute " + Quoted(name) +
                     " must have the data type 'String'.");
    }
    a.name = std::move(name);
    out.push_back(std::move(a));
  }
  SortByName(&out);
  return out;
}

size_t AttributesSize(std::span<const MessageAttribute> attributes) {
  size_t n = 0;
  for (const MessageAttribute& a : attributes)
    n += a.name.size() + a.data_type.size() + a.value.size();
  return n;
}

std::string AttributesMd5Hex(std::span<const AttributeView> sorted) {
  std::string buf;
  size_t size = 0;
  for (const AttributeView& a : sorted)
    size += 13 + a.name.size() + a.data_type.size() + a.value.size();
  buf.reserve(size);
  for (const AttributeView& a : sorted) {
    PutBigEndian32(&buf, a.name.size());
    buf.append(a.name);
    PutBigEndian32(&buf, a.data_type.size());
    buf.append(a.data_type);
    buf.push_back(static_cast<char>(a.binary ? kTransportBinary : kTransportString));
    PutBigEndian32(&buf, a.value.size());
    buf.append(a.value);
  }
  return Md5Hex(buf);
}

std::string EncodePayload(const OutgoingMessage& message) {
  std::string out;
  out.reserve(1 + message.body_md5.size() + 20 + message.sender_id.size() + message.body.size() +
              AttributesSize(message.attributes) + AttributesSize(message.system_attributes) +
              16 * (message.attributes.size() + message.system_attributes.size()));
  out.push_back(static_cast<char>(kPayloadVersion));
  out.append(reinterpret_cast<const char*>(message.body_md5.data()), message.body_md5.size());
  PutString(&out, message.sender_id);
  PutString(&out, message.body);
  PutAttributes(&out, message.attributes);
  PutAttributes(&out, message.system_attributes);
  return out;
}

std::optional<DecodedPayload> DecodePayload(std::string_view payload) {
  Reader r(payload);
  if (r.Byte() != kPayloadVersion) return std::nullopt;
  DecodedPayload out;
  out.body_md5 = r.Bytes(sizeof(Md5Digest));
  out.sender_id = r.String();
  out.body = r.String();
  r.Attributes(&out.attributes);
  r.Attributes(&out.system_attributes);
  if (!r.ok() || !r.done()) return std::nullopt;
  return out;
}

}  // namespace ferry::sqs
