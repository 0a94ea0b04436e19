#include "sqs/long_poll.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <future>
#include <thread>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

engine::SendRequest Message(std::string payload) {
  engine::SendRequest req;
  req.payload = std::move(payload);
  return req;
}

using namespace std::chrono_literals;

using LongPollTest = SqsTest;
FERRY_SQS_BOTH_WIRES(LongPollTest);

constexpr const char* kUrl = R"({"QueueUrl": "/000000000000/q", "WaitTimeSeconds": 20})";

size_t MessageCount(const SqsFixture::Answer& a) {
  if (!a.ok() || !a->contains("Messages")) return 0;
  return a->at("Messages").as_array().size();
}

TEST_P(LongPollTest, WaitingReceiveIsAnsweredBySend) {
  CreateQueue("q");
  auto slot = Start("ReceiveMessage", kUrl);
  RunUntil(slot, 50ms);
  EXPECT_FALSE(slot->has_value());  // still waiting, no thread blocked
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "late"})");
  RunUntil(slot);
  ASSERT_TRUE(slot->has_value());
  ASSERT_EQ(MessageCount(**slot), 1u);
  EXPECT_EQ(Str((**slot)->at("Messages").as_array()[0].as_object()["Body"]), "late");
}

TEST_P(LongPollTest, ImmediateAnswerWhenMessagesAreThere) {
  CreateQueue("q");
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m"})");
  auto slot = Start("ReceiveMessage", kUrl);
  EXPECT_TRUE(slot->has_value());  // answered inline, without the executor
  EXPECT_EQ(MessageCount(**slot), 1u);
}

TEST_P(LongPollTest, QueueWaitTimeIsTheDefault) {
  CreateQueue("q", R"({"ReceiveMessageWaitTimeSeconds": "20"})");
  auto slot = Start("ReceiveMessage", R"({"QueueUrl": "/000000000000/q"})");
  RunUntil(slot, 50ms);
  EXPECT_FALSE(slot->has_value());
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m"})");
  RunUntil(slot);
  EXPECT_EQ(MessageCount(**slot), 1u);
  // WaitTimeSeconds 0 overrides it: a short poll.
  auto short_poll =
      Start("ReceiveMessage", R"({"QueueUrl": "/000000000000/q", "WaitTimeSeconds": 0})");
  EXPECT_TRUE(short_poll->has_value());
}

TEST_P(LongPollTest, DelayedMessageWakesThePollWhenDue) {
  CreateQueue("q");
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m", "DelaySeconds": 5})");
  auto slot = Start("ReceiveMessage", kUrl);
  RunUntil(slot, 50ms);
  EXPECT_FALSE(slot->has_value());
  clock.Advance(5'000);
  engine.Tick();  // the owner's periodic tick promotes the message and wakes watchers
  RunUntil(slot);
  EXPECT_EQ(MessageCount(**slot), 1u);
}

TEST_P(LongPollTest, DueMessageIsFoundByTheWakeTimerWithoutTick) {
  CreateQueue("q");
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m", "DelaySeconds": 1})");
  clock.Advance(980);
  auto slot = Start("ReceiveMessage", kUrl);
  RunUntil(slot, 5ms);
  ASSERT_FALSE(slot->has_value());
  // Nothing wakes the poll but its timer, armed for the message's due time
  // (20 ms of real time after it started); by then the fake clock is there.
  clock.Advance(20);
  RunUntil(slot, 2s);
  ASSERT_TRUE(slot->has_value());
  EXPECT_EQ(MessageCount(**slot), 1u);
}

TEST_P(LongPollTest, EachSendAnswersOneWaiterLongestWaitingFirst) {
  CreateQueue("q");
  auto a = Start("ReceiveMessage", kUrl);
  RunUntil(a, 20ms);
  auto b = Start("ReceiveMessage", kUrl);
  RunUntil(b, 20ms);
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m1"})");
  RunUntil(a);
  RunUntil(b, 20ms);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(MessageCount(**a), 1u);
  EXPECT_FALSE(b->has_value());
  Ok("SendMessage", R"({"QueueUrl": "/000000000000/q", "MessageBody": "m2"})");
  RunUntil(b);
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(MessageCount(**b), 1u);
}

TEST_P(LongPollTest, QueueDeletedDuringWaitAnswersQueueDoesNotExist) {
  CreateQueue("q");
  auto slot = Start("ReceiveMessage", kUrl);
  RunUntil(slot, 50ms);
  Ok("DeleteQueue", R"({"QueueUrl": "/000000000000/q"})");
  RunUntil(slot);
  ASSERT_TRUE(slot->has_value());
  EXPECT_EQ(api::ErrorFor((*slot)->status()).code, "QueueDoesNotExist");
}

TEST(LongPollServiceTest, EmptyAnswerAtTheDeadline) {
  SqsFixture f;
  f.CreateQueue("q");
  const auto start = std::chrono::steady_clock::now();
  auto slot = f.Start("ReceiveMessage", R"({"QueueUrl": "/000000000000/q", "WaitTimeSeconds": 1})");
  f.RunUntil(slot, 3s);
  ASSERT_TRUE(slot->has_value());
  ASSERT_TRUE((*slot)->ok());
  EXPECT_FALSE((**slot)->contains("Messages"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
}

// A poll driven directly, with waits in milliseconds.
class LongPollDirectTest : public ::testing::Test {
 protected:
  using Answer = Result<boost::json::object>;

  void SetUp() override {
    auto q = engine_.CreateQueue("q", {}, {});
    ASSERT_TRUE(q.ok());
    queue_ = *q;
  }

  // Starts a poll whose attempt receives one message; counts replies.
  void Start(std::chrono::milliseconds wait) {
    StartLongPoll(
        io_.get_executor(), queue_, clock_, wait,
        [this]() -> std::optional<Answer> {
          ++attempts_;
          auto r = queue_->Receive({});
          if (!r.ok() || r->empty()) return std::nullopt;
          boost::json::object out;
          out["Body"] = r->front().payload;
          return Answer(std::move(out));
        },
        [this](Answer a) {
          ++replies_;
          answer_ = std::move(a);
        });
  }

  void RunFor(std::chrono::milliseconds d) {
    io_.restart();
    io_.run_for(d);
  }

  FakeClock clock_;
  engine::LocalEngine engine_{clock_, engine::NewMemoryBodyStore()};
  std::shared_ptr<engine::Queue> queue_;
  boost::asio::io_context io_;
  int attempts_ = 0;
  int replies_ = 0;
  std::optional<Answer> answer_;
};

TEST_F(LongPollDirectTest, DeadlineAnswersEmptyOnceAndLeavesNoWatcher) {
  Start(30ms);
  RunFor(200ms);
  EXPECT_EQ(replies_, 1);
  ASSERT_TRUE(answer_.has_value() && answer_->ok());
  EXPECT_TRUE((*answer_)->empty());
  // A send after the answer must not reach the finished poll.
  const int attempts = attempts_;
  ASSERT_TRUE(queue_->Send(Message("late")).ok());
  RunFor(20ms);
  EXPECT_EQ(replies_, 1);
  EXPECT_EQ(attempts_, attempts);
}

TEST_F(LongPollDirectTest, SendDuringWaitIsAnsweredOnce) {
  Start(5000ms);
  RunFor(20ms);
  EXPECT_EQ(replies_, 0);
  ASSERT_TRUE(queue_->Send(Message("hello")).ok());
  ASSERT_TRUE(queue_->Send(Message("again")).ok());
  RunFor(50ms);
  EXPECT_EQ(replies_, 1);
  ASSERT_TRUE(answer_.has_value() && answer_->ok());
  EXPECT_EQ((*answer_)->at("Body"), "hello");
}

TEST_F(LongPollDirectTest, MessageSentBeforeStartIsFoundByTheFirstAttempt) {
  ASSERT_TRUE(queue_->Send(Message("early")).ok());
  Start(5000ms);
  RunFor(20ms);
  EXPECT_EQ(replies_, 1);
  EXPECT_EQ(attempts_, 1);
}

TEST(LongPollLifetimeTest, AbandonedPollIsFreedWhenTheContextIsDestroyed) {
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  auto queue = engine.CreateQueue("q", {}, {});
  ASSERT_TRUE(queue.ok());
  auto tracker = std::make_shared<int>(0);
  std::weak_ptr<int> alive = tracker;
  {
    boost::asio::io_context io;
    StartLongPoll(
        io.get_executor(), *queue, clock, 20s,
        [] { return std::optional<Result<boost::json::object>>(); },
        [tracker](Result<boost::json::object>) { FAIL() << "must not reply"; });
    tracker.reset();
    io.run_for(20ms);
  }
  EXPECT_TRUE(alive.expired());
  // The queue still works and holds no stale watcher that could fire.
  ASSERT_TRUE((*queue)->Send(Message("p")).ok());
}

}  // namespace
}  // namespace ferry::sqs

namespace ferry::sqs {
namespace {

TEST(LongPollConcurrencyTest, EveryMessageReachesExactlyOneOfManyPolls) {
  constexpr int kPolls = 200;
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  SqsService service(engine, io.get_executor(), SqsOptions{});
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { io.run(); });

  auto call = [](std::string action, std::string json) {
    api::Call c;
    c.service = "sqs";
    c.action = std::move(action);
    c.params = boost::json::parse(json).as_object();
    c.ctx.host = "localhost";
    return c;
  };
  std::promise<void> created;
  service.Invoke(call("CreateQueue", R"({"QueueName": "q"})"), [&](Result<boost::json::object> r) {
    EXPECT_TRUE(r.ok());
    created.set_value();
  });
  created.get_future().wait();

  std::atomic<int> replies{0};
  std::atomic<int> received{0};
  std::atomic<int> errors{0};
  std::thread polls([&] {
    for (int i = 0; i < kPolls; ++i) {
      service.Invoke(call("ReceiveMessage", R"({"QueueUrl": "/0/q", "WaitTimeSeconds": 5})"),
                     [&](Result<boost::json::object> r) {
                       if (!r.ok()) ++errors;
                       if (r.ok() && r->contains("Messages")) {
                         received += static_cast<int>(r->at("Messages").as_array().size());
                       }
                       ++replies;
                     });
    }
  });
  std::thread sender([&] {
    for (int i = 0; i < kPolls; ++i) {
      service.Invoke(call("SendMessage", R"({"QueueUrl": "/0/q", "MessageBody": "m"})"),
                     [&](Result<boost::json::object> r) { EXPECT_TRUE(r.ok()); });
    }
  });
  polls.join();
  sender.join();
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (replies < kPolls && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(5ms);
  }
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  EXPECT_EQ(replies, kPolls);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(received, kPolls);
}

}  // namespace
}  // namespace ferry::sqs
