// Test helpers for the durable engine: a temporary data directory and a
// fixture that opens, restarts and inspects an engine over it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "engine/local_engine.h"
#include "storage/log_format.h"
#include "storage/log_test_util.h"

namespace ferry::engine::testing {

using storage::testing::TempDir;

// A payload that names its message, of a length that varies with it.
inline std::string BodyOf(int i) {
  return "message " + std::to_string(i) + std::string(i % 97, '.');
}

// The payloads of `msgs`, their order aside.
inline std::set<std::string> Payloads(const std::vector<ReceivedMessage>& msgs) {
  std::set<std::string> out;
  for (const auto& m : msgs) out.insert(m.payload);
  return out;
}

// Waits, without sleeping, until pred() holds or 10 s pass; returns pred().
// For conditions that another thread (the log's writer) makes true.
inline bool WaitUntil(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class DurableEngineTest : public ::testing::Test {
 protected:
  DurableEngineTest() {
    options_.dir = dir_.path();
    // Small segments: each is zero-filled and synced when created.
    options_.segment_bytes = 2u << 20;
  }

  // Opens the engine on dir_; a previous engine must have been closed.
  void Open(RecoveryReport* report = nullptr) {
    auto opened = LocalEngine::OpenDurable(clock_, options_, report);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    engine_ = std::move(*opened);
  }

  // Closes the engine and opens it again with every file operation going
  // through `ops` (fault injection), retrying a failed batch every
  // millisecond. `ops` must outlive the engine.
  void ReopenWithFileOps(storage::FileOps* ops) {
    engine_.reset();
    options_.file_ops = ops;
    options_.retry_interval = std::chrono::milliseconds(1);
    Open();
  }

  // Destroys the engine (queues obtained from it must not be used after)
  // and opens a new one on the same directory.
  // With checkpoint_on_restart_, a checkpoint is written first, so that the
  // state is recovered from it rather than from the log.
  void Restart(RecoveryReport* report = nullptr) {
    if (checkpoint_on_restart_) {
      Status st = engine_->Checkpoint();
      EXPECT_TRUE(st.ok()) << st.message();
    }
    engine_.reset();
    Open(report);
  }

  std::shared_ptr<Queue> Create(const std::string& name, QueueSettings settings = {},
                                std::map<std::string, std::string> tags = {}) {
    auto q = engine_->CreateQueue(name, std::move(settings), std::move(tags));
    EXPECT_TRUE(q.ok()) << q.status().message();
    return q.ok() ? *q : nullptr;
  }

  std::shared_ptr<Queue> Find(const std::string& name) {
    auto q = engine_->FindQueue(name);
    EXPECT_NE(q, nullptr) << "no queue " << name;
    return q;
  }

  static SendResult Send(Queue& q, const std::string& payload, int64_t delay_s = -1,
                         const std::string& group = "") {
    SendRequest req;
    req.payload = payload;
    req.delay_s = delay_s;
    req.group_id = group;
    auto r = q.Send(std::move(req));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SendResult{};
  }

  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10, int64_t visibility_s = -1) {
    ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout_s = visibility_s;
    auto r = q.Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  // Receives every visible message (in batches of 10) with a long timeout.
  static std::vector<ReceivedMessage> ReceiveAll(Queue& q, int64_t visibility_s = 3600) {
    std::vector<ReceivedMessage> all;
    while (true) {
      auto got = Receive(q, 10, visibility_s);
      if (got.empty()) return all;
      all.insert(all.end(), got.begin(), got.end());
    }
  }

  // Blocks until everything changed so far is durable; returns its status.
  Status WaitDurable() {
    std::promise<Status> done;
    auto result = done.get_future();
    engine_->AfterDurable([&done](Status st) { done.set_value(st); });
    return result.get();
  }

  std::vector<uint64_t> SegmentsOnDisk() const {
    std::vector<uint64_t> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      uint64_t s;
      if (storage::ParseSegmentFileName(e.path().filename().string(), &s)) out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  FakeClock clock_;
  TempDir dir_;
  DurableOptions options_;
  std::unique_ptr<LocalEngine> engine_;
  bool checkpoint_on_restart_ = false;
};

}  // namespace ferry::engine::testing
