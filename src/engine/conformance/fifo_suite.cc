// Conformance: FIFO queues — order per message group, one group in flight at
// a time, the deduplication window.
#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

std::vector<std::string> Payloads(const std::vector<ReceivedMessage>& got) {
  std::vector<std::string> out;
  for (const ReceivedMessage& m : got) out.push_back(m.payload);
  return out;
}

TEST_P(EngineConformanceTest, AFifoQueueReturnsAGroupsMessagesInSendOrder) {
  auto q = Create("q.fifo", Fifo());
  ASSERT_TRUE(q->fifo());
  for (int i = 1; i <= 5; ++i) SendFifo(*q, "m" + std::to_string(i), "g", "d" + std::to_string(i));
  auto got = Receive(*q, 10);
  EXPECT_EQ(Payloads(got), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
  for (const ReceivedMessage& m : got) EXPECT_EQ(m.group_id, "g");
}

TEST_P(EngineConformanceTest, AFifoGroupWithAMessageInFlightIsHeldWhileOtherGroupsFlow) {
  auto q = Create("q.fifo", Fifo());
  SendFifo(*q, "a1", "a", "1");
  SendFifo(*q, "a2", "a", "2");
  SendFifo(*q, "b1", "b", "3");
  auto first = Receive(*q, 1);
  ASSERT_EQ(Payloads(first), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(Payloads(Receive(*q, 10)), (std::vector<std::string>{"b1"}))
      << "a2 waits behind a1, which is in flight";
  ASSERT_TRUE(q->Delete(first[0].receipt_handle).ok());
  EXPECT_EQ(Payloads(Receive(*q, 10)), (std::vector<std::string>{"a2"}));
}

TEST_P(EngineConformanceTest, AFifoMessageBackFromFlightIsReceivedFirstInItsGroup) {
  auto q = Create("q.fifo", Fifo());
  SendFifo(*q, "m1", "g", "1");
  SendFifo(*q, "m2", "g", "2");
  auto got = Receive(*q, 1, 10);
  ASSERT_EQ(Payloads(got), (std::vector<std::string>{"m1"}));
  Advance(10'000);
  EXPECT_EQ(Payloads(Receive(*q, 10)), (std::vector<std::string>{"m1", "m2"}));
}

// A group released by a visibility change or timeout takes its place
// behind the groups that were ready before it, on every receive path
// (plain, with a dead-letter queue, with a redelivery backoff).
std::vector<std::pair<std::string, QueueSettings>> FifoQueueKinds() {
  QueueSettings backoff = Fifo();
  backoff.redelivery_backoff = {BackoffFunction::kExponential, 10, 100, BackoffJitter::kNone};
  return {{"plain", Fifo()}, {"dead_letters", Fifo("dlq.fifo", 5)}, {"backoff", backoff}};
}

TEST_P(EngineConformanceTest, AFifoGroupReleasedByAVisibilityChangeComesAfterGroupsReadyBeforeIt) {
  Create("dlq.fifo", Fifo());
  for (const auto& [kind, settings] : FifoQueueKinds()) {
    SCOPED_TRACE(kind);
    auto q = Create(kind + ".fifo", settings);
    SendFifo(*q, "g1-m1", "g1", "1");
    auto first = Receive(*q, 10, 60);
    ASSERT_EQ(Payloads(first), (std::vector<std::string>{"g1-m1"}));
    Advance(1'000);
    SendFifo(*q, "g2-m1", "g2", "2");
    ASSERT_TRUE(q->ChangeVisibility(first[0].receipt_handle, 0).ok());
    EXPECT_EQ(Payloads(Receive(*q, 10)), (std::vector<std::string>{"g2-m1", "g1-m1"}));
  }
}

TEST_P(EngineConformanceTest,
       AFifoGroupReleasedByItsVisibilityTimeoutComesAfterGroupsReadyBeforeIt) {
  Create("dlq.fifo", Fifo());
  for (const auto& [kind, settings] : FifoQueueKinds()) {
    SCOPED_TRACE(kind);
    auto q = Create(kind + ".fifo", settings);
    SendFifo(*q, "g1-m1", "g1", "1");
    SendFifo(*q, "g1-m2", "g1", "2");
    ASSERT_EQ(Payloads(Receive(*q, 1, 10)), (std::vector<std::string>{"g1-m1"}));
    Advance(1'000);
    SendFifo(*q, "g2-m1", "g2", "3");
    Advance(10'000);  // g1-m1's timeout passed 1 s after g2-m1 was sent
    SendFifo(*q, "g3-m1", "g3", "4");
    EXPECT_EQ(Payloads(Receive(*q, 10)),
              (std::vector<std::string>{"g2-m1", "g1-m1", "g1-m2", "g3-m1"}));
  }
}

TEST_P(EngineConformanceTest, AFifoSendWithADuplicateIdWithinFiveMinutesIsNotStoredAgain) {
  auto q = Create("q.fifo", Fifo());
  const SendResult first = SendFifo(*q, "m", "g", "same");
  clock_.Advance(299'999);
  const SendResult again = SendFifo(*q, "m", "g", "same");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence, first.sequence);
  EXPECT_EQ(q->Stats().visible, 1);
}

TEST_P(EngineConformanceTest, AFifoDeduplicationIdIsFreeAgainAfterFiveMinutes) {
  QueueSettings s = Fifo();
  s.retention_s = 3600;
  auto q = Create("q.fifo", s);
  const SendResult first = SendFifo(*q, "m", "g", "same");
  Advance(300'000);
  const SendResult later = SendFifo(*q, "m", "g", "same");
  EXPECT_FALSE(later.duplicate);
  EXPECT_NE(later.message_id, first.message_id);
  EXPECT_EQ(q->Stats().visible, 2);
}

TEST_P(EngineConformanceTest, AFifoDeduplicationScopeOfMessageGroupKeepsGroupsApart) {
  QueueSettings s = Fifo();
  s.dedup_scope = DedupScope::kMessageGroup;
  auto q = Create("q.fifo", s);
  EXPECT_FALSE(SendFifo(*q, "m", "a", "same").duplicate);
  EXPECT_FALSE(SendFifo(*q, "m", "b", "same").duplicate);
  EXPECT_TRUE(SendFifo(*q, "m", "a", "same").duplicate);
}

TEST_P(EngineConformanceTest, AFifoSendWithoutAGroupOrDeduplicationIdIsInvalidArgument) {
  auto q = Create("q.fifo", Fifo());
  SendRequest no_group;
  no_group.payload = "m";
  no_group.dedup_id = "d";
  EXPECT_EQ(q->Send(no_group).status().code(), Code::kInvalidArgument);
  SendRequest no_dedup;
  no_dedup.payload = "m";
  no_dedup.group_id = "g";
  EXPECT_EQ(q->Send(no_dedup).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->Stats().visible, 0);
}

}  // namespace
}  // namespace ferry::engine::conformance
