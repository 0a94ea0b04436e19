// Conformance: the message state machine of a standard queue — send,
// receive, delete, visibility, purge, stats, delays, retention — and long
// polling's watchers.
#include <atomic>
#include <set>

#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

TEST_P(EngineConformanceTest, ASentMessageIsReceivedWithItsIdPayloadAndAHandle) {
  auto q = Create("q");
  const SendResult sent = Send(*q, "hello");
  EXPECT_EQ(sent.message_id.size(), 36u);
  EXPECT_FALSE(sent.duplicate);
  const TimeMs now = clock_.NowMs();
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(got[0].payload, "hello");
  EXPECT_FALSE(got[0].receipt_handle.empty());
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_EQ(got[0].sent_ms, now);
  EXPECT_EQ(got[0].first_receive_ms, now);
}

TEST_P(EngineConformanceTest, SequencesIncreaseWithEachSend) {
  auto q = Create("q");
  const uint64_t first = Send(*q, "a").sequence;
  const uint64_t second = Send(*q, "b").sequence;
  EXPECT_LT(first, second);
}

TEST_P(EngineConformanceTest, AReceiveReturnsAtMostMaxMessagesAndEachOnlyOnce) {
  auto q = Create("q");
  for (int i = 0; i < 5; ++i) Send(*q, "m" + std::to_string(i));
  auto first = Receive(*q, 3);
  auto second = Receive(*q, 3);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(second.size(), 2u);
  std::set<std::string> ids;
  for (const auto& m : first) ids.insert(m.message_id);
  for (const auto& m : second) ids.insert(m.message_id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_TRUE(Receive(*q).empty());
}

TEST_P(EngineConformanceTest, AReceivedMessageReturnsWhenItsVisibilityTimeoutPasses) {
  QueueSettings s;
  s.visibility_timeout_s = 30;
  auto q = Create("q", s);
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  Advance(29'999);
  EXPECT_TRUE(Receive(*q).empty());
  Advance(1);
  auto again = Receive(*q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
}

TEST_P(EngineConformanceTest, AReceiveCanSetItsOwnVisibilityTimeout) {
  auto q = Create("q");
  Send(*q, "m");
  ASSERT_EQ(Receive(*q, 1, 5).size(), 1u);
  Advance(5'000);
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(EngineConformanceTest, DeleteWithTheLatestHandleRemovesTheMessage) {
  auto q = Create("q");
  Send(*q, "m");
  auto got = Receive(*q, 1, 0);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  EXPECT_TRUE(Receive(*q).empty());
  EXPECT_EQ(q->Stats().visible + q->Stats().in_flight, 0);
  EXPECT_TRUE(q->Delete(got[0].receipt_handle).ok()) << "deletes are idempotent";
}

TEST_P(EngineConformanceTest, DeleteWithAStaleHandleSucceedsWithoutDeleting) {
  auto q = Create("q");
  Send(*q, "m");
  auto first = Receive(*q, 1, 0);
  ASSERT_EQ(first.size(), 1u);
  auto second = Receive(*q, 1, 30);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(q->Delete(first[0].receipt_handle).ok());
  EXPECT_EQ(q->Stats().in_flight, 1);
  EXPECT_TRUE(q->Delete(second[0].receipt_handle).ok());
  EXPECT_EQ(q->Stats().in_flight, 0);
}

TEST_P(EngineConformanceTest, AMalformedOrForeignReceiptHandleIsInvalidArgument) {
  auto a = Create("a");
  auto b = Create("b");
  Send(*a, "m");
  auto got = Receive(*a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(a->Delete("not-a-handle").code(), Code::kInvalidArgument);
  EXPECT_EQ(a->ChangeVisibility("not-a-handle", 0).code(), Code::kInvalidArgument);
  EXPECT_EQ(b->Delete(got[0].receipt_handle).code(), Code::kInvalidArgument);
  EXPECT_EQ(a->Stats().in_flight, 1);
}

TEST_P(EngineConformanceTest, ChangeVisibilityToZeroMakesTheMessageVisibleAtOnce) {
  auto q = Create("q");
  Send(*q, "m");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 0).ok());
  EXPECT_EQ(q->Stats().visible, 1);
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(EngineConformanceTest, ChangeVisibilitySetsANewDeadlineFromNow) {
  auto q = Create("q");
  Send(*q, "m");
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  Advance(20'000);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 60).ok());
  Advance(59'999);
  EXPECT_TRUE(Receive(*q).empty());
  Advance(1);
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(EngineConformanceTest, ChangeVisibilityOfADeletedMessageIsNotFound) {
  auto q = Create("q");
  Send(*q, "m");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  EXPECT_EQ(q->ChangeVisibility(got[0].receipt_handle, 10).code(), Code::kNotFound);
}

TEST_P(EngineConformanceTest, PurgeRemovesMessagesInEveryState) {
  auto q = Create("q");
  Send(*q, "visible");
  Send(*q, "delayed", 60);
  Send(*q, "in flight");
  ASSERT_EQ(Receive(*q, 1).size(), 1u);
  ASSERT_TRUE(q->Purge().ok());
  const QueueStats stats = q->Stats();
  EXPECT_EQ(stats.visible + stats.in_flight + stats.delayed, 0);
  Advance(120'000);
  EXPECT_TRUE(Receive(*q).empty());
}

TEST_P(EngineConformanceTest, StatsCountVisibleDelayedAndInFlightMessages) {
  auto q = Create("q");
  EXPECT_EQ(q->Stats().oldest_sent_ms, 0);
  const TimeMs first_sent = clock_.NowMs();
  Send(*q, "a");
  clock_.Advance(1'000);
  Send(*q, "b");
  Send(*q, "c", 10);
  ASSERT_EQ(Receive(*q, 1).size(), 1u);
  const QueueStats stats = q->Stats();
  EXPECT_EQ(stats.visible, 1);
  EXPECT_EQ(stats.in_flight, 1);
  EXPECT_EQ(stats.delayed, 1);
  EXPECT_EQ(stats.oldest_sent_ms, first_sent);
}

TEST_P(EngineConformanceTest, ADelayedMessageBecomesVisibleWhenItsDelayPasses) {
  QueueSettings s;
  s.delay_s = 5;
  auto q = Create("q", s);
  Send(*q, "queue delay");
  Send(*q, "own delay", 10);
  Send(*q, "no delay", 0);
  EXPECT_EQ(Receive(*q).size(), 1u);
  Advance(4'999);
  EXPECT_TRUE(Receive(*q).empty());
  Advance(1);
  auto after_5s = Receive(*q);
  ASSERT_EQ(after_5s.size(), 1u);
  EXPECT_EQ(after_5s[0].payload, "queue delay");
  Advance(5'000);
  auto after_10s = Receive(*q);
  ASSERT_EQ(after_10s.size(), 1u);
  EXPECT_EQ(after_10s[0].payload, "own delay");
}

TEST_P(EngineConformanceTest, MessagesOlderThanTheRetentionPeriodAreDropped) {
  QueueSettings s;
  s.retention_s = 60;
  auto q = Create("q", s);
  Send(*q, "old");
  clock_.Advance(30'000);
  Send(*q, "newer");
  Advance(30'000);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "newer");
  EXPECT_EQ(q->Stats().in_flight, 1);
}

TEST_P(EngineConformanceTest, NextWakeMsIsTheEarliestDelayOrVisibilityDeadline) {
  auto q = Create("q");
  EXPECT_EQ(q->NextWakeMs(), INT64_MAX);
  const TimeMs now = clock_.NowMs();
  Send(*q, "later", 20);
  Send(*q, "now");
  ASSERT_EQ(Receive(*q, 1, 5).size(), 1u);
  EXPECT_EQ(q->NextWakeMs(), now + 5'000);
}

TEST_P(EngineConformanceTest, AWatcherFiresOnceWhenAMessageIsSent) {
  auto q = Create("q");
  std::atomic<int> calls{0};
  q->Watch([&calls] { ++calls; });
  Send(*q, "m");
  EXPECT_TRUE(WaitUntil([&] { return calls.load() == 1; }));
  Send(*q, "again");
  engine_->Tick();
  EXPECT_EQ(calls.load(), 1) << "a watcher is one-shot";
}

TEST_P(EngineConformanceTest, AWatcherFiresWhenADelayedMessageBecomesVisible) {
  auto q = Create("q");
  Send(*q, "m", 5);
  std::atomic<int> calls{0};
  q->Watch([&calls] { ++calls; });
  Advance(4'999);
  EXPECT_EQ(calls.load(), 0);
  Advance(1);
  EXPECT_TRUE(WaitUntil([&] { return calls.load() == 1; }));
}

TEST_P(EngineConformanceTest, AnUnwatchedWatcherDoesNotFire) {
  auto q = Create("q");
  std::atomic<int> calls{0};
  const uint64_t token = q->Watch([&calls] { ++calls; });
  q->Unwatch(token);
  Send(*q, "m");
  engine_->Tick();
  EXPECT_EQ(calls.load(), 0);
}

TEST_P(EngineConformanceTest, DeletingAQueueWakesItsWatchers) {
  auto q = Create("q");
  std::atomic<int> calls{0};
  q->Watch([&calls] { ++calls; });
  q->Watch([&calls] { ++calls; });
  ASSERT_TRUE(engine_->DeleteQueue("q").ok());
  EXPECT_TRUE(WaitUntil([&] { return calls.load() == 2; }));
}

TEST_P(EngineConformanceTest, AfterDurableCallsBackOnceWithOk) {
  auto q = Create("q");
  Send(*q, "m");
  std::atomic<int> calls{0};
  std::atomic<bool> ok{false};
  engine_->AfterDurable([&](Status st) {
    ok = st.ok();
    ++calls;
  });
  ASSERT_TRUE(WaitUntil([&] { return calls.load() == 1; }));
  EXPECT_TRUE(ok.load());
  engine_->AfterDurable([&](Status) { ++calls; });
  EXPECT_TRUE(WaitUntil([&] { return calls.load() == 2; })) << "with nothing new to wait for";
}

}  // namespace
}  // namespace ferry::engine::conformance
