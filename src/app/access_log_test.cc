#include "app/access_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/logging.h"

namespace ferry::app {
namespace {

api::RequestRecord Record(int status, std::string_view error = "") {
  return api::RequestRecord{.service = "sqs",
                            .action = "SendMessage",
                            .account_id = "123456789012",
                            .access_key = "AKIDALICE",
                            .request_id = "req-1",
                            .source_ip = "10.0.0.7",
                            .wire = "json",
                            .http_status = status,
                            .error_code = error,
                            .latency = std::chrono::microseconds(12345),
                            .request_bytes = 40,
                            .response_bytes = 120};
}

class AccessLogTest : public ::testing::Test {
 protected:
  AccessLogTest() {
    ConfigureLogging(LogFormat::kJson, spdlog::level::info,
                     std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  ~AccessLogTest() override { ConfigureLogging(LogFormat::kText, spdlog::level::info); }

  std::vector<boost::json::object> Lines() {
    std::vector<boost::json::object> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) {
      lines.push_back(boost::json::parse(line).as_object());
    }
    return lines;
  }

  FakeClock clock_;
  std::ostringstream out_;
};

TEST_F(AccessLogTest, WithTheAccessLogEveryRequestIsOneRecordWithItsFields) {
  AccessLog log(/*all=*/true, clock_);
  log.OnRequest(Record(200));
  log.OnRequest(Record(400, "QueueDoesNotExist"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto& ok = lines[0];
  EXPECT_EQ(ok.at("level"), "info");
  EXPECT_EQ(ok.at("msg"), "request");
  EXPECT_EQ(ok.at("request_id"), "req-1");
  EXPECT_EQ(ok.at("account"), "123456789012");
  EXPECT_EQ(ok.at("access_key"), "AKIDALICE");
  EXPECT_EQ(ok.at("source_ip"), "10.0.0.7");
  EXPECT_EQ(ok.at("service"), "sqs");
  EXPECT_EQ(ok.at("action"), "SendMessage");
  EXPECT_EQ(ok.at("wire"), "json");
  EXPECT_EQ(ok.at("status"), 200);
  EXPECT_EQ(ok.at("error"), "");
  EXPECT_EQ(ok.at("latency_ms"), 12.345);
  EXPECT_EQ(ok.at("bytes_in"), 40);
  EXPECT_EQ(ok.at("bytes_out"), 120);
  EXPECT_EQ(lines[1].at("level"), "info");
  EXPECT_EQ(lines[1].at("error"), "QueueDoesNotExist");
}

TEST_F(AccessLogTest, ServerErrorsAndRefusedSignaturesAreWarnings) {
  AccessLog log(/*all=*/true, clock_);
  log.OnRequest(Record(503, "ServiceUnavailable"));
  log.OnRequest(Record(403, "SignatureDoesNotMatch"));
  log.OnRequest(Record(400, "InvalidParameterValue"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("level"), "warning");
  EXPECT_EQ(lines[1].at("level"), "warning");
  EXPECT_EQ(lines[2].at("level"), "info");
}

TEST_F(AccessLogTest, WithoutTheAccessLogOnlyServerErrorsAndRefusalsAreLogged) {
  AccessLog log(/*all=*/false, clock_);
  log.OnRequest(Record(200));
  log.OnRequest(Record(400, "QueueDoesNotExist"));
  log.OnRequest(Record(500, "InternalError"));
  log.OnRequest(Record(403, "InvalidClientTokenId"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("error"), "InternalError");
  EXPECT_EQ(lines[0].at("level"), "warning");
  EXPECT_EQ(lines[0].at("request_id"), "req-1");
  EXPECT_EQ(lines[1].at("error"), "InvalidClientTokenId");
}

TEST_F(AccessLogTest, AFloodOfWarningsIsCutToABurstASecondAndCounted) {
  AccessLog log(/*all=*/false, clock_);
  for (uint64_t i = 0; i < AccessLog::kBurst + 30; ++i) {
    log.OnRequest(Record(403, "SignatureDoesNotMatch"));
  }
  EXPECT_EQ(Lines().size(), AccessLog::kBurst);
  clock_.Advance(1000);
  log.OnRequest(Record(500, "InternalError"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), AccessLog::kBurst + 2);
  EXPECT_EQ(lines[AccessLog::kBurst].at("msg"), "request warnings suppressed");
  EXPECT_EQ(lines[AccessLog::kBurst].at("suppressed"), 30);
  EXPECT_EQ(lines[AccessLog::kBurst + 1].at("error"), "InternalError");
}

TEST_F(AccessLogTest, TheAccessLogItselfIsNotRateLimited) {
  AccessLog log(/*all=*/true, clock_);
  for (uint64_t i = 0; i < AccessLog::kBurst + 5; ++i) log.OnRequest(Record(500, "InternalError"));
  EXPECT_EQ(Lines().size(), AccessLog::kBurst + 5);
}

}  // namespace
}  // namespace ferry::app
