// Redelivery backoff applied by queues (backoff.h): the deadline of every
// receive of standard and FIFO queues over both journals, dead letters on
// top of it, and the deadlines and settings kept across restarts.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "engine/backoff.h"
#include "engine/durable_test_util.h"
#include "engine/local_queue.h"
#include "engine/queue_test_util.h"

namespace ferry::engine {
namespace {

using testing::JournalKind;

QueueSettings WithBackoff(BackoffFunction f, int64_t base_s, int64_t max_s,
                          BackoffJitter jitter = BackoffJitter::kNone, int64_t visibility_s = 10) {
  QueueSettings s;
  s.visibility_timeout_s = visibility_s;
  s.redelivery_backoff = {f, base_s, max_s, jitter};
  return s;
}

SendRequest Message(const std::string& payload, bool fifo, const std::string& group = "g") {
  SendRequest req;
  req.payload = payload;
  if (fifo) {
    req.group_id = group;
    req.dedup_id = payload;
  }
  return req;
}

// Each test over a MemoryJournal and a WalJournal, on a standard and on a
// FIFO queue.
class BackoffQueueTest : public ::testing::TestWithParam<std::tuple<JournalKind, bool>> {
 protected:
  bool fifo() const { return std::get<1>(GetParam()); }

  // A queue of the test's kind whose jitter draws `random_` (each draw the
  // next value of random_values_, cycling).
  std::shared_ptr<LocalQueue> MakeQueue(QueueSettings settings) {
    settings.fifo = fifo();
    return std::make_shared<LocalQueue>(
        "q", std::move(settings), std::map<std::string, std::string>{}, clock_, bodies_.store(),
        bodies_.journal(), nullptr, [this] {
          ++draws_;
          return random_values_[(draws_ - 1) % random_values_.size()];
        });
  }

  void Send(LocalQueue& q, const std::string& payload, const std::string& group = "g") {
    auto r = q.Send(Message(payload, fifo(), group));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  static std::vector<ReceivedMessage> Receive(LocalQueue& q, int64_t visibility_s = -1) {
    ReceiveRequest req;
    req.max_messages = 10;
    req.visibility_timeout_s = visibility_s;
    auto r = q.Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  // Expects the queue's message to stay hidden until `after_ms` from now and
  // to be received (with `visibility_s`) exactly then; returns it.
  ReceivedMessage ReappearsAfter(LocalQueue& q, TimeMs after_ms, int64_t visibility_s = -1) {
    clock_.Advance(after_ms - 1);
    EXPECT_TRUE(Receive(q, visibility_s).empty()) << "visible before " << after_ms << " ms";
    clock_.Advance(1);
    auto got = Receive(q, visibility_s);
    EXPECT_EQ(got.size(), 1u) << "not visible after " << after_ms << " ms";
    return got.empty() ? ReceivedMessage{} : got[0];
  }

  FakeClock clock_;
  testing::QueueBodies bodies_{std::get<0>(GetParam())};
  std::vector<uint64_t> random_values_ = {0};
  uint64_t draws_ = 0;
};

std::string BackoffTestName(const ::testing::TestParamInfo<std::tuple<JournalKind, bool>>& info) {
  return std::string(std::get<0>(info.param) == JournalKind::kMemory ? "MemoryJournal"
                                                                     : "WalJournal") +
         (std::get<1>(info.param) ? "Fifo" : "Standard");
}

INSTANTIATE_TEST_SUITE_P(Queues, BackoffQueueTest,
                         ::testing::Combine(testing::JournalKinds(), ::testing::Bool()),
                         BackoffTestName);

TEST_P(BackoffQueueTest, TheFirstReceiveHidesForTheVisibilityTimeoutOnly) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kExponential, 60, 600));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  EXPECT_EQ(ReappearsAfter(*q, 10'000).receive_count, 2);
}

TEST_P(BackoffQueueTest, LinearBackoffGrowsWithEachReceiveUpToTheCap) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 2, 5));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  // Receives 2, 3, 4, 5 add 2, 4, 5 (capped), 5 seconds to the 10 s timeout.
  EXPECT_EQ(ReappearsAfter(*q, 10'000).receive_count, 2);
  EXPECT_EQ(ReappearsAfter(*q, 12'000).receive_count, 3);
  EXPECT_EQ(ReappearsAfter(*q, 14'000).receive_count, 4);
  EXPECT_EQ(ReappearsAfter(*q, 15'000).receive_count, 5);
  EXPECT_EQ(ReappearsAfter(*q, 15'000).receive_count, 6);
}

TEST_P(BackoffQueueTest, ExponentialBackoffDoublesWithEachReceiveUpToTheCap) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kExponential, 1, 5));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  EXPECT_EQ(ReappearsAfter(*q, 10'000).receive_count, 2);  // + 1 s
  EXPECT_EQ(ReappearsAfter(*q, 11'000).receive_count, 3);  // + 2 s
  EXPECT_EQ(ReappearsAfter(*q, 12'000).receive_count, 4);  // + 4 s
  EXPECT_EQ(ReappearsAfter(*q, 14'000).receive_count, 5);  // + 5 s (capped)
  EXPECT_EQ(ReappearsAfter(*q, 15'000).receive_count, 6);
}

TEST_P(BackoffQueueTest, AnExplicitVisibilityTimeoutTakesTheQueuesPlace) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 3, 60));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q, 2).size(), 1u);
  EXPECT_EQ(ReappearsAfter(*q, 2'000, 0).receive_count, 2);  // 0 s + 3 s backoff
  EXPECT_EQ(ReappearsAfter(*q, 3'000, 1).receive_count, 3);  // 1 s + 6 s backoff
  EXPECT_EQ(ReappearsAfter(*q, 7'000).receive_count, 4);     // 10 s + 9 s backoff
}

TEST_P(BackoffQueueTest, FullJitterDrawsFromTheQueuesRandomSource) {
  random_values_ = {0, 1500, 4001};
  auto q = MakeQueue(WithBackoff(BackoffFunction::kExponential, 2, 60, BackoffJitter::kFull));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  EXPECT_EQ(draws_, 0u);  // the first receive has no backoff to jitter
  // Each receive's backoff, jittered by the next draw: 2 s by 0 % 2001,
  // 4 s by 1500 % 4001, 8 s by 4001 % 8001.
  ReappearsAfter(*q, 10'000);
  ReappearsAfter(*q, 10'000);
  ReappearsAfter(*q, 11'500);
  ReappearsAfter(*q, 14'001);
  EXPECT_EQ(draws_, 4u);
}

TEST_P(BackoffQueueTest, EqualJitterKeepsAtLeastHalfTheBackoff) {
  random_values_ = {0, UINT64_MAX};
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 4, 60, BackoffJitter::kEqual));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  // Receive 2's backoff of 4 s is 2 s + 0 % 2001; receive 3's of 8 s is
  // 4 s + UINT64_MAX % 4001.
  ReappearsAfter(*q, 10'000);
  ReappearsAfter(*q, 12'000);
  ReappearsAfter(*q, 14'000 + static_cast<TimeMs>(UINT64_MAX % 4001));
}

TEST_P(BackoffQueueTest, TheHiddenTimeIsCappedAtTwelveHours) {
  auto q =
      MakeQueue(WithBackoff(BackoffFunction::kLinear, 3600, 43200, BackoffJitter::kNone, 40'000));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  ReappearsAfter(*q, 40'000'000);
  ReappearsAfter(*q, 43'200'000);  // 40 000 s + 3 600 s, capped
}

TEST_P(BackoffQueueTest, ChangeVisibilitySetsTheTimeoutWithoutBackoff) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 30, 300));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  ReceivedMessage m = ReappearsAfter(*q, 10'000);  // now hidden for 10 s + 30 s
  ASSERT_TRUE(q->ChangeVisibility(m.receipt_handle, 5).ok());
  m = ReappearsAfter(*q, 5'000);  // the third receive: 10 s + 60 s
  ASSERT_TRUE(q->ChangeVisibility(m.receipt_handle, 0).ok());
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(BackoffQueueTest, RemovingTheBackoffRestoresThePlainTimeout) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 30, 300));
  Send(*q, "m");
  ASSERT_EQ(Receive(*q).size(), 1u);
  ReappearsAfter(*q, 10'000);
  QueueSettings plain = q->settings();
  plain.redelivery_backoff = {};
  ASSERT_TRUE(q->SetSettings(plain).ok());
  ReappearsAfter(*q, 40'000);  // the receive before the change keeps its backoff
  EXPECT_EQ(ReappearsAfter(*q, 10'000).receive_count, 4);
}

TEST_P(BackoffQueueTest, EachMessageOfABatchGetsItsOwnBackoff) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 5, 300));
  Send(*q, "old", "a");
  ASSERT_EQ(Receive(*q).size(), 1u);
  clock_.Advance(10'000);
  Send(*q, "new", "b");
  auto both = Receive(*q);  // "old" a second time (+5 s), "new" a first time
  ASSERT_EQ(both.size(), 2u);
  clock_.Advance(10'000);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "new");
  EXPECT_EQ(ReappearsAfter(*q, 5'000).payload, "old");
}

// FIFO queues only, over both journals.
class BackoffFifoQueueTest : public BackoffQueueTest {};

INSTANTIATE_TEST_SUITE_P(Queues, BackoffFifoQueueTest,
                         ::testing::Combine(testing::JournalKinds(), ::testing::Values(true)),
                         BackoffTestName);

TEST_P(BackoffFifoQueueTest, AGroupWaitsForItsMessageBackingOff) {
  auto q = MakeQueue(WithBackoff(BackoffFunction::kLinear, 20, 300));
  Send(*q, "first");
  Send(*q, "second");
  ReceiveRequest one;
  one.max_messages = 1;
  ASSERT_EQ(q->Receive(one)->size(), 1u);
  clock_.Advance(10'000);
  auto again = q->Receive(one);  // "first" a second time: 10 s + 20 s
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].payload, "first");
  clock_.Advance(29'999);
  EXPECT_TRUE(Receive(*q).empty()) << "the group is locked while its first message backs off";
  clock_.Advance(1);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, "first");
  EXPECT_EQ(got[1].payload, "second");
}

// Dead letters over both journals: maxReceiveCount counts receives as before.
class BackoffDeadLetterTest : public testing::JournalEngineTest {};

INSTANTIATE_TEST_SUITE_P(Journals, BackoffDeadLetterTest, testing::JournalKinds(),
                         testing::JournalName);

TEST_P(BackoffDeadLetterTest, MaxReceiveCountMovesTheMessageAtTheSameReceive) {
  auto dlq = Create("dlq");
  QueueSettings settings = WithBackoff(BackoffFunction::kExponential, 5, 300);
  settings.dead_letter_queue = "dlq";
  settings.max_receive_count = 3;
  auto src = Create("src", settings);
  ASSERT_TRUE(src->Send(Message("m", false)).ok());
  ReceiveRequest req;
  ASSERT_EQ(src->Receive(req)->size(), 1u);
  // Receive 1 hides it for 10 s, receive 2 for 10 + 5 s, receive 3 for 10 + 10 s.
  for (TimeMs wait_ms : {10'000, 15'000}) {
    clock_.Advance(wait_ms - 1);
    EXPECT_TRUE(src->Receive(req)->empty()) << "visible early, after " << wait_ms << " ms";
    clock_.Advance(1);
    EXPECT_EQ(src->Receive(req)->size(), 1u);
  }
  clock_.Advance(19'999);
  EXPECT_TRUE(src->Receive(req)->empty());
  EXPECT_TRUE(dlq->Receive(req)->empty());
  clock_.Advance(1);
  EXPECT_TRUE(src->Receive(req)->empty()) << "the fourth receive moves it";
  auto moved = dlq->Receive(req);
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ((*moved)[0].receive_count, 4);
  EXPECT_EQ(src->Stats().moved_to_dead_letter, 1u);
}

// Restarts: the settings and each message's deadline, backoff included, come
// back from the log and from a checkpoint.
class BackoffRestartTest : public testing::DurableEngineTest,
                           public ::testing::WithParamInterface<bool> {};

INSTANTIATE_TEST_SUITE_P(FromLogOrCheckpoint, BackoffRestartTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Checkpoint" : "Log";
                         });

TEST_P(BackoffRestartTest, RestartKeepsTheSettingsAndTheDeadlines) {
  checkpoint_on_restart_ = GetParam();
  Open();
  const QueueSettings settings =
      WithBackoff(BackoffFunction::kExponential, 7, 100, BackoffJitter::kEqual);
  for (bool fifo : {false, true}) {
    QueueSettings s = settings;
    s.fifo = fifo;
    auto q = Create(fifo ? "q.fifo" : "q", s);
    ASSERT_TRUE(q->Send(Message("m", fifo)).ok());
    ASSERT_EQ(Receive(*q).size(), 1u);
  }
  clock_.Advance(10'000);
  TimeMs deadline[2];
  for (bool fifo : {false, true}) {
    auto q = Find(fifo ? "q.fifo" : "q");
    ASSERT_EQ(Receive(*q).size(), 1u);  // hidden for 10 s + 3.5..7 s
    PeekRequest peek;
    auto peeked = q->Peek(peek);
    ASSERT_TRUE(peeked.ok());
    ASSERT_EQ(peeked->messages.size(), 1u);
    deadline[fifo] = peeked->messages[0].visible_at_ms;
    EXPECT_GE(deadline[fifo], clock_.NowMs() + 13'500);
    EXPECT_LE(deadline[fifo], clock_.NowMs() + 17'000);
  }
  ASSERT_TRUE(WaitDurable().ok());
  Restart();

  for (bool fifo : {false, true}) {
    auto q = Find(fifo ? "q.fifo" : "q");
    QueueSettings expected = settings;
    expected.fifo = fifo;
    EXPECT_EQ(q->settings().redelivery_backoff, expected.redelivery_backoff);
    auto peeked = q->Peek(PeekRequest{});
    ASSERT_TRUE(peeked.ok());
    ASSERT_EQ(peeked->messages.size(), 1u);
    EXPECT_EQ(peeked->messages[0].visible_at_ms, deadline[fifo]);
    EXPECT_EQ(peeked->messages[0].state, PeekedState::kInFlight);
  }
  // The earlier deadline first, so that the clock only moves forward.
  const bool first = deadline[1] < deadline[0];
  for (bool fifo : {first, !first}) {
    auto q = Find(fifo ? "q.fifo" : "q");
    if (deadline[fifo] - 1 >= clock_.NowMs()) {
      clock_.Set(deadline[fifo] - 1);
      EXPECT_TRUE(Receive(*q).empty());
    }
    clock_.Set(deadline[fifo]);
    auto got = Receive(*q);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].receive_count, 3);
  }
}

}  // namespace
}  // namespace ferry::engine
