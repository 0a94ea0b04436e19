#include "protocol/wire_detect.h"

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

using api::Wire;

TEST(DetectWire, AFormBodyIsQueryEvenWithATargetHeader) {
  EXPECT_EQ(DetectWire("application/x-www-form-urlencoded; charset=utf-8",
                       "AmazonSQS.ReceiveMessage", "Action=ReceiveMessage&QueueUrl=u"),
            Wire::kQuery);
  EXPECT_EQ(DetectWire("Application/X-WWW-Form-Urlencoded", "AmazonSQS.ListQueues", ""),
            Wire::kQuery);
}

TEST(DetectWire, AJsonContentTypeIsJson) {
  EXPECT_EQ(DetectWire("application/x-amz-json-1.0", "AmazonSQS.ListQueues", "{}"), Wire::kJson);
  EXPECT_EQ(DetectWire("application/x-amz-json-1.1", "AmazonSQS.ListQueues", ""), Wire::kJson);
}

TEST(DetectWire, WithoutATellingContentTypeTheTargetAndBodyDecide) {
  EXPECT_EQ(DetectWire("", "AmazonSQS.ListQueues", "{}"), Wire::kJson);
  EXPECT_EQ(DetectWire("", "AmazonSQS.ListQueues", ""), Wire::kJson);
  EXPECT_EQ(DetectWire("text/plain", "AmazonSQS.ListQueues", "Action=ListQueues"), Wire::kQuery);
  EXPECT_EQ(DetectWire("", "AmazonSQS.SendMessage", "QueueUrl=u&Action=SendMessage"),
            Wire::kQuery);
  EXPECT_EQ(DetectWire("", "", "Action=ListQueues"), Wire::kQuery);
  EXPECT_EQ(DetectWire("", "", ""), Wire::kQuery);
}

}  // namespace
}  // namespace ferry::protocol
