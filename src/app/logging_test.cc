#include "app/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace ferry::app {
namespace {

// 2026-12-07T06:00:00.042Z
const auto kTs = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796623200042));

std::string Format(LogFormat format, std::string_view msg, std::vector<LogField> fields) {
  std::string out;
  FormatRecord(format, kTs, spdlog::level::warn, msg, fields, out);
  return out;
}

TEST(Logging, ParsesTheThreeFormatNames) {
  EXPECT_EQ(ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_EQ(ParseLogFormat("JSON"), std::nullopt);
}

TEST(Logging, AJsonRecordHasTsLevelMsgAndItsFieldsAtTheTop) {
  EXPECT_EQ(Format(LogFormat::kJson, "request",
                   {{"request_id", "r-1"}, {"status", "503", true}, {"error", ""}}),
            R"({"ts":"2026-12-07T06:00:00.042Z","level":"warning","msg":"request",)"
            R"("request_id":"r-1","status":503,"error":""})");
}

TEST(Logging, ALogfmtRecordQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(Format(LogFormat::kLogfmt, "disk is full", {{"action", "SendMessage"}, {"error", ""}}),
            R"(ts=2026-12-07T06:00:00.042Z level=warning msg="disk is full" action=SendMessage error="")");
}

TEST(Logging, HostileValuesStayInsideOneValidJsonRecord) {
  const std::string hostile = std::string("a\"b\\c\nd\re\tf\x01g\x7f") + "h\xff\xc3" +
                              "\",\"level\":\"error";
  const std::string line = Format(LogFormat::kJson, hostile, {{"action", hostile}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  ASSERT_FALSE(ec) << line;
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("level"), "warning");
  EXPECT_EQ(o.size(), 4u);
  const std::string expected = std::string("a\"b\\c\nd\re\tf\x01g\x7f") + "h\xEF\xBF\xBD\xEF\xBF\xBD" +
                               "\",\"level\":\"error";
  EXPECT_EQ(o.at("msg").as_string(), expected);
  EXPECT_EQ(o.at("action").as_string(), expected);
}

TEST(Logging, HostileValuesStayInsideOneLogfmtValue) {
  const std::string line = Format(LogFormat::kLogfmt, "m", {{"action", "x\" level=error\nfoo=\\"}});
  EXPECT_EQ(line, R"(ts=2026-12-07T06:00:00.042Z level=warning msg=m action="x\" level=error\nfoo=\\")");
}

// Captures the default logger's lines; puts the text logger back after.
class LoggingCapture : public ::testing::Test {
 protected:
  void Use(LogFormat format) {
    ConfigureLogging(format, spdlog::level::info,
                     std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  ~LoggingCapture() override { ConfigureLogging(LogFormat::kText, spdlog::level::info); }
  std::ostringstream out_;
};

TEST_F(LoggingCapture, FieldsOfLogFieldsAreFieldsInJsonNotPartOfMsg) {
  Use(LogFormat::kJson);
  LogFields(spdlog::level::info, "request", {{"action", "SendMessage"}, {"status", "200", true}});
  spdlog::warn("plain {}", 7);
  std::istringstream lines(out_.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto a = boost::json::parse(first).as_object();
  EXPECT_EQ(a.at("msg"), "request");
  EXPECT_EQ(a.at("action"), "SendMessage");
  EXPECT_EQ(a.at("status"), 200);
  auto b = boost::json::parse(second).as_object();
  EXPECT_EQ(b.at("msg"), "plain 7");
  EXPECT_EQ(b.at("level"), "warning");
  // The fields of one record do not leak into the next.
  EXPECT_FALSE(b.contains("action"));
}

TEST_F(LoggingCapture, TextPutsFieldsAfterTheMessage) {
  Use(LogFormat::kText);
  LogFields(spdlog::level::info, "request", {{"action", "Send Message"}, {"status", "200", true}});
  EXPECT_NE(out_.str().find(R"(info request action="Send Message" status=200)"), std::string::npos)
      << out_.str();
}

TEST_F(LoggingCapture, RecordsBelowTheLevelAreNotFormatted) {
  Use(LogFormat::kLogfmt);
  LogFields(spdlog::level::debug, "request", {{"action", "x"}});
  EXPECT_EQ(out_.str(), "");
}

}  // namespace
}  // namespace ferry::app
