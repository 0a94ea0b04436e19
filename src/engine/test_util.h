// Test helpers shared by the engine's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/clock.h"
#include "engine/body_store.h"
#include "engine/local_engine.h"

namespace ferry::engine::testing {

// A memory body store that counts live bodies, to check that every path that
// drops a message releases its payload.
class CountingBodyStore final : public BodyStore {
 public:
  Result<BodyRef> Put(std::string_view payload) override {
    ++live_;
    return inner_->Put(payload);
  }
  Result<std::string> Get(BodyRef ref) const override { return inner_->Get(ref); }
  void Release(BodyRef ref) override {
    --live_;
    inner_->Release(ref);
  }
  int64_t live() const { return live_.load(); }

 private:
  std::unique_ptr<BodyStore> inner_ = NewMemoryBodyStore();
  std::atomic<int64_t> live_{0};
};

// A fixture with an in-memory engine over a CountingBodyStore and a FakeClock.
class MemoryEngineTest : public ::testing::Test {
 protected:
  MemoryEngineTest() {
    auto bodies = std::make_unique<CountingBodyStore>();
    bodies_ = bodies.get();
    engine_ = std::make_unique<LocalEngine>(clock_, std::move(bodies));
  }

  std::shared_ptr<Queue> Create(const std::string& name, QueueSettings settings = {}) {
    auto q = engine_->CreateQueue(name, std::move(settings), {});
    EXPECT_TRUE(q.ok()) << q.status().message();
    return q.ok() ? *q : nullptr;
  }

  FakeClock clock_;
  CountingBodyStore* bodies_;
  std::unique_ptr<LocalEngine> engine_;
};

}  // namespace ferry::engine::testing
