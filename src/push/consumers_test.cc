#include "push/consumers.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "engine/body_store.h"
#include "engine/durable_test_util.h"
#include "engine/local_engine.h"
#include "http/scripted_server_test_util.h"
#include "message/payload.h"
#include "push/config.h"
#include "push/event.h"

namespace ferry::push {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

using engine::testing::WaitUntil;  // without sleeping

constexpr std::string_view kSecret = "0123456789abcdef";
constexpr TimeMs kVisibilityMs = 30'000;  // the queues' default visibility timeout

// A worker's endpoint: a real HTTP server on a free loopback port
// answering as the test scripts (by default an empty 200).
class Worker : public http::testing::ScriptedServer {
 public:
  // Answers these in turn, then an empty 200.
  void AnswerInTurn(std::vector<http::Response> answers) {
    auto next = std::make_shared<size_t>(0);
    Answer([answers, next](const http::Request&) -> std::optional<http::Response> {
      return *next < answers.size() ? answers[(*next)++] : http::Response{};
    });
  }
  // The message bodies of request i, in event order.
  std::vector<std::string> Bodies(size_t i) {
    std::vector<std::string> out;
    const json::array records = Records(i);
    for (const json::value& r : records) out.emplace_back(r.at("body").as_string());
    return out;
  }
  json::array Records(size_t i) { return json::parse(request(i).body).at("Records").as_array(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook?x=1"; }
};

http::Response Reply(int status, std::string body = "") {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string Config(const std::string& url, std::string_view extra = "") {
  return R"({"endpoint":")" + url + R"(","signingSecret":")" + std::string(kSecret) + "\"" +
         (extra.empty() ? "" : ",") + std::string(extra) + "}";
}

class PushConsumersTest : public ::testing::Test {
 protected:
  PushConsumersTest() : thread_([this] { io_.run(); }) {
    engine_ = std::make_unique<engine::LocalEngine>(clock_, engine::NewMemoryBodyStore());
    consumers_ = std::make_unique<PushConsumers>(*engine_, io_.get_executor(), PushOptions{});
  }
  ~PushConsumersTest() override {
    consumers_->Shutdown();
    consumers_.reset();
    work_.reset();
    thread_.join();
  }

  // A queue bound to `config` (empty: none), with a dead-letter queue when
  // `dlq` names one.
  std::shared_ptr<engine::Queue> Queue(const std::string& name, const std::string& config,
                                       const std::string& dlq = "", bool fifo = false) {
    engine::QueueSettings s;
    s.fifo = fifo;
    if (!config.empty()) s.extra[std::string(kPushConsumerAttribute)] = config;
    if (!dlq.empty()) {
      s.dead_letter_queue = dlq;
      s.max_receive_count = 10;
    }
    auto q = engine_->CreateQueue(name, s, {});
    EXPECT_TRUE(q.ok()) << q.status().message();
    consumers_->Rescan();
    return q.ok() ? *q : nullptr;
  }

  void Bind(engine::Queue& q, const std::string& config) {
    engine::QueueSettings s = q.settings();
    if (config.empty()) {
      s.extra.erase(std::string(kPushConsumerAttribute));
    } else {
      s.extra[std::string(kPushConsumerAttribute)] = config;
    }
    ASSERT_TRUE(q.SetSettings(s).ok());
    consumers_->Rescan();
  }

  static void Send(engine::Queue& q, std::string_view body, std::string_view group = "",
                   std::vector<message::MessageAttribute> attributes = {}) {
    message::OutgoingMessage out;
    out.body = body;
    out.body_md5 = Md5(body);
    out.sender_id = "AIDAEXAMPLE";
    out.attributes = attributes;
    // Where the SQS handlers keep a FIFO message's deduplication id.
    const std::vector<message::MessageAttribute> system = {
        {"MessageDeduplicationId", "String", false, std::string(body)}};
    if (q.fifo()) out.system_attributes = system;
    engine::SendRequest req;
    req.payload = message::EncodePayload(out);
    req.group_id = std::string(group);
    if (q.fifo()) req.dedup_id = std::string(body);
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  }

  // Time passes: messages come back, windows close. The clock moves only
  // between the consumers' handlers (Settle), so a message a condition saw
  // received was also stamped with the time it was received at.
  void Advance(TimeMs ms) {
    Settle();
    clock_.Advance(ms);
    engine_->Tick();
    consumers_->Tick();
  }

  // Waits for the handler the io thread is running to finish. A condition
  // read from the engine (a message in flight) comes true inside the
  // consumer's handler, before the consumer reads the clock to open its
  // batching window: moving the clock then would open the window late and
  // never close it. thread_ is io_'s only thread, so a handler posted now
  // runs after the one in progress; this waits for an event, not for time.
  void Settle() {
    std::promise<void> done;
    asio::post(io_, [&done] { done.set_value(); });
    done.get_future().wait();
  }

  ConsumerStats Stats(const std::string& key) { return consumers_->stats()[key]; }
  static int64_t Stored(engine::Queue& q) {
    const engine::QueueStats s = q.Stats();
    return s.visible + s.in_flight + s.delayed;
  }

  FakeClock clock_;
  std::unique_ptr<engine::LocalEngine> engine_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  std::unique_ptr<PushConsumers> consumers_;
};

TEST_F(PushConsumersTest, PostsASignedLambdaEventAndDeletesTheBatchOn2xx) {
  Worker worker;
  auto q = Queue("jobs", Config(worker.url()));
  Send(*q, "one", "", {{"kind", "String", false, "a"}});

  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 1; }));
  ASSERT_EQ(worker.request_count(), 1u);
  const http::Request r = worker.request(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?x=1");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_NE(r.Header("user-agent").find("Ferry"), std::string::npos);
  const std::string timestamp(r.Header("x-ferry-timestamp"));
  EXPECT_EQ(timestamp, std::to_string(clock_.NowMs() / 1000));
  EXPECT_EQ(r.Header("x-ferry-signature"), Signature(kSecret, timestamp, r.body));
  json::array records = worker.Records(0);
  ASSERT_EQ(records.size(), 1u);
  const json::object& rec = records[0].as_object();
  EXPECT_EQ(rec.at("body").as_string(), "one");
  EXPECT_EQ(rec.at("eventSource").as_string(), "aws:sqs");
  EXPECT_EQ(rec.at("eventSourceARN").as_string(), "arn:aws:sqs:us-east-1:000000000000:jobs");
  EXPECT_EQ(rec.at("awsRegion").as_string(), "us-east-1");
  EXPECT_EQ(rec.at("messageAttributes").at("kind").at("stringValue").as_string(), "a");
  EXPECT_EQ(rec.at("attributes").at("ApproximateReceiveCount").as_string(), "1");
  EXPECT_EQ(Stored(*q), 0);
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 1, 0, 0}));
}

TEST_F(PushConsumersTest, AQueueOfAnotherRegionAndAccountSaysSoInItsRecords) {
  Worker worker;
  auto q = Queue("111111111111/eu-west-1/jobs", Config(worker.url()));
  Send(*q, "one");
  ASSERT_TRUE(WaitUntil([&] { return worker.request_count() == 1; }));
  const json::object rec = worker.Records(0)[0].as_object();
  EXPECT_EQ(rec.at("eventSourceARN").as_string(), "arn:aws:sqs:eu-west-1:111111111111:jobs");
  EXPECT_EQ(rec.at("awsRegion").as_string(), "eu-west-1");
}

TEST_F(PushConsumersTest, MessagesGoInBatchesOfAtMostBatchSize) {
  Worker worker;
  auto q = Queue("jobs", "");
  for (int i = 0; i < 25; ++i) Send(*q, "m" + std::to_string(i));
  Bind(*q, Config(worker.url(), R"("batchSize":10,"maximumConcurrency":1)"));
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 25; }));
  ASSERT_EQ(worker.request_count(), 3u);
  EXPECT_EQ(worker.Bodies(0).size(), 10u);
  EXPECT_EQ(worker.Bodies(1).size(), 10u);
  EXPECT_EQ(worker.Bodies(2).size(), 5u);
  EXPECT_EQ(Stored(*q), 0);
}

TEST_F(PushConsumersTest, APartialBatchFailureDeletesAllButTheListedMessages) {
  Worker worker;
  worker.Answer([](const http::Request& req) -> std::optional<http::Response> {
    json::array failures;
    const json::value event = json::parse(req.body);
    for (const json::value& r : event.at("Records").as_array()) {
      if (r.at("body").as_string().starts_with("bad")) {
        failures.push_back(json::object{{"itemIdentifier", r.at("messageId")}});
      }
    }
    return Reply(200, json::serialize(json::object{{"batchItemFailures", failures}}));
  });
  auto q = Queue("jobs", "");
  Send(*q, "good-1");
  Send(*q, "bad-1");
  Send(*q, "good-2");
  Bind(*q, Config(worker.url()));
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").batches == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 2, 1, 0}));
  EXPECT_EQ(q->Stats().in_flight, 1);

  // The failed one comes back after its visibility timeout, received again.
  worker.AnswerInTurn({});
  Advance(kVisibilityMs);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 3; }));
  ASSERT_EQ(worker.request_count(), 2u);
  json::array again = worker.Records(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].at("body").as_string(), "bad-1");
  EXPECT_EQ(again[0].at("attributes").at("ApproximateReceiveCount").as_string(), "2");
  EXPECT_EQ(Stored(*q), 0);
}

TEST_F(PushConsumersTest, AnUnknownItemIdentifierFailsTheWholeBatch) {
  Worker worker;
  worker.AnswerInTurn({Reply(200, R"({"batchItemFailures":[{"itemIdentifier":"nope"}]})")});
  auto q = Queue("jobs", "");
  Send(*q, "a");
  Send(*q, "b");
  Bind(*q, Config(worker.url()));
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").batches == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 0, 2, 0}));
  EXPECT_EQ(q->Stats().in_flight, 2);
  Advance(kVisibilityMs);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 2; }));
}

TEST_F(PushConsumersTest, ServerErrorsAndThrottlingLeaveTheBatchToComeBack) {
  for (int status : {500, 503, 429}) {
    Worker worker;
    worker.AnswerInTurn({Reply(status)});
    const std::string name = "jobs-" + std::to_string(status);
    auto q = Queue(name, Config(worker.url()));
    Send(*q, "x");
    ASSERT_TRUE(WaitUntil([&] { return Stats(name).batches == 1; })) << status;
    EXPECT_EQ(Stats(name), (ConsumerStats{1, 0, 1, 0}));
    EXPECT_EQ(q->Stats().in_flight, 1);
    Advance(kVisibilityMs - 1);
    EXPECT_EQ(worker.request_count(), 1u) << "not before its visibility lapses";
    Advance(1);
    ASSERT_TRUE(WaitUntil([&] { return Stats(name).delivered == 1; })) << status;
    EXPECT_EQ(worker.request_count(), 2u);
    EXPECT_EQ(Stored(*q), 0);
  }
}

TEST_F(PushConsumersTest, AClientErrorMovesTheBatchToTheDeadLetterQueue) {
  Worker worker;
  worker.AnswerInTurn({Reply(400)});
  auto dlq = Queue("jobs-dlq", "");
  auto q = Queue("jobs", Config(worker.url()), "jobs-dlq");
  Send(*q, "poison", "", {{"kind", "String", false, "a"}});
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").dead_lettered == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 0, 0, 1}));
  EXPECT_EQ(Stored(*q), 0);
  engine::ReceiveRequest req;
  auto got = dlq->Receive(req);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  auto p = message::DecodePayload((*got)[0].payload);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->body, "poison");
  ASSERT_EQ(p->attributes.size(), 1u);
  EXPECT_EQ(p->attributes[0].value, "a");
  EXPECT_EQ((*got)[0].dead_letter_source, "jobs");
  EXPECT_EQ((*got)[0].message_id,
            json::value_to<std::string>(worker.Records(0)[0].at("messageId")));
}

TEST_F(PushConsumersTest, AClientErrorWithoutADeadLetterQueueIsRetried) {
  Worker worker;
  worker.AnswerInTurn({Reply(403)});
  auto q = Queue("jobs", Config(worker.url()));
  Send(*q, "x");
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").batches == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 0, 1, 0}));
  EXPECT_EQ(q->Stats().in_flight, 1);
  Advance(kVisibilityMs);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 1; }));
}

TEST_F(PushConsumersTest, ATimeoutLeavesTheBatchInFlight) {
  Worker worker;
  worker.Hold();
  auto q = Queue("jobs", Config(worker.url(), R"("timeoutSeconds":1)"));
  Send(*q, "x");
  // The client's deadline is real time: one second.
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").batches == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 0, 1, 0}));
  EXPECT_EQ(q->Stats().in_flight, 1);
}

TEST_F(PushConsumersTest, ARefusedConnectionLeavesTheBatchInFlight) {
  std::string url;
  {
    Worker gone;
    url = gone.url();
  }
  auto q = Queue("jobs", Config(url));
  Send(*q, "x");
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").batches == 1; }));
  EXPECT_EQ(Stats("jobs"), (ConsumerStats{1, 0, 1, 0}));
  EXPECT_EQ(q->Stats().in_flight, 1);
}

TEST_F(PushConsumersTest, AtMostMaximumConcurrencyBatchesAreInFlight) {
  Worker worker;
  worker.Hold();
  auto q = Queue("jobs", "");
  for (int i = 0; i < 5; ++i) Send(*q, "m" + std::to_string(i));
  Bind(*q, Config(worker.url(), R"("batchSize":1,"maximumConcurrency":2)"));
  ASSERT_TRUE(WaitUntil([&] { return worker.request_count() == 2; }));
  Advance(100);
  Advance(100);
  // The consumer's strand is idle once Tick's work is done: wait for it.
  ASSERT_TRUE(WaitUntil([&] { return q->Stats().visible == 3; }));
  EXPECT_EQ(worker.request_count(), 2u);
  EXPECT_EQ(q->Stats().in_flight, 2);
}

TEST_F(PushConsumersTest, TheBatchingWindowGathersMessagesUntilItCloses) {
  Worker worker;
  auto q =
      Queue("jobs", Config(worker.url(), R"("batchSize":5,"maximumBatchingWindowSeconds":10)"));
  Send(*q, "a");
  Send(*q, "b");
  ASSERT_TRUE(WaitUntil([&] { return q->Stats().in_flight == 2; }));
  Advance(9'999);
  Send(*q, "c");
  ASSERT_TRUE(WaitUntil([&] { return q->Stats().in_flight == 3; }));
  EXPECT_EQ(worker.request_count(), 0u);
  Advance(1);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 3; }));
  ASSERT_EQ(worker.request_count(), 1u);
  EXPECT_EQ(worker.Bodies(0), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PushConsumersTest, AFullBatchGoesBeforeItsWindowCloses) {
  Worker worker;
  auto q =
      Queue("jobs", Config(worker.url(), R"("batchSize":3,"maximumBatchingWindowSeconds":300)"));
  for (std::string_view b : {"a", "b", "c", "d"}) Send(*q, b);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 3; }));
  EXPECT_EQ(worker.Bodies(0), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(q->Stats().in_flight, 1);  // "d" waits for its window
  Advance(300'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 4; }));
}

TEST_F(PushConsumersTest, AnEventNeverPassesTheSizeLimit) {
  Worker worker;
  PushOptions options;
  options.max_event_bytes = 3'000;
  consumers_->Shutdown();
  consumers_ = std::make_unique<PushConsumers>(*engine_, io_.get_executor(), options);
  auto q = Queue("jobs", "");
  for (int i = 0; i < 4; ++i) Send(*q, std::string(700, 'a' + i));
  Bind(*q, Config(worker.url(), R"("maximumConcurrency":1)"));
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 4; }));
  ASSERT_EQ(worker.request_count(), 2u);
  EXPECT_LE(worker.request(0).body.size(), 3'000u);
  EXPECT_EQ(worker.Bodies(0).size(), 2u);
  EXPECT_EQ(worker.Bodies(1).size(), 2u);
}

TEST_F(PushConsumersTest, AFifoQueueKeepsEachGroupsOrderAcrossBatches) {
  Worker worker;
  auto q = Queue("jobs.fifo", "", "", /*fifo=*/true);
  for (int i = 0; i < 6; ++i) Send(*q, "g1-" + std::to_string(i), "g1");
  Bind(*q, Config(worker.url(), R"("batchSize":2,"maximumConcurrency":3)"));
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs.fifo").delivered == 6; }));
  std::vector<std::string> seen;
  for (size_t i = 0; i < worker.request_count(); ++i) {
    for (const std::string& b : worker.Bodies(i)) seen.push_back(b);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"g1-0", "g1-1", "g1-2", "g1-3", "g1-4", "g1-5"}));
  const json::object rec = worker.Records(0)[0].as_object();
  EXPECT_EQ(rec.at("attributes").at("MessageGroupId").as_string(), "g1");
  EXPECT_EQ(rec.at("attributes").at("MessageDeduplicationId").as_string(), "g1-0");
}

TEST_F(PushConsumersTest, ASlowEndpointHoldsOnlyItsOwnQueue) {
  Worker slow;
  slow.Hold();
  Worker healthy;
  auto stuck = Queue("stuck", Config(slow.url(), R"("batchSize":1,"maximumConcurrency":1)"));
  auto fine = Queue("fine", Config(healthy.url(), R"("batchSize":1,"maximumConcurrency":1)"));
  for (int i = 0; i < 3; ++i) Send(*stuck, "s" + std::to_string(i));
  ASSERT_TRUE(WaitUntil([&] { return slow.request_count() == 1; }));
  for (int i = 0; i < 5; ++i) Send(*fine, "f" + std::to_string(i));
  ASSERT_TRUE(WaitUntil([&] { return Stats("fine").delivered == 5; }));
  EXPECT_EQ(slow.request_count(), 1u);
  EXPECT_EQ(Stored(*fine), 0);
}

TEST_F(PushConsumersTest, RemovingTheAttributeStopsDelivery) {
  Worker worker;
  auto q = Queue("jobs", Config(worker.url()));
  Send(*q, "one");
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 1; }));
  Bind(*q, "");
  ASSERT_TRUE(WaitUntil([&] { return consumers_->stats().empty(); }));
  Send(*q, "two");
  Advance(1'000);
  Advance(1'000);
  EXPECT_EQ(worker.request_count(), 1u);
  EXPECT_EQ(q->Stats().visible, 1);
}

TEST_F(PushConsumersTest, TickFindsQueuesBoundSinceTheLastScan) {
  Worker worker;
  auto q = engine_->CreateQueue("jobs", {}, {});
  ASSERT_TRUE(q.ok());
  engine::QueueSettings s;
  s.extra[std::string(kPushConsumerAttribute)] = Config(worker.url());
  ASSERT_TRUE((*q)->SetSettings(s).ok());
  Send(**q, "one");
  Advance(1'000);
  ASSERT_TRUE(WaitUntil([&] { return Stats("jobs").delivered == 1; }));
}

}  // namespace
}  // namespace ferry::push
