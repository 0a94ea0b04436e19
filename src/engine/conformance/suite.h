// The engine conformance suite: what every Engine must do, written against
// engine.h alone. Each engine runs it by instantiating the suite with a
// factory of its engines, e.g.
//
//   INSTANTIATE_TEST_SUITE_P(Local, EngineConformanceTest,
//                            ::testing::Values(EngineParam{"Memory", MakeFactory}),
//                            conformance::ParamName);
//
// The tests drive time with a FakeClock and Engine::Tick, never by sleeping.
// Calls an engine may complete on another thread (AfterDurable, a watcher
// that fires later) are awaited with a bounded wait.
//
// Thread-safety: a fixture is used by its test's thread only.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "engine/engine.h"

namespace ferry::engine::conformance {

// Makes the engines of one implementation, and owns what they need outside
// the process (a data directory, a database schema) for as long as it lives.
class EngineFactory {
 public:
  virtual ~EngineFactory() = default;
  // A new, empty engine reading time from `clock`, with the default queue
  // reuse delay. Fails the test and returns null when it cannot.
  virtual std::unique_ptr<Engine> Make(const Clock& clock) = 0;
  // Engines that keep their state outside the process: a new engine over
  // the state of the one made before, which the caller has destroyed (a
  // restart). Null, the default, for engines that keep nothing.
  virtual std::unique_ptr<Engine> Reopen(const Clock& clock) { return nullptr; }
  // Called by a restart with the engine about to be destroyed: a factory
  // may make it write what it recovers from (a local engine's checkpoint).
  virtual void BeforeRestart(Engine& engine) {}
};

struct EngineParam {
  std::string name;  // the test name's suffix: letters, digits and '_' only
  std::function<std::unique_ptr<EngineFactory>()> factory;
};

// Names each instantiation after its EngineParam::name.
std::string ParamName(const ::testing::TestParamInfo<EngineParam>& info);

class EngineConformanceTest : public ::testing::TestWithParam<EngineParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::shared_ptr<Queue> Create(const std::string& name, QueueSettings settings = {},
                                std::map<std::string, std::string> tags = {});
  static SendResult Send(Queue& q, const std::string& payload, int64_t delay_s = -1);
  static SendResult SendFifo(Queue& q, const std::string& payload, const std::string& group,
                             const std::string& dedup_id);
  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10, int64_t visibility_s = -1);
  // Advances the clock and ticks the engine once.
  void Advance(TimeMs ms);
  // Receives the queue's one visible message `n` times, letting a 30 s
  // visibility timeout pass after each.
  void ReceiveAndAbandon(Queue& q, int n);
  // Waits up to 10 s, without sleeping, for pred() to hold; returns pred().
  static bool WaitUntil(const std::function<bool()>& pred);
  // Queues "src" and "dlq", its dead-letter queue (maxReceiveCount 1), and
  // a message sent to src that a receive has moved to dlq: {src, dlq}.
  std::pair<std::shared_ptr<Queue>, std::shared_ptr<Queue>> DeadLetterOne();
  // The source's newest move task.
  MoveTaskInfo NewestTask(const std::string& source);
  // Waits until everything changed so far is durable (AfterDurable);
  // returns its status.
  Status WaitDurable();
  // Destroys the engine and opens it again over its state
  // (EngineFactory::Reopen); false, with the engine gone, for an engine
  // that keeps nothing.
  bool Restart();

  FakeClock clock_;
  std::unique_ptr<EngineFactory> factory_;
  std::unique_ptr<Engine> engine_;
};

// Settings of a FIFO queue, optionally with a dead-letter queue.
QueueSettings Fifo(const std::string& dlq = "", int64_t max_receives = 0);
// Settings of a standard queue with a dead-letter queue.
QueueSettings WithDeadLetterQueue(const std::string& dlq, int64_t max_receives);

}  // namespace ferry::engine::conformance
