#include "cli/cli_app.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ferry::cli {
namespace {

// Parses `args` (after the program name) as main() does; the exit status
// of a refused command line, or -1 when it parsed.
int ParseExit(CLI::App& app, AdminCommands& commands, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return commands.Exit(app, e);
  }
  return -1;
}

class CliAppTest : public ::testing::Test {
 protected:
  CliAppTest() {
    app_.require_subcommand(1);
    other_ = app_.add_subcommand("serve", "");
    other_->add_option("--port", port_);
  }
  CLI::App app_{"test"};
  CLI::App* other_;
  int port_ = 0;
};

TEST_F(CliAppTest, AnAdminCommandsUsageErrorExits2) {
  AdminCommands commands(app_);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ParseExit(app_, commands, {"queues", "--no-such-flag"}), 2);
  testing::internal::GetCapturedStderr();
}

TEST_F(CliAppTest, AMissingRequiredArgumentExits2) {
  AdminCommands commands(app_);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ParseExit(app_, commands, {"send", "--body", "x"}), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("queue"), std::string::npos);
}

TEST_F(CliAppTest, AnAttributeTakesOneValueSoTheQueueMayFollowIt) {
  AdminCommands commands(app_);
  EXPECT_EQ(
      ParseExit(app_, commands,
                {"send", "--attribute", "k=v", "orders", "--attribute", "a=b", "--body", "x"}),
      -1);
}

TEST_F(CliAppTest, PeekTakesItsBrowseFlagsWithTheQueueAnywhere) {
  AdminCommands commands(app_);
  EXPECT_EQ(ParseExit(app_, commands,
                      {"peek", "--state", "visible,inflight", "--filter", "color=red", "orders",
                       "--filter", "trace", "--exists", "--contains", "timeout", "--dlq", "--all",
                       "--after", "17", "--json"}),
            -1);
}

TEST_F(CliAppTest, OtherSubcommandsKeepCli11sExitStatus) {
  AdminCommands commands(app_);
  testing::internal::CaptureStderr();
  const int status = ParseExit(app_, commands, {"serve", "--no-such-flag"});
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(status, static_cast<int>(CLI::ExitCodes::ExtrasError));
}

TEST_F(CliAppTest, RunParsedLeavesOtherSubcommandsAlone) {
  AdminCommands commands(app_);
  ASSERT_EQ(ParseExit(app_, commands, {"serve", "--port", "1"}), -1);
  EXPECT_EQ(commands.RunParsed(), std::nullopt);
}

TEST_F(CliAppTest, AConfigurationErrorExits1WithItsMessage) {
  AdminCommands commands(app_);
  ASSERT_EQ(ParseExit(app_, commands, {"queues", "--profile", "surely-not-a-profile-anyone-has"}),
            -1);
  testing::internal::CaptureStderr();
  EXPECT_EQ(commands.RunParsed(), 1);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "ferry: The config profile (surely-not-a-profile-anyone-has) could not be found\n");
}

}  // namespace
}  // namespace ferry::cli
