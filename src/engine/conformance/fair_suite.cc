// Conformance: fair queues — a standard queue whose messages carry message
// groups serves the groups in turn, so that one group's backlog cannot
// starve the others, whatever the queue's receive path (plain, with a
// dead-letter queue, with a redelivery backoff).
#include <algorithm>
#include <map>

#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

void SendToGroup(Queue& q, const std::string& payload, const std::string& group) {
  SendRequest req;
  req.payload = payload;
  req.group_id = group;
  auto sent = q.Send(std::move(req));
  ASSERT_TRUE(sent.ok()) << sent.status().message();
}

std::map<std::string, int> CountByGroup(const std::vector<ReceivedMessage>& got) {
  std::map<std::string, int> out;
  for (const ReceivedMessage& m : got) ++out[m.group_id];
  return out;
}

// The receive paths of a standard queue an engine may have.
std::vector<std::pair<std::string, QueueSettings>> StandardQueueKinds() {
  QueueSettings backoff;
  backoff.redelivery_backoff = {BackoffFunction::kExponential, 10, 100, BackoffJitter::kNone};
  return {{"plain", QueueSettings{}},
          {"dead_letters", WithDeadLetterQueue("dlq", 5)},
          {"backoff", backoff}};
}

TEST_P(EngineConformanceTest, ANoisyGroupsBacklogDoesNotStarveTheOtherGroups) {
  Create("dlq");
  for (const auto& [kind, settings] : StandardQueueKinds()) {
    SCOPED_TRACE(kind);
    auto q = Create("fair-" + kind, settings);
    for (int i = 0; i < 50; ++i) SendToGroup(*q, "noisy" + std::to_string(i), "noisy");
    for (const std::string g : {"t1", "t2", "t3"}) SendToGroup(*q, g, g);
    auto got = Receive(*q, 10);
    ASSERT_EQ(got.size(), 10u);
    const std::map<std::string, int> groups = CountByGroup(got);
    for (const std::string g : {"t1", "t2", "t3"}) {
      EXPECT_EQ(groups.count(g), 1u) << "group " << g << " starved behind 50 noisy messages";
    }
    EXPECT_EQ(groups.at("noisy"), 7) << "the rest of the receive fills up";
  }
}

TEST_P(EngineConformanceTest, ReceivesOfOneMessageTakeTheGroupsInTurn) {
  auto q = Create("fair");
  for (int i = 0; i < 4; ++i) {
    for (const std::string g : {"a", "b", "c"}) SendToGroup(*q, g + std::to_string(i), g);
  }
  for (int round = 0; round < 4; ++round) {
    std::vector<std::string> groups;
    for (int i = 0; i < 3; ++i) {
      auto got = Receive(*q, 1);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].payload, got[0].group_id + std::to_string(round)) << "oldest first";
      groups.push_back(got[0].group_id);
    }
    std::sort(groups.begin(), groups.end());
    EXPECT_EQ(groups, (std::vector<std::string>{"a", "b", "c"})) << "round " << round;
  }
}

TEST_P(EngineConformanceTest, MessagesWithoutAGroupAreReceivedOldestFirst) {
  auto q = Create("plain");
  for (int i = 0; i < 5; ++i) Send(*q, "m" + std::to_string(i));
  auto got = Receive(*q, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].payload, "m0");
  EXPECT_EQ(got[1].payload, "m1");
  EXPECT_EQ(got[2].payload, "m2");
}

}  // namespace
}  // namespace ferry::engine::conformance
