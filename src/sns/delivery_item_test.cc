#include "sns/delivery_item.h"

#include <gtest/gtest.h>

#include "sns/model.h"

namespace ferry::sns {
namespace {

TEST(DeliveryItemTest, RoundTrips) {
  const std::string body(70000, 'x');
  const std::string encoded = EncodeDeliveryItem({"Notification", "id-1", body});
  auto item = DecodeDeliveryItem(encoded);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->type, "Notification");
  EXPECT_EQ(item->message_id, "id-1");
  EXPECT_EQ(item->body, body);
}

TEST(DeliveryItemTest, PinsTheBytesOfVersionOne) {
  EXPECT_EQ(EncodeDeliveryItem({"T", "id", "b"}), std::string("\x01\x01T\x02id\x01" "b", 8));
}

TEST(DeliveryItemTest, RefusesWhatItCannotHaveMade) {
  const std::string good = EncodeDeliveryItem({"T", "id", "body"});
  EXPECT_FALSE(DecodeDeliveryItem("").has_value());
  EXPECT_FALSE(DecodeDeliveryItem(std::string("\x02") + good.substr(1)).has_value());
  EXPECT_FALSE(DecodeDeliveryItem(good.substr(0, good.size() - 1)).has_value());
  EXPECT_FALSE(DecodeDeliveryItem(good + "x").has_value());
}

TEST(ModelTest, InternalQueueKeysCannotBeSqsNames) {
  EXPECT_EQ(DeliveryQueueKey("abc"), "~sns/delivery-abc");
  EXPECT_EQ(DedupQueueKey("t"), "~sns/dedup-t");
  EXPECT_EQ(ProtocolName(Protocol::kHttps), "https");
}

}  // namespace
}  // namespace ferry::sns
