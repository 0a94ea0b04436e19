// Message journeys (journey.h) through the durable engine and a fake clock:
// every kind of event, the bounds, off by default, switching off, and the
// journey kept across restarts from the log and from a checkpoint.
#include "engine/journey.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/durable_test_util.h"
#include "engine/local_queue.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;

QueueSettings Journeyed(int64_t retention_s = 86400, int64_t max_events = 1000) {
  QueueSettings s;
  s.extra[std::string(kJourneyAttribute)] = JourneyConfigValue({retention_s, max_events});
  return s;
}

std::vector<std::string> Events(const Queue& q, const std::string& id) {
  std::vector<std::string> out;
  for (const JourneyEntry& e : q.Journey(id)) out.push_back(e.event);
  return out;
}

using Names = std::vector<std::string>;

// Each restart test runs twice: from the log alone, and from a checkpoint.
class JourneyTest : public DurableEngineTest, public ::testing::WithParamInterface<bool> {
 protected:
  JourneyTest() {
    checkpoint_on_restart_ = GetParam();
    Open();
  }
};

TEST(JourneyConfig, ParsesItsCanonicalValueAndRefusesAnythingOutOfBounds) {
  QueueSettings s;
  EXPECT_FALSE(JourneyConfigOf(s));
  s.extra[std::string(kJourneyAttribute)] = JourneyConfigValue({60, 1000});
  ASSERT_TRUE(JourneyConfigOf(s));
  EXPECT_EQ(JourneyConfigOf(s)->retention_s, 60);
  EXPECT_EQ(JourneyConfigOf(s)->max_events, 1000);
  s.extra[std::string(kJourneyAttribute)] = JourneyConfigValue({59, 1000});
  EXPECT_FALSE(JourneyConfigOf(s));
  s.extra[std::string(kJourneyAttribute)] = "";
  EXPECT_FALSE(JourneyConfigOf(s));
  EXPECT_EQ(JourneyKindName(JourneyKind::kMovedToDeadLetterQueue), "MovedToDeadLetterQueue");
  EXPECT_EQ(JourneyKindName(JourneyKind::kCancelled), "Cancelled");
  EXPECT_TRUE(ParseMessageId("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(ParseMessageId("0f8fad5b-d9cb-469f-a165-70867728950"));
  EXPECT_FALSE(ParseMessageId("not an id"));
}

TEST_P(JourneyTest, OffByDefaultKeepsNothing) {
  auto q = Create("plain");
  const std::string id = Send(*q, "a").message_id;
  Receive(*q);
  EXPECT_TRUE(q->Journey(id).empty());
}

TEST_P(JourneyTest, SendReceiveVisibilityDeleteInOrderAndAcrossARestart) {
  auto q = Create("orders", Journeyed());
  const std::string id = Send(*q, "a", 5).message_id;
  clock_.Advance(5000);
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  clock_.Advance(1000);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 0).ok());
  got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  const Names want = {"Sent", "Received", "VisibilityChanged", "Received", "Deleted"};
  EXPECT_EQ(Events(*q, id), want);

  const std::vector<JourneyEntry> before = q->Journey(id);
  EXPECT_EQ(before[0].detail, "delayed 5s");
  EXPECT_EQ(before[1].receive_count, 1u);
  EXPECT_EQ(before[1].visible_until_ms, before[1].at_ms + 30000);
  EXPECT_EQ(before[2].visible_until_ms, before[2].at_ms);
  EXPECT_EQ(before[3].receive_count, 2u);
  q.reset();
  Restart();
  auto after = Find("orders")->Journey(id);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].event, before[i].event);
    EXPECT_EQ(after[i].at_ms, before[i].at_ms);
    EXPECT_EQ(after[i].receive_count, before[i].receive_count);
    EXPECT_EQ(after[i].visible_until_ms, before[i].visible_until_ms);
    EXPECT_EQ(after[i].detail, before[i].detail);
  }
}

// The flight an event shows is the timeout asked for, even when the clock
// moves between the receive's reading and the event's (a real clock can).
TEST_P(JourneyTest, AFlightIsExactlyTheTimeoutAskedForWhileTheClockMoves) {
  auto q = Create("moving", Journeyed());
  const std::string id = Send(*q, "a").message_id;
  clock_.TickOnEveryRead(1);
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 10).ok());
  clock_.TickOnEveryRead(0);
  const std::vector<JourneyEntry> events = q->Journey(id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].visible_until_ms - events[1].at_ms, 30000);
  EXPECT_EQ(events[2].visible_until_ms - events[2].at_ms, 10000);
}

TEST_P(JourneyTest, ExpiryAndPurge) {
  QueueSettings s = Journeyed();
  s.retention_s = 60;
  auto q = Create("short", s);
  const std::string old_id = Send(*q, "old").message_id;
  clock_.Advance(61000);
  const std::string new_id = Send(*q, "new").message_id;  // expires the old one first
  ASSERT_TRUE(q->Purge().ok());
  EXPECT_EQ(Events(*q, old_id), (Names{"Sent", "Expired"}));
  EXPECT_EQ(Events(*q, new_id), (Names{"Sent", "Purged"}));
  q.reset();
  Restart();
  EXPECT_EQ(Events(*Find("short"), old_id), (Names{"Sent", "Expired"}));
  EXPECT_EQ(Events(*Find("short"), new_id), (Names{"Sent", "Purged"}));
}

TEST_P(JourneyTest, DeadLetterShowsInBothQueuesAndAMoveTaskBack) {
  auto dlq = Create("dlq", Journeyed());
  QueueSettings s = Journeyed();
  s.dead_letter_queue = "dlq";
  s.max_receive_count = 1;
  auto q = Create("work", s);
  const std::string id = Send(*q, "x").message_id;
  ASSERT_EQ(Receive(*q, 1, 1).size(), 1u);
  clock_.Advance(1000);
  EXPECT_TRUE(Receive(*q, 1, 1).empty());  // the second receive moves it
  EXPECT_EQ(Events(*q, id), (Names{"Sent", "Received", "MovedToDeadLetterQueue"}));
  EXPECT_EQ(q->Journey(id)[2].detail, "dlq");
  EXPECT_EQ(Events(*dlq, id), (Names{"MovedFrom"}));
  EXPECT_EQ(dlq->Journey(id)[0].detail, "dead letter from work");
  EXPECT_EQ(dlq->Journey(id)[0].receive_count, 1u);

  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 100).ok());
  clock_.Advance(1000);
  engine_->Tick();
  EXPECT_EQ(Events(*dlq, id), (Names{"MovedFrom", "MovedTo"}));
  const std::string detail = dlq->Journey(id)[1].detail;
  ASSERT_EQ(detail.rfind("work as ", 0), 0u) << detail;
  const std::string new_id = detail.substr(8);
  EXPECT_EQ(Events(*q, new_id), (Names{"Sent", "MovedFrom"}));
  EXPECT_EQ(q->Journey(new_id)[1].detail, "dlq (was " + id + ")");
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  dlq.reset();
  Restart();
  EXPECT_EQ(Events(*Find("work"), id), (Names{"Sent", "Received", "MovedToDeadLetterQueue"}));
  EXPECT_EQ(Events(*Find("dlq"), id), (Names{"MovedFrom", "MovedTo"}));
}

TEST_P(JourneyTest, BoundedByCountAndAge) {
  auto q = Create("bounded", Journeyed(60, 1000));
  const std::string first = Send(*q, "first").message_id;
  std::string last;
  for (int i = 0; i < 1000; ++i) last = Send(*q, "m").message_id;
  EXPECT_TRUE(q->Journey(first).empty());  // the 1001st event pushed it out
  EXPECT_EQ(Events(*q, last), (Names{"Sent"}));
  clock_.Advance(60001);
  EXPECT_TRUE(q->Journey(last).empty());  // older than the retention
  q.reset();
  Restart();
  EXPECT_TRUE(Find("bounded")->Journey(last).empty());
}

TEST_P(JourneyTest, SwitchingOffDropsTheEventsForGood) {
  auto q = Create("toggle", Journeyed());
  const std::string id = Send(*q, "a").message_id;
  ASSERT_EQ(Events(*q, id), (Names{"Sent"}));
  ASSERT_TRUE(q->SetSettings(QueueSettings{}).ok());
  EXPECT_TRUE(q->Journey(id).empty());
  ASSERT_TRUE(q->SetSettings(Journeyed()).ok());
  EXPECT_TRUE(q->Journey(id).empty());  // on again: a fresh start
  Receive(*q);
  EXPECT_EQ(Events(*q, id), (Names{"Received"}));
  q.reset();
  Restart();
  EXPECT_EQ(Events(*Find("toggle"), id), (Names{"Received"}));
}

INSTANTIATE_TEST_SUITE_P(FromLogOrCheckpoint, JourneyTest, ::testing::Bool());

// The send path's cost, for callgrind (docs/extensions/journey.md,
// "Measured cost"): the same sends to a plain and to an opted-in queue.
class JourneyCost : public DurableEngineTest {
 protected:
  JourneyCost() { Open(); }
  void SendMany(Queue& q) {
    for (int i = 0; i < kSends; ++i) Send(q, "a message body of some forty bytes......");
    ASSERT_TRUE(WaitDurable().ok());
  }
  static constexpr int kSends = 2000;
};

TEST_F(JourneyCost, SendsToAPlainQueue) { SendMany(*Create("plain")); }

TEST_F(JourneyCost, SendsToAQueueKeepingJourneys) {
  auto q = Create("journeyed", Journeyed(86400, 100000));
  SendMany(*q);
  EXPECT_EQ(Events(*q, Send(*q, "last").message_id), (Names{"Sent"}));
}

// The hooks the other changes plug into, on an in-memory queue.
TEST(JourneyHooks, CancelledAndDroppedAreRecordedKinds) {
  FakeClock clock;
  MemoryJournal journal(nullptr);
  class Journey j(&journal, clock, Journeyed());
  MessageEntry e;
  e.message_id[0] = 7;
  j.NoteCancelled(e);
  j.Note(JourneyKind::kDropped, e);
  std::vector<JourneyEntry> got = j.Find(e.message_id);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event, "Cancelled");
  EXPECT_EQ(got[1].event, "Dropped");
}

}  // namespace
}  // namespace ferry::engine
