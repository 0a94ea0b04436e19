// Fuzzes the stored message payload's decoder (message/payload.h), which
// reads what the log hands back for a message. A payload that decodes must
// encode back to one that decodes to the same message, and its views must
// point into the input.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/digest.h"
#include "message/payload.h"

namespace {

using ferry::message::AttributeView;
using ferry::message::DecodedPayload;
using ferry::message::MessageAttribute;

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

std::vector<MessageAttribute> Owned(const std::vector<AttributeView>& views) {
  std::vector<MessageAttribute> out;
  for (const AttributeView& a : views) {
    out.push_back({std::string(a.name), std::string(a.data_type), a.binary, std::string(a.value)});
  }
  return out;
}

bool SameAttributes(const std::vector<AttributeView>& a, const std::vector<AttributeView>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].data_type != b[i].data_type || a[i].binary != b[i].binary ||
        a[i].value != b[i].value) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<DecodedPayload> d = ferry::message::DecodePayload(input);
  if (!d) return 0;
  if (d->body_md5.size() != 16 || !Inside(d->body, input) || !Inside(d->sender_id, input)) {
    std::abort();
  }
  for (const auto* list : {&d->attributes, &d->system_attributes}) {
    for (const AttributeView& a : *list) {
      if (!Inside(a.name, input) || !Inside(a.data_type, input) || !Inside(a.value, input)) {
        std::abort();
      }
    }
  }
  (void)ferry::message::AttributesMd5Hex(d->attributes);

  const std::vector<MessageAttribute> attributes = Owned(d->attributes);
  const std::vector<MessageAttribute> system_attributes = Owned(d->system_attributes);
  ferry::message::OutgoingMessage m;
  m.body = d->body;
  std::memcpy(m.body_md5.data(), d->body_md5.data(), m.body_md5.size());
  m.sender_id = d->sender_id;
  m.attributes = attributes;
  m.system_attributes = system_attributes;
  const std::string again = ferry::message::EncodePayload(m);
  std::optional<DecodedPayload> back = ferry::message::DecodePayload(again);
  if (!back || back->body != d->body || back->body_md5 != d->body_md5 ||
      back->sender_id != d->sender_id || !SameAttributes(back->attributes, d->attributes) ||
      !SameAttributes(back->system_attributes, d->system_attributes)) {
    std::abort();
  }
  // Varints are written in their shortest form, so encoding is idempotent.
  if (ferry::message::EncodePayload(m) != again || again.size() > input.size()) std::abort();
  return 0;
}
