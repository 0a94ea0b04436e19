#include "engine/postgres/pg_barrier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "engine/postgres/pg_test_server.h"

namespace ferry::engine::pg {
namespace {

TEST(DurabilityBarrierTest, CallbacksThatArriveTogetherShareOneBarrier) {
  FERRY_PG_NEW_DATABASE_OR_SKIP(url);
  DurabilityBarrier barrier(url);
  constexpr int kCallbacks = 200;
  std::atomic<int> ok{0};
  std::atomic<int> calls{0};
  for (int i = 0; i < kCallbacks; ++i) {
    barrier.After([&](Status st) {
      if (st.ok()) ++ok;
      ++calls;
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (calls.load() < kCallbacks && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ok.load(), kCallbacks);
  EXPECT_GE(barrier.barriers(), 1u);
  EXPECT_LT(barrier.barriers(), static_cast<uint64_t>(kCallbacks) / 2)
      << "callbacks queued while a barrier runs share the next one";
}

TEST(DurabilityBarrierTest, AnUnreachableDatabaseCallsBackUnavailable) {
  DurabilityBarrier barrier("postgresql://ferry@127.0.0.1:1/x");
  std::promise<Status> done;
  barrier.After([&done](Status st) { done.set_value(std::move(st)); });
  EXPECT_EQ(done.get_future().get().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace ferry::engine::pg
