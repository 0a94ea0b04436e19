#include "engine/local_engine.h"

#include <gtest/gtest.h>

#include "engine/test_util.h"

namespace ferry::engine {
namespace {

class EngineTest : public testing::MemoryEngineTest {
 protected:
  static void SendTo(Queue& q, const std::string& payload, int64_t delay_s = -1) {
    SendRequest req;
    req.payload = payload;
    req.delay_s = delay_s;
    ASSERT_TRUE(q.Send(std::move(req)).ok());
  }
};

TEST_F(EngineTest, AnInMemoryEngineIsAlwaysHealthy) {
  EXPECT_TRUE(engine_->Health().ok());
  auto q = Create("q");
  SendTo(*q, "m");
  EXPECT_TRUE(engine_->Health().ok());
}

TEST_F(EngineTest, CreateQueueReturnsExistingWhenSettingsEqual) {
  auto q = engine_->CreateQueue("a", {}, {{"team", "x"}});
  ASSERT_TRUE(q.ok());
  auto again = engine_->CreateQueue("a", {}, {{"team", "y"}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(q->get(), again->get());
  EXPECT_EQ((*again)->tags().at("team"), "x");  // tags of a repeated create are ignored
}

TEST_F(EngineTest, CreateQueueWithDifferentSettingsIsAlreadyExists) {
  Create("a");
  QueueSettings other;
  other.visibility_timeout_s = 60;
  EXPECT_EQ(engine_->CreateQueue("a", other, {}).status().code(), Code::kAlreadyExists);
  QueueSettings extra;
  extra.extra["Policy"] = "{}";
  EXPECT_EQ(engine_->CreateQueue("a", extra, {}).status().code(), Code::kAlreadyExists);
}

TEST_F(EngineTest, RecreatingWithin60SecondsOfDeleteFails) {
  Create("a");
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  clock_.Advance(59'999);
  EXPECT_EQ(engine_->CreateQueue("a", {}, {}).status().code(), Code::kFailedPrecondition);
  clock_.Advance(1);
  EXPECT_TRUE(engine_->CreateQueue("a", {}, {}).ok());
}

TEST_F(EngineTest, FindQueue) {
  auto q = Create("a");
  EXPECT_EQ(engine_->FindQueue("a"), q);
  EXPECT_EQ(engine_->FindQueue("b"), nullptr);
}

TEST_F(EngineTest, DeleteMissingQueueIsNotFound) {
  EXPECT_EQ(engine_->DeleteQueue("nope").code(), Code::kNotFound);
}

TEST_F(EngineTest, DeleteQueueDropsMessagesAndReleasesBodies) {
  auto q = Create("a");
  SendTo(*q, "x");
  SendTo(*q, "y", 100);
  ASSERT_EQ(bodies_->live(), 2);
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  EXPECT_EQ(bodies_->live(), 0);
  EXPECT_EQ(engine_->FindQueue("a"), nullptr);
}

TEST_F(EngineTest, DeletedQueueHolderKeepsWorkingOnOrphan) {
  auto q = Create("a");
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  SendTo(*q, "orphan");
  auto got = q->Receive({});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE(q->Delete((*got)[0].receipt_handle).ok());
  SendTo(*q, "left behind");
  q.reset();  // the last holder releases what the orphan still stored
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_F(EngineTest, DeleteQueueWakesLongPollers) {
  auto q = Create("a");
  int calls = 0;
  q->Watch([&] { ++calls; });
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(EngineTest, HandleFromDeletedAndRecreatedQueueIsInvalid) {
  auto old_q = Create("a");
  SendTo(*old_q, "m");
  auto got = old_q->Receive({});
  ASSERT_EQ(got->size(), 1u);
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  clock_.Advance(60'000);
  auto q = Create("a");
  SendTo(*q, "m");
  ASSERT_EQ(q->Receive({})->size(), 1u);
  EXPECT_EQ(q->Delete((*got)[0].receipt_handle).code(), Code::kInvalidArgument);
}

TEST_F(EngineTest, ListQueuesByPrefixInOrder) {
  for (const char* n : {"orders-b", "orders-a", "billing", "orders", "ordersz", "p"}) Create(n);
  EXPECT_EQ(engine_->ListQueues("orders"),
            (std::vector<std::string>{"orders", "orders-a", "orders-b", "ordersz"}));
  EXPECT_EQ(engine_->ListQueues("").size(), 6u);
  EXPECT_TRUE(engine_->ListQueues("zzz").empty());
  ASSERT_TRUE(engine_->DeleteQueue("orders-a").ok());
  EXPECT_EQ(engine_->ListQueues("orders-"), (std::vector<std::string>{"orders-b"}));
}

TEST_F(EngineTest, CreatedAndModifiedTimes) {
  const TimeMs t0 = clock_.NowMs();
  auto q = Create("a");
  EXPECT_EQ(q->created_ms(), t0);
  EXPECT_EQ(q->modified_ms(), t0);
  clock_.Advance(1'000);
  ASSERT_TRUE(q->Tag({{"k", "v"}}).ok());
  EXPECT_EQ(q->modified_ms(), t0);
  QueueSettings s = q->settings();
  s.visibility_timeout_s = 99;
  ASSERT_TRUE(q->SetSettings(s).ok());
  EXPECT_EQ(q->modified_ms(), t0 + 1'000);
  EXPECT_EQ(q->settings().visibility_timeout_s, 99);
  EXPECT_EQ(q->created_ms(), t0);
}

TEST_F(EngineTest, TagAndUntag) {
  auto q = Create("a");
  ASSERT_TRUE(q->Tag({{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(q->Tag({{"b", "3"}}).ok());
  ASSERT_TRUE(q->Untag({"a", "missing"}).ok());
  EXPECT_EQ(q->tags(), (std::map<std::string, std::string>{{"b", "3"}}));
}

TEST_F(EngineTest, TickPromotesEveryQueueAndWakesWatchers) {
  auto a = Create("a");
  auto b = Create("b");
  SendTo(*a, "x", 5);
  SendTo(*b, "y", 10);
  int woken_a = 0, woken_b = 0;
  a->Watch([&] { ++woken_a; });
  b->Watch([&] { ++woken_b; });
  clock_.Advance(5'000);
  engine_->Tick();
  EXPECT_EQ(woken_a, 1);
  EXPECT_EQ(woken_b, 0);
  clock_.Advance(5'000);
  engine_->Tick();
  EXPECT_EQ(woken_b, 1);
}

TEST_F(EngineTest, DefaultsToMemoryBodyStore) {
  LocalEngine engine(clock_, nullptr);
  auto q = engine.CreateQueue("a", {}, {});
  ASSERT_TRUE(q.ok());
  SendTo(**q, "body");
  EXPECT_EQ((*q)->Receive({})->at(0).payload, "body");
}

}  // namespace
}  // namespace ferry::engine
