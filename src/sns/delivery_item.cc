#include "sns/delivery_item.h"

#include "common/coding.h"

namespace ferry::sns {
namespace {
constexpr uint8_t kVersion = 1;
}

std::string EncodeDeliveryItem(const DeliveryItem& item) {
  std::string out;
  out.reserve(16 + item.type.size() + item.message_id.size() + item.body.size());
  out.push_back(static_cast<char>(kVersion));
  PutLengthPrefixed(&out, item.type);
  PutLengthPrefixed(&out, item.message_id);
  PutLengthPrefixed(&out, item.body);
  return out;
}

std::optional<DeliveryItem> DecodeDeliveryItem(std::string_view payload) {
  Reader in(payload);
  if (in.Byte() != kVersion) return std::nullopt;
  DeliveryItem item;
  item.type = in.LengthPrefixed();
  item.message_id = in.LengthPrefixed();
  item.body = in.LengthPrefixed();
  if (!in.ok() || !in.empty()) return std::nullopt;
  return item;
}

}  // namespace ferry::sns
