#include "app/protected_mode.h"

#include <gtest/gtest.h>

namespace ferry::app {
namespace {

TEST(ProtectedMode, LoopbackAddressesAreRecognised) {
  for (std::string_view host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (std::string_view host : {"0.0.0.0", "::", "", "10.0.0.1", "128.0.0.1", "localhost.example",
                                "192.168.1.1", "::2"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(ProtectedMode, OpenModeIsRefusedOffLoopbackUnlessAskedFor) {
  ServeConfig config;
  EXPECT_FALSE(OpenModeRefusal(config).has_value());  // 127.0.0.1 by default
  config.listen = "0.0.0.0";
  auto refusal = OpenModeRefusal(config);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("--insecure-open-mode"), std::string::npos);
  EXPECT_NE(refusal->find("--credentials"), std::string::npos);
  config.insecure_open_mode = true;
  EXPECT_FALSE(OpenModeRefusal(config).has_value());
  config.insecure_open_mode = false;
  config.credentials_file = "creds.toml";
  EXPECT_FALSE(OpenModeRefusal(config).has_value());
}

}  // namespace
}  // namespace ferry::app
