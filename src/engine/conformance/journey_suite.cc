// Conformance: message journeys (FerryMessageJourney, engine/journey.h).
// Every engine that keeps journeys tells the same story of a message: the
// same events in the same order, with the same details, receive counts and
// flights, so that GetMessageJourney answers alike whatever the engine.
// An engine that keeps state outside the process keeps the events across a
// restart too (the local engine from its log or a checkpoint, PostgreSQL
// in its database).
#include "engine/conformance/suite.h"
#include "engine/journey.h"

namespace ferry::engine::conformance {
namespace {

QueueSettings Journeyed(QueueSettings s = {}, int64_t retention_s = 86400,
                        int64_t max_events = 1000) {
  s.extra[std::string(kJourneyAttribute)] = JourneyConfigValue({retention_s, max_events});
  return s;
}

std::vector<std::string> Kinds(const Queue& q, const std::string& id) {
  std::vector<std::string> out;
  for (const JourneyEntry& e : q.Journey(id)) out.push_back(e.event);
  return out;
}

using Story = std::vector<std::string>;
// Journeys to compare across a restart: (queue, message id).
using Told = std::vector<std::pair<std::string, std::string>>;

// Every field of each event, one line per event (comparable, and readable
// in a failure).
std::vector<std::string> Lines(const std::vector<JourneyEntry>& events) {
  std::vector<std::string> out;
  for (const JourneyEntry& e : events) {
    out.push_back(e.event + " at " + std::to_string(e.at_ms) + " count " +
                  std::to_string(e.receive_count) + " until " + std::to_string(e.visible_until_ms) +
                  ": " + e.detail);
  }
  return out;
}

// Each journey of `told` as Lines, read from `engine`'s queues.
std::vector<std::vector<std::string>> Journeys(Engine& engine, const Told& told) {
  std::vector<std::vector<std::string>> out;
  for (const auto& [queue, id] : told) out.push_back(Lines(engine.FindQueue(queue)->Journey(id)));
  return out;
}

TEST_P(EngineConformanceTest, JourneysAreOffByDefault) {
  auto q = Create("plain");
  const SendResult sent = Send(*q, "a");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->Delete(got[0].receipt_handle).ok());
  EXPECT_TRUE(q->Journey(sent.message_id).empty());
}

TEST_P(EngineConformanceTest, AJourneyTellsEachChangeInOrderWithItsCountsAndFlights) {
  auto q = Create("orders", Journeyed());
  const std::string id = Send(*q, "a", 5).message_id;
  Advance(5'000);
  auto first = Receive(*q, 1, 30);
  ASSERT_EQ(first.size(), 1u);
  Advance(1'000);
  ASSERT_TRUE(q->ChangeVisibility(first[0].receipt_handle, 0).ok());
  auto second = Receive(*q, 1, 30);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_TRUE(q->Delete(second[0].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());

  const std::vector<JourneyEntry> told = q->Journey(id);
  ASSERT_EQ(Kinds(*q, id), (Story{"Sent", "Received", "VisibilityChanged", "Received", "Deleted"}));
  EXPECT_EQ(told[0].detail, "delayed 5s");
  EXPECT_EQ(told[0].visible_until_ms, told[0].at_ms + 5'000);
  const std::vector<uint32_t> counts = {0, 1, 1, 2, 2};
  for (size_t i = 0; i < counts.size(); ++i) EXPECT_EQ(told[i].receive_count, counts[i]) << i;
  EXPECT_EQ(told[1].visible_until_ms - told[1].at_ms, 30'000);
  EXPECT_EQ(told[2].visible_until_ms, told[2].at_ms) << "made visible at once";
  EXPECT_EQ(told[4].visible_until_ms, 0);

  const auto before = Journeys(*engine_, {{"orders", id}});
  q.reset();
  if (Restart()) {
    EXPECT_EQ(Journeys(*engine_, {{"orders", id}}), before);
  }
}

// A flight is the timeout asked for even when the clock moves between the
// reading a deadline was reckoned from and the event's.
TEST_P(EngineConformanceTest, AJourneysFlightsAreTheTimeoutsAskedForWhileTheClockMoves) {
  auto q = Create("moving", Journeyed());
  const std::string id = Send(*q, "a").message_id;
  clock_.TickOnEveryRead(1);
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->ChangeVisibility(got[0].receipt_handle, 10).ok());
  clock_.TickOnEveryRead(0);
  const std::vector<JourneyEntry> told = q->Journey(id);
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[1].visible_until_ms - told[1].at_ms, 30'000);
  EXPECT_EQ(told[2].visible_until_ms - told[2].at_ms, 10'000);
}

TEST_P(EngineConformanceTest, AFifoJourneyNamesTheGroupAndSkipsDuplicatesAndACancelEndsIt) {
  auto q = Create("jobs.fifo", Journeyed(Fifo()));
  const std::string a = SendFifo(*q, "a", "g1", "d1").message_id;
  SendFifo(*q, "a again", "g1", "d1");
  SendRequest later;
  later.payload = "b";
  later.delay_s = 10;
  later.group_id = "g2";
  later.dedup_id = "d2";
  auto b = q->Send(std::move(later));
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto got = Receive(*q, 10, 30);
  ASSERT_EQ(got.size(), 1u);
  const std::vector<std::string_view> handles = {got[0].receipt_handle};
  ASSERT_TRUE(q->DeleteBatch(handles).front().ok());
  auto cancelled = q->Cancel(b->message_id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  EXPECT_EQ(*cancelled, CancelOutcome::kCancelled);
  EXPECT_EQ(Kinds(*q, a), (Story{"Sent", "Received", "Deleted"}));
  EXPECT_EQ(q->Journey(a)[0].detail, "group g1");
  EXPECT_EQ(Kinds(*q, b->message_id), (Story{"Sent", "Cancelled"}));
  EXPECT_EQ(q->Journey(b->message_id)[0].detail, "group g2, delayed 10s");
}

TEST_P(EngineConformanceTest, AJourneyEndsInExpiryOrPurge) {
  QueueSettings s = Journeyed();
  s.retention_s = 60;
  auto q = Create("short", s);
  const std::string expiring = Send(*q, "old").message_id;
  Advance(61'000);
  const std::string purged = Send(*q, "new").message_id;
  ASSERT_TRUE(q->Purge().ok());
  EXPECT_EQ(Kinds(*q, expiring), (Story{"Sent", "Expired"}));
  EXPECT_EQ(Kinds(*q, purged), (Story{"Sent", "Purged"}));
  const Told told = {{"short", expiring}, {"short", purged}};
  const auto before = Journeys(*engine_, told);
  q.reset();
  if (Restart()) {
    EXPECT_EQ(Journeys(*engine_, told), before);
  }
}

TEST_P(EngineConformanceTest, ADeadLetterJourneysThroughBothQueuesAndAMoveTaskBack) {
  auto dlq = Create("dlq", Journeyed());
  auto q = Create("work", Journeyed(WithDeadLetterQueue("dlq", 1)));
  const std::string id = Send(*q, "x").message_id;
  ReceiveAndAbandon(*q, 1);
  EXPECT_TRUE(Receive(*q).empty()) << "the second receive moves it";
  ASSERT_TRUE(WaitUntil([&] { return dlq->Journey(id).size() == 1; }));
  EXPECT_EQ(Kinds(*q, id), (Story{"Sent", "Received", "MovedToDeadLetterQueue"}));
  EXPECT_EQ(q->Journey(id)[2].detail, "dlq");
  const JourneyEntry arrived = dlq->Journey(id)[0];
  EXPECT_EQ(arrived.event, "MovedFrom");
  EXPECT_EQ(arrived.detail, "dead letter from work");
  EXPECT_EQ(arrived.receive_count, 1u);

  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 100).ok());
  Advance(1'000);
  ASSERT_EQ(Kinds(*dlq, id), (Story{"MovedFrom", "MovedTo"}));
  const std::string back = dlq->Journey(id)[1].detail;
  ASSERT_EQ(back.rfind("work as ", 0), 0u) << back;
  const std::string new_id = back.substr(8);
  EXPECT_EQ(Kinds(*q, new_id), (Story{"Sent", "MovedFrom"}));
  EXPECT_EQ(q->Journey(new_id)[1].detail, "dlq (was " + id + ")");
  const Told told = {{"work", id}, {"dlq", id}, {"work", new_id}};
  const auto before = Journeys(*engine_, told);
  q.reset();
  dlq.reset();
  if (Restart()) {
    EXPECT_EQ(Journeys(*engine_, told), before);
  }
}

// A dead-letter queue that keeps journeys tells its arrivals from a source
// that keeps none.
TEST_P(EngineConformanceTest, AJourneyedDeadLetterQueueOfAPlainQueueTellsItsArrivals) {
  auto dlq = Create("dlq", Journeyed());
  auto q = Create("plain", WithDeadLetterQueue("dlq", 5));
  const std::string id = Send(*q, "x").message_id;
  auto got = Receive(*q, 1, 30);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(q->DeadLetter(got[0].receipt_handle).ok());
  ASSERT_TRUE(WaitUntil([&] { return !dlq->Journey(id).empty(); }));
  EXPECT_TRUE(q->Journey(id).empty());
  EXPECT_EQ(Kinds(*dlq, id), (Story{"MovedFrom"}));
  EXPECT_EQ(dlq->Journey(id)[0].detail, "dead letter from plain");
}

TEST_P(EngineConformanceTest, AJourneyKeepsItsQueuesNewestEventsWithinItsRetention) {
  auto q = Create("bounded", Journeyed({}, 60, 1000));
  const std::string oldest = Send(*q, "first").message_id;
  std::string newest;
  for (int b = 0; b < 100; ++b) {
    std::vector<SendRequest> batch(10);
    for (SendRequest& r : batch) r.payload = "m";
    auto sent = q->SendBatch(std::move(batch));
    ASSERT_TRUE(sent.back().ok());
    newest = sent.back()->message_id;
  }
  EXPECT_TRUE(q->Journey(oldest).empty()) << "the 1001st event pushed it out";
  EXPECT_EQ(Kinds(*q, newest), (Story{"Sent"}));
  Advance(60'001);
  EXPECT_TRUE(q->Journey(newest).empty()) << "older than the retention";
  q.reset();
  if (Restart()) {
    EXPECT_TRUE(engine_->FindQueue("bounded")->Journey(newest).empty());
  }
}

TEST_P(EngineConformanceTest, SwitchingJourneysOffDropsTheEventsAndOnAgainStartsAfresh) {
  auto q = Create("toggle", Journeyed());
  const std::string id = Send(*q, "a").message_id;
  ASSERT_EQ(Kinds(*q, id), (Story{"Sent"}));
  ASSERT_TRUE(q->SetSettings(QueueSettings{}).ok());
  EXPECT_TRUE(q->Journey(id).empty());
  ASSERT_TRUE(q->SetSettings(Journeyed()).ok());
  EXPECT_TRUE(q->Journey(id).empty());
  Receive(*q);
  EXPECT_EQ(Kinds(*q, id), (Story{"Received"}));
  q.reset();
  if (Restart()) {
    EXPECT_EQ(Kinds(*engine_->FindQueue("toggle"), id), (Story{"Received"}));
  }
}

}  // namespace
}  // namespace ferry::engine::conformance
