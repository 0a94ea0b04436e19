#include "metrics/admin_listener.h"

#include <gtest/gtest.h>

namespace ferry::metrics {
namespace {

TEST(ParseHostPortTest, SplitsHostAndPort) {
  auto hp = ParseHostPort("127.0.0.1:9100");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 9100);
}

TEST(ParseHostPortTest, TakesABracketedIpv6Address) {
  auto hp = ParseHostPort("[::1]:0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 0);
}

TEST(ParseHostPortTest, RefusesWhatIsNotHostColonPort) {
  EXPECT_FALSE(ParseHostPort("9100").ok());
  EXPECT_FALSE(ParseHostPort(":9100").ok());
  EXPECT_FALSE(ParseHostPort("localhost:").ok());
  EXPECT_FALSE(ParseHostPort("localhost:99999").ok());
  EXPECT_FALSE(ParseHostPort("localhost:91x").ok());
}

}  // namespace
}  // namespace ferry::metrics
