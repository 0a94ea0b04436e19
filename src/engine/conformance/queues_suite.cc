// Conformance: creating, finding, deleting and listing queues.
#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

TEST_P(EngineConformanceTest, CreateQueueWithEqualSettingsReturnsTheExistingQueue) {
  auto q = engine_->CreateQueue("a", {}, {{"team", "x"}});
  ASSERT_TRUE(q.ok()) << q.status().message();
  Send(**q, "m");
  auto again = engine_->CreateQueue("a", {}, {{"team", "y"}});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)->name(), "a");
  EXPECT_EQ((*again)->tags().at("team"), "x") << "a repeated create ignores its tags";
  EXPECT_EQ((*again)->Stats().visible, 1) << "the same queue, messages and all";
}

TEST_P(EngineConformanceTest, CreateQueueWithDifferentSettingsIsAlreadyExists) {
  Create("a");
  QueueSettings other;
  other.visibility_timeout_s = 60;
  EXPECT_EQ(engine_->CreateQueue("a", other, {}).status().code(), Code::kAlreadyExists);
  QueueSettings extra;
  extra.extra["Policy"] = "{}";
  EXPECT_EQ(engine_->CreateQueue("a", extra, {}).status().code(), Code::kAlreadyExists);
}

TEST_P(EngineConformanceTest, CreatedQueueKeepsItsSettingsTagsAndCreationTime) {
  QueueSettings s;
  s.visibility_timeout_s = 45;
  s.delay_s = 3;
  s.extra["Policy"] = "{}";
  const TimeMs now = clock_.NowMs();
  auto q = Create("a", s, {{"team", "x"}});
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->settings(), s);
  EXPECT_FALSE(q->fifo());
  EXPECT_EQ(q->tags(), (std::map<std::string, std::string>{{"team", "x"}}));
  EXPECT_EQ(q->created_ms(), now);
  EXPECT_EQ(q->modified_ms(), now);
}

TEST_P(EngineConformanceTest, SetSettingsTagAndUntagChangeTheQueue) {
  auto q = Create("a");
  clock_.Advance(1'000);
  QueueSettings s = q->settings();
  s.visibility_timeout_s = 90;
  ASSERT_TRUE(q->SetSettings(s).ok());
  EXPECT_EQ(q->settings().visibility_timeout_s, 90);
  EXPECT_EQ(q->modified_ms(), clock_.NowMs());
  EXPECT_EQ(engine_->FindQueue("a")->settings().visibility_timeout_s, 90);
  ASSERT_TRUE(q->Tag({{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(q->Tag({{"b", "3"}}).ok());
  ASSERT_TRUE(q->Untag({"a", "missing"}).ok());
  EXPECT_EQ(q->tags(), (std::map<std::string, std::string>{{"b", "3"}}));
}

TEST_P(EngineConformanceTest, FindQueueFindsCreatedQueuesOnly) {
  Create("a");
  auto found = engine_->FindQueue("a");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name(), "a");
  EXPECT_EQ(engine_->FindQueue("b"), nullptr);
  EXPECT_EQ(engine_->FindQueue("A"), nullptr) << "names are case-sensitive";
}

TEST_P(EngineConformanceTest, DeleteQueueRemovesTheQueueAndItsMessages) {
  auto q = Create("a");
  Send(*q, "m");
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  EXPECT_EQ(engine_->FindQueue("a"), nullptr);
  EXPECT_TRUE(engine_->ListQueues("").empty());
  EXPECT_EQ(engine_->DeleteQueue("a").code(), Code::kNotFound);
  EXPECT_EQ(engine_->DeleteQueue("never").code(), Code::kNotFound);
}

TEST_P(EngineConformanceTest, ADeletedNameIsTakenUntilTheReuseDelayPasses) {
  const TimeMs delay = engine_->queue_reuse_delay().count();
  EXPECT_EQ(delay, Engine::kDefaultQueueReuseDelay.count());
  Create("a");
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  clock_.Advance(delay - 1);
  EXPECT_EQ(engine_->CreateQueue("a", {}, {}).status().code(), Code::kFailedPrecondition);
  clock_.Advance(1);
  auto again = engine_->CreateQueue("a", {}, {});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)->Stats().visible, 0) << "a new queue, without the old one's messages";
}

TEST_P(EngineConformanceTest, AReuseDelayOfZeroFreesANameAtOnce) {
  engine_->set_queue_reuse_delay(std::chrono::milliseconds(0));
  EXPECT_EQ(engine_->queue_reuse_delay().count(), 0);
  Create("a");
  ASSERT_TRUE(engine_->DeleteQueue("a").ok());
  EXPECT_TRUE(engine_->CreateQueue("a", {}, {}).ok());
}

TEST_P(EngineConformanceTest, ListQueuesGivesTheNamesWithAPrefixInOrder) {
  for (const char* name : {"b2", "a", "b1", "c", "b"}) Create(name);
  EXPECT_EQ(engine_->ListQueues(""), (std::vector<std::string>{"a", "b", "b1", "b2", "c"}));
  EXPECT_EQ(engine_->ListQueues("b"), (std::vector<std::string>{"b", "b1", "b2"}));
  EXPECT_EQ(engine_->ListQueues("b1"), (std::vector<std::string>{"b1"}));
  EXPECT_TRUE(engine_->ListQueues("d").empty());
}

}  // namespace
}  // namespace ferry::engine::conformance
