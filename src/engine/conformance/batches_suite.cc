// Conformance: the batch calls — Queue::SendBatch, Queue::DeleteBatch and
// Engine::SendCopies — store and delete exactly as the single calls do,
// with one result per entry in the request's order, whatever an engine
// does to store them together.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

std::vector<SendRequest> Requests(const std::vector<std::string>& payloads,
                                  const std::string& group = "") {
  std::vector<SendRequest> out;
  for (size_t i = 0; i < payloads.size(); ++i) {
    SendRequest r;
    r.payload = payloads[i];
    r.group_id = group;
    if (!group.empty()) r.dedup_id = "d" + std::to_string(i);
    out.push_back(std::move(r));
  }
  return out;
}

TEST_P(EngineConformanceTest, SendBatchStoresEachEntryInOrder) {
  auto q = Create("q");
  auto sent = q->SendBatch(Requests({"a", "b", "c"}));
  ASSERT_EQ(sent.size(), 3u);
  std::set<std::string> ids;
  for (const auto& r : sent) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->message_id.size(), 36u);
    EXPECT_FALSE(r->duplicate);
    ids.insert(r->message_id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_LT(sent[0]->sequence, sent[1]->sequence);
  EXPECT_LT(sent[1]->sequence, sent[2]->sequence);
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 3u);
  std::set<std::string> bodies;
  for (const auto& m : got) {
    bodies.insert(m.payload);
    EXPECT_TRUE(ids.count(m.message_id)) << m.message_id;
  }
  EXPECT_EQ(bodies, (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(q->Stats().sent, 3u);
}

TEST_P(EngineConformanceTest, SendBatchKeepsEachEntrysDelay) {
  auto q = Create("q");
  auto reqs = Requests({"now", "later"});
  reqs[1].delay_s = 10;
  auto sent = q->SendBatch(std::move(reqs));
  ASSERT_TRUE(sent[0].ok() && sent[1].ok());
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "now");
  Advance(10'000);
  got = Receive(*q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "later");
}

TEST_P(EngineConformanceTest, AFifoSendBatchKeepsGroupOrderAndDeduplicatesWithinTheBatch) {
  auto q = Create("q.fifo", Fifo());
  std::vector<SendRequest> reqs = Requests({"g1-a", "g2-a", "g1-b"}, "g");
  reqs[1].group_id = "g2";
  reqs[0].group_id = reqs[2].group_id = "g1";
  SendRequest dup;
  dup.payload = "again";
  dup.group_id = "g1";
  dup.dedup_id = "d0";  // the first entry's
  reqs.push_back(dup);
  SendRequest no_group;
  no_group.payload = "x";
  no_group.dedup_id = "dx";
  reqs.push_back(no_group);

  auto sent = q->SendBatch(std::move(reqs));
  ASSERT_EQ(sent.size(), 5u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(sent[i].ok()) << i << sent[i].status().message();
  EXPECT_EQ(sent[4].status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(sent[3]->duplicate);
  EXPECT_EQ(sent[3]->message_id, sent[0]->message_id);
  EXPECT_EQ(sent[3]->sequence, sent[0]->sequence);
  EXPECT_LT(sent[0]->sequence, sent[2]->sequence);

  auto got = Receive(*q);
  std::vector<std::string> g1;
  for (const auto& m : got) {
    if (m.group_id == "g1") g1.push_back(m.payload);
  }
  EXPECT_EQ(g1, (std::vector<std::string>{"g1-a", "g1-b"}));
  EXPECT_EQ(got.size(), 3u);
}

TEST_P(EngineConformanceTest, DeleteBatchDeletesEachHandleAndRefusesBadOnes) {
  auto q = Create("q");
  auto other = Create("other");
  for (const char* p : {"a", "b", "c"}) Send(*q, p);
  Send(*other, "o");
  auto got = Receive(*q);
  ASSERT_EQ(got.size(), 3u);
  auto theirs = Receive(*other);
  ASSERT_EQ(theirs.size(), 1u);
  ASSERT_TRUE(q->Delete(got[2].receipt_handle).ok());

  const std::vector<std::string_view> handles = {
      got[0].receipt_handle, "not a handle", got[1].receipt_handle, theirs[0].receipt_handle,
      got[2].receipt_handle,  // already gone: deletes are idempotent
      got[0].receipt_handle,  // twice in one batch
  };
  auto deleted = q->DeleteBatch(handles);
  ASSERT_EQ(deleted.size(), handles.size());
  EXPECT_TRUE(deleted[0].ok()) << deleted[0].message();
  EXPECT_EQ(deleted[1].code(), Code::kInvalidArgument);
  EXPECT_TRUE(deleted[2].ok()) << deleted[2].message();
  EXPECT_EQ(deleted[3].code(), Code::kInvalidArgument);
  EXPECT_TRUE(deleted[4].ok()) << deleted[4].message();
  EXPECT_TRUE(deleted[5].ok()) << deleted[5].message();

  Advance(30'000);  // nothing deleted comes back from flight
  EXPECT_TRUE(Receive(*q).empty());
  EXPECT_EQ(q->Stats().deleted, 3u);
  EXPECT_EQ(Receive(*other).size(), 1u);  // the other queue's message stayed
}

TEST_P(EngineConformanceTest, ADeleteBatchWithAStaleHandleLeavesThatMessage) {
  auto q = Create("q");
  Send(*q, "m");
  auto first = Receive(*q, 10, 1);
  ASSERT_EQ(first.size(), 1u);
  Advance(1'000);
  auto second = Receive(*q, 10, 30);
  ASSERT_EQ(second.size(), 1u);
  const std::vector<std::string_view> handles = {first[0].receipt_handle};
  auto deleted = q->DeleteBatch(handles);
  EXPECT_TRUE(deleted[0].ok());
  Advance(30'000);
  EXPECT_EQ(Receive(*q).size(), 1u);
}

TEST_P(EngineConformanceTest, SendCopiesStoresACopyInEachQueue) {
  auto a = Create("a");
  auto b = Create("b");
  auto f = Create("f.fifo", Fifo());
  std::string payload = "one publish";
  const std::vector<CopyTarget> copies = {
      {a.get(), {.payload = payload, .group_id = "g"}},
      {b.get(), {.payload = payload}},
      {f.get(), {.payload = payload, .group_id = "g", .dedup_id = "d"}},
      {f.get(), {.payload = "dup", .group_id = "g", .dedup_id = "d"}},  // a duplicate: ok
      {f.get(), {.payload = "no group", .dedup_id = "e"}},
  };
  auto sent = engine_->SendCopies(copies);
  ASSERT_EQ(sent.size(), copies.size());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(sent[i].ok()) << i << sent[i].message();
  EXPECT_EQ(sent[4].code(), Code::kInvalidArgument);
  payload.assign(payload.size(), 'x');  // the engine kept no view of it

  for (const auto& q : {a, b, f}) {
    auto got = Receive(*q);
    ASSERT_EQ(got.size(), 1u) << q->name();
    EXPECT_EQ(got[0].payload, "one publish");
  }
  EXPECT_EQ(a->Stats().sent + b->Stats().sent + f->Stats().sent, 3u);
}

TEST_P(EngineConformanceTest, BatchesSurviveARestart) {
  auto q = Create("q");
  auto f = Create("f.fifo", Fifo());
  for (const auto& r : q->SendBatch(Requests({"a", "b"}))) ASSERT_TRUE(r.ok());
  for (const auto& r : f->SendBatch(Requests({"x", "y"}, "g"))) ASSERT_TRUE(r.ok());
  const std::vector<CopyTarget> copies = {{q.get(), {.payload = "c"}}};
  ASSERT_TRUE(engine_->SendCopies(copies)[0].ok());
  auto got = Receive(*q, 1);
  ASSERT_EQ(got.size(), 1u);
  const std::vector<std::string_view> handles = {got[0].receipt_handle};
  ASSERT_TRUE(q->DeleteBatch(handles)[0].ok());
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  f.reset();
  if (!Restart()) GTEST_SKIP() << "this engine keeps nothing across a restart";
  Advance(30'000);
  auto left = Receive(*engine_->FindQueue("q"));
  EXPECT_EQ(left.size(), 2u);
  auto fifo = Receive(*engine_->FindQueue("f.fifo"));
  ASSERT_EQ(fifo.size(), 2u);
  EXPECT_EQ(fifo[0].payload, "x");
  EXPECT_EQ(fifo[1].payload, "y");
}

}  // namespace
}  // namespace ferry::engine::conformance
