// The durable engine across restarts: what a restart must restore, from the
// log alone and from a checkpoint plus the log after it. Checkpoints,
// maintenance and disk faults of a running engine are in
// engine_durable_disk_test.cc, compaction in engine_durable_compaction_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "engine/durable_test_util.h"
#include "engine/local_queue.h"
#include "engine/queue_key.h"

namespace ferry::engine {
namespace {

using testing::BodyOf;
using testing::DurableEngineTest;
using testing::Payloads;

// Each test runs twice: recovering from the log alone, and from a checkpoint
// written just before the restart.
class DurableRestartTest : public DurableEngineTest, public ::testing::WithParamInterface<bool> {
 protected:
  DurableRestartTest() {
    checkpoint_on_restart_ = GetParam();
    Open();
  }
};

TEST_P(DurableRestartTest, QueuesKeepTheirSettingsTagsAndTimes) {
  QueueSettings settings;
  settings.visibility_timeout_s = 45;
  settings.delay_s = 3;
  settings.retention_s = 7200;
  settings.extra["Policy"] = "{\"Version\":\"2012-10-17\"}";
  auto a = Create("alpha", settings, {{"team", "core"}});
  Create("beta");
  const TimeMs created = a->created_ms();
  clock_.Advance(5000);
  QueueSettings changed = settings;
  changed.receive_wait_s = 20;
  ASSERT_TRUE(a->SetSettings(changed).ok());
  ASSERT_TRUE(a->Tag({{"env", "prod"}}).ok());
  ASSERT_TRUE(a->Untag({"team"}).ok());
  const TimeMs modified = a->modified_ms();
  a.reset();

  Restart();
  EXPECT_EQ(engine_->ListQueues(""), (std::vector<std::string>{"alpha", "beta"}));
  auto q = Find("alpha");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->settings(), changed);
  EXPECT_EQ(q->tags(), (std::map<std::string, std::string>{{"env", "prod"}}));
  EXPECT_EQ(q->created_ms(), created);
  EXPECT_EQ(q->modified_ms(), modified);
  // Creating it again with its current settings finds the same queue.
  auto again = engine_->CreateQueue("alpha", changed, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), q.get());
}

// Queues of equal names in two regions are two queues, in the log and in
// checkpoints alike; the home region's keeps its plain name.
TEST_P(DurableRestartTest, EqualNamesOfTwoRegionsStayTwoQueues) {
  const QueueKey home{"", "jobs", ""};
  const QueueKey eu{"eu-central-1", "jobs", ""};
  EXPECT_EQ(home.Encode(), "jobs");
  EXPECT_EQ(QueueKey::Decode(eu.Encode()), eu);
  QueueSettings slow;
  slow.visibility_timeout_s = 99;
  Send(*Create(home.Encode()), "home message");
  Send(*Create(eu.Encode(), slow), "eu message");
  Restart();
  EXPECT_EQ(engine_->ListQueues(""), (std::vector<std::string>{"eu-central-1/jobs", "jobs"}));
  ReceiveRequest req;
  req.max_messages = 10;
  auto from_home = Find(home.Encode())->Receive(req);
  auto from_eu = Find(eu.Encode())->Receive(req);
  ASSERT_TRUE(from_home.ok() && from_eu.ok());
  EXPECT_EQ(Payloads(*from_home), std::set<std::string>{"home message"});
  EXPECT_EQ(Payloads(*from_eu), std::set<std::string>{"eu message"});
  EXPECT_EQ(Find(eu.Encode())->settings().visibility_timeout_s, 99);
  EXPECT_NE(Find(home.Encode())->settings().visibility_timeout_s, 99);
}

TEST_P(DurableRestartTest, MessagesKeepTheirPayloadsIdsAndOrder) {
  auto q = Create("q");
  std::vector<std::string> bodies;
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    bodies.push_back(BodyOf(i));
    ids.push_back(Send(*q, bodies.back()).message_id);
  }
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  bodies.push_back(binary);
  ids.push_back(Send(*q, binary).message_id);
  bodies.push_back(std::string(1 << 20, 'L'));  // the largest SQS body
  ids.push_back(Send(*q, bodies.back()).message_id);
  Send(*q, "grouped", -1, "g1");
  q.reset();

  Restart();
  auto all = ReceiveAll(*Find("q"));
  ASSERT_EQ(all.size(), bodies.size() + 1);
  // Fair queues interleave message groups, so the grouped message may come
  // at any point; the ungrouped ones keep their order.
  std::vector<ReceivedMessage> got;
  std::vector<ReceivedMessage> grouped;
  uint64_t last_sequence = 0;
  for (auto& m : all) {
    last_sequence = std::max(last_sequence, m.sequence);
    (m.group_id.empty() ? got : grouped).push_back(std::move(m));
  }
  ASSERT_EQ(got.size(), bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(got[i].payload, bodies[i]) << i;
    EXPECT_EQ(got[i].message_id, ids[i]) << i;
    EXPECT_EQ(got[i].receive_count, 1);
  }
  ASSERT_EQ(grouped.size(), 1u);
  EXPECT_EQ(grouped[0].payload, "grouped");
  EXPECT_EQ(grouped[0].group_id, "g1");
  // New messages continue the sequence.
  auto next = Send(*Find("q"), "after");
  EXPECT_GT(next.sequence, last_sequence);
}

TEST_P(DurableRestartTest, InFlightMessagesKeepCountsDeadlinesAndHandles) {
  auto q = Create("q");
  for (int i = 0; i < 4; ++i) Send(*q, BodyOf(i));
  auto first = Receive(*q, 3, 60);  // in flight for 60 s
  ASSERT_EQ(first.size(), 3u);
  const TimeMs first_receive = clock_.NowMs();
  clock_.Advance(1000);
  ASSERT_TRUE(q->ChangeVisibility(first[2].receipt_handle, 120).ok());
  q.reset();

  clock_.Advance(1000);
  Restart();
  q = Find("q");
  QueueStats stats = q->Stats();
  EXPECT_EQ(stats.visible, 1);
  EXPECT_EQ(stats.in_flight, 3);
  // Handles issued before the restart still work.
  EXPECT_TRUE(q->Delete(first[0].receipt_handle).ok());
  EXPECT_TRUE(q->ChangeVisibility(first[1].receipt_handle, 0).ok());
  auto visible = Receive(*q, 10, 30);
  ASSERT_EQ(visible.size(), 2u);
  for (const auto& m : visible) {
    if (m.payload == first[1].payload) {
      EXPECT_EQ(m.receive_count, 2);
      EXPECT_EQ(m.first_receive_ms, first_receive);
    } else {
      EXPECT_EQ(m.payload, BodyOf(3));
      EXPECT_EQ(m.receive_count, 1);
    }
  }
  // The third one's deadline (120 s after its change) holds: not at 60 s...
  clock_.Advance(60'000);
  auto late = Receive(*q, 10, 30);
  EXPECT_TRUE(std::none_of(late.begin(), late.end(), [&](const ReceivedMessage& m) {
    return m.payload == first[2].payload;
  }));
  // ...but after 121 s.
  clock_.Advance(60'000);
  auto back = Receive(*q, 10, 30);
  EXPECT_TRUE(std::any_of(back.begin(), back.end(), [&](const ReceivedMessage& m) {
    return m.payload == first[2].payload && m.receive_count == 2;
  }));
}

TEST_P(DurableRestartTest, AnEarlierReceivesHandleWorksAcrossARestartAndItsChangeIsLogged) {
  auto q = Create("q");
  Send(*q, "x");
  auto one = Receive(*q, 1, 0);  // visible again at once
  auto two = Receive(*q, 1, 600);
  ASSERT_EQ(one.size(), 1u);
  ASSERT_EQ(two.size(), 1u);
  q.reset();

  Restart();
  q = Find("q");
  EXPECT_TRUE(q->Delete(one[0].receipt_handle).ok());  // succeeds, deletes nothing
  EXPECT_EQ(q->Stats().in_flight, 1);
  // ChangeMessageVisibility with it acts on the current receive.
  EXPECT_TRUE(q->ChangeVisibility(one[0].receipt_handle, 0).ok());
  EXPECT_EQ(q->Stats().visible, 1);
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();

  Restart();
  q = Find("q");
  EXPECT_EQ(q->Stats().visible, 1) << "the change was logged";
  auto three = Receive(*q, 1, 600);
  ASSERT_EQ(three.size(), 1u);
  EXPECT_EQ(three[0].receive_count, 3);
  EXPECT_TRUE(q->Delete(two[0].receipt_handle).ok());  // stale now: deletes nothing
  EXPECT_EQ(q->Stats().in_flight, 1);
  EXPECT_TRUE(q->Delete(three[0].receipt_handle).ok());
  EXPECT_EQ(q->Stats().in_flight, 0);
}

TEST_P(DurableRestartTest, DelayedMessagesStayDelayed) {
  auto q = Create("q");
  Send(*q, "later", 300);
  Send(*q, "now", 0);
  q.reset();

  clock_.Advance(100'000);
  Restart();
  q = Find("q");
  EXPECT_EQ(q->Stats().delayed, 1);
  EXPECT_EQ(Payloads(ReceiveAll(*q)), (std::set<std::string>{"now"}));
  clock_.Advance(200'000);
  EXPECT_EQ(Payloads(ReceiveAll(*q)), (std::set<std::string>{"later"}));
}

TEST_P(DurableRestartTest, DeletedMessagesAndQueuesStayDeleted) {
  auto q = Create("q");
  auto gone = Create("gone");
  for (int i = 0; i < 10; ++i) Send(*q, BodyOf(i));
  Send(*gone, "lost with its queue");
  for (const auto& m : Receive(*q, 6, 60)) ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
  const uint64_t old_id = static_cast<LocalQueue&>(*gone).id();
  gone.reset();
  ASSERT_TRUE(engine_->DeleteQueue("gone").ok());
  q.reset();

  Restart();
  EXPECT_EQ(engine_->FindQueue("gone"), nullptr);
  EXPECT_EQ(engine_->ListQueues(""), (std::vector<std::string>{"q"}));
  EXPECT_EQ(ReceiveAll(*Find("q")).size(), 4u);

  // A queue recreated under the old name is a new queue: empty, other id.
  clock_.Advance(61'000);
  auto fresh = Create("gone");
  Send(*fresh, "new");
  fresh.reset();
  Restart();
  auto recreated = Find("gone");
  EXPECT_NE(static_cast<LocalQueue&>(*recreated).id(), old_id);
  EXPECT_EQ(Payloads(ReceiveAll(*recreated)), (std::set<std::string>{"new"}));
}

TEST_P(DurableRestartTest, APurgeSurvives) {
  auto q = Create("q");
  for (int i = 0; i < 20; ++i) Send(*q, BodyOf(i));
  Receive(*q, 5, 60);
  ASSERT_TRUE(q->Purge().ok());
  Send(*q, "after the purge");
  q.reset();

  Restart();
  q = Find("q");
  QueueStats stats = q->Stats();
  EXPECT_EQ(stats.visible, 1);
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(Payloads(ReceiveAll(*q)), (std::set<std::string>{"after the purge"}));
}

TEST_P(DurableRestartTest, RetentionIsCountedFromTheOriginalSendTime) {
  QueueSettings settings;
  settings.retention_s = 60;
  auto q = Create("q", settings);
  Send(*q, "old");
  clock_.Advance(30'000);
  Send(*q, "young");
  q.reset();

  clock_.Advance(31'000);
  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), (std::set<std::string>{"young"}));
}

TEST_P(DurableRestartTest, SeveralRestartsInARowKeepEverything) {
  auto q = Create("q");
  for (int i = 0; i < 5; ++i) Send(*q, BodyOf(i));
  q.reset();
  for (int round = 0; round < 3; ++round) {
    Restart();
    Send(*Find("q"), "round " + std::to_string(round));
  }
  Restart();
  EXPECT_EQ(ReceiveAll(*Find("q")).size(), 8u);
}

INSTANTIATE_TEST_SUITE_P(Recovery, DurableRestartTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FromCheckpoint" : "FromLog";
                         });

}  // namespace
}  // namespace ferry::engine
