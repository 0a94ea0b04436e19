// Queue::DeadLetter: a message in flight moved to the dead-letter queue on
// request, over both journals.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/queue_test_util.h"

namespace ferry::engine {
namespace {

class DeadLetterNowTest : public testing::JournalEngineTest {
 protected:
  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10) {
    ReceiveRequest req;
    req.max_messages = max;
    auto r = q.Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  static SendResult Send(Queue& q, const std::string& payload, const std::string& group = "") {
    SendRequest req;
    req.payload = payload;
    req.group_id = group;
    if (q.fifo()) req.dedup_id = payload;
    auto r = q.Send(std::move(req));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SendResult{};
  }

  static QueueSettings WithDlq(const std::string& dlq, bool fifo = false) {
    QueueSettings s;
    s.dead_letter_queue = dlq;
    s.max_receive_count = 5;
    s.fifo = fifo;
    return s;
  }
};

INSTANTIATE_TEST_SUITE_P(Journals, DeadLetterNowTest, testing::JournalKinds(),
                         testing::JournalName);

TEST_P(DeadLetterNowTest, MovesTheInFlightMessageWithItsIdAndPayload) {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDlq("dlq"));
  SendResult sent = Send(*src, "payload");
  auto got = Receive(*src);
  ASSERT_EQ(got.size(), 1u);

  ASSERT_TRUE(src->DeadLetter(got[0].receipt_handle).ok());
  EXPECT_EQ(src->Stats().visible + src->Stats().in_flight, 0);
  EXPECT_EQ(src->Stats().moved_to_dead_letter, 1u);
  auto moved = Receive(*dlq);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].message_id, sent.message_id);
  EXPECT_EQ(moved[0].payload, "payload");
  EXPECT_EQ(moved[0].dead_letter_source, "src");
  // Receives carry on across queues, as for any dead letter.
  EXPECT_EQ(moved[0].receive_count, 2);
}

TEST_P(DeadLetterNowTest, WithoutADeadLetterQueueTheMessageStaysInFlight) {
  auto src = Create("src");
  Send(*src, "payload");
  auto got = Receive(*src);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(src->DeadLetter(got[0].receipt_handle).code(), Code::kFailedPrecondition);
  EXPECT_EQ(src->Stats().in_flight, 1);
}

TEST_P(DeadLetterNowTest, AMissingDeadLetterQueueLeavesTheMessageInFlight) {
  auto src = Create("src", WithDlq("gone"));
  Send(*src, "payload");
  auto got = Receive(*src);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(src->DeadLetter(got[0].receipt_handle).code(), Code::kFailedPrecondition);
  EXPECT_EQ(src->Stats().in_flight, 1);
  clock_.Advance(30'000);
  EXPECT_EQ(Receive(*src).size(), 1u);
}

TEST_P(DeadLetterNowTest, AStaleOrForeignHandleIsRefused) {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDlq("dlq"));
  auto other = Create("other");
  Send(*src, "payload");
  auto first = Receive(*src);
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(30'000);
  auto second = Receive(*src);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(src->DeadLetter(first[0].receipt_handle).code(), Code::kNotFound);
  EXPECT_EQ(other->DeadLetter(second[0].receipt_handle).code(), Code::kInvalidArgument);
  EXPECT_EQ(src->DeadLetter("not a handle").code(), Code::kInvalidArgument);
  EXPECT_TRUE(src->DeadLetter(second[0].receipt_handle).ok());
  EXPECT_EQ(src->DeadLetter(second[0].receipt_handle).code(), Code::kNotFound);
}

TEST_P(DeadLetterNowTest, AFifoGroupGoesOnOnceItsMessageIsDeadLettered) {
  auto dlq = Create("dlq.fifo", [] {
    QueueSettings s;
    s.fifo = true;
    return s;
  }());
  auto src = Create("src.fifo", WithDlq("dlq.fifo", /*fifo=*/true));
  Send(*src, "a", "g");
  Send(*src, "b", "g");
  auto got = Receive(*src, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(Receive(*src).empty());  // the group is locked while "a" is in flight
  ASSERT_TRUE(src->DeadLetter(got[0].receipt_handle).ok());
  auto next = Receive(*src);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].payload, "b");
  auto moved = Receive(*dlq);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].payload, "a");
  EXPECT_EQ(moved[0].group_id, "g");
}

}  // namespace
}  // namespace ferry::engine
