// FIFO queues in the engine: order per group, group locks, deduplication,
// receive attempts, and their recovery from the log and from checkpoints.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/durable_test_util.h"
#include "engine/local_queue.h"
#include "engine/queue_test_util.h"

namespace ferry::engine {
namespace {

QueueSettings Fifo(DedupScope scope = DedupScope::kQueue) {
  QueueSettings s;
  s.fifo = true;
  s.dedup_scope = scope;
  return s;
}

SendRequest Msg(const std::string& payload, const std::string& group,
                const std::string& dedup = "") {
  SendRequest req;
  req.payload = payload;
  req.group_id = group;
  req.dedup_id = dedup.empty() ? payload : dedup;
  return req;
}

std::vector<std::string> Payloads(const std::vector<ReceivedMessage>& got) {
  std::vector<std::string> out;
  for (const auto& m : got) out.push_back(m.payload);
  return out;
}

using Strings = std::vector<std::string>;

// Runs over both journals: a MemoryJournal and a WalJournal.
class FifoQueueTest : public ::testing::TestWithParam<testing::JournalKind> {
 protected:
  SendResult Send(const std::string& payload, const std::string& group,
                  const std::string& dedup = "") {
    auto r = q_->Send(Msg(payload, group, dedup));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SendResult{};
  }

  std::vector<ReceivedMessage> Receive(int max = 10, int64_t visibility_s = 30,
                                       const std::string& attempt = "") {
    ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout_s = visibility_s;
    req.attempt_id = attempt;
    auto r = q_->Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  FakeClock clock_;
  std::unique_ptr<testing::QueueBodies> bodies_ =
      std::make_unique<testing::QueueBodies>(GetParam());
  std::shared_ptr<LocalQueue> q_ = bodies_->MakeQueue("q.fifo", Fifo(), clock_);
};

INSTANTIATE_TEST_SUITE_P(Journals, FifoQueueTest, testing::JournalKinds(), testing::JournalName);

TEST_P(FifoQueueTest, SendNeedsGroupAndDedupId) {
  SendRequest no_group = Msg("a", "");
  EXPECT_EQ(q_->Send(no_group).status().code(), Code::kInvalidArgument);
  SendRequest no_dedup = Msg("a", "g");
  no_dedup.dedup_id.clear();
  EXPECT_EQ(q_->Send(no_dedup).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_P(FifoQueueTest, ReceiveReturnsOneGroupsMessagesInOrderThenTheNextGroup) {
  Send("a1", "a");
  Send("b1", "b");
  Send("a2", "a");
  Send("a3", "a");
  Send("b2", "b");
  auto got = Receive(10);
  EXPECT_EQ(Payloads(got), (Strings{"a1", "a2", "a3", "b1", "b2"}));
  EXPECT_EQ(got[0].group_id, "a");
  EXPECT_LT(got[0].sequence, got[1].sequence);
}

TEST_P(FifoQueueTest, GroupIsLockedWhileAnyOfItsMessagesIsInFlight) {
  Send("a1", "a");
  Send("a2", "a");
  Send("b1", "b");
  auto first = Receive(1);
  EXPECT_EQ(Payloads(first), (Strings{"a1"}));
  // a is locked; b keeps flowing.
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"b1"}));
  EXPECT_TRUE(Receive(10).empty());
  Send("b2", "b");
  EXPECT_TRUE(Receive(10).empty()) << "b1 is in flight, so b2 waits";
  ASSERT_TRUE(q_->Delete(first[0].receipt_handle).ok());
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a2"}));
}

TEST_P(FifoQueueTest, VisibilityExpiryRedeliversTheGroupInOrder) {
  Send("a1", "a");
  Send("a2", "a");
  Send("a3", "a");
  EXPECT_EQ(Payloads(Receive(2, 5)), (Strings{"a1", "a2"}));
  EXPECT_TRUE(Receive(10).empty());
  clock_.Advance(5000);
  auto again = Receive(10, 5);
  EXPECT_EQ(Payloads(again), (Strings{"a1", "a2", "a3"}));
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(again[2].receive_count, 1);
}

TEST_P(FifoQueueTest, ReleasingTheFirstMessageKeepsTheLockWhileTheSecondIsInFlight) {
  Send("a1", "a");
  Send("a2", "a");
  auto got = Receive(2);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(q_->ChangeVisibility(got[0].receipt_handle, 0).ok());
  EXPECT_TRUE(Receive(10).empty());
  ASSERT_TRUE(q_->ChangeVisibility(got[1].receipt_handle, 0).ok());
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a1", "a2"}));
}

TEST_P(FifoQueueTest, DeletingTheLastInFlightMessageWakesAWatcher) {
  Send("a1", "a");
  Send("a2", "a");
  auto got = Receive(1);
  int woken = 0;
  q_->Watch([&] { ++woken; });
  ASSERT_TRUE(q_->Delete(got[0].receipt_handle).ok());
  EXPECT_EQ(woken, 1);
}

TEST_P(FifoQueueTest, TickWakesWatchersOnlyForGroupsThatCanBeReceived) {
  Send("a1", "a");
  Send("a2", "a");
  Receive(1);
  int woken = 0;
  q_->Watch([&] { ++woken; });
  q_->Tick();
  EXPECT_EQ(woken, 0) << "a2 is visible but its group is locked";
}

TEST_P(FifoQueueTest, DuplicateWithinFiveMinutesReturnsTheOriginalAndIsNotDelivered) {
  SendResult original = Send("first", "g", "dedup-1");
  clock_.Advance(1000);
  auto dup = q_->Send(Msg("second", "other-group", "dedup-1"));
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->message_id, original.message_id);
  EXPECT_EQ(dup->sequence, original.sequence);
  EXPECT_EQ(bodies_->live(), 1) << "a duplicate stores no body";
  auto got = Receive(10);
  EXPECT_EQ(Payloads(got), (Strings{"first"}));
  // The window holds after the original is deleted...
  ASSERT_TRUE(q_->Delete(got[0].receipt_handle).ok());
  clock_.Advance(DedupWindow::kWindowMs - 1000 - 1);
  EXPECT_TRUE(q_->Send(Msg("third", "g", "dedup-1"))->duplicate);
  EXPECT_TRUE(Receive(10).empty());
  // ...and ends 5 minutes after the original send.
  clock_.Advance(1);
  auto fresh = q_->Send(Msg("fourth", "g", "dedup-1"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->duplicate);
  EXPECT_GT(fresh->sequence, original.sequence);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"fourth"}));
}

TEST_P(FifoQueueTest, MessageGroupScopeDeduplicatesWithinAGroupOnly) {
  q_ = bodies_->MakeQueue("q.fifo", Fifo(DedupScope::kMessageGroup), clock_);
  SendResult a = Send("a", "g1", "same");
  SendResult b = Send("b", "g2", "same");
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.message_id, b.message_id);
  auto dup = q_->Send(Msg("c", "g1", "same"));
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->message_id, a.message_id);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a", "b"}));
}

TEST_P(FifoQueueTest, RetriedReceiveAttemptReturnsTheSameMessagesAndHandles) {
  Send("a1", "a");
  Send("a2", "a");
  Send("b1", "b");
  auto first = Receive(2, 30, "attempt-1");
  ASSERT_EQ(Payloads(first), (Strings{"a1", "a2"}));
  auto retry = Receive(2, 30, "attempt-1");
  ASSERT_EQ(retry.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(retry[i].message_id, first[i].message_id);
    EXPECT_EQ(retry[i].receipt_handle, first[i].receipt_handle);
    EXPECT_EQ(retry[i].receive_count, 1);
  }
  // Another attempt id is another receive.
  EXPECT_EQ(Payloads(Receive(10, 30, "attempt-2")), (Strings{"b1"}));
  // Once a message of the attempt changed, the id starts a new receive.
  ASSERT_TRUE(q_->Delete(first[0].receipt_handle).ok());
  EXPECT_TRUE(Receive(10, 30, "attempt-1").empty());
}

TEST_P(FifoQueueTest, ReceiveAttemptsExpireAfterFiveMinutes) {
  Send("a1", "a");
  auto first = Receive(1, 600, "attempt");
  clock_.Advance(ReceiveAttempts::kWindowMs);
  EXPECT_TRUE(Receive(1, 600, "attempt").empty()) << "a new receive: a1 is still in flight";
  ASSERT_EQ(first.size(), 1u);
}

TEST_P(FifoQueueTest, RetentionExpiryOfAnInFlightMessageUnlocksItsGroup) {
  QueueSettings s = Fifo();
  s.retention_s = 60;
  q_ = bodies_->MakeQueue("q.fifo", s, clock_);
  Send("a1", "a");
  clock_.Advance(30'000);
  Send("a2", "a");
  Receive(1, 3600);
  clock_.Advance(31'000);  // a1 expires while in flight
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a2"}));
  EXPECT_EQ(bodies_->live(), 1);
}

TEST_P(FifoQueueTest, ExpiryOfADelayedFirstMessageLetsTheNextOneGo) {
  QueueSettings s = Fifo();
  s.retention_s = 60;
  s.delay_s = 900;
  q_ = bodies_->MakeQueue("q.fifo", s, clock_);
  Send("a1", "a");  // delayed past its retention
  s.delay_s = 0;
  ASSERT_TRUE(q_->SetSettings(s).ok());
  clock_.Advance(1000);
  Send("a2", "a");
  EXPECT_TRUE(Receive(10).empty()) << "a2 waits behind the delayed a1";
  clock_.Advance(59'500);  // a1 expires, a2 (sent 1 s later) not yet
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a2"}));
}

TEST_P(FifoQueueTest, PurgeEmptiesGroupsAndTheDedupWindow) {
  Send("a1", "a");
  Receive(1);
  ASSERT_TRUE(q_->Purge().ok());
  auto again = q_->Send(Msg("a1", "a"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->duplicate) << "a message sent again after a purge is stored";
  Send("a2", "a");
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a1", "a2"}));
  EXPECT_EQ(bodies_->live(), 2);
}

TEST_P(FifoQueueTest, GroupReleasedByChangeVisibilityZeroIsOfferedInTheSameReceiveAsOthers) {
  Send("g1-m1", "g1");
  auto held = Receive(1);
  ASSERT_EQ(Payloads(held), (Strings{"g1-m1"}));
  Send("g2-m1", "g2");
  ASSERT_TRUE(q_->ChangeVisibility(held[0].receipt_handle, 0).ok());
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"g2-m1", "g1-m1"}));
}

TEST_P(FifoQueueTest, GroupReleasedByAnEarlierReceivesHandleIsOfferedAgain) {
  Send("g1-m1", "g1");
  auto first = Receive(1, 5);
  clock_.Advance(5'000);
  auto second = Receive(1, 30);
  ASSERT_EQ(Payloads(second), (Strings{"g1-m1"}));
  Send("g2-m1", "g2");
  ASSERT_TRUE(q_->ChangeVisibility(first[0].receipt_handle, 0).ok());
  auto third = Receive(10);
  EXPECT_EQ(Payloads(third), (Strings{"g2-m1", "g1-m1"}));
  EXPECT_EQ(third[1].receive_count, 3);
}

TEST_P(FifoQueueTest, ShorterVisibilityUnlocksTheGroupWhenItPasses) {
  Send("g1-m1", "g1");
  Send("g1-m2", "g1");
  auto held = Receive(1, 30);
  Send("g2-m1", "g2");
  ASSERT_TRUE(q_->ChangeVisibility(held[0].receipt_handle, 2).ok());
  clock_.Advance(1'999);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"g2-m1"}));
  clock_.Advance(1);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"g1-m1", "g1-m2"}));
}

TEST_P(FifoQueueTest, ExtendedVisibilityKeepsTheGroupLockedExactlyAsLong) {
  Send("g1-m1", "g1");
  Send("g1-m2", "g1");
  auto held = Receive(1, 10);
  ASSERT_TRUE(q_->ChangeVisibility(held[0].receipt_handle, 60).ok());
  clock_.Advance(59'999);  // well past the first 10 s
  EXPECT_TRUE(Receive(10).empty());
  clock_.Advance(1);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"g1-m1", "g1-m2"}));
}

TEST_P(FifoQueueTest, ChangeVisibilityWithAnExpiredHandleLeavesTheGroupReady) {
  Send("g1-m1", "g1");
  auto held = Receive(1, 5);
  clock_.Advance(5'000);
  ASSERT_TRUE(q_->ChangeVisibility(held[0].receipt_handle, 60).ok());
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"g1-m1"}));
}

TEST_P(FifoQueueTest, QueueDelayHoldsEveryGroupMessage) {
  QueueSettings s = Fifo();
  s.delay_s = 10;
  q_ = bodies_->MakeQueue("q.fifo", s, clock_);
  Send("a1", "a");
  Send("a2", "a");
  EXPECT_TRUE(Receive(10).empty());
  EXPECT_EQ(q_->Stats().delayed, 2);
  clock_.Advance(10'000);
  EXPECT_EQ(Payloads(Receive(10)), (Strings{"a1", "a2"}));
}

// Durable FIFO queues: what a restart restores.
class DurableFifoTest : public testing::DurableEngineTest,
                        public ::testing::WithParamInterface<bool> {
 protected:
  DurableFifoTest() { checkpoint_on_restart_ = GetParam(); }

  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10, int64_t visibility_s = 30) {
    return DurableEngineTest::Receive(q, max, visibility_s);
  }
  static SendResult Send(Queue& q, const std::string& payload, const std::string& group,
                         const std::string& dedup = "") {
    auto r = q.Send(Msg(payload, group, dedup));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SendResult{};
  }
};

TEST_P(DurableFifoTest, RestartRestoresGroupOrderLocksAndSettings) {
  Open();
  QueueSettings s = Fifo(DedupScope::kMessageGroup);
  s.content_based_dedup = true;
  s.throughput_per_group = true;
  auto q = Create("orders.fifo", s);
  for (const char* p : {"a1", "b1", "a2", "a3", "b2"}) Send(*q, p, std::string(1, p[0]));
  auto held = Receive(*q, 1, 60);  // a1 in flight: a is locked
  ASSERT_EQ(Payloads(held), (Strings{"a1"}));
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  Restart();
  q = Find("orders.fifo");
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(q->fifo());
  EXPECT_EQ(q->settings(), s);
  EXPECT_EQ(q->Stats().visible, 4);
  EXPECT_EQ(q->Stats().in_flight, 1);
  EXPECT_EQ(Payloads(Receive(*q, 10, 3600)), (Strings{"b1", "b2"})) << "a stays locked by a1";
  clock_.Advance(60'000);
  auto again = Receive(*q);
  EXPECT_EQ(Payloads(again), (Strings{"a1", "a2", "a3"}));
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(again[0].message_id, held[0].message_id);
  // Sequences keep increasing after the restart.
  SendResult next = Send(*q, "a4", "a");
  EXPECT_GT(next.sequence, again[2].sequence);
}

TEST_P(DurableFifoTest, DedupWindowSurvivesDeleteAndRestartThenEnds) {
  Open();
  auto q = Create("dedup.fifo", Fifo());
  SendResult original = Send(*q, "once", "g", "token-1");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  Restart();
  q = Find("dedup.fifo");
  auto dup = q->Send(Msg("again", "g", "token-1"));
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->message_id, original.message_id);
  EXPECT_EQ(dup->sequence, original.sequence);
  EXPECT_TRUE(Receive(*q).empty());
  // A second restart (the window now comes from this engine's checkpoint or
  // log) still holds it; 5 minutes after the send it is gone.
  q.reset();
  Restart();
  q = Find("dedup.fifo");
  EXPECT_TRUE(q->Send(Msg("again", "g", "token-1"))->duplicate);
  clock_.Advance(DedupWindow::kWindowMs);
  auto fresh = q->Send(Msg("later", "g", "token-1"));
  EXPECT_FALSE(fresh->duplicate);
  EXPECT_EQ(Payloads(Receive(*q)), (Strings{"later"}));
}

TEST_P(DurableFifoTest, APurgeEmptiesTheDedupWindowAcrossARestart) {
  Open();
  auto q = Create("purged.fifo", Fifo());
  Send(*q, "first", "g", "token-1");
  ASSERT_TRUE(q->Purge().ok());
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  Restart();
  q = Find("purged.fifo");
  auto again = q->Send(Msg("second", "g", "token-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->duplicate);
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  Restart();  // the new send's id is in the window again, from this log
  q = Find("purged.fifo");
  EXPECT_TRUE(q->Send(Msg("third", "g", "token-1"))->duplicate);
  EXPECT_EQ(Payloads(Receive(*q)), (Strings{"second"}));
}

INSTANTIATE_TEST_SUITE_P(FromLogOrCheckpoint, DurableFifoTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Checkpoint" : "Log";
                         });

}  // namespace
}  // namespace ferry::engine
