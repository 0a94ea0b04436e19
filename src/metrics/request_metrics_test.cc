#include "metrics/request_metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "api/service_descriptor.h"
#include "metrics/exposition_test_util.h"
#include "metrics/metrics.h"

namespace ferry::metrics {
namespace {

using namespace std::chrono_literals;
using testing::SeriesValue;

// A service that knows two actions, as SQS's table would.
class FakeSqs final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view action) const override {
    return action == "SendMessage" || action == "ReceiveMessage";
  }
  void Invoke(api::Call, api::Reply) override {}
};

class RequestMetricsTest : public ::testing::Test {
 protected:
  RequestMetricsTest()
      : observer_(std::make_shared<RequestMetrics>(std::vector<const api::Service*>{&sqs_})) {
    metrics_.Add(observer_);
  }

  void Observe(std::string_view service, std::string_view action, int status,
               std::chrono::nanoseconds latency = 1ms) {
    api::RequestRecord r;
    r.service = service;
    r.action = action;
    r.http_status = status;
    r.latency = latency;
    observer_->OnRequest(r);
  }

  FakeSqs sqs_;
  std::shared_ptr<RequestMetrics> observer_;
  Metrics metrics_;
};

TEST_F(RequestMetricsTest, CountsRequestsByServiceActionAndOutcome) {
  Observe("sqs", "SendMessage", 200);
  Observe("sqs", "SendMessage", 200);
  Observe("sqs", "SendMessage", 400);
  Observe("sqs", "SendMessage", 503);
  const std::string text = metrics_.Text();
  EXPECT_EQ(
      SeriesValue(text, R"(ferry_requests_total{action="SendMessage",outcome="ok",service="sqs"})"),
      2);
  EXPECT_EQ(
      SeriesValue(
          text,
          R"(ferry_requests_total{action="SendMessage",outcome="client_error",service="sqs"})"),
      1);
  EXPECT_EQ(
      SeriesValue(
          text,
          R"(ferry_requests_total{action="SendMessage",outcome="server_error",service="sqs"})"),
      1);
}

TEST_F(RequestMetricsTest, AnActionNotYetSeenHasNoSeries) {
  Observe("sqs", "SendMessage", 200);
  EXPECT_EQ(metrics_.Text().find("ReceiveMessage"), std::string::npos);
}

TEST_F(RequestMetricsTest, AnActionTheServiceDoesNotKnowIsCountedAsUnknown) {
  Observe("sqs", "DropAllTables<script>", 400);
  Observe("sqs", "", 400);
  const std::string text = metrics_.Text();
  EXPECT_EQ(text.find("DropAllTables"), std::string::npos);
  EXPECT_EQ(
      SeriesValue(text,
                  R"(ferry_requests_total{action="unknown",outcome="client_error",service="sqs"})"),
      2);
}

TEST_F(RequestMetricsTest, AServiceNotGivenIsCountedAsUnknown) {
  Observe("", "", 403);
  Observe("evil", "SendMessage", 400);
  const std::string text = metrics_.Text();
  EXPECT_EQ(text.find("evil"), std::string::npos);
  EXPECT_EQ(
      SeriesValue(
          text,
          R"(ferry_requests_total{action="unknown",outcome="client_error",service="unknown"})"),
      2);
}

TEST_F(RequestMetricsTest, TimesRequestsInSecondsBuckets) {
  Observe("sqs", "ReceiveMessage", 200, 2ms);
  Observe("sqs", "ReceiveMessage", 200, 20s);
  const std::string text = metrics_.Text();
  const std::string labels = R"(action="ReceiveMessage",service="sqs")";
  EXPECT_EQ(SeriesValue(text, "ferry_request_duration_seconds_count{" + labels + "}"), 2);
  EXPECT_NEAR(*SeriesValue(text, "ferry_request_duration_seconds_sum{" + labels + "}"), 20.002,
              1e-9);
  EXPECT_EQ(
      SeriesValue(text, "ferry_request_duration_seconds_bucket{" + labels + R"(,le="0.0025"})"), 1);
  EXPECT_EQ(SeriesValue(text, "ferry_request_duration_seconds_bucket{" + labels + R"(,le="20"})"),
            2);
  EXPECT_EQ(SeriesValue(text, "ferry_request_duration_seconds_bucket{" + labels + R"(,le="+Inf"})"),
            2);
}

TEST_F(RequestMetricsTest, ConcurrentRequestsAreAllCounted) {
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) Observe("sqs", t % 2 ? "SendMessage" : "ReceiveMessage", 200);
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = metrics_.Text();
  EXPECT_EQ(
      SeriesValue(text, R"(ferry_requests_total{action="SendMessage",outcome="ok",service="sqs"})"),
      kThreads / 2 * kEach);
  EXPECT_EQ(
      SeriesValue(text,
                  R"(ferry_requests_total{action="ReceiveMessage",outcome="ok",service="sqs"})"),
      kThreads / 2 * kEach);
}

}  // namespace
}  // namespace ferry::metrics
