// An engine whose calls block (engine::Engine::blocking()) is served through
// api::OffloadedService: its handlers run on a blocking thread pool, so a
// slow engine call never holds the io thread, which keeps answering others.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "api/offloaded_service.h"
#include "engine/local_engine.h"
#include "sqs/service.h"

namespace ferry::sqs {
namespace {

using Answer = Result<boost::json::object>;

// A LocalEngine behind a gate: while the gate is closed, looking up a queue
// whose name starts with "slow" blocks, as a database round trip would.
class GatedEngine final : public engine::Engine {
 public:
  explicit GatedEngine(const Clock& clock) : inner_(clock, engine::NewMemoryBodyStore()) {}

  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  int waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }

  Result<std::shared_ptr<engine::Queue>> CreateQueue(
      const std::string& name, engine::QueueSettings settings,
      std::map<std::string, std::string> tags) override {
    Pass(name);
    return inner_.CreateQueue(name, std::move(settings), std::move(tags));
  }
  std::shared_ptr<engine::Queue> FindQueue(const std::string& name) const override {
    Pass(name);
    return inner_.FindQueue(name);
  }
  Status DeleteQueue(const std::string& name) override { return inner_.DeleteQueue(name); }
  std::vector<std::string> ListQueues(const std::string& prefix) const override {
    return inner_.ListQueues(prefix);
  }
  void Tick() override { inner_.Tick(); }
  Result<engine::MoveTaskInfo> StartMoveTask(const std::string& source,
                                             const std::string& destination,
                                             int64_t max_per_second) override {
    return inner_.StartMoveTask(source, destination, max_per_second);
  }
  Result<engine::MoveTaskInfo> CancelMoveTask(const std::string& source,
                                              const std::string& task_id) override {
    return inner_.CancelMoveTask(source, task_id);
  }
  Result<std::vector<engine::MoveTaskInfo>> ListMoveTasks(const std::string& source,
                                                          size_t max) const override {
    return inner_.ListMoveTasks(source, max);
  }
  void AfterDurable(std::function<void(Status)> cb) override { inner_.AfterDurable(std::move(cb)); }
  Status PutEntry(engine::CatalogKind kind, engine::CatalogEntry entry) override {
    return inner_.PutEntry(kind, std::move(entry));
  }
  Status EraseEntry(engine::CatalogKind kind, const std::string& key) override {
    return inner_.EraseEntry(kind, key);
  }
  std::vector<engine::CatalogEntry> Entries(engine::CatalogKind kind) const override {
    return inner_.Entries(kind);
  }
  const Clock& clock() const override { return inner_.clock(); }
  bool blocking() const override { return true; }
  std::chrono::milliseconds queue_reuse_delay() const override {
    return inner_.queue_reuse_delay();
  }
  void set_queue_reuse_delay(std::chrono::milliseconds delay) override {
    inner_.set_queue_reuse_delay(delay);
  }

 private:
  void Pass(const std::string& name) const {
    if (!name.starts_with("slow")) return;
    std::unique_lock lock(mu_);
    ++waiting_;
    cv_.wait(lock, [this] { return open_; });
    --waiting_;
  }

  engine::LocalEngine inner_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool open_ = true;         // guarded by mu_
  mutable int waiting_ = 0;  // guarded by mu_
};

api::Call MakeCall(std::string_view action, std::string_view params_json) {
  api::Call call;
  call.service = "sqs";
  call.action = std::string(action);
  call.params = boost::json::parse(params_json).as_object();
  call.ctx.request_id = "test";
  call.ctx.host = "localhost:9324";
  call.ctx.path = "/";
  call.ctx.region = "us-east-1";
  call.ctx.account_id = "000000000000";
  return call;
}

// Waits, without sleeping, for pred() to hold; false after 10 s.
bool WaitUntil(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class BlockingEngineTest : public ::testing::Test {
 protected:
  BlockingEngineTest() {
    EXPECT_TRUE(engine_.CreateQueue("slow", {}, {}).ok());
    EXPECT_TRUE(engine_.CreateQueue("fast", {}, {}).ok());
  }
  ~BlockingEngineTest() override {
    engine_.Open();
    blocking_.join();
  }

  // Runs the io context on this thread until pred() holds or 10 s pass.
  bool RunIoUntil(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  FakeClock clock_;
  GatedEngine engine_{clock_};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  boost::asio::thread_pool blocking_{2};
  SqsService sqs_{engine_, blocking_.get_executor(), SqsOptions{}};
  api::OffloadedService service_{sqs_, blocking_.get_executor(), io_.get_executor()};
};

TEST_F(BlockingEngineTest, ABlockedEngineCallDoesNotHoldTheIoThreadFromAnsweringOthers) {
  ASSERT_TRUE(engine_.blocking());
  engine_.Close();
  std::optional<Answer> slow, fast;
  std::thread::id slow_thread, fast_thread;
  service_.Invoke(
      MakeCall("SendMessage",
               R"({"QueueUrl":"http://localhost:9324/000000000000/slow","MessageBody":"s"})"),
      [&](Answer a) {
        slow_thread = std::this_thread::get_id();
        slow = std::move(a);
      });
  ASSERT_TRUE(WaitUntil([&] { return engine_.waiting() == 1; }));

  service_.Invoke(
      MakeCall("SendMessage",
               R"({"QueueUrl":"http://localhost:9324/000000000000/fast","MessageBody":"f"})"),
      [&](Answer a) {
        fast_thread = std::this_thread::get_id();
        fast = std::move(a);
      });
  ASSERT_TRUE(RunIoUntil([&] { return fast.has_value(); }));
  EXPECT_TRUE(fast->ok()) << fast->status().message();
  EXPECT_EQ(fast_thread, std::this_thread::get_id()) << "answered on the io thread";
  EXPECT_FALSE(slow.has_value());
  EXPECT_EQ(engine_.waiting(), 1);

  engine_.Open();
  ASSERT_TRUE(RunIoUntil([&] { return slow.has_value(); }));
  EXPECT_TRUE(slow->ok()) << slow->status().message();
  EXPECT_EQ(slow_thread, std::this_thread::get_id());
  EXPECT_EQ(engine_.FindQueue("slow")->Stats().visible, 1);
}

TEST_F(BlockingEngineTest, ALongPollOfABlockingEngineIsAnsweredOnTheIoThread) {
  std::optional<Answer> polled;
  std::thread::id polled_thread;
  service_.Invoke(
      MakeCall("ReceiveMessage",
               R"({"QueueUrl":"http://localhost:9324/000000000000/fast","WaitTimeSeconds":10})"),
      [&](Answer a) {
        polled_thread = std::this_thread::get_id();
        polled = std::move(a);
      });
  std::optional<Answer> sent;
  service_.Invoke(
      MakeCall("SendMessage",
               R"({"QueueUrl":"http://localhost:9324/000000000000/fast","MessageBody":"m"})"),
      [&](Answer a) { sent = std::move(a); });
  ASSERT_TRUE(RunIoUntil([&] { return polled.has_value() && sent.has_value(); }));
  ASSERT_TRUE(polled->ok()) << polled->status().message();
  EXPECT_EQ(polled_thread, std::this_thread::get_id());
  const auto& messages = polled->value().at("Messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("Body").as_string(), "m");
}

}  // namespace
}  // namespace ferry::sqs
