// A delivery item: what publish (and Subscribe, Unsubscribe) leaves in an
// http(s) subscription's internal delivery queue (model.h), and what the
// delivery worker POSTs: the message type (x-amz-sns-message-type), the
// message id (x-amz-sns-message-id) and the request body, ready to send (the
// signed JSON envelope, or the raw message).
//
// The encoding is stored in the write-ahead log as a message payload, so a
// change needs a new version byte and every version must stay readable:
//   u8 version (1) | str type | str message id | str body
// (str = varint length + bytes).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::sns {

struct DeliveryItem {
  std::string_view type;  // "Notification", "SubscriptionConfirmation", ...
  std::string_view message_id;
  std::string_view body;
};

std::string EncodeDeliveryItem(const DeliveryItem& item);
// Views into `payload`; nullopt when EncodeDeliveryItem cannot have made it.
std::optional<DeliveryItem> DecodeDeliveryItem(std::string_view payload);

}  // namespace ferry::sns
