#include "auth/sigv4.h"

#include <gtest/gtest.h>

namespace ferry::auth {
namespace {

TEST(SigV4, ParsesTheCredentialOfAnAuthorizationHeader) {
  auto c = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sqs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abcdef");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(c->date, "20240101");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->service, "sqs");
}

TEST(SigV4, RejectsMalformedCredentials) {
  EXPECT_FALSE(ParseAuthorizationHeader("Basic dXNlcg==").has_value());
  EXPECT_FALSE(ParseAuthorizationHeader("AWS4-HMAC-SHA256 Signature=x").has_value());
  EXPECT_FALSE(ParseCredential("AKID/20240101/us-east-1/sqs").has_value());
  EXPECT_FALSE(ParseCredential("/20240101/us-east-1/sqs/aws4_request").has_value());
}

TEST(SigV4, RegionNamesAreLowercaseWordsAndDashes) {
  EXPECT_TRUE(IsRegionName("us-east-1"));
  EXPECT_TRUE(IsRegionName("eu-central-1"));
  for (std::string_view bad : {"", "US-EAST-1", "eu/central", "a b", "\x01",
                               "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_FALSE(IsRegionName(bad)) << bad;
  }
}

}  // namespace
}  // namespace ferry::auth
