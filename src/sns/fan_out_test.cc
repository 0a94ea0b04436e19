#include "sns/fan_out.h"

#include <gtest/gtest.h>

#include <string>

#include "sns/arn.h"

namespace ferry::sns {
namespace {

TEST(UrlEncode, KeepsUnreservedCharactersAndColonsAndEncodesTheRest) {
  EXPECT_EQ(UrlEncode("arn:aws:sns:us-east-1:123:t.fifo:ab-c_d~e/f g"),
            "arn:aws:sns:us-east-1:123:t.fifo:ab-c_d~e%2Ff%20g");
}

TEST(UnsubscribeUrlPrefix, IsTheUnsubscribeActionOnThePublicUrl) {
  EXPECT_EQ(UnsubscribeUrlPrefix("https://sns.local:8443"),
            "https://sns.local:8443/?Action=Unsubscribe&SubscriptionArn=");
}

}  // namespace
}  // namespace ferry::sns
