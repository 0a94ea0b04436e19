#include "engine/local_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <optional>
#include <set>
#include <thread>

#include "engine/queue_test_util.h"
#include "engine/receipt_handle.h"

namespace ferry::engine {
namespace {

// Canonical lower-case version 4 UUID: 8-4-4-4-12 hex digits.
bool IsUuidV4(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s[14] == '4' && std::string_view("89ab").find(s[19]) != std::string_view::npos;
}

// Runs over both journals: a MemoryJournal and a WalJournal.
class LocalQueueTest : public ::testing::TestWithParam<testing::JournalKind> {
 protected:
  std::shared_ptr<LocalQueue> MakeQueue(QueueSettings settings = {}) {
    return bodies_->MakeQueue("q", std::move(settings), clock_);
  }

  SendResult Send(const std::string& payload, int64_t delay_s = -1) {
    SendRequest req;
    req.payload = payload;
    req.delay_s = delay_s;
    auto r = q_->Send(std::move(req));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r;
  }

  std::vector<ReceivedMessage> Receive(int max = 10, int64_t visibility_s = -1) {
    ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout_s = visibility_s;
    auto r = q_->Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  ReceivedMessage ReceiveOne(int64_t visibility_s = -1) {
    auto got = Receive(1, visibility_s);
    EXPECT_EQ(got.size(), 1u);
    return got.empty() ? ReceivedMessage{} : got[0];
  }

  FakeClock clock_;
  std::unique_ptr<testing::QueueBodies> bodies_ =
      std::make_unique<testing::QueueBodies>(GetParam());
  std::shared_ptr<LocalQueue> q_ = MakeQueue();
};

INSTANTIATE_TEST_SUITE_P(Journals, LocalQueueTest, testing::JournalKinds(), testing::JournalName);

TEST_P(LocalQueueTest, SendReceiveDelete) {
  SendResult sent = Send("hello");
  EXPECT_EQ(sent.sequence, 1u);
  EXPECT_TRUE(IsUuidV4(sent.message_id)) << sent.message_id;

  clock_.Advance(5);
  ReceivedMessage m = ReceiveOne();
  EXPECT_EQ(m.payload, "hello");
  EXPECT_EQ(m.message_id, sent.message_id);
  EXPECT_EQ(m.sequence, 1u);
  EXPECT_EQ(m.receive_count, 1);
  EXPECT_EQ(m.sent_ms, clock_.NowMs() - 5);
  EXPECT_EQ(m.first_receive_ms, clock_.NowMs());
  EXPECT_FALSE(m.receipt_handle.empty());
  EXPECT_LT(m.receipt_handle.size(), 1024u);

  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_EQ(bodies_->live(), 0);
  clock_.Advance(3600'000);
  EXPECT_TRUE(Receive().empty());
}

TEST_P(LocalQueueTest, SequencesIncreaseFromOne) {
  EXPECT_EQ(Send("a").sequence, 1u);
  EXPECT_EQ(Send("b").sequence, 2u);
  EXPECT_EQ(Send("c", 10).sequence, 3u);
}

TEST_P(LocalQueueTest, ReceivedMessageHiddenUntilVisibilityExpiresThenRedelivered) {
  Send("m");
  ReceivedMessage first = ReceiveOne();
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(29'999);
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(1);
  ReceivedMessage second = ReceiveOne();
  EXPECT_EQ(second.message_id, first.message_id);
  EXPECT_EQ(second.receive_count, 2);
  EXPECT_EQ(second.first_receive_ms, first.first_receive_ms);
  EXPECT_NE(second.receipt_handle, first.receipt_handle);
}

TEST_P(LocalQueueTest, ReceiveVisibilityTimeoutOverridesQueueSetting) {
  Send("m");
  ReceiveOne(/*visibility_s=*/2);
  clock_.Advance(2'000);
  EXPECT_EQ(ReceiveOne().receive_count, 2);
}

TEST_P(LocalQueueTest, ReceiveWithZeroVisibilityLeavesMessageVisible) {
  Send("m");
  ReceiveOne(/*visibility_s=*/0);
  EXPECT_EQ(ReceiveOne().receive_count, 2);
}

TEST_P(LocalQueueTest, DeleteWithStaleHandleDoesNotDelete) {
  Send("m");
  ReceivedMessage first = ReceiveOne();
  clock_.Advance(30'000);
  ReceivedMessage second = ReceiveOne();
  EXPECT_TRUE(q_->Delete(first.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().in_flight, 1);
  EXPECT_TRUE(q_->Delete(second.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().in_flight, 0);
}

TEST_P(LocalQueueTest, DeleteWithLatestHandleWorksAfterVisibilityExpired) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  clock_.Advance(30'000);
  EXPECT_EQ(q_->Stats().visible, 1);
  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().visible, 0);
  EXPECT_TRUE(Receive().empty());
}

TEST_P(LocalQueueTest, DeleteIsIdempotent) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_P(LocalQueueTest, MalformedHandleIsInvalidArgument) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  for (std::string bad : {std::string(), std::string("x"), m.receipt_handle + "A",
                          m.receipt_handle.substr(1), std::string(28, '+')}) {
    EXPECT_EQ(q_->Delete(bad).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(q_->ChangeVisibility(bad, 0).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(q_->Stats().in_flight, 1);
}

TEST_P(LocalQueueTest, HandleOfAnotherQueueIsInvalidArgument) {
  auto other = MakeQueue();
  SendRequest req;
  req.payload = "o";
  ASSERT_TRUE(other->Send(req).ok());
  auto got = other->Receive({});
  ASSERT_EQ(got->size(), 1u);
  const std::string& foreign = (*got)[0].receipt_handle;
  Send("m");
  EXPECT_EQ(q_->Delete(foreign).code(), Code::kInvalidArgument);
  EXPECT_EQ(q_->ChangeVisibility(foreign, 0).code(), Code::kInvalidArgument);
}

TEST_P(LocalQueueTest, ChangeVisibilityZeroReleasesAtOnce) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  EXPECT_TRUE(q_->ChangeVisibility(m.receipt_handle, 0).ok());
  EXPECT_EQ(ReceiveOne().receive_count, 2);
}

TEST_P(LocalQueueTest, ChangeVisibilityExtendsDeadline) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  clock_.Advance(20'000);
  EXPECT_TRUE(q_->ChangeVisibility(m.receipt_handle, 60).ok());
  clock_.Advance(59'999);  // past the original 30 s deadline
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(1);
  EXPECT_EQ(ReceiveOne().receive_count, 2);
}

TEST_P(LocalQueueTest, ChangeVisibilityShortensDeadline) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  EXPECT_TRUE(q_->ChangeVisibility(m.receipt_handle, 5).ok());
  clock_.Advance(5'000);
  EXPECT_EQ(ReceiveOne().receive_count, 2);
  // The superseded 30 s timer must not release the message again.
  clock_.Advance(25'000);
  EXPECT_TRUE(Receive().empty());
}

TEST_P(LocalQueueTest, ChangeVisibilityWithAnExpiredHandleSucceedsAndLeavesTheMessageVisible) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  clock_.Advance(30'000);  // visible again; nobody received it since
  EXPECT_TRUE(q_->ChangeVisibility(m.receipt_handle, 10).ok());
  EXPECT_EQ(q_->Stats().visible, 1);
  EXPECT_EQ(ReceiveOne().receive_count, 2);
}

TEST_P(LocalQueueTest, ChangeVisibilityZeroWithAnEarlierReceivesHandleReleasesTheMessage) {
  Send("m");
  ReceivedMessage first = ReceiveOne();
  clock_.Advance(30'000);
  ReceivedMessage second = ReceiveOne();
  EXPECT_TRUE(Receive().empty());
  EXPECT_TRUE(q_->ChangeVisibility(first.receipt_handle, 0).ok());
  ReceivedMessage third = ReceiveOne();
  EXPECT_EQ(third.message_id, second.message_id);
  EXPECT_EQ(third.receive_count, 3);
}

TEST_P(LocalQueueTest, ChangeVisibilityWithAnEarlierReceivesHandleSetsTheCurrentDeadline) {
  Send("m");
  ReceivedMessage first = ReceiveOne();
  clock_.Advance(30'000);
  ReceiveOne();
  EXPECT_TRUE(q_->ChangeVisibility(first.receipt_handle, 5).ok());
  clock_.Advance(4'999);
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(1);
  EXPECT_EQ(ReceiveOne().receive_count, 3);
}

TEST_P(LocalQueueTest, ChangeVisibilityOfAGoneMessageOrAnUnissuedHandleIsNotFound) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(m.receipt_handle);
  ASSERT_TRUE(h);
  h->generation = 2;  // no receive issued it yet
  EXPECT_EQ(q_->ChangeVisibility(EncodeReceiptHandle(*h), 10).code(), Code::kNotFound);
  EXPECT_EQ(q_->Stats().in_flight, 1);
  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_EQ(q_->ChangeVisibility(m.receipt_handle, 10).code(), Code::kNotFound);  // gone
}

TEST_P(LocalQueueTest, PerMessageDelay) {
  Send("late", 10);
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(9'999);
  EXPECT_TRUE(Receive().empty());
  clock_.Advance(1);
  EXPECT_EQ(ReceiveOne().payload, "late");
}

TEST_P(LocalQueueTest, QueueDelayAppliesUnlessMessageOverrides) {
  QueueSettings s;
  s.delay_s = 5;
  q_ = MakeQueue(s);
  Send("queue-delay");
  Send("no-delay", 0);
  auto got = Receive();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "no-delay");
  clock_.Advance(5'000);
  EXPECT_EQ(ReceiveOne().payload, "queue-delay");
}

TEST_P(LocalQueueTest, MessagesPastRetentionAreDropped) {
  QueueSettings s;
  s.retention_s = 60;
  q_ = MakeQueue(s);
  Send("visible");
  Send("in-flight");
  Send("delayed", 900);
  ReceiveOne(/*visibility_s=*/3600);
  clock_.Advance(59'999);
  EXPECT_EQ(q_->Stats().visible + q_->Stats().in_flight + q_->Stats().delayed, 3);
  clock_.Advance(1);
  QueueStats st = q_->Stats();
  EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0);
  EXPECT_EQ(st.oldest_sent_ms, 0);
  EXPECT_EQ(bodies_->live(), 0);
  EXPECT_TRUE(Receive().empty());
  EXPECT_EQ(q_->NextWakeMs(), INT64_MAX);
}

TEST_P(LocalQueueTest, StatsCountsEachState) {
  const TimeMs t0 = clock_.NowMs();
  Send("a");
  clock_.Advance(10);
  Send("b");
  Send("c");
  Send("d", 60);
  ReceiveOne();
  QueueStats st = q_->Stats();
  EXPECT_EQ(st.visible, 2);
  EXPECT_EQ(st.in_flight, 1);
  EXPECT_EQ(st.delayed, 1);
  EXPECT_EQ(st.oldest_sent_ms, t0);
  clock_.Advance(60'000);
  st = q_->Stats();
  EXPECT_EQ(st.visible, 4);
  EXPECT_EQ(st.in_flight, 0);
  EXPECT_EQ(st.delayed, 0);
}

TEST_P(LocalQueueTest, OldestSentSkipsDeletedMessages) {
  Send("a");
  clock_.Advance(10);
  Send("b");
  ReceivedMessage a = ReceiveOne();
  ASSERT_EQ(a.payload, "a");
  ASSERT_TRUE(q_->Delete(a.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().oldest_sent_ms, clock_.NowMs());
}

TEST_P(LocalQueueTest, PurgeDropsEverything) {
  Send("a");
  Send("b", 30);
  Send("c");
  ReceivedMessage m = ReceiveOne();
  ASSERT_TRUE(q_->Purge().ok());
  QueueStats st = q_->Stats();
  EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0);
  EXPECT_EQ(bodies_->live(), 0);
  EXPECT_TRUE(q_->Delete(m.receipt_handle).ok());
  clock_.Advance(60'000);
  EXPECT_TRUE(Receive().empty());
  EXPECT_EQ(Send("d").sequence, 4u);
  EXPECT_EQ(ReceiveOne().payload, "d");
}

TEST_P(LocalQueueTest, MaxMessagesRespected) {
  for (int i = 0; i < 25; ++i) Send("m" + std::to_string(i));
  EXPECT_EQ(Receive(1).size(), 1u);
  EXPECT_EQ(Receive(7).size(), 7u);
  EXPECT_EQ(Receive(10).size(), 10u);
  EXPECT_EQ(Receive(10).size(), 7u);
  EXPECT_TRUE(Receive(10).empty());
}

TEST_P(LocalQueueTest, ReceivesInSendOrder) {
  for (int i = 0; i < 30; ++i) Send(std::to_string(i));
  int expect = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& m : Receive(10)) EXPECT_EQ(m.payload, std::to_string(expect++));
  }
  EXPECT_EQ(expect, 30);
}

TEST_P(LocalQueueTest, MessageWhoseVisibilityExpiredIsOfferedBeforeNewerOnes) {
  Send("m1");
  Send("m2");
  EXPECT_EQ(ReceiveOne().payload, "m1");
  Send("m3");
  clock_.Advance(30'000);
  std::vector<std::string> order;
  for (const auto& m : Receive(10)) order.push_back(m.payload);
  EXPECT_EQ(order, (std::vector<std::string>{"m1", "m2", "m3"}));
}

TEST_P(LocalQueueTest, MessagesReleasedByChangeVisibilityGoBackInSequenceOrder) {
  for (const char* p : {"m1", "m2", "m3", "m4"}) Send(p);
  std::vector<ReceivedMessage> got = Receive(3);
  ASSERT_EQ(got.size(), 3u);
  // Released newest first; still served oldest first, before m4.
  for (int i = 2; i >= 0; --i) EXPECT_TRUE(q_->ChangeVisibility(got[i].receipt_handle, 0).ok());
  std::vector<std::string> order;
  for (const auto& m : Receive(10)) order.push_back(m.payload);
  EXPECT_EQ(order, (std::vector<std::string>{"m1", "m2", "m3", "m4"}));
}

TEST_P(LocalQueueTest, GroupIdIsReturned) {
  SendRequest req;
  req.payload = "g";
  req.group_id = "group-1";
  ASSERT_TRUE(q_->Send(req).ok());
  EXPECT_EQ(ReceiveOne().group_id, "group-1");
  Send("none");
  EXPECT_EQ(ReceiveOne().group_id, "");
}

TEST_P(LocalQueueTest, WatcherFiresOnSend) {
  int calls = 0;
  q_->Watch([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  Send("m");
  EXPECT_EQ(calls, 1);
  Send("n");
  EXPECT_EQ(calls, 1);  // fired watchers are removed
}

TEST_P(LocalQueueTest, DelayedSendDoesNotFireWatcher) {
  int calls = 0;
  q_->Watch([&] { ++calls; });
  Send("m", 10);
  q_->Tick();
  EXPECT_EQ(calls, 0);
}

TEST_P(LocalQueueTest, WatcherFiresOnTickPromotion) {
  int calls = 0;
  Send("m", 10);
  q_->Watch([&] { ++calls; });
  clock_.Advance(9'999);
  q_->Tick();
  EXPECT_EQ(calls, 0);
  clock_.Advance(1);
  q_->Tick();
  EXPECT_EQ(calls, 1);
}

TEST_P(LocalQueueTest, WatcherFiresWhenVisibilityExpires) {
  Send("m");
  ReceiveOne();
  int calls = 0;
  q_->Watch([&] { ++calls; });
  clock_.Advance(30'000);
  q_->Tick();
  EXPECT_EQ(calls, 1);
}

TEST_P(LocalQueueTest, WatcherFiresOnChangeVisibilityZero) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  int calls = 0;
  q_->Watch([&] { ++calls; });
  ASSERT_TRUE(q_->ChangeVisibility(m.receipt_handle, 0).ok());
  EXPECT_EQ(calls, 1);
}

TEST_P(LocalQueueTest, WatcherNotFiredWhileNothingHappens) {
  int calls = 0;
  q_->Watch([&] { ++calls; });
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(1'000);
    q_->Tick();
    EXPECT_TRUE(Receive().empty());
    q_->Stats();
  }
  EXPECT_EQ(calls, 0);
}

TEST_P(LocalQueueTest, UnwatchPreventsCall) {
  int calls = 0;
  uint64_t token = q_->Watch([&] { ++calls; });
  q_->Unwatch(token);
  q_->Unwatch(token);  // harmless twice
  Send("m");
  q_->Tick();
  EXPECT_EQ(calls, 0);
}

TEST_P(LocalQueueTest, SendWakesOneWatcherPerNewMessageOldestFirst) {
  std::vector<int> woken;
  for (int i = 0; i < 3; ++i) q_->Watch([&woken, i] { woken.push_back(i); });
  Send("a");
  EXPECT_EQ(woken, std::vector<int>({0}));
  Send("b");
  EXPECT_EQ(woken, std::vector<int>({0, 1}));
}

TEST_P(LocalQueueTest, TickWakesWatchersWhileMessagesAreVisible) {
  // A watcher registered after the send that would have woken it (the race
  // between an empty receive and Watch) is woken by the next Tick.
  Send("m");
  int calls = 0;
  q_->Watch([&] { ++calls; });
  q_->Tick();
  EXPECT_EQ(calls, 1);
}

TEST_P(LocalQueueTest, WatcherMayCallBackIntoQueue) {
  std::vector<ReceivedMessage> got;
  q_->Watch([&] { got = *q_->Receive({}); });
  Send("m");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "m");
}

TEST_P(LocalQueueTest, DropWakesEveryWatcherAndReleasesBodies) {
  Send("m", 10);
  int calls = 0;
  for (int i = 0; i < 3; ++i) q_->Watch([&] { ++calls; });
  q_->Drop();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_P(LocalQueueTest, NextWakeMsTracksEarliestTimer) {
  const TimeMs t0 = clock_.NowMs();
  EXPECT_EQ(q_->NextWakeMs(), INT64_MAX);
  Send("visible");
  EXPECT_EQ(q_->NextWakeMs(), INT64_MAX);
  Send("delayed", 100);
  EXPECT_EQ(q_->NextWakeMs(), t0 + 100'000);
  ReceivedMessage m = ReceiveOne();  // in flight until t0 + 30 s
  EXPECT_EQ(q_->NextWakeMs(), t0 + 30'000);
  ASSERT_TRUE(q_->ChangeVisibility(m.receipt_handle, 200).ok());
  EXPECT_EQ(q_->NextWakeMs(), t0 + 100'000);  // the superseded 30 s timer is skipped
  ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
  clock_.Advance(100'000);
  q_->Tick();
  EXPECT_EQ(q_->NextWakeMs(), INT64_MAX);
}

TEST_P(LocalQueueTest, PeekScansABoundedRunOfSequencesAndResumesAfterIt) {
  // A long run of deleted messages between two stored ones: one Peek does
  // not walk all of it under the queue's mutex; the pages resume after it.
  Send("first");
  const uint64_t gap = kMaxPeekScan + 10;
  for (uint64_t i = 0; i < gap; ++i) Send("x");
  Send("last");
  ReceivedMessage first = ReceiveOne();
  ASSERT_EQ(first.payload, "first");
  ASSERT_TRUE(q_->ChangeVisibility(first.receipt_handle, 0).ok());
  for (;;) {
    auto got = Receive(10);
    bool done = false;
    for (const auto& m : got) {
      if (m.payload == "x") {
        ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
      } else if (m.payload == "last") {
        done = true;
      }
    }
    if (done || got.empty()) break;
  }
  PeekRequest req;
  req.start_after_sequence = 1;  // after "first"
  req.include_in_flight = false;
  std::vector<std::string> seen;
  int calls = 0;
  for (; calls < 10; ++calls) {
    Result<PeekResult> page = q_->Peek(req);
    ASSERT_TRUE(page.ok());
    for (const PeekedMessage& m : page->messages) seen.push_back(m.payload);
    if (page->next_sequence == 0) break;
    ASSERT_GT(page->next_sequence, req.start_after_sequence);
    req.start_after_sequence = page->next_sequence;
  }
  EXPECT_GE(calls, 1) << "the gap takes more than one call";
  EXPECT_TRUE(seen.empty()) << "\"last\" is in flight and left out";
  req.start_after_sequence = 0;
  req.include_in_flight = true;
  req.max_messages = 1;
  Result<PeekResult> head = q_->Peek(req);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head->messages.size(), 1u);
  EXPECT_EQ(head->messages[0].payload, "first");
  EXPECT_NE(head->next_sequence, 0u) << "more may follow";
}

TEST_P(LocalQueueTest, PeekLeavesReceiptHandlesCurrent) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  ASSERT_TRUE(q_->Peek({}).ok());
  ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().deleted, 1u) << "the handle was still the current one";
  EXPECT_EQ(q_->Stats().in_flight, 0);
}

TEST_P(LocalQueueTest, PeekLeavesOutTheStatesNotAskedFor) {
  Send("visible");
  Send("delayed", 100);
  Send("still visible");
  ReceivedMessage m = ReceiveOne();  // the oldest: now in flight
  ASSERT_EQ(m.payload, "visible");
  auto payloads = [&](bool in_flight, bool delayed) {
    PeekRequest req;
    req.include_visible = false;
    req.include_in_flight = in_flight;
    req.include_delayed = delayed;
    std::vector<std::string> out;
    Result<PeekResult> page = q_->Peek(req);
    EXPECT_TRUE(page.ok());
    if (page.ok()) {
      for (const PeekedMessage& p : page->messages) out.push_back(p.payload);
    }
    return out;
  };
  EXPECT_EQ(payloads(false, true), std::vector<std::string>{"delayed"});
  EXPECT_EQ(payloads(true, false), std::vector<std::string>{"visible"});
  EXPECT_EQ(payloads(true, true), (std::vector<std::string>{"visible", "delayed"}));
}

TEST_P(LocalQueueTest, CountersLeaveOutDuplicatesAndStaleDeletes) {
  QueueSettings fifo_settings;
  fifo_settings.fifo = true;
  auto fifo = bodies_->MakeQueue("f.fifo", fifo_settings, clock_);
  SendRequest req;
  req.payload = "m";
  req.group_id = "g";
  req.dedup_id = "d";
  ASSERT_TRUE(fifo->Send(req).ok());
  ASSERT_TRUE(fifo->Send(req).ok());
  EXPECT_EQ(fifo->Stats().sent, 1u) << "a duplicate stores nothing";

  Send("m");
  ReceivedMessage first = ReceiveOne(0);
  ReceivedMessage second = ReceiveOne();
  ASSERT_TRUE(q_->Delete(first.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().deleted, 0u) << "a stale handle deletes nothing";
  ASSERT_TRUE(q_->Delete(second.receipt_handle).ok());
  EXPECT_EQ(q_->Stats().deleted, 1u);
  EXPECT_EQ(q_->Stats().received, 2u);
}

TEST_P(LocalQueueTest, RepeatedVisibilityChangesDoNotGrowMemory) {
  Send("m");
  ReceivedMessage m = ReceiveOne();
  for (int i = 0; i < 100'000; ++i) {
    clock_.Advance(1);
    ASSERT_TRUE(q_->ChangeVisibility(m.receipt_handle, 30).ok());
  }
  EXPECT_LT(q_->IndexMemoryBytes(), 64 * 1024u);
}

TEST_P(LocalQueueTest, ExpiredBacklogNobodyReceivesDoesNotGrowMemory) {
  QueueSettings s;
  s.retention_s = 60;
  q_ = MakeQueue(s);
  for (int i = 0; i < 50'000; ++i) {
    Send("m");
    clock_.Advance(10);  // about 6,000 messages alive at any time
  }
  EXPECT_LT(q_->IndexMemoryBytes(), 6'000u * 200);
  EXPECT_LE(bodies_->live(), 6'001);
}

TEST_P(LocalQueueTest, LargeBacklogCostsAFixedSmallAmountPerMessage) {
  constexpr int kN = 200'000;
  for (int i = 0; i < kN; ++i) Send("");
  // Entry table (64 B at 7/12..7/8 load) plus 8 B in the visible list.
  EXPECT_LT(q_->IndexMemoryBytes() / kN, 64 * 12 / 7 + 8 + 8);
  // Draining from the front stays fast and in order.
  uint64_t expect = 1;
  for (int i = 0; i < kN / 10; ++i) {
    for (const auto& m : Receive(10)) {
      EXPECT_EQ(m.sequence, expect++);
      ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
    }
  }
  EXPECT_EQ(expect, kN + 1u);
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_P(LocalQueueTest, ConcurrentSendReceiveDeliversEachMessageOnce) {
  constexpr int kProducers = 4, kConsumers = 4, kPerProducer = 5'000;
  constexpr int kTotal = kProducers * kPerProducer;
  std::atomic<int> received{0};
  std::mutex seen_mu;
  std::set<std::string> seen;
  int duplicates = 0;

  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        SendRequest req;
        req.payload = std::to_string(p) + ":" + std::to_string(i);
        ASSERT_TRUE(q_->Send(std::move(req)).ok());
      }
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      ReceiveRequest req;
      req.max_messages = 10;
      while (received.load() < kTotal) {
        auto got = q_->Receive(req);
        ASSERT_TRUE(got.ok());
        for (const auto& m : *got) {
          {
            std::lock_guard lock(seen_mu);
            if (!seen.insert(m.payload).second) ++duplicates;
          }
          ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
          ++received;
        }
        if (got->empty()) std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kTotal));
  QueueStats st = q_->Stats();
  EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0);
  EXPECT_EQ(bodies_->live(), 0);
}

TEST_P(LocalQueueTest, ConcurrentRedeliveryLosesNothing) {
  // Consumers give some messages back (visibility 0) and let others time out
  // while a ticker advances time and polls; in the end every message has been
  // delivered and deleted, and every body released.
  constexpr int kTotal = 4'000;
  std::atomic<bool> all_sent{false};
  std::atomic<bool> stop_ticker{false};
  std::mutex seen_mu;
  std::set<std::string> seen;
  auto drained = [&] {
    if (!all_sent.load()) return false;
    QueueStats st = q_->Stats();
    return st.visible + st.in_flight + st.delayed == 0;
  };

  std::thread sender([&] {
    for (int i = 0; i < kTotal; ++i) Send(std::to_string(i), i % 7 == 0 ? 1 : 0);
    all_sent = true;
  });
  std::thread ticker([&] {
    while (!stop_ticker.load()) {
      clock_.Advance(100);
      q_->Tick();
      q_->NextWakeMs();
      q_->Watch([] {});
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      ReceiveRequest req;
      req.max_messages = 10;
      req.visibility_timeout_s = 1;
      int n = 0;
      while (!drained()) {
        auto got = q_->Receive(req);
        ASSERT_TRUE(got.ok());
        for (const auto& m : *got) {
          {
            std::lock_guard lock(seen_mu);
            seen.insert(m.payload);
          }
          switch (++n % 3) {
            case 0:
              (void)q_->ChangeVisibility(m.receipt_handle, 0);
              break;
            case 1:
              break;  // left to time out
            default:
              ASSERT_TRUE(q_->Delete(m.receipt_handle).ok());
          }
        }
        if (got->empty()) std::this_thread::yield();
      }
    });
  }
  sender.join();
  for (auto& t : consumers) t.join();
  stop_ticker = true;
  ticker.join();

  EXPECT_EQ(seen.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(bodies_->live(), 0);
}

}  // namespace
}  // namespace ferry::engine
