#include "delivery/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/temp_dir_test_util.h"
#include "engine/body_store.h"
#include "engine/durable_test_util.h"
#include "engine/local_engine.h"
#include "http/client.h"
#include "http/scripted_server_test_util.h"
#include "message/payload.h"
#include "sns/delivery_item.h"
#include "sns/model.h"

namespace ferry::delivery {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kTopicArn = "arn:aws:sns:us-east-1:000000000000:orders";
constexpr int64_t kLongerThanAnyAttemptMs = 120'000;

using engine::testing::WaitUntil;  // without sleeping

// A real HTTP endpoint on a free loopback port, on its own io thread, whose
// answers the test scripts: by default 200 to everything.
class Endpoint : public http::testing::ScriptedServer {
 public:
  // The status of each answer; 0 holds the request unanswered.
  void Script(std::function<int(const http::Request&)> script) {
    ScriptedServer::Answer([script](const http::Request& req) -> std::optional<http::Response> {
      const int status = script(req);
      if (status == 0) return std::nullopt;
      http::Response r;
      r.status = status;
      return r;
    });
  }
  // Answers these statuses in turn, then 200.
  void Answer(std::vector<int> statuses) {
    auto next = std::make_shared<size_t>(0);
    Script([statuses, next](const http::Request&) {
      return *next < statuses.size() ? statuses[(*next)++] : 200;
    });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook?x=1"; }
};

// What a test subscribes: Spec(url).Policy(...).Raw() ...
struct Spec {
  explicit Spec(std::string endpoint) : url(std::move(endpoint)) {}
  Spec& Id(std::string v) { return Set(id, std::move(v)); }
  Spec& Policy(std::string v) { return Set(delivery_policy, std::move(v)); }
  Spec& TopicPolicy(std::string v) { return Set(topic_delivery_policy, std::move(v)); }
  Spec& DeadLetters(std::string v) { return Set(dead_letter_key, std::move(v)); }
  Spec& Raw() {
    raw = true;
    return *this;
  }
  Spec& WithoutQueue() {
    make_queue = false;
    return *this;
  }
  Spec& Retired() {
    retired = true;
    return *this;
  }

  std::string id = "sub-1";
  std::string url;
  std::string delivery_policy;
  std::string topic_delivery_policy;
  std::string dead_letter_key;
  bool raw = false;
  bool make_queue = true;
  bool retired = false;

 private:
  Spec& Set(std::string& field, std::string v) {
    field = std::move(v);
    return *this;
  }
};

SubscriptionStats Counts(uint64_t attempts, uint64_t successes, uint64_t failures,
                         uint64_t retries, uint64_t dead_lettered, uint64_t dropped) {
  return SubscriptionStats{attempts, successes, failures, retries, dead_lettered, dropped};
}

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  DeliveryWorkerTest() : thread_([this] { io_.run(); }) {
    engine_ = std::make_unique<engine::LocalEngine>(clock_, engine::NewMemoryBodyStore());
  }
  ~DeliveryWorkerTest() override {
    if (worker_) worker_->Shutdown();
    worker_.reset();
    work_.reset();
    thread_.join();
  }

  void StartWorker(WorkerOptions options = {}) {
    worker_ = std::make_unique<DeliveryWorker>(*engine_, io_.get_executor(), options);
  }

  // The subscription and its delivery queue; made the worker's only target
  // unless `also` lists more.
  std::shared_ptr<const sns::Subscription> Subscribe(const Spec& spec) {
    auto sub = std::make_shared<sns::Subscription>();
    sub->id = spec.id;
    sub->arn = std::string(kTopicArn) + ":" + spec.id;
    sub->topic_arn = kTopicArn;
    sub->protocol = sns::Protocol::kHttp;
    sub->endpoint = spec.url;
    sub->confirmed = true;
    sub->raw = spec.raw;
    sub->retired = spec.retired;
    if (spec.raw) sub->attributes["RawMessageDelivery"] = "true";
    if (!spec.delivery_policy.empty()) sub->attributes["DeliveryPolicy"] = spec.delivery_policy;
    sub->queue_key = sns::DeliveryQueueKey(spec.id);
    sub->dead_letter_key = spec.dead_letter_key;
    if (spec.make_queue && !engine_->FindQueue(sub->queue_key)) {
      EXPECT_TRUE(engine_->CreateQueue(sub->queue_key, {}, {}).ok());
    }
    targets_.push_back(Target{sub, spec.topic_delivery_policy});
    return sub;
  }

  void ApplyTargets() { worker_->SetTargets(targets_); }

  void Publish(const sns::Subscription& sub, std::string_view message_id, std::string_view body,
               std::string_view type = "Notification") {
    engine::SendRequest req;
    req.payload = sns::EncodeDeliveryItem({type, message_id, body});
    ASSERT_TRUE(engine_->FindQueue(sub.queue_key)->Send(std::move(req)).ok());
  }

  // Time passes: the engine makes due retries visible, the worker refills.
  void Advance(TimeMs ms) {
    clock_.Advance(ms);
    engine_->Tick();
    worker_->Tick();
  }

  SubscriptionStats Stats(const sns::Subscription& sub) { return worker_->stats()[sub.arn]; }

  engine::QueueStats QueueStats(const std::string& key) {
    return engine_->FindQueue(key)->Stats();
  }

  // The bodies of the messages in queue `key`, received for an hour.
  std::vector<std::string> Bodies(const std::string& key) {
    engine::ReceiveRequest req;
    req.max_messages = 10;
    req.visibility_timeout_s = 3600;
    auto got = engine_->FindQueue(key)->Receive(req);
    EXPECT_TRUE(got.ok());
    std::vector<std::string> out;
    for (const auto& m : *got) {
      auto p = message::DecodePayload(m.payload);
      EXPECT_TRUE(p.has_value());
      if (p) out.emplace_back(p->body);
    }
    return out;
  }

  void CreateQueue(const std::string& key) { ASSERT_TRUE(engine_->CreateQueue(key, {}, {}).ok()); }

  FakeClock clock_;
  std::unique_ptr<engine::LocalEngine> engine_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::unique_ptr<DeliveryWorker> worker_;
  std::vector<Target> targets_;
};

std::string FixedRetries(int retries, int delay_s) {
  return R"({"healthyRetryPolicy":{"minDelayTarget":)" + std::to_string(delay_s) +
         R"(,"maxDelayTarget":)" + std::to_string(delay_s) + R"(,"numRetries":)" +
         std::to_string(retries) + "}}";
}

TEST_F(DeliveryWorkerTest, PostsTheItemWithSnsHeadersAndDeletesItOn2xx) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()));
  ApplyTargets();
  Publish(*sub, "msg-1", R"({"Type" : "Notification"})");

  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  ASSERT_EQ(endpoint.request_count(), 1u);
  const http::Request r = endpoint.request(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?x=1");
  EXPECT_EQ(r.body, R"({"Type" : "Notification"})");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(r.Header("user-agent"), "Amazon Simple Notification Service Agent");
  EXPECT_EQ(r.Header("x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(r.Header("x-amz-sns-message-id"), "msg-1");
  EXPECT_EQ(r.Header("x-amz-sns-topic-arn"), kTopicArn);
  EXPECT_EQ(r.Header("x-amz-sns-subscription-arn"), sub->arn);
  EXPECT_EQ(r.Header("x-amz-sns-rawdelivery"), "");
  const engine::QueueStats q = QueueStats(sub->queue_key);
  EXPECT_EQ(q.visible + q.in_flight + q.delayed, 0);
  EXPECT_EQ(Stats(*sub), Counts(1, 1, 0, 0, 0, 0));
}

TEST_F(DeliveryWorkerTest, ARetiredSubscriptionIsReportedOnceItsQueueIsDrained) {
  Endpoint endpoint;
  std::mutex mu;
  std::vector<std::string> drained;
  WorkerOptions options;
  options.on_retired_drained = [&](const std::string& arn) {
    std::lock_guard lock(mu);
    drained.push_back(arn);
  };
  StartWorker(options);
  auto sub = Subscribe(Spec(endpoint.url()).Retired());
  Publish(*sub, "bye-1", R"({"Type" : "UnsubscribeConfirmation"})", "UnsubscribeConfirmation");
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  EXPECT_EQ(endpoint.request(0).Header("x-amz-sns-message-type"), "UnsubscribeConfirmation");
  Advance(100);
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return !drained.empty();
  }));
  Advance(100);
  Advance(100);
  // Nothing in flight can race the report: wait for the worker's strand.
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).attempts == 1; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(drained, std::vector<std::string>{sub->arn}) << "reported once";
}

TEST_F(DeliveryWorkerTest, AConfirmedSubscriptionWithAnEmptyQueueIsNeverReported) {
  std::mutex mu;
  int reports = 0;
  WorkerOptions options;
  options.on_retired_drained = [&](const std::string&) {
    std::lock_guard lock(mu);
    ++reports;
  };
  StartWorker(options);
  Endpoint endpoint;
  auto sub = Subscribe(Spec(endpoint.url()));
  ApplyTargets();
  Advance(100);
  Advance(100);
  worker_->Shutdown();
  std::lock_guard lock(mu);
  EXPECT_EQ(reports, 0);
}

TEST_F(DeliveryWorkerTest, RawNotificationsSayRawAndUseThePolicysContentType) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url())
                           .Policy(R"({"requestPolicy":{"headerContentType":"application/json"}})")
                           .Raw());
  ApplyTargets();
  Publish(*sub, "msg-1", "plain text");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  const http::Request r = endpoint.request(0);
  EXPECT_EQ(r.body, "plain text");
  EXPECT_EQ(r.Header("x-amz-sns-rawdelivery"), "true");
  EXPECT_EQ(r.Header("content-type"), "application/json");
}

TEST_F(DeliveryWorkerTest, TopicRequestPolicyAppliesWhenTheSubscriptionHasNone) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url())
                           .TopicPolicy(R"({"http":{"defaultRequestPolicy":{"headerContentType":"text/xml"}}})"));
  ApplyTargets();
  Publish(*sub, "msg-1", "<a/>");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  EXPECT_EQ(endpoint.request(0).Header("content-type"), "text/xml");
}

TEST_F(DeliveryWorkerTest, ASubscriptionConfirmationNamesNoSubscription) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()).Raw());
  ApplyTargets();
  Publish(*sub, "msg-1", "{}", "SubscriptionConfirmation");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  const http::Request r = endpoint.request(0);
  EXPECT_EQ(r.Header("x-amz-sns-message-type"), "SubscriptionConfirmation");
  EXPECT_EQ(r.Header("x-amz-sns-topic-arn"), kTopicArn);
  EXPECT_EQ(r.Header("x-amz-sns-subscription-arn"), "");
  // Confirmations are never raw.
  EXPECT_EQ(r.Header("x-amz-sns-rawdelivery"), "");
}

TEST_F(DeliveryWorkerTest, AServerErrorIsRetriedAfterTheScheduledDelay) {
  Endpoint endpoint;
  endpoint.Answer({500});
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(2, 10)));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 1);

  // 10 s with ±10 % jitter: not before 9 s.
  Advance(8'500);
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 1);
  EXPECT_EQ(endpoint.request_count(), 1u);

  Advance(3'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  EXPECT_EQ(endpoint.request_count(), 2u);
  EXPECT_EQ(endpoint.request(1).Header("x-amz-sns-message-id"), "msg-1");
  EXPECT_EQ(Stats(*sub), Counts(2, 1, 1, 1, 0, 0));
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 0);
}

TEST_F(DeliveryWorkerTest, AttemptsAreCountedAndTimedOnTheirTopicByProtocol) {
  Endpoint endpoint;
  endpoint.Answer({500});
  StartWorker();
  auto counters = std::make_shared<sns::TopicCounters>();
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(2, 10)));
  targets_.back().topic_counters = counters;
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  const sns::DeliveryCounters& http =
      counters->deliveries[static_cast<size_t>(sns::Protocol::kHttp)];
  ASSERT_TRUE(WaitUntil([&] { return http.retried.load() == 1; }));
  Advance(11'500);
  ASSERT_TRUE(WaitUntil([&] { return http.succeeded.load() == 1; }));
  EXPECT_EQ(http.attempted.load(), 2u);
  EXPECT_EQ(http.failed.load(), 1u);
  EXPECT_EQ(counters->http_latency[0].Read().count, 2u);
  EXPECT_EQ(counters->http_latency[1].Read().count, 0u);
  EXPECT_EQ(counters->deliveries[static_cast<size_t>(sns::Protocol::kHttps)].attempted.load(), 0u);
}

TEST_F(DeliveryWorkerTest, AClientErrorIsDeadLetteredAtOnceWithTheBody) {
  Endpoint endpoint;
  endpoint.Answer({400});
  StartWorker();
  CreateQueue("dlq");
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(3, 1)).DeadLetters("dlq"));
  ApplyTargets();
  Publish(*sub, "msg-1", R"({"Message" : "hello"})");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).dead_lettered == 1; }));
  EXPECT_EQ(Bodies("dlq"), (std::vector<std::string>{R"({"Message" : "hello"})"}));
  EXPECT_EQ(Stats(*sub), Counts(1, 0, 1, 0, 1, 0));
  const engine::QueueStats q = QueueStats(sub->queue_key);
  EXPECT_EQ(q.visible + q.in_flight, 0);
  EXPECT_EQ(endpoint.request_count(), 1u);
}

TEST_F(DeliveryWorkerTest, RetriesUsedUpGoToTheDeadLetterQueue) {
  Endpoint endpoint;
  endpoint.Script([](const http::Request&) { return 503; });
  StartWorker();
  CreateQueue("dlq");
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(2, 1)).DeadLetters("dlq"));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));
  Advance(2'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 2; }));
  Advance(2'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).dead_lettered == 1; }));
  EXPECT_EQ(endpoint.request_count(), 3u);  // 1 + numRetries
  EXPECT_EQ(Stats(*sub), Counts(3, 0, 3, 2, 1, 0));
  EXPECT_EQ(Bodies("dlq"), (std::vector<std::string>{"body"}));
}

TEST_F(DeliveryWorkerTest, TooManyRequestsIsRetried) {
  Endpoint endpoint;
  endpoint.Answer({429});
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(1, 1)));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));
  Advance(2'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
}

TEST_F(DeliveryWorkerTest, WithoutADeadLetterQueueTheItemIsDroppedAndCounted) {
  Endpoint endpoint;
  endpoint.Answer({404});
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()).DeadLetters("gone"));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).dropped == 1; }));
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 0);
  EXPECT_EQ(Stats(*sub), Counts(1, 0, 1, 0, 0, 1));
}

TEST_F(DeliveryWorkerTest, ARefusedConnectionIsRetried) {
  std::string url;
  {
    Endpoint closed;
    url = closed.url();
  }
  StartWorker();
  auto sub = Subscribe(Spec(url).Policy(FixedRetries(1, 5)));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));
  EXPECT_EQ(Stats(*sub).failures, 1u);
}

TEST_F(DeliveryWorkerTest, AnAttemptThatTimesOutIsRetried) {
  Endpoint endpoint;
  endpoint.Hold();
  WorkerOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  StartWorker(options);
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(1, 5)));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));
  EXPECT_EQ(Stats(*sub).failures, 1u);
}

TEST_F(DeliveryWorkerTest, TheThrottleLimitsAttemptsPerSecond) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(
      Spec(endpoint.url()).Policy(R"({"throttlePolicy":{"maxReceivesPerSecond":2}})"));
  for (int i = 0; i < 5; ++i) Publish(*sub, "msg-" + std::to_string(i), "body");
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 2; }));
  EXPECT_EQ(QueueStats(sub->queue_key).visible, 3);

  Advance(500);  // half a second: one more
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 3; }));
  EXPECT_EQ(QueueStats(sub->queue_key).visible, 2);

  Advance(1'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 5; }));
  EXPECT_EQ(endpoint.request_count(), 5u);
}

TEST_F(DeliveryWorkerTest, AHangingEndpointDoesNotDelayAnotherSubscription) {
  Endpoint hanging;
  hanging.Hold();
  Endpoint healthy;
  StartWorker();
  auto slow = Subscribe(Spec(hanging.url()).Id("slow"));
  auto fast = Subscribe(Spec(healthy.url()).Id("fast"));
  for (int i = 0; i < 20; ++i) Publish(*slow, "slow-" + std::to_string(i), "body");
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return hanging.request_count() == 8; }));  // max_in_flight
  for (int i = 0; i < 5; ++i) Publish(*fast, "fast-" + std::to_string(i), "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*fast).successes == 5; }));
  EXPECT_EQ(Stats(*slow).successes, 0u);
  EXPECT_EQ(hanging.request_count(), 8u);
}

TEST_F(DeliveryWorkerTest, ARemovedSubscriptionStopsDraining) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  targets_.clear();
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return worker_->stats().empty(); }));
  Publish(*sub, "msg-2", "body");
  Advance(1'000);
  // The removal was applied before the tick, on the same strand: nothing
  // received the new item.
  EXPECT_EQ(QueueStats(sub->queue_key).visible, 1);
  EXPECT_EQ(endpoint.request_count(), 1u);
}

TEST_F(DeliveryWorkerTest, AChangedEndpointTakesThePendingRetries) {
  Endpoint old_endpoint;
  old_endpoint.Script([](const http::Request&) { return 500; });
  Endpoint new_endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(old_endpoint.url()).Policy(FixedRetries(3, 1)));
  ApplyTargets();
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1; }));

  auto moved = std::make_shared<sns::Subscription>(*sub);
  moved->endpoint = new_endpoint.url();
  targets_ = {Target{moved, ""}};
  ApplyTargets();
  Advance(2'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
  EXPECT_EQ(old_endpoint.request_count(), 1u);
  EXPECT_EQ(new_endpoint.request_count(), 1u);
  // The counters carry on: same subscription.
  EXPECT_EQ(Stats(*sub), Counts(2, 1, 1, 1, 0, 0));
}

TEST_F(DeliveryWorkerTest, AnItemThatDoesNotDecodeIsDroppedAndCounted) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()));
  engine::SendRequest req;
  req.payload = "not a delivery item";
  ASSERT_TRUE(engine_->FindQueue(sub->queue_key)->Send(std::move(req)).ok());
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).dropped == 1; }));
  EXPECT_EQ(endpoint.request_count(), 0u);
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 0);
}

TEST_F(DeliveryWorkerTest, ADeliveryQueueMadeAfterItsSubscriptionIsFoundAtTheNextTick) {
  Endpoint endpoint;
  StartWorker();
  auto sub = Subscribe(Spec(endpoint.url()).WithoutQueue());
  ApplyTargets();
  ASSERT_TRUE(WaitUntil([&] { return worker_->stats().size() == 1; }));
  CreateQueue(sub->queue_key);
  Publish(*sub, "msg-1", "body");
  Advance(100);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).successes == 1; }));
}

// As ferry serve ends: Stop with an attempt in flight, the executor stops
// once Stop says so, then the worker and the executor's context go.
TEST_F(DeliveryWorkerTest, AWorkerOutlivingItsExecutorIsReleasedWithIt) {
  Endpoint endpoint;
  endpoint.Hold();
  auto io = std::make_unique<asio::io_context>();
  auto guard = asio::make_work_guard(*io);
  std::thread runner([&] { io->run(); });
  auto worker = std::make_unique<DeliveryWorker>(*engine_, io->get_executor());
  auto sub = Subscribe(Spec(endpoint.url()));
  worker->SetTargets(targets_);
  Publish(*sub, "msg-1", "body");
  ASSERT_TRUE(WaitUntil([&] { return endpoint.request_count() == 1; }));
  std::promise<void> stopped;
  worker->Stop([&stopped] { stopped.set_value(); });
  stopped.get_future().wait();
  io->stop();
  runner.join();
  worker.reset();
  guard.reset();
  io.reset();
  // The item stays in flight, for the next start.
  EXPECT_EQ(QueueStats(sub->queue_key).in_flight, 1);
}

// A durable engine in a temp dir, closed without the worker settling its
// attempts (as after kill -9: only what the engine stored remains) and
// opened again under a new worker.
TEST_F(DeliveryWorkerTest, ARestartResumesPendingDeliveriesWithTheirAttemptCounts) {
  testing::TempDir dir;
  engine::DurableOptions options;
  options.dir = dir.path();
  options.segment_bytes = 2u << 20;
  engine_.reset();
  auto opened = engine::LocalEngine::OpenDurable(clock_, options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  engine_ = std::move(*opened);

  Endpoint endpoint;
  // msg-failed fails its first attempt (a retry is scheduled); msg-cut's
  // first attempt never ends.
  endpoint.Script([](const http::Request& r) { return r.Header("x-amz-sns-message-id") == "msg-cut" ? 0 : 500; });
  StartWorker();
  CreateQueue("dlq");
  auto sub = Subscribe(Spec(endpoint.url()).Policy(FixedRetries(1, 5)).DeadLetters("dlq"));
  ApplyTargets();
  Publish(*sub, "msg-failed", "failed body");
  Publish(*sub, "msg-cut", "cut body");
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).retries == 1 && endpoint.request_count() == 2; }));

  worker_->Shutdown();
  worker_.reset();
  engine_.reset();
  opened = engine::LocalEngine::OpenDurable(clock_, options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  engine_ = std::move(*opened);
  endpoint.Script([](const http::Request&) { return 500; });
  StartWorker();
  ApplyTargets();
  // Both come back once their visibility lapses, each as its second and
  // last attempt (numRetries 1): they fail and are dead-lettered, not
  // retried.
  Advance(kLongerThanAnyAttemptMs);
  ASSERT_TRUE(WaitUntil([&] { return Stats(*sub).dead_lettered == 2; }));
  EXPECT_EQ(Stats(*sub), Counts(2, 0, 2, 0, 2, 0));
  EXPECT_EQ(endpoint.request_count(), 4u);
  std::vector<std::string> bodies = Bodies("dlq");
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"cut body", "failed body"}));
  worker_->Shutdown();
}

}  // namespace
}  // namespace ferry::delivery
