// Test helpers for running one queue suite over both journals (journal.h),
// as the queue, FIFO and dead-letter suites do: TEST_P bodies instantiated
// with JournalKinds(), each building its queues on a QueueBodies.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/local_engine.h"
#include "engine/local_queue.h"
#include "engine/log_body_store.h"
#include "engine/test_util.h"
#include "storage/log.h"
#include "storage/log_test_util.h"

namespace ferry::engine::testing {

enum class JournalKind { kMemory, kWal };

inline auto JournalKinds() { return ::testing::Values(JournalKind::kMemory, JournalKind::kWal); }

inline std::string JournalName(const ::testing::TestParamInfo<JournalKind>& info) {
  return info.param == JournalKind::kMemory ? "MemoryJournal" : "WalJournal";
}

// Where the queues of one test keep their bodies and record their changes.
// kMemory: a MemoryJournal over a CountingBodyStore. kWal: a WalJournal over
// a log in a temporary directory, bodies in a LogBodyStore. Queues built on
// it must be destroyed first.
class QueueBodies {
 public:
  explicit QueueBodies(JournalKind kind) {
    if (kind == JournalKind::kMemory) {
      counting_ = std::make_shared<CountingBodyStore>();
      return;
    }
    // Queues seal their bodies by default (encryption at rest): the log
    // needs the keys to write and read them.
    auto keyring = storage::Keyring::Load({.dir = dir_.path()});
    EXPECT_TRUE(keyring.ok()) << keyring.status().message();
    if (keyring.ok()) {
      keyring_ = std::move(*keyring);
      Status sealing = keyring_->StartSealing();
      EXPECT_TRUE(sealing.ok()) << sealing.message();
    }
    storage::LogOptions options;
    options.dir = dir_.path();
    options.segment_bytes = 16u << 20;
    options.fsync = storage::FsyncMode::kNever;  // what is written is not what is tested
    options.keyring = keyring_.get();
    auto log = storage::Log::Open(options, 0, 0);
    EXPECT_TRUE(log.ok()) << log.status().message();
    if (log.ok()) log_ = std::move(*log);
    log_bodies_ = std::make_shared<LogBodyStore>(log_.get());
  }

  // The store to hand a queue, and its journal with a fresh queue id.
  std::shared_ptr<BodyStore> store() const {
    if (counting_) return counting_;
    return log_bodies_;
  }
  QueueLog journal() {
    if (counting_) return {};
    return QueueLog{log_.get(), log_bodies_.get(), next_id_++, 0};
  }
  std::shared_ptr<LocalQueue> MakeQueue(const std::string& name, QueueSettings settings,
                                        const Clock& clock,
                                        std::shared_ptr<QueueMover> mover = nullptr) {
    return std::make_shared<LocalQueue>(name, std::move(settings),
                                        std::map<std::string, std::string>{}, clock, store(),
                                        journal(), std::move(mover));
  }

  // Bodies stored and not yet released.
  int64_t live() const {
    if (counting_) return counting_->live();
    int64_t n = 0;
    for (const auto& [segment, count] : log_bodies_->LiveBySegment()) {
      n += static_cast<int64_t>(count);
    }
    return n;
  }

 private:
  storage::testing::TempDir dir_;
  std::unique_ptr<storage::Keyring> keyring_;  // the log reads it: declared first
  std::unique_ptr<storage::Log> log_;
  std::shared_ptr<LogBodyStore> log_bodies_;
  std::shared_ptr<CountingBodyStore> counting_;
  uint64_t next_id_ = 1;
};

// A fixture with an engine whose queues record in the journal of the test's
// parameter: an in-memory engine over a CountingBodyStore (MemoryJournal), or
// a durable one over a temporary directory (WalJournal).
class JournalEngineTest : public ::testing::TestWithParam<JournalKind> {
 protected:
  JournalEngineTest() {
    if (GetParam() == JournalKind::kMemory) {
      auto bodies = std::make_unique<CountingBodyStore>();
      counting_ = bodies.get();
      engine_ = std::make_unique<LocalEngine>(clock_, std::move(bodies));
      return;
    }
    DurableOptions options;
    options.dir = dir_.path();
    options.segment_bytes = 2u << 20;
    options.fsync = storage::FsyncMode::kNever;
    auto opened = LocalEngine::OpenDurable(clock_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    if (opened.ok()) engine_ = std::move(*opened);
  }

  std::shared_ptr<Queue> Create(const std::string& name, QueueSettings settings = {}) {
    auto q = engine_->CreateQueue(name, std::move(settings), {});
    EXPECT_TRUE(q.ok()) << q.status().message();
    return q.ok() ? *q : nullptr;
  }

  // Bodies stored and not yet released, where the test can count them: in
  // the in-memory engine (a durable engine counts its bodies per segment,
  // inside).
  std::optional<int64_t> live_bodies() const {
    if (counting_ == nullptr) return std::nullopt;
    return counting_->live();
  }

  FakeClock clock_;
  storage::testing::TempDir dir_;
  CountingBodyStore* counting_ = nullptr;
  std::unique_ptr<LocalEngine> engine_;
};

}  // namespace ferry::engine::testing
