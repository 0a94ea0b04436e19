// Message journeys (journey.h) on the local engine: the attribute's value,
// the hooks no engine call reaches yet (Dropped) and the send path's cost.
// The stories — every kind of event, the bounds, off by default, switching
// off, kept across restarts from the log and from a checkpoint — are the
// engine conformance suite's (conformance/journey_suite.cc), run by every
// engine.
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
  EXPECT_EQ(q->Journey(Send(*q, "last").message_id).size(), 1u) << "Sent";
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
