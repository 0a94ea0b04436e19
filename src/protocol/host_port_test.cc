#include "protocol/host_port.h"

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

TEST(HostWithPort, AHostThatNamesAPortIsKept) {
  EXPECT_EQ(HostWithPort("h:9324", 4566), "h:9324");
  EXPECT_EQ(HostWithPort("[::1]:9324", 4566), "[::1]:9324");
}

TEST(HostWithPort, AHostWithoutAPortGetsTheListeningPort) {
  EXPECT_EQ(HostWithPort("h", 4566), "h:4566");
  EXPECT_EQ(HostWithPort("127.0.0.1", 4566), "127.0.0.1:4566");
  EXPECT_EQ(HostWithPort("[::1]", 4566), "[::1]:4566");
  EXPECT_EQ(HostWithPort("", 4566), "localhost:4566");
}

TEST(HostWithPort, WithNoPortKnownTheHostIsKept) {
  EXPECT_EQ(HostWithPort("h", 0), "h");
  EXPECT_EQ(HostWithPort("", 0), "localhost");
}

}  // namespace
}  // namespace ferry::protocol
