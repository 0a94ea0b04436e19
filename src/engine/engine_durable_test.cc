// The durable engine across restarts: what a restart must restore, from the
// log alone and from a checkpoint plus the log after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <set>

#include "engine/durable_test_util.h"
#include "engine/local_queue.h"
#include "engine/queue_key.h"
#include "storage/faulty_file_ops.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;

std::string BodyOf(int i) { return "message " + std::to_string(i) + std::string(i % 97, '.'); }

std::set<std::string> Payloads(const std::vector<ReceivedMessage>& msgs) {
  std::set<std::string> out;
  for (const auto& m : msgs) out.insert(m.payload);
  return out;
}

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
  EXPECT_TRUE(std::none_of(late.begin(), late.end(),
                           [&](const ReceivedMessage& m) { return m.payload == first[2].payload; }));
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

class DurableEngine : public DurableEngineTest {
 protected:
  DurableEngine() { Open(); }
};

TEST_F(DurableEngine, RecoversFromACheckpointAndTheLogAfterIt) {
  auto q = Create("q");
  std::vector<SendResult> sent;
  for (int i = 0; i < 30; ++i) sent.push_back(Send(*q, BodyOf(i)));
  auto received = Receive(*q, 10, 60);
  ASSERT_TRUE(engine_->Checkpoint().ok());
  // After the checkpoint: more sends, deletes and receives, on messages from
  // before it and after it, and a queue created and one deleted.
  for (int i = 30; i < 40; ++i) sent.push_back(Send(*q, BodyOf(i)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->Delete(received[i].receipt_handle).ok());
  ASSERT_TRUE(q->ChangeVisibility(received[5].receipt_handle, 0).ok());
  auto later = Create("later", {}, {{"k", "v"}});
  Send(*later, "in the tail");
  Create("doomed");
  ASSERT_TRUE(engine_->DeleteQueue("doomed").ok());
  q.reset();
  later.reset();

  RecoveryReport report;
  Restart(&report);
  EXPECT_TRUE(report.from_checkpoint);
  EXPECT_GT(report.log_records, 0u);
  EXPECT_EQ(report.queues, 2u);
  EXPECT_EQ(report.messages, 35u + 1u);
  q = Find("q");
  QueueStats stats = q->Stats();
  EXPECT_EQ(stats.in_flight, 4);
  EXPECT_EQ(stats.visible, 31);
  // The handles of the checkpointed in-flight messages still delete them.
  for (int i = 6; i < 10; ++i) EXPECT_TRUE(q->Delete(received[i].receipt_handle).ok());
  EXPECT_EQ(q->Stats().in_flight, 0);
  auto rest = ReceiveAll(*q);
  ASSERT_EQ(rest.size(), 31u);
  std::set<std::string> expected;
  for (int i = 10; i < 40; ++i) expected.insert(BodyOf(i));
  expected.insert(received[5].payload);
  EXPECT_EQ(Payloads(rest), expected);
  EXPECT_EQ(Find("later")->tags().at("k"), "v");
  EXPECT_EQ(Payloads(ReceiveAll(*Find("later"))), (std::set<std::string>{"in the tail"}));
  EXPECT_EQ(engine_->FindQueue("doomed"), nullptr);
}

TEST_F(DurableEngine, MaintainDeletesSegmentsNoMessageNeedsAndRestartsAfterwards) {
  engine_.reset();
  options_.segment_bytes = 8192;
  options_.checkpoint_bytes = 1 << 30;  // checkpoints only when asked
  Open();
  auto keep = Create("keep");
  auto churn = Create("churn");
  const std::string first(4000, 'f');  // half of segment 1: not worth compacting
  Send(*keep, first);
  for (int i = 0; i < 400; ++i) Send(*churn, BodyOf(i));
  for (const auto& m : ReceiveAll(*churn)) ASSERT_TRUE(churn->Delete(m.receipt_handle).ok());
  Send(*keep, "the last message");
  ASSERT_TRUE(WaitDurable().ok());
  const size_t before = SegmentsOnDisk().size();
  ASSERT_GT(before, 5u);
  ASSERT_TRUE(engine_->Checkpoint().ok());
  ASSERT_TRUE(engine_->Maintain().ok());
  auto after = SegmentsOnDisk();
  EXPECT_LT(after.size(), before);
  ASSERT_GE(after.size(), 2u);
  EXPECT_EQ(after.front(), 1u);  // holds a live body: kept, leaving a hole after it
  EXPECT_GT(after[1], 2u);
  keep.reset();
  churn.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("keep"))),
            (std::set<std::string>{first, "the last message"}));
  EXPECT_TRUE(ReceiveAll(*Find("churn")).empty());
}

TEST_F(DurableEngine, ADiskFaultFailsRequestsUntilItClearsAndLosesNothingAcknowledged) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto q = Create("q");
  Send(*q, "acknowledged");
  ASSERT_TRUE(WaitDurable().ok());

  ops.FailWrites(ENOSPC);
  Send(*q, "caught by the fault");  // accepted into the batch...
  EXPECT_EQ(WaitDurable().code(), Code::kUnavailable);  // ...but not acknowledged
  SendRequest refused;
  refused.payload = "refused";
  EXPECT_EQ(q->Send(refused).status().code(), Code::kUnavailable);
  EXPECT_EQ(engine_->CreateQueue("other", {}, {}).status().code(), Code::kUnavailable);
  EXPECT_EQ(engine_->Checkpoint().code(), Code::kUnavailable);

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return WaitDurable().ok(); }));
  // Sends are taken again once the log's helper has rebuilt the full-disk
  // reserve and the spare segment (log.h); a refused send stores nothing.
  ASSERT_TRUE(testing::WaitUntil([&] {
    SendRequest after;
    after.payload = "after the fault";
    return q->Send(after).ok();
  }));
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))),
            (std::set<std::string>{"acknowledged", "caught by the fault", "after the fault"}));
  engine_.reset();  // its log uses `ops`
}

TEST_F(DurableEngine, HealthIsUnavailableWhileTheLogCannotWriteAndOkOnceItCan) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto q = Create("q");
  EXPECT_TRUE(engine_->Health().ok());

  ops.FailSyncs(EIO);
  Send(*q, "caught by the fault");
  ASSERT_EQ(WaitDurable().code(), Code::kUnavailable);
  const Status sick = engine_->Health();
  EXPECT_EQ(sick.code(), Code::kUnavailable);
  EXPECT_NE(sick.message().find("cannot write"), std::string::npos) << sick.message();

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return engine_->Health().ok(); }));
  q.reset();
  engine_.reset();  // its log uses `ops`
}

// The copies of a fan-out (SendCopy): each queue's copy is its own record
// and message, so a checkpoint, the log after it and a restart keep every
// copy, and deleting one queue's copy leaves the others.
TEST_F(DurableEngine, CopiesSurviveACheckpointAndTheLogAfterItEachDeletedOnItsOwn) {
  std::vector<std::shared_ptr<Queue>> queues;
  for (const char* name : {"a", "b", "c"}) queues.push_back(Create(name));
  for (const auto& q : queues) ASSERT_TRUE(q->SendCopy({.payload = "before"}).ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  for (const auto& q : queues) ASSERT_TRUE(q->SendCopy({.payload = "after"}).ok());
  for (const auto& m : ReceiveAll(*queues[0])) ASSERT_TRUE(queues[0]->Delete(m.receipt_handle).ok());
  auto in_b = ReceiveAll(*queues[1]);
  for (const auto& m : in_b) {
    if (m.payload == "after") ASSERT_TRUE(queues[1]->Delete(m.receipt_handle).ok());
  }
  ASSERT_TRUE(WaitDurable().ok());
  queues.clear();

  Restart();
  clock_.Advance(3'601'000);
  EXPECT_TRUE(ReceiveAll(*Find("a")).empty());
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), (std::set<std::string>{"before"}));
  EXPECT_EQ(Payloads(ReceiveAll(*Find("c"))), (std::set<std::string>{"before", "after"}));
}

TEST_F(DurableEngine, CopiesTheLogCannotWriteAreNotAcknowledgedAndLaterOnesAreRefused) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto a = Create("a");
  auto b = Create("b");
  ASSERT_TRUE(a->SendCopy({.payload = "acknowledged"}).ok());
  ASSERT_TRUE(b->SendCopy({.payload = "acknowledged"}).ok());
  ASSERT_TRUE(WaitDurable().ok());

  ops.FailWrites(EIO);
  ASSERT_TRUE(a->SendCopy({.payload = "caught by the fault"}).ok());  // into the batch...
  EXPECT_EQ(WaitDurable().code(), Code::kUnavailable);                // ...not acknowledged
  EXPECT_EQ(b->SendCopy({.payload = "refused"}).code(), Code::kUnavailable);
  EXPECT_EQ(b->Stats().visible, 1);  // a refused copy stores nothing

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return WaitDurable().ok(); }));
  a.reset();
  b.reset();
  Restart();
  // The batch the fault caught is written once the disk is back (nothing
  // accepted is dropped); the refused copy never existed.
  EXPECT_EQ(Payloads(ReceiveAll(*Find("a"))),
            (std::set<std::string>{"acknowledged", "caught by the fault"}));
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), (std::set<std::string>{"acknowledged"}));
  engine_.reset();  // its log uses `ops`
}

// Recovery reads the checkpoint and the log through the engine's file seam:
// a read that fails refuses to start, naming the file, and changes nothing,
// so that once the disk answers again the engine starts with all it had.
TEST_F(DurableEngine, ARecoveryReadThatFailsRefusesToStartAndChangesNothing) {
  auto q = Create("q");
  Send(*q, "before the checkpoint");
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Send(*q, "after the checkpoint");
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  engine_.reset();

  storage::testing::FaultyFileOps ops;
  options_.file_ops = &ops;
  ops.Fail(storage::testing::FileOp::kOpen, EIO, "checkpoint");
  auto refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("checkpoint"), std::string::npos)
      << refused.status().message();

  ops.Heal();
  ops.Fail(storage::testing::FileOp::kOpen, EIO, ".wal");
  refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(".wal"), std::string::npos)
      << refused.status().message();
  EXPECT_GT(ops.failures(), 1u);

  ops.Heal();
  Open();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))),
            (std::set<std::string>{"before the checkpoint", "after the checkpoint"}));
  engine_.reset();  // its log uses `ops`
}

// A full disk (a small file system modelled by FaultyFileOps): sends are
// refused, receives and deletes go on, the maintenance pass checkpoints as
// soon as that frees a segment, and sends are taken again once it has.
TEST_F(DurableEngine, ConsumersDrainAFullDiskAndSendsResumeAfterwards) {
  storage::testing::FaultyFileOps ops;
  engine_.reset();
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    std::filesystem::remove(e.path());  // the fixture's engine had 2 MiB segments
  }
  options_.segment_bytes = 64u << 10;  // the reserve is 80 KiB
  options_.file_ops = &ops;
  options_.retry_interval = std::chrono::milliseconds(10);
  ops.LimitSpace(dir_.path(), 400u << 10);
  Open();
  auto q = Create("q");
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return std::filesystem::exists(dir_.path() + "/RESERVE"); }));

  std::set<std::string> acknowledged;
  Status refused;
  for (int i = 0; i < 10000 && refused.ok(); ++i) {
    SendRequest req;
    req.payload = BodyOf(i) + std::string(1000, 'x');
    auto sent = q->Send(req);
    if (!sent.ok()) {
      refused = sent.status();
      break;
    }
    ASSERT_TRUE(WaitDurable().ok());
    acknowledged.insert(req.payload);
  }
  ASSERT_EQ(refused.code(), Code::kUnavailable);
  EXPECT_NE(refused.message().find("disk is full"), std::string::npos) << refused.message();
  EXPECT_GT(acknowledged.size(), 100u);
  EXPECT_EQ(engine_->CreateQueue("new", {}, {}).status().code(), Code::kUnavailable);

  // Every receive and delete is answered, and none is refused.
  std::set<std::string> drained;
  while (true) {
    ReceiveRequest req;
    req.max_messages = 10;
    req.visibility_timeout_s = 3600;
    auto got = q->Receive(req);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_TRUE(WaitDurable().ok());
    if (got->empty()) break;
    for (const auto& m : *got) {
      drained.insert(m.payload);
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
    }
    ASSERT_TRUE(WaitDurable().ok());
  }
  EXPECT_EQ(drained, acknowledged);
  EXPECT_LE(ops.SpaceUsed(), 400u << 10);

  // The maintenance pass frees the drained segments; the log makes its
  // reserve again, and sends are taken.
  SendRequest after;
  after.payload = "after the drain";
  Status maintained;
  ASSERT_TRUE(testing::WaitUntil([&] {
    maintained = engine_->Maintain();
    return q->Send(after).ok();
  })) << maintained.message() << " " << ops.SpaceUsed() << " " << SegmentsOnDisk().size();
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_LE(ops.SpaceUsed(), 400u << 10);
  q.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), (std::set<std::string>{"after the drain"}));
  engine_.reset();  // its log uses `ops`
}

// A checkpoint that does not fit leaves nothing behind: a partial
// checkpoint.tmp would keep the space a full disk needs.
TEST_F(DurableEngine, ACheckpointThatDoesNotFitIsRemoved) {
  storage::testing::FaultyFileOps ops;
  engine_.reset();
  options_.file_ops = &ops;
  Open();
  auto q = Create("q");
  for (int i = 0; i < 200; ++i) Send(*q, BodyOf(i));
  ASSERT_TRUE(WaitDurable().ok());
  // Once the log's helper has written its reserve and spare, nothing else writes.
  const std::string spare = dir_.path() + "/spare.wal.tmp";
  ASSERT_TRUE(testing::WaitUntil([&] {
    std::error_code ec;
    return std::filesystem::exists(dir_.path() + "/RESERVE") &&
           std::filesystem::file_size(spare, ec) == options_.segment_bytes;
  }));
  ops.LimitSpace(dir_.path(), ops.SpaceUsed() + 100);
  EXPECT_EQ(engine_->Checkpoint().code(), Code::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/checkpoint.tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/checkpoint"));
  ops.LimitSpace(dir_.path(), 0);
  EXPECT_TRUE(engine_->Checkpoint().ok());
  q.reset();
  engine_.reset();
}

// A body of about 1 KiB that names its message.
std::string KiB(int i) { return BodyOf(i) + std::string(1000, static_cast<char>('a' + i % 26)); }

class CompactionTest : public DurableEngineTest {
 protected:
  CompactionTest() {
    options_.segment_bytes = 64u << 10;
    options_.checkpoint_bytes = 1u << 20;
    Open();
  }

  // Sends n messages of about 1 KiB, receives them all and deletes all but
  // every 20th; returns the survivors' payloads by receipt handle.
  std::map<std::string, std::string> SendAndDeleteMost(Queue& q, int n) {
    for (int i = 0; i < n; ++i) Send(q, KiB(i));
    std::map<std::string, std::string> kept;
    int i = 0;
    for (const auto& m : ReceiveAll(q)) {
      if (i++ % 20 == 0) {
        kept[m.receipt_handle] = m.payload;
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
    EXPECT_TRUE(WaitDurable().ok());
    return kept;
  }

  void MaintainUntilSettled() {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(engine_->Maintain().ok());
  }

  uint64_t BytesOnDisk() const {
    uint64_t bytes = 0;
    for (uint64_t s : SegmentsOnDisk()) {
      bytes += std::filesystem::file_size(dir_.path() + "/" + storage::SegmentFileName(s));
    }
    return bytes;
  }

  void ReportPause() {
    const CompactionStats stats = engine_->compaction_stats();
    ::testing::Test::RecordProperty(
        "worst_compaction_pause_us",
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::microseconds>(stats.worst_pause).count()));
  }
};

TEST_F(CompactionTest, DiskUseReturnsToTheSizeOfTheLiveData) {
  auto q = Create("q");
  auto kept = SendAndDeleteMost(*q, 3000);  // ~3 MiB sent, 150 KiB live
  ASSERT_EQ(kept.size(), 150u);
  const uint64_t before = BytesOnDisk();
  ASSERT_GT(before, 40u * options_.segment_bytes);

  MaintainUntilSettled();
  const CompactionStats stats = engine_->compaction_stats();
  ReportPause();
  EXPECT_GT(stats.segments_compacted, 10u);
  EXPECT_GE(stats.bodies_relocated, 100u);
  EXPECT_GT(stats.worst_pause.count(), 0);
  // 150 KiB live is three segments' worth; allow some slack for the
  // receive/delete records around the copies and the active segment.
  const uint64_t after = BytesOnDisk();
  EXPECT_LE(after, 8u * options_.segment_bytes) << "before " << before;
  RecordProperty("segment_bytes_before", static_cast<int>(before));
  RecordProperty("segment_bytes_after", static_cast<int>(after));

  // Every survivor is still there with its body, in flight under the handle
  // it was given before compaction.
  EXPECT_EQ(q->Stats().in_flight, 150);
  for (const auto& [handle, payload] : kept) {
    ASSERT_TRUE(q->ChangeVisibility(handle, 0).ok());
  }
  auto got = ReceiveAll(*q);
  std::set<std::string> expected;
  for (const auto& [handle, payload] : kept) expected.insert(payload);
  EXPECT_EQ(Payloads(got), expected);
  q.reset();

  Restart();
  q = Find("q");
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*q)), expected);
  EXPECT_LE(BytesOnDisk(), after + options_.segment_bytes);
}

// Compaction moves each queue's live copy on its own: copies of one payload
// in two queues, each queue deleting a different 95 % of its copies, keep
// their bodies in both, through compaction and a restart.
TEST_F(CompactionTest, CopiesInSeveralQueuesKeepTheirBodiesThroughCompaction) {
  auto a = Create("a");
  auto b = Create("b");
  for (int i = 0; i < 1000; ++i) {
    const std::string body = KiB(i);
    ASSERT_TRUE(a->SendCopy({.payload = body}).ok());
    ASSERT_TRUE(b->SendCopy({.payload = body}).ok());
  }
  // Keeps every 20th copy, from `first` on, in message order; deletes the rest.
  auto keep_every_20th = [&](Queue& q, int first) {
    std::set<std::string> kept;
    for (const auto& m : ReceiveAll(q)) {
      const int i = std::stoi(m.payload.substr(std::string_view("message ").size()));  // KiB(i)
      if (i % 20 == first) {
        kept.insert(m.payload);
        EXPECT_TRUE(q.ChangeVisibility(m.receipt_handle, 0).ok());
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
    return kept;
  };
  const std::set<std::string> kept_a = keep_every_20th(*a, 0);
  const std::set<std::string> kept_b = keep_every_20th(*b, 1);
  ASSERT_EQ(kept_a.size(), 50u);
  ASSERT_EQ(kept_b.size(), 50u);
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  EXPECT_GT(engine_->compaction_stats().bodies_relocated, 0u);
  EXPECT_EQ(Payloads(ReceiveAll(*a)), kept_a);
  EXPECT_EQ(Payloads(ReceiveAll(*b)), kept_b);
  a.reset();
  b.reset();

  Restart();
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("a"))), kept_a);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), kept_b);
}

TEST_F(CompactionTest, ADrainedQueueLeavesAlmostNothingOnDisk) {
  auto q = Create("q");
  for (int i = 0; i < 2000; ++i) Send(*q, KiB(i));
  for (const auto& m : ReceiveAll(*q)) ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  EXPECT_LE(SegmentsOnDisk().size(), 2u);
  q.reset();
  Restart();
  EXPECT_TRUE(ReceiveAll(*Find("q")).empty());
}

// Relocations after the checkpoint recovery starts from must be replayed:
// the checkpoint still names the old, deleted segments as the bodies'.
TEST_F(CompactionTest, RecoveryReplaysRelocationsAfterTheCheckpoint) {
  engine_.reset();
  options_.checkpoint_bytes = uint64_t{1} << 40;  // no checkpoint but the one below
  Open();
  auto q = Create("q");
  auto doomed = Create("doomed");
  for (int i = 0; i < 2000; ++i) Send(*q, KiB(i));
  for (int i = 0; i < 100; ++i) Send(*doomed, KiB(i));
  ASSERT_TRUE(WaitDurable().ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  const auto before = SegmentsOnDisk();
  // Delete 95% afterwards, so the checkpoint lists them all.
  std::set<std::string> expected;
  std::vector<std::string> delete_later;
  int i = 0;
  for (const auto& m : ReceiveAll(*q)) {
    if (i++ % 20 != 0) {
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
    } else if (delete_later.size() < 10) {
      delete_later.push_back(m.receipt_handle);
    } else {
      expected.insert(m.payload);
      ASSERT_TRUE(q->ChangeVisibility(m.receipt_handle, 0).ok());
    }
  }
  for (int k = 0; k < 95; ++k) ReceiveAll(*doomed);
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  ASSERT_GT(engine_->compaction_stats().segments_compacted, 10u);
  ReportPause();
  // The old segments before the checkpoint are gone although it names them.
  const auto after = SegmentsOnDisk();
  EXPECT_LT(after.size(), before.size() / 2);
  EXPECT_GT(after.front(), before.front());
  // Deleting after a relocation, and deleting a queue whose bodies moved.
  for (const auto& h : delete_later) ASSERT_TRUE(q->Delete(h).ok());
  doomed.reset();
  ASSERT_TRUE(engine_->DeleteQueue("doomed").ok());
  q.reset();

  Restart();  // from the old checkpoint and the log after it
  EXPECT_EQ(engine_->FindQueue("doomed"), nullptr);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), expected);
  // And again, now that a checkpoint names the new places.
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Restart();
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), expected);
}

// Dead letters (SendMoved) and FIFO sends (SendFifo) carry their bodies like
// Send does: compaction must relocate them, and recovery must follow the
// relocation, or their few survivors would pin every old segment.
TEST_F(CompactionTest, BodiesOfDeadLettersAndFifoSendsAreRelocatedToo) {
  QueueSettings redrive;
  redrive.dead_letter_queue = "dlq";
  redrive.max_receive_count = 1;
  QueueSettings fifo;
  fifo.fifo = true;
  auto dlq = Create("dlq");
  auto src = Create("src", redrive);
  auto f = Create("f.fifo", fifo);
  for (int i = 0; i < 1500; ++i) {
    Send(*src, KiB(i));
    SendRequest req;
    req.payload = KiB(i);
    req.group_id = "g" + std::to_string(i % 150);  // 10 a group: one receive each
    req.dedup_id = std::to_string(i);
    ASSERT_TRUE(f->Send(std::move(req)).ok());
  }
  // Received once with no visibility timeout, every message of src is moved
  // to the DLQ by a later receive.
  for (int i = 0; i < 1000 && src->Stats().visible > 0; ++i) Receive(*src, 10, 0);
  ASSERT_EQ(dlq->Stats().visible, 1500);
  std::set<std::string> expected_dlq;
  std::set<std::string> expected_fifo;
  auto keep_one_in_20 = [](Queue& q, std::set<std::string>* kept) {
    int i = 0;
    for (const auto& m : ReceiveAll(q)) {
      if (i++ % 20 == 0) {
        kept->insert(m.payload);
        EXPECT_TRUE(q.ChangeVisibility(m.receipt_handle, 0).ok());
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
  };
  keep_one_in_20(*dlq, &expected_dlq);
  keep_one_in_20(*f, &expected_fifo);
  ASSERT_EQ(expected_dlq.size(), 75u);
  ASSERT_EQ(expected_fifo.size(), 75u);
  ASSERT_TRUE(WaitDurable().ok());
  const uint64_t before = BytesOnDisk();

  MaintainUntilSettled();
  EXPECT_GE(engine_->compaction_stats().bodies_relocated, 150u);
  const uint64_t after = BytesOnDisk();
  EXPECT_LE(after, 10u * options_.segment_bytes) << "before " << before;
  dlq.reset();
  src.reset();
  f.reset();

  Restart();
  auto moved = ReceiveAll(*Find("dlq"));
  EXPECT_EQ(Payloads(moved), expected_dlq);
  for (const auto& m : moved) EXPECT_EQ(m.dead_letter_source, "src");
  EXPECT_EQ(Payloads(ReceiveAll(*Find("f.fifo"))), expected_fifo);
}

TEST_F(CompactionTest, SegmentsStillMostlyLiveAreLeftAlone) {
  auto q = Create("q");
  int deleted = 0;
  for (int i = 0; i < 1000; ++i) Send(*q, KiB(i));
  int i = 0;
  for (const auto& m : ReceiveAll(*q)) {
    if (i++ % 2 == 0) {
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
      ++deleted;
    }
  }
  ASSERT_TRUE(WaitDurable().ok());
  const auto before = SegmentsOnDisk();
  MaintainUntilSettled();
  const CompactionStats stats = engine_->compaction_stats();
  EXPECT_EQ(stats.segments_compacted, 0u);
  EXPECT_EQ(stats.bodies_relocated, 0u);
  EXPECT_GT(stats.segments_examined, 0u);
  // Each segment is read once, not on every pass.
  EXPECT_LE(stats.segments_examined, before.size());
  EXPECT_EQ(q->Stats().in_flight, 1000 - deleted);
}

}  // namespace
}  // namespace ferry::engine
