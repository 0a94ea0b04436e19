// Conformance: Queue::Peek (messages looked at without being received) and
// the counters of QueueStats.
#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

PeekResult PeekAll(Queue& q, PeekRequest req = {}) {
  Result<PeekResult> got = q.Peek(req);
  EXPECT_TRUE(got.ok()) << got.status().message();
  return got.ok() ? std::move(got).value() : PeekResult{};
}

TEST_P(EngineConformanceTest, PeekReturnsMessagesOldestFirstWithTheirIdsAndPayloads) {
  auto q = Create("q");
  const TimeMs now = clock_.NowMs();
  const SendResult a = Send(*q, "a");
  const SendResult b = Send(*q, "b");
  const PeekResult got = PeekAll(*q);
  ASSERT_EQ(got.messages.size(), 2u);
  EXPECT_EQ(got.messages[0].message_id, a.message_id);
  EXPECT_EQ(got.messages[0].sequence, a.sequence);
  EXPECT_EQ(got.messages[0].payload, "a");
  EXPECT_EQ(got.messages[0].state, PeekedState::kVisible);
  EXPECT_EQ(got.messages[0].sent_ms, now);
  EXPECT_EQ(got.messages[0].receive_count, 0);
  EXPECT_EQ(got.messages[0].first_receive_ms, 0);
  EXPECT_EQ(got.messages[1].message_id, b.message_id);
  EXPECT_EQ(got.next_sequence, 0u) << "nothing after the last message";
}

TEST_P(EngineConformanceTest, PeekChangesNeitherVisibilityNorReceiveCounts) {
  auto q = Create("q");
  Send(*q, "m");
  ASSERT_EQ(PeekAll(*q).messages.size(), 1u);
  ASSERT_EQ(PeekAll(*q).messages.size(), 1u);
  EXPECT_EQ(q->Stats().visible, 1);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receive_count, 1) << "peeks are not receives";
  EXPECT_EQ(q->Stats().received, 1u);
}

TEST_P(EngineConformanceTest, PeekReportsAReceivedMessageAsInFlightWithItsDeadline) {
  auto q = Create("q");
  Send(*q, "m");
  const TimeMs now = clock_.NowMs();
  auto received = Receive(*q, 1, 60);
  ASSERT_EQ(received.size(), 1u);
  const PeekResult got = PeekAll(*q);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].state, PeekedState::kInFlight);
  EXPECT_EQ(got.messages[0].receive_count, 1);
  EXPECT_EQ(got.messages[0].first_receive_ms, now);
  EXPECT_EQ(got.messages[0].visible_at_ms, now + 60'000);

  PeekRequest visible_only;
  visible_only.include_in_flight = false;
  EXPECT_TRUE(PeekAll(*q, visible_only).messages.empty());
  // The receive's handle is still the current one: it deletes the message.
  ASSERT_TRUE(q->Delete(received[0].receipt_handle).ok());
  EXPECT_TRUE(PeekAll(*q).messages.empty());
}

TEST_P(EngineConformanceTest, PeekReportsDelayedMessagesUnlessAskedNotTo) {
  auto q = Create("q");
  const TimeMs now = clock_.NowMs();
  Send(*q, "later", 10);
  const PeekResult got = PeekAll(*q);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].state, PeekedState::kDelayed);
  EXPECT_EQ(got.messages[0].visible_at_ms, now + 10'000);
  PeekRequest no_delayed;
  no_delayed.include_delayed = false;
  EXPECT_TRUE(PeekAll(*q, no_delayed).messages.empty());
  Advance(10'000);
  const PeekResult after = PeekAll(*q, no_delayed);
  ASSERT_EQ(after.messages.size(), 1u);
  EXPECT_EQ(after.messages[0].state, PeekedState::kVisible);
}

TEST_P(EngineConformanceTest, PeekLeavesOutExpiredAndDeletedMessages) {
  QueueSettings s;
  s.retention_s = 60;
  auto q = Create("q", s);
  Send(*q, "old");
  Advance(30'000);
  Send(*q, "a");
  Send(*q, "b");
  Advance(30'000);  // "old" expires
  auto got = Receive(*q, 10);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  const PeekResult peeked = PeekAll(*q);
  ASSERT_EQ(peeked.messages.size(), 1u);
  EXPECT_EQ(peeked.messages[0].payload, got[1].payload);
}

TEST_P(EngineConformanceTest, PeekPagesBySequence) {
  auto q = Create("q");
  for (int i = 0; i < 5; ++i) Send(*q, "m" + std::to_string(i));
  PeekRequest req;
  req.max_messages = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    const PeekResult got = PeekAll(*q, req);
    for (const PeekedMessage& m : got.messages) seen.push_back(m.payload);
    if (got.next_sequence == 0) break;
    EXPECT_EQ(got.next_sequence, got.messages.back().sequence);
    req.start_after_sequence = got.next_sequence;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
}

TEST_P(EngineConformanceTest, PeekOfAFullLastPageSaysNothingFollows) {
  auto q = Create("q");
  Send(*q, "a");
  Send(*q, "b");
  PeekRequest req;
  req.max_messages = 2;
  const PeekResult got = PeekAll(*q, req);
  EXPECT_EQ(got.messages.size(), 2u);
  EXPECT_EQ(got.next_sequence, 0u);
}

TEST_P(EngineConformanceTest, PeekShowsAFifoQueuesGroupsAndLockedMessages) {
  auto q = Create("q.fifo", Fifo());
  SendFifo(*q, "m1", "g", "1");
  SendFifo(*q, "m2", "g", "2");
  ASSERT_EQ(Receive(*q, 1).size(), 1u);
  const PeekResult got = PeekAll(*q);
  ASSERT_EQ(got.messages.size(), 2u);
  EXPECT_EQ(got.messages[0].payload, "m1");
  EXPECT_EQ(got.messages[0].state, PeekedState::kInFlight);
  EXPECT_EQ(got.messages[0].group_id, "g");
  EXPECT_EQ(got.messages[1].payload, "m2");
  EXPECT_EQ(got.messages[1].state, PeekedState::kVisible);
}

TEST_P(EngineConformanceTest, PeekNamesTheSourceOfADeadLetteredMessage) {
  const std::shared_ptr<Queue> dlq = DeadLetterOne().second;
  const PeekResult got = PeekAll(*dlq);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].dead_letter_source, "src");
  EXPECT_EQ(got.messages[0].receive_count, 1);
}

TEST_P(EngineConformanceTest, PeekSeesMessagesAcrossARestart) {
  auto q = Create("q");
  Send(*q, "kept");
  ASSERT_EQ(PeekAll(*q).messages.size(), 1u);
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  if (!Restart()) GTEST_SKIP() << "this engine keeps nothing across a restart";
  auto reopened = engine_->FindQueue("q");
  const PeekResult got = PeekAll(*reopened);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].payload, "kept");
  auto received = Receive(*reopened);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].receive_count, 1) << "no peek was recorded as a receive";
}

TEST_P(EngineConformanceTest, StatsCountSendsReceivesEmptyReceivesAndDeletes) {
  auto q = Create("q");
  Send(*q, "abc");
  Send(*q, "de");
  auto got = Receive(*q, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(Receive(*q).empty());
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok()) << "a second delete deletes nothing";
  const QueueStats s = q->Stats();
  EXPECT_EQ(s.sent, 2u);
  EXPECT_EQ(s.sent_bytes, 5u);
  EXPECT_EQ(s.received, 2u);
  EXPECT_EQ(s.empty_receives, 1u);
  EXPECT_EQ(s.deleted, 1u);
  EXPECT_EQ(s.moved_to_dead_letter, 0u);
}

TEST_P(EngineConformanceTest, StatsCountersSurviveAPurge) {
  auto q = Create("q");
  Send(*q, "m");
  ASSERT_TRUE(q->Purge().ok());
  EXPECT_EQ(q->Stats().sent, 1u);
  EXPECT_EQ(q->Stats().visible, 0);
}

TEST_P(EngineConformanceTest, StatsCountMessagesMovedToTheDeadLetterQueueOnBothSides) {
  const auto [src, dlq] = DeadLetterOne();
  Queue& source = *src;
  ASSERT_TRUE(WaitUntil([&source] { return source.Stats().moved_to_dead_letter == 1; }));
  EXPECT_EQ(src->Stats().deleted, 0u) << "a move is not a delete";
  EXPECT_EQ(dlq->Stats().sent, 1u) << "the DLQ counts what it took in";
}

}  // namespace
}  // namespace ferry::engine::conformance
