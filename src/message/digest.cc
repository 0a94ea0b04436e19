#include "message/digest.h"

namespace ferry::message {
namespace {

void PutBigEndian32(std::string* out, size_t v) {
  out->push_back(static_cast<char>((v >> 24) & 0xff));
  out->push_back(static_cast<char>((v >> 16) & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

// One layout for owned attributes and views; `view` turns an element into
// an AttributeView.
template <typename T, typename ToView>
std::string Md5OfLayout(std::span<const T> sorted, ToView view) {
  std::string buf;
  size_t size = 0;
  for (const T& e : sorted) {
    const AttributeView a = view(e);
    size += 13 + a.name.size() + a.data_type.size() + a.value.size();
  }
  buf.reserve(size);
  for (const T& e : sorted) {
    const AttributeView a = view(e);
    PutBigEndian32(&buf, a.name.size());
    buf.append(a.name);
    PutBigEndian32(&buf, a.data_type.size());
    buf.append(a.data_type);
    buf.push_back(static_cast<char>(TransportByte(a.binary)));
    PutBigEndian32(&buf, a.value.size());
    buf.append(a.value);
  }
  return Md5Hex(buf);
}

}  // namespace

std::string AttributesMd5Hex(std::span<const AttributeView> sorted) {
  return Md5OfLayout(sorted, [](const AttributeView& a) { return a; });
}

std::string AttributesMd5Hex(std::span<const MessageAttribute> sorted) {
  return Md5OfLayout(sorted, [](const MessageAttribute& a) { return View(a); });
}

SendDigests DigestSend(std::string_view body, std::span<const MessageAttribute> attributes,
                       std::span<const MessageAttribute> system_attributes) {
  SendDigests out;
  out.body = Md5(body);
  out.body_hex = ToHex(out.body.data(), out.body.size());
  if (!attributes.empty()) out.attributes_hex = AttributesMd5Hex(attributes);
  if (!system_attributes.empty()) out.system_attributes_hex = AttributesMd5Hex(system_attributes);
  return out;
}

std::string BodyMd5Hex(std::string_view stored_md5) {
  return ToHex(reinterpret_cast<const unsigned char*>(stored_md5.data()), stored_md5.size());
}

}  // namespace ferry::message
