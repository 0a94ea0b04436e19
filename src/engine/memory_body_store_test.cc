#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "engine/body_store.h"

namespace ferry::engine {
namespace {

TEST(MemoryBodyStoreTest, GetsWhatWasPutUntilReleased) {
  auto store = NewMemoryBodyStore();
  auto ref = store->Put("hello");
  ASSERT_TRUE(ref.ok());
  auto got = store->Get(*ref);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "hello");
  store->Release(*ref);
  EXPECT_EQ(store->Get(*ref).status().code(), Code::kNotFound);
  store->Release(*ref);  // releasing twice is harmless
}

TEST(MemoryBodyStoreTest, RefsIncrease) {
  auto store = NewMemoryBodyStore();
  BodyRef last = 0;
  for (int i = 0; i < 100; ++i) {
    BodyRef ref = *store->Put("x");
    EXPECT_GT(ref, last);
    last = ref;
  }
}

TEST(MemoryBodyStoreTest, ConcurrentPutsGetDistinctRefs) {
  auto store = NewMemoryBodyStore();
  constexpr int kThreads = 4, kPer = 2000;
  std::vector<std::vector<BodyRef>> refs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) refs[t].push_back(*store->Put(std::to_string(t * kPer + i)));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPer; ++i) EXPECT_EQ(*store->Get(refs[t][i]), std::to_string(t * kPer + i));
  }
}

}  // namespace
}  // namespace ferry::engine
