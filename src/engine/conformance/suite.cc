#include "engine/conformance/suite.h"

#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace ferry::engine::conformance {

// An engine's own test binary instantiates the suite; a binary that links
// the suite without doing so is not an error.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EngineConformanceTest);

std::string ParamName(const ::testing::TestParamInfo<EngineParam>& info) { return info.param.name; }

void EngineConformanceTest::SetUp() {
  factory_ = GetParam().factory();
  ASSERT_NE(factory_, nullptr);
  engine_ = factory_->Make(clock_);
  ASSERT_NE(engine_, nullptr);
}

void EngineConformanceTest::TearDown() {
  engine_.reset();  // before what the factory owns for it
  factory_.reset();
}

std::shared_ptr<Queue> EngineConformanceTest::Create(const std::string& name,
                                                     QueueSettings settings,
                                                     std::map<std::string, std::string> tags) {
  auto q = engine_->CreateQueue(name, std::move(settings), std::move(tags));
  EXPECT_TRUE(q.ok()) << q.status().message();
  return q.ok() ? *q : nullptr;
}

SendResult EngineConformanceTest::Send(Queue& q, const std::string& payload, int64_t delay_s) {
  SendRequest req;
  req.payload = payload;
  req.delay_s = delay_s;
  auto r = q.Send(std::move(req));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SendResult{};
}

SendResult EngineConformanceTest::SendFifo(Queue& q, const std::string& payload,
                                           const std::string& group, const std::string& dedup_id) {
  SendRequest req;
  req.payload = payload;
  req.group_id = group;
  req.dedup_id = dedup_id;
  auto r = q.Send(std::move(req));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SendResult{};
}

std::vector<ReceivedMessage> EngineConformanceTest::Receive(Queue& q, int max,
                                                            int64_t visibility_s) {
  ReceiveRequest req;
  req.max_messages = max;
  req.visibility_timeout_s = visibility_s;
  auto r = q.Receive(req);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<ReceivedMessage>{};
}

void EngineConformanceTest::Advance(TimeMs ms) {
  clock_.Advance(ms);
  engine_->Tick();
}

void EngineConformanceTest::ReceiveAndAbandon(Queue& q, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(Receive(q, 10, 30).size(), 1u) << "receive " << i + 1;
    Advance(30'000);
  }
}

bool EngineConformanceTest::WaitUntil(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

std::pair<std::shared_ptr<Queue>, std::shared_ptr<Queue>> EngineConformanceTest::DeadLetterOne() {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDeadLetterQueue("dlq", 1));
  Send(*src, "m");
  ReceiveAndAbandon(*src, 1);
  EXPECT_TRUE(Receive(*src).empty()) << "the second receive moves it instead of returning it";
  engine_->Tick();
  EXPECT_TRUE(WaitUntil([&] { return dlq->Stats().visible == 1; }));
  return {src, dlq};
}

MoveTaskInfo EngineConformanceTest::NewestTask(const std::string& source) {
  auto tasks = engine_->ListMoveTasks(source, 1);
  EXPECT_TRUE(tasks.ok()) << tasks.status().message();
  if (!tasks.ok() || tasks->empty()) {
    ADD_FAILURE() << "no move task of " << source;
    return {};
  }
  return tasks->front();
}

Status EngineConformanceTest::WaitDurable() {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  engine_->AfterDurable([done](Status st) { done->set_value(std::move(st)); });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return Status::Internal("AfterDurable did not call back within 10 s");
  }
  return result.get();
}

bool EngineConformanceTest::Restart() {
  factory_->BeforeRestart(*engine_);
  engine_.reset();
  engine_ = factory_->Reopen(clock_);
  return engine_ != nullptr;
}

QueueSettings Fifo(const std::string& dlq, int64_t max_receives) {
  QueueSettings s;
  s.fifo = true;
  s.dead_letter_queue = dlq;
  s.max_receive_count = max_receives;
  return s;
}

QueueSettings WithDeadLetterQueue(const std::string& dlq, int64_t max_receives) {
  QueueSettings s;
  s.dead_letter_queue = dlq;
  s.max_receive_count = max_receives;
  return s;
}

}  // namespace ferry::engine::conformance
