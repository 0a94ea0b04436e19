// Test helpers shared by the engine's unit tests.
#pragma once

#include <atomic>
#include <memory>

#include "engine/body_store.h"

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

}  // namespace ferry::engine::testing
