// Conformance: Queue::SendCopy, the copies of one message that a fan-out
// stores in many queues. Each copy is a message of its own queue: its own
// id, handle and state, durable like a send.
#include <set>
#include <span>
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

// Engine::SendDedupedCopies, a FIFO topic's publish: the entry gives the
// copies their message id; a duplicate of it stores no copy and answers
// with the first message's id and sequence.
TEST_P(EngineConformanceTest, ADuplicatePublishStoresNoCopiesAndReturnsTheFirstMessagesId) {
  auto dedup = Create("topic-dedup.fifo", Fifo());
  auto a = Create("a");
  auto f = Create("f.fifo", Fifo());
  SendRequest entry;
  entry.group_id = "g";
  entry.dedup_id = "d";
  std::vector<std::string> payloads;
  std::vector<CopyTarget> targets;
  int made = 0;
  const CopiesFor make = [&](const SendResult& e) -> Result<std::span<const CopyTarget>> {
    ++made;
    payloads = {"copy of " + e.message_id};
    targets = {{a.get(), {.payload = payloads[0]}},
               {f.get(), {.payload = payloads[0], .group_id = "g", .dedup_id = "d"}}};
    return std::span<const CopyTarget>(targets);
  };
  auto first = engine_->SendDedupedCopies(*dedup, entry, make);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->entry.duplicate);
  ASSERT_EQ(first->copies.size(), 2u);
  for (const Status& s : first->copies) EXPECT_TRUE(s.ok()) << s.message();

  auto again = engine_->SendDedupedCopies(*dedup, entry, make);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->entry.duplicate);
  EXPECT_EQ(again->entry.message_id, first->entry.message_id);
  EXPECT_EQ(again->entry.sequence, first->entry.sequence);
  EXPECT_TRUE(again->copies.empty());
  EXPECT_EQ(made, 1);

  for (const auto& q : {a, f}) {
    auto got = Receive(*q, 10);
    ASSERT_EQ(got.size(), 1u) << q->name();
    EXPECT_EQ(got[0].payload, "copy of " + first->entry.message_id);
  }
}

// A copy-maker's error fails the publish; on an engine with transactions
// it also leaves no deduplication entry, so the retry stores the copies.
TEST_P(EngineConformanceTest, APublishWhoseCopiesCannotBeMadeFails) {
  auto dedup = Create("topic-dedup.fifo", Fifo());
  auto a = Create("a");
  SendRequest entry;
  entry.group_id = "g";
  entry.dedup_id = "d";
  auto failed = engine_->SendDedupedCopies(
      *dedup, entry, [](const SendResult&) -> Result<std::span<const CopyTarget>> {
        return Status::Internal("no envelope");
      });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kInternal);
  EXPECT_TRUE(Receive(*a).empty());
}

}  // namespace
}  // namespace ferry::engine::conformance
