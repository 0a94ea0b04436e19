// Conformance: Queue::SendCopy, the copies of one message that a fan-out
// stores in many queues. Each copy is a message of its own queue: its own
// id, handle and state, durable like a send.
#include <set>
#include <string>
#include <vector>

#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

TEST_P(EngineConformanceTest, ACopyIsAMessageOfEachQueueWithItsOwnId) {
  std::vector<std::shared_ptr<Queue>> queues;
  for (int i = 0; i < 3; ++i) queues.push_back(Create("q" + std::to_string(i)));
  std::string payload = "one publish";
  for (const auto& q : queues) {
    ASSERT_TRUE(q->SendCopy({.payload = payload, .group_id = "g"}).ok());
  }
  payload.assign(payload.size(), 'x');  // the engine kept no view of it

  std::set<std::string> ids;
  for (const auto& q : queues) {
    auto got = Receive(*q);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload, "one publish");
    EXPECT_EQ(got[0].group_id, "g");
    EXPECT_EQ(got[0].message_id.size(), 36u);
    ids.insert(got[0].message_id);
  }
  EXPECT_EQ(ids.size(), queues.size());
}

TEST_P(EngineConformanceTest, DeletingOneCopyLeavesTheOthers) {
  auto a = Create("a");
  auto b = Create("b");
  ASSERT_TRUE(a->SendCopy({.payload = "m"}).ok());
  ASSERT_TRUE(b->SendCopy({.payload = "m"}).ok());
  auto got_a = Receive(*a);
  ASSERT_EQ(got_a.size(), 1u);
  ASSERT_TRUE(a->Delete(got_a[0].receipt_handle).ok());
  ASSERT_TRUE(a->Purge().ok());

  auto got_b = Receive(*b, 10, 30);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0].payload, "m");
  Advance(30'000);  // back from flight, and still there
  ASSERT_EQ(Receive(*b).size(), 1u);
  EXPECT_EQ(a->Stats().visible + a->Stats().in_flight, 0);
}

TEST_P(EngineConformanceTest, ACopyTakesTheQueuesDelay) {
  QueueSettings s;
  s.delay_s = 5;
  auto q = Create("q", s);
  ASSERT_TRUE(q->SendCopy({.payload = "late"}).ok());
  EXPECT_TRUE(Receive(*q).empty());
  Advance(5'000);
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(EngineConformanceTest, AFifoQueueDeduplicatesCopiesAndRefusesOneWithoutAGroup) {
  QueueSettings s;
  s.fifo = true;
  auto q = Create("q.fifo", s);
  EXPECT_EQ(q->SendCopy({.payload = "m", .dedup_id = "d"}).code(), Code::kInvalidArgument);
  ASSERT_TRUE(q->SendCopy({.payload = "m", .group_id = "g", .dedup_id = "d"}).ok());
  ASSERT_TRUE(q->SendCopy({.payload = "again", .group_id = "g", .dedup_id = "d"}).ok());
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "m");
  EXPECT_EQ(got[0].group_id, "g");
}

TEST_P(EngineConformanceTest, CopiesSurviveARestartAndStayIndependent) {
  auto a = Create("a");
  auto b = Create("b");
  ASSERT_TRUE(a->SendCopy({.payload = "kept"}).ok());
  ASSERT_TRUE(b->SendCopy({.payload = "kept"}).ok());
  auto got = Receive(*a);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(a->Delete(got[0].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  a.reset();
  b.reset();
  if (!Restart()) GTEST_SKIP() << "this engine keeps nothing across a restart";
  EXPECT_TRUE(Receive(*engine_->FindQueue("a")).empty());
  auto after = Receive(*engine_->FindQueue("b"));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].payload, "kept");
}

}  // namespace
}  // namespace ferry::engine::conformance
