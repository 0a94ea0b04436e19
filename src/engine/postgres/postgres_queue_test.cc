// The PostgreSQL engine beyond the conformance suite: Cancel and
// DeadLetter, FIFO receive attempts, fair queues with a large backlog and
// more groups than a receive visits, and two engines over one database (two
// nodes): wake-ups across them, one FIFO group in flight across them, a
// released FIFO group's place across them, and concurrent receives that
// never hand out a message twice, on one node (sharing statements) or two;
// a FIFO publish whose copies fail leaves no deduplication entry; the rows
// behind message journeys (none without them, read from either node,
// trimmed by Tick, gone when switched off or with their queue).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/journey.h"
#include "engine/postgres/pg_conn.h"
#include "engine/postgres/pg_core.h"
#include "engine/postgres/pg_test_server.h"
#include "engine/postgres/postgres_engine.h"

namespace ferry::engine {
namespace {

class PostgresQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FERRY_PG_NEW_DATABASE_OR_SKIP(url);
    url_ = url;
    a_ = Open();
    b_ = Open();
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
  }

  std::unique_ptr<Engine> Open() {
    auto opened = OpenPostgresEngine(clock_, PostgresOptions{url_, 4});
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  static std::shared_ptr<Queue> Fifo(Engine& engine, const std::string& name) {
    QueueSettings s;
    s.fifo = true;
    auto made = engine.CreateQueue(name, s, {});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? *made : nullptr;
  }

  static SendResult Send(Queue& q, const std::string& payload, int64_t delay_s = -1,
                         const std::string& group = "", const std::string& dedup = "") {
    SendRequest req;
    req.payload = payload;
    req.delay_s = delay_s;
    req.group_id = group;
    req.dedup_id = dedup;
    auto sent = q.Send(std::move(req));
    EXPECT_TRUE(sent.ok()) << sent.status().message();
    return sent.ok() ? *sent : SendResult{};
  }

  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10, int64_t visibility_s = -1,
                                              const std::string& attempt = "") {
    ReceiveRequest req;
    req.max_messages = max;
    req.visibility_timeout_s = visibility_s;
    req.attempt_id = attempt;
    auto got = q.Receive(req);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? *got : std::vector<ReceivedMessage>{};
  }

  // Sends `n` messages of `group` from four threads at once, so that they
  // share inserts (a backlog in a fraction of the time of one by one).
  static void SendMany(Queue& q, int n, const std::string& group) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&q, n, t, group] {
        for (int i = t; i < n; i += 4) Send(q, group + std::to_string(i), -1, group);
      });
    }
    for (auto& t : threads) t.join();
  }

  // A queue `name` on node a whose dead-letter queue, `dlq`, takes its
  // messages after `max_receive_count` receives.
  std::shared_ptr<Queue> WithDeadLetterQueue(const std::string& name, const std::string& dlq,
                                             int max_receive_count) {
    QueueSettings s;
    s.dead_letter_queue = dlq;
    s.max_receive_count = max_receive_count;
    auto made = a_->CreateQueue(name, s, {});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? *made : nullptr;
  }

  static std::map<std::string, int> CountByGroup(const std::vector<ReceivedMessage>& got) {
    std::map<std::string, int> out;
    for (const ReceivedMessage& m : got) ++out[m.group_id];
    return out;
  }

  // A FIFO queue created on node a and found on node b: {on a, on b}.
  std::pair<std::shared_ptr<Queue>, std::shared_ptr<Queue>> FifoOnBothNodes(
      const std::string& name) {
    QueueSettings s;
    s.fifo = true;
    auto created = a_->CreateQueue(name, s, {});
    EXPECT_TRUE(created.ok()) << created.status().message();
    return {created.ok() ? *created : nullptr, b_->FindQueue(name)};
  }

  static bool WaitFor(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // A queue `name` on node a keeping journeys within these bounds.
  std::shared_ptr<Queue> Journeyed(const std::string& name, int64_t retention_s = 86400,
                                   int64_t max_events = 1000) {
    QueueSettings s;
    s.extra[std::string(kJourneyAttribute)] = JourneyConfigValue({retention_s, max_events});
    auto made = a_->CreateQueue(name, s, {});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? *made : nullptr;
  }

  // The rows of ferry_journey, whatever the reads' bounds.
  int64_t JourneyRows() {
    auto conn = pg::PgConn::Connect(url_, "");
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return -1;
    auto r = (*conn)->Exec("SELECT count(*) FROM ferry_journey");
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->Int(0, 0) : -1;
  }

  FakeClock clock_;
  std::string url_;
  std::unique_ptr<Engine> a_;
  std::unique_ptr<Engine> b_;
};

TEST_F(PostgresQueueTest, CancelRemovesADelayedMessageOnlyWhileItIsDelayed) {
  auto q = *a_->CreateQueue("q", {}, {});
  const SendResult later = Send(*q, "later", 60);
  const SendResult now = Send(*q, "now");
  EXPECT_EQ(*q->Cancel(now.message_id), CancelOutcome::kAlreadyVisible);
  EXPECT_EQ(*q->Cancel("00000000-0000-4000-8000-000000000000"), CancelOutcome::kNotFound);
  EXPECT_EQ(q->Cancel("nope").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*q->Cancel(later.message_id), CancelOutcome::kCancelled);
  EXPECT_EQ(*q->Cancel(later.message_id), CancelOutcome::kNotFound);
  clock_.Advance(60'000);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "now");
}

TEST_F(PostgresQueueTest, DeadLetterMovesAnInFlightMessageToTheDeadLetterQueue) {
  auto dlq = *a_->CreateQueue("dlq", {}, {});
  auto q = WithDeadLetterQueue("q", "dlq", 5);
  auto plain = *a_->CreateQueue("plain", {}, {});
  const SendResult sent = Send(*q, "m");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(q->DeadLetter("bad").code(), Code::kInvalidArgument);
  ASSERT_TRUE(q->DeadLetter(got[0].receipt_handle).ok());
  EXPECT_EQ(q->DeadLetter(got[0].receipt_handle).code(), Code::kNotFound) << "gone from q";
  auto moved = Receive(*dlq);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].message_id, sent.message_id);
  EXPECT_EQ(moved[0].dead_letter_source, "q");
  EXPECT_EQ(q->Stats().moved_to_dead_letter, 1u);

  Send(*plain, "p");
  auto p = Receive(*plain);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(plain->DeadLetter(p[0].receipt_handle).code(), Code::kFailedPrecondition);
}

TEST_F(PostgresQueueTest, AMessageDueForAMissingDeadLetterQueueStaysHiddenUntilItExists) {
  auto q = WithDeadLetterQueue("q", "dlq", 1);
  Send(*q, "m");
  ASSERT_EQ(Receive(*q, 10, 30).size(), 1u);
  clock_.Advance(30'000);
  EXPECT_TRUE(Receive(*q, 10, 30).empty()) << "due for the DLQ, which does not exist";
  EXPECT_EQ(q->Stats().in_flight, 1) << "hidden until the deadline";
  auto dlq = *a_->CreateQueue("dlq", {}, {});
  clock_.Advance(30'000);
  EXPECT_TRUE(Receive(*q, 10, 30).empty()) << "moved this time";
  auto moved = Receive(*dlq);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].dead_letter_source, "q");
  EXPECT_EQ(q->Stats().moved_to_dead_letter, 1u);
}

TEST_F(PostgresQueueTest, ARedeliveryBackoffHidesAReturningMessageLonger) {
  QueueSettings s;
  s.redelivery_backoff = {BackoffFunction::kExponential, 10, 100, BackoffJitter::kNone};
  auto q = *a_->CreateQueue("q", s, {});
  Send(*q, "m");
  ASSERT_EQ(Receive(*q, 1, 30).size(), 1u);
  clock_.Advance(30'000);
  ASSERT_EQ(Receive(*q, 1, 30).size(), 1u) << "the first receive adds nothing";
  clock_.Advance(30'000);
  EXPECT_TRUE(Receive(*q).empty()) << "the second receive added 10 s";
  clock_.Advance(10'000);
  auto third = Receive(*q);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3);
}

TEST_F(PostgresQueueTest, AFifoReceiveAttemptRetriedReturnsTheSameMessagesAndHandles) {
  QueueSettings s;
  s.fifo = true;
  auto q = *a_->CreateQueue("q.fifo", s, {});
  Send(*q, "m1", -1, "g", "1");
  Send(*q, "m2", -1, "g", "2");
  auto first = Receive(*q, 1, 30, "attempt");
  ASSERT_EQ(first.size(), 1u);
  auto retry = Receive(*q, 1, 30, "attempt");
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].receipt_handle, first[0].receipt_handle);
  EXPECT_TRUE(Receive(*q, 10, 30, "other").empty()) << "the group is in flight";
}

TEST_F(PostgresQueueTest, ASendOnOneNodeWakesAWatcherOnAnother) {
  auto qa = *a_->CreateQueue("q", {}, {});
  auto qb = b_->FindQueue("q");
  ASSERT_NE(qb, nullptr);
  std::atomic<int> calls{0};
  qb->Watch([&calls] { ++calls; });
  Send(*qa, "m");
  EXPECT_TRUE(WaitFor([&] { return calls.load() == 1; })) << "through LISTEN/NOTIFY";
  EXPECT_EQ(Receive(*qb).size(), 1u);
}

TEST_F(PostgresQueueTest, ASettingChangedOnOneNodeIsSeenByAnotherWithinASecond) {
  auto qa = *a_->CreateQueue("q", {}, {});
  auto qb = b_->FindQueue("q");
  ASSERT_NE(qb, nullptr);
  QueueSettings s = qa->settings();
  s.visibility_timeout_s = 99;
  ASSERT_TRUE(qa->SetSettings(s).ok());
  // B answers from its cached row until the row is a second old by the
  // engine's clock, then reads the row again.
  clock_.Advance(pg::kRowCacheTtl.count() - 1);
  EXPECT_NE(qb->settings().visibility_timeout_s, 99);
  clock_.Advance(1);
  EXPECT_EQ(qb->settings().visibility_timeout_s, 99);
}

TEST_F(PostgresQueueTest, ACatalogWriteOnOneNodeMovesTheOthersCatalogVersionAtItsTick) {
  // The first tick reads the version (a second has passed since none).
  clock_.Advance(1000);
  b_->Tick();
  const uint64_t start = b_->CatalogVersion();
  EXPECT_GT(start, 0u);
  ASSERT_TRUE(a_->PutEntry(CatalogKind::kTopic, CatalogEntry{.key = "t", .fields = {}}).ok());
  EXPECT_EQ(b_->CatalogVersion(), start) << "no I/O: the version moves only at a tick";
  // Without waiting for the notification: a second later a tick reads the
  // version whatever it heard.
  clock_.Advance(1000);
  b_->Tick();
  const uint64_t put = b_->CatalogVersion();
  EXPECT_GT(put, start);
  ASSERT_EQ(b_->ReadEntries(CatalogKind::kTopic)->size(), 1u);
  ASSERT_TRUE(a_->EraseEntry(CatalogKind::kTopic, "t").ok());
  clock_.Advance(1000);
  b_->Tick();
  EXPECT_GT(b_->CatalogVersion(), put);
  EXPECT_TRUE(b_->ReadEntries(CatalogKind::kTopic)->empty());
}

TEST_F(PostgresQueueTest, OneFifoGroupIsInFlightAcrossNodes) {
  auto [qa, qb] = FifoOnBothNodes("q.fifo");
  Send(*qa, "a1", -1, "a", "1");
  Send(*qa, "a2", -1, "a", "2");
  Send(*qa, "b1", -1, "b", "3");
  auto on_a = Receive(*qa, 1);
  ASSERT_EQ(on_a.size(), 1u);
  EXPECT_EQ(on_a[0].payload, "a1");
  auto on_b = Receive(*qb, 10);
  ASSERT_EQ(on_b.size(), 1u);
  EXPECT_EQ(on_b[0].payload, "b1") << "a2 waits behind a1, in flight on the other node";
}

TEST_F(PostgresQueueTest, AMoveTaskOnAFifoSourceTakesWholeReadyGroupsInOrder) {
  auto src = Fifo(*a_, "src.fifo");
  auto dst = Fifo(*a_, "dst.fifo");
  // Payloads name their group: b1 a1 a2 b2 a3, in this order.
  int dedup = 0;
  for (const std::string payload : {"b1", "a1", "a2", "b2", "a3"}) {
    Send(*src, payload, -1, payload.substr(0, 1), std::to_string(++dedup));
  }
  // b1 in flight: group b is not ready, so b2 (visible) must stay behind it.
  auto taken = Receive(*src, 1);
  ASSERT_EQ(taken.size(), 1u);
  ASSERT_EQ(taken[0].payload, "b1");
  ASSERT_TRUE(b_->StartMoveTask("src.fifo", "dst.fifo", 100).ok());
  clock_.Advance(1000);
  b_->Tick();
  std::vector<std::string> moved;
  for (const ReceivedMessage& m : Receive(*dst, 10)) moved.push_back(m.payload);
  EXPECT_EQ(moved, (std::vector<std::string>{"a1", "a2", "a3"}));
  // b2 is still the source's, behind b1; once b1 is deleted it is next.
  ASSERT_TRUE(src->Delete(taken[0].receipt_handle).ok());
  auto next = Receive(*src, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].payload, "b2");
}

TEST_F(PostgresQueueTest, AThousandMessageBacklogOfOneGroupDoesNotStarveThreeQuietGroups) {
  auto qa = *a_->CreateQueue("fair", {}, {});
  auto qb = b_->FindQueue("fair");
  SendMany(*qa, 1000, "noisy");
  for (const std::string g : {"t1", "t2", "t3"}) Send(*qa, g, -1, g);
  auto on_a = Receive(*qa, 10);
  ASSERT_EQ(on_a.size(), 10u);
  EXPECT_EQ(CountByGroup(on_a),
            (std::map<std::string, int>{{"noisy", 7}, {"t1", 1}, {"t2", 1}, {"t3", 1}}));
  for (const std::string g : {"u1", "u2"}) Send(*qb, g, -1, g);
  auto on_b = Receive(*qb, 10);
  EXPECT_EQ(CountByGroup(on_b), (std::map<std::string, int>{{"noisy", 8}, {"u1", 1}, {"u2", 1}}))
      << "the other node's receive, its own walk over the groups";
}

TEST_F(PostgresQueueTest, GroupsBeyondOneReceivesWalkGetTheirTurnsInTheNextReceives) {
  auto q = *a_->CreateQueue("fair", {}, {});
  SendMany(*q, 300, "a-noisy");  // first by name: every walk from the start meets it
  constexpr int kQuiet = 150;    // more groups than one receive visits (100)
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kQuiet; i += 4) {
        const std::string g = "q" + std::to_string(1000 + i);
        Send(*q, g, -1, g);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::map<std::string, int> served;
  const int receives = kQuiet / 10 + 1;
  for (int i = 0; i < receives; ++i) {
    for (const auto& [group, n] : CountByGroup(Receive(*q, 10))) served[group] += n;
  }
  for (int i = 0; i < kQuiet; ++i) {
    EXPECT_EQ(served["q" + std::to_string(1000 + i)], 1) << "group q" << 1000 + i;
  }
  EXPECT_EQ(served["a-noisy"], receives * 10 - kQuiet) << "a turn per walk around the groups";
}

TEST_F(PostgresQueueTest, AReleasedFifoGroupComesAfterGroupsReadyBeforeItAcrossNodes) {
  auto [qa, qb] = FifoOnBothNodes("q.fifo");
  Send(*qa, "g1-m1", -1, "g1", "1");
  auto first = Receive(*qa, 10, 60);
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(1'000);
  Send(*qb, "g2-m1", -1, "g2", "2");
  ASSERT_TRUE(qa->ChangeVisibility(first[0].receipt_handle, 0).ok());
  auto got = Receive(*qb, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, "g2-m1");
  EXPECT_EQ(got[1].payload, "g1-m1");
  EXPECT_EQ(got[1].receive_count, 2);
}

TEST_F(PostgresQueueTest, ConcurrentSendsAndReceivesOnTwoNodesLoseAndShareNoMessage) {
  auto qa = *a_->CreateQueue("q", {}, {});
  auto qb = b_->FindQueue("q");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  // Concurrent sends share inserts (BatchedWrites): each still gets its own
  // id and sequence.
  std::mutex mu;
  std::set<uint64_t> sequences;
  for (int t = 0; t < kThreads; ++t) {
    Queue* q = t % 2 == 0 ? qa.get() : qb.get();
    threads.emplace_back([&, q, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const SendResult sent = Send(*q, std::to_string(t * kPerThread + i));
        std::lock_guard lock(mu);
        sequences.insert(sent.sequence);
      }
    });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  EXPECT_EQ(sequences.size(), static_cast<size_t>(kThreads * kPerThread));

  std::multiset<std::string> seen;
  std::atomic<int> deleted{0};
  for (int t = 0; t < kThreads; ++t) {
    Queue* q = t % 2 == 0 ? qa.get() : qb.get();
    threads.emplace_back([&, q] {
      for (;;) {
        auto got = Receive(*q, 10, 300);
        if (got.empty()) return;
        {
          std::lock_guard lock(mu);
          for (const auto& m : got) seen.insert(m.payload);
        }
        for (const auto& m : got) {
          EXPECT_TRUE(q->Delete(m.receipt_handle).ok());
          ++deleted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size())
      << "no message was received twice";
  EXPECT_EQ(deleted.load(), kThreads * kPerThread);
  EXPECT_EQ(qa->Stats().visible + qa->Stats().in_flight, 0) << "every delete took";
}

// Concurrent receives of a standard queue on one node share statements
// (PgQueue::RunReceives): each request still gets at most what it asked
// for, no message goes to two of them, and each message is hidden for the
// visibility timeout of the request that got it.
TEST_F(PostgresQueueTest, ConcurrentReceivesOnOneNodeShareStatementsAndKeepTheirOwnTimeouts) {
  auto q = *a_->CreateQueue("shared", {}, {});
  constexpr int kMessages = 400;
  SendMany(*q, kMessages, "");
  constexpr int kThreads = 8;
  std::mutex mu;
  std::map<std::string, int64_t> timeout_of;  // payload -> the timeout it was received with
  int duplicates = 0;
  int over_max = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int max = 1 + t;
      const int64_t timeout = t % 2 == 0 ? 100 : 300;
      for (int round = 0; round < 6; ++round) {
        const auto got = Receive(*q, max, timeout);
        std::lock_guard lock(mu);
        if (static_cast<int>(got.size()) > max) ++over_max;
        for (const auto& m : got) {
          if (!timeout_of.emplace(m.payload, timeout).second) ++duplicates;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates, 0) << "no message went to two receives";
  EXPECT_EQ(over_max, 0);
  EXPECT_EQ(timeout_of.size(), static_cast<size_t>(6 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8)));

  // 200 s on: the messages taken with a 100 s timeout are back, the others
  // still hidden.
  clock_.Advance(200'000);
  std::set<std::string> back;
  for (auto got = Receive(*q, 10, 1000); !got.empty(); got = Receive(*q, 10, 1000)) {
    for (const auto& m : got) back.insert(m.payload);
  }
  std::set<std::string> expected;
  int never_received = 0;
  for (const auto& [payload, timeout] : timeout_of) {
    if (timeout == 100) expected.insert(payload);
  }
  for (const std::string& payload : back) {
    if (!timeout_of.contains(payload)) ++never_received;
  }
  EXPECT_EQ(never_received, kMessages - static_cast<int>(timeout_of.size()));
  for (const std::string& payload : expected) EXPECT_TRUE(back.contains(payload)) << payload;
  for (const auto& [payload, timeout] : timeout_of) {
    if (timeout == 300) {
      EXPECT_FALSE(back.contains(payload)) << payload << " is still hidden";
    }
  }
}

// The shared receive of a queue with a dead-letter queue: messages past
// their maxReceiveCount move once each, whichever request's statement
// finds them, and none is lost or handed out twice in a flight.
TEST_F(PostgresQueueTest, ConcurrentSharedReceivesMoveEachExhaustedMessageOnce) {
  auto dlq = *a_->CreateQueue("shared-dlq", {}, {});
  auto q = WithDeadLetterQueue("shared-src", "shared-dlq", 2);
  constexpr int kMessages = 120;
  SendMany(*q, kMessages, "");
  // Timeout 0: a message is visible again at once (the clock stands
  // still), so receives take each one until its third, which moves it.
  std::mutex mu;
  std::map<std::string, int> receives;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        const auto got = Receive(*q, 1 + t, 0);
        if (got.empty() && q->Stats().visible == 0) return;
        std::lock_guard lock(mu);
        for (const auto& m : got) ++receives[m.payload];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(q->Stats().visible + q->Stats().in_flight, 0);
  EXPECT_EQ(q->Stats().moved_to_dead_letter, static_cast<uint64_t>(kMessages));
  std::multiset<std::string> moved;
  for (auto got = Receive(*dlq, 10, 300); !got.empty(); got = Receive(*dlq, 10, 300)) {
    for (const auto& m : got) {
      moved.insert(m.payload);
      EXPECT_EQ(m.dead_letter_source, "shared-src");
    }
  }
  EXPECT_EQ(moved.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(std::set<std::string>(moved.begin(), moved.end()).size(), moved.size())
      << "each message moved once";
  for (const auto& [payload, n] : receives) EXPECT_EQ(n, 2) << payload;
}

// A FIFO topic's deduplication entry commits with its copies: a copy that
// fails (its queue deleted by another node, the foreign key) takes the
// entry with it, so the client's retry is no duplicate and stores them.
TEST_F(PostgresQueueTest, APublishWhoseCopiesFailLeavesNoDeduplicationEntry) {
  auto dedup = Fifo(*a_, "topic-dedup.fifo");
  auto kept = a_->CreateQueue("kept", {}, {});
  auto gone = a_->CreateQueue("gone", {}, {});
  ASSERT_TRUE(kept.ok() && gone.ok());
  ASSERT_TRUE(b_->DeleteQueue("gone").ok());  // a_'s object still has its row
  SendRequest entry;
  entry.group_id = "g";
  entry.dedup_id = "d";
  std::vector<CopyTarget> targets;
  const std::string payload = "copy";
  auto failed = a_->SendDedupedCopies(
      *dedup, entry, [&](const SendResult&) -> Result<std::span<const CopyTarget>> {
        targets = {{kept->get(), {.payload = payload}}, {gone->get(), {.payload = payload}}};
        return std::span<const CopyTarget>(targets);
      });
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(Receive(**kept).empty());

  auto retried = a_->SendDedupedCopies(
      *dedup, entry, [&](const SendResult&) -> Result<std::span<const CopyTarget>> {
        targets = {{kept->get(), {.payload = payload}}};
        return std::span<const CopyTarget>(targets);
      });
  ASSERT_TRUE(retried.ok()) << retried.status().message();
  EXPECT_FALSE(retried->entry.duplicate);
  ASSERT_EQ(retried->copies.size(), 1u);
  EXPECT_TRUE(retried->copies[0].ok());
  EXPECT_EQ(Receive(**kept).size(), 1u);
  EXPECT_EQ(Receive(*dedup).size(), 1u);  // one entry, the retry's
}

// Message journeys: the stories are the conformance suite's
// (conformance/journey_suite.cc); these are the rows of ferry_journey behind
// them (pg_journey.h).

TEST_F(PostgresQueueTest, AQueueWithoutJourneysWritesNoJourneyRow) {
  auto q = *a_->CreateQueue("plain", {}, {});
  Send(*q, "a");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 0).ok());
  got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  ASSERT_TRUE(q->Purge().ok());
  EXPECT_EQ(JourneyRows(), 0);
}

// The events are the database's: node b reads what node a wrote, at once.
TEST_F(PostgresQueueTest, AnotherNodeReadsTheSameJourney) {
  auto q = Journeyed("orders");
  const std::string id = Send(*q, "a", 5).message_id;
  clock_.Advance(5000);
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  const std::vector<JourneyEntry> on_a = q->Journey(id);
  const std::vector<JourneyEntry> on_b = b_->FindQueue("orders")->Journey(id);
  ASSERT_EQ(on_a.size(), 3u);
  ASSERT_EQ(on_b.size(), on_a.size());
  for (size_t i = 0; i < on_a.size(); ++i) {
    EXPECT_EQ(on_b[i].event, on_a[i].event);
    EXPECT_EQ(on_b[i].at_ms, on_a[i].at_ms);
    EXPECT_EQ(on_b[i].visible_until_ms, on_a[i].visible_until_ms);
  }
}

// Reads hold the bounds at once; Tick deletes the rows beyond them: below
// the count's cut, found again once a minute, and past the retention.
TEST_F(PostgresQueueTest, TickTrimsTheJourneyRowsBeyondTheCountAndTheRetention) {
  auto q = Journeyed("bounded", 3600, 1000);
  const auto send = [&](int n) {
    std::vector<SendRequest> batch(static_cast<size_t>(n));
    for (SendRequest& r : batch) r.payload = "m";
    ASSERT_TRUE(q->SendBatch(std::move(batch)).back().ok());
  };
  send(1);
  for (int i = 0; i < 100; ++i) send(10);
  EXPECT_EQ(JourneyRows(), 1001);
  clock_.Advance(2000);
  a_->Tick();
  EXPECT_EQ(JourneyRows(), 1000);
  send(10);
  clock_.Advance(1000);
  a_->Tick();
  EXPECT_EQ(JourneyRows(), 1010) << "the cut found a second ago holds until the next minute";
  clock_.Advance(60'000);
  a_->Tick();
  EXPECT_EQ(JourneyRows(), 1000);
  clock_.Advance(3'600'000);
  b_->Tick();  // any node's housekeeping
  EXPECT_EQ(JourneyRows(), 0);
}

TEST_F(PostgresQueueTest, SwitchingJourneysOffOrDeletingTheQueueDeletesItsRows) {
  auto toggled = Journeyed("toggle");
  auto deleted = Journeyed("gone");
  Send(*toggled, "a");
  Send(*deleted, "b");
  ASSERT_EQ(JourneyRows(), 2);
  ASSERT_TRUE(toggled->SetSettings(QueueSettings{}).ok());
  EXPECT_EQ(JourneyRows(), 1);
  ASSERT_TRUE(a_->DeleteQueue("gone").ok());
  EXPECT_EQ(JourneyRows(), 0);
}

}  // namespace
}  // namespace ferry::engine
