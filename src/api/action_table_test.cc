#include "api/action_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace ferry::api {
namespace {

// A durability wait the test releases by hand, and a "request thread" queue.
struct TestEnv {
  int writes = 0;
  std::vector<std::function<void(Status)>> waiting;
  std::vector<std::function<void()>> posted;
  bool complete_at_once = false;
};

Result<boost::json::object> Write(TestEnv& env, const Call&) {
  ++env.writes;
  return boost::json::object{{"written", env.writes}};
}

Result<boost::json::object> FailWrite(TestEnv&, const Call&) {
  return Error(ErrorId::kQueueDoesNotExist, "gone");
}

Result<boost::json::object> Read(TestEnv& env, const Call&) {
  return boost::json::object{{"writes", env.writes}};
}

Result<boost::json::object> Throw(TestEnv&, const Call&) { throw std::bad_alloc(); }

constexpr std::array kActions = {
    Action<TestEnv>{"Fail", &AnswerNow<TestEnv, FailWrite>, Durability::kDurable},
    Action<TestEnv>{"Read", &AnswerNow<TestEnv, Read>},
    Action<TestEnv>{"Throw", &AnswerNow<TestEnv, Throw>},
    Action<TestEnv>{"Write", &AnswerNow<TestEnv, Write>, Durability::kDurable},
};
static_assert(SortedByName(kActions));
constexpr ActionTable<TestEnv> kTable{kActions};

constexpr std::array kUnsorted = {
    Action<TestEnv>{"B", &AnswerNow<TestEnv, Read>},
    Action<TestEnv>{"A", &AnswerNow<TestEnv, Read>},
};
static_assert(!SortedByName(kUnsorted));

struct Fixture {
  TestEnv env;
  DurableWait wait{
      .after_durable =
          [this](std::function<void(Status)> done) {
            if (env.complete_at_once) return done(Status::Ok());
            env.waiting.push_back(std::move(done));
          },
      .post = [this](std::function<void()> task) { env.posted.push_back(std::move(task)); }};
  std::optional<Result<boost::json::object>> answer;

  void Invoke(std::string action) {
    Call call;
    call.action = std::move(action);
    kTable.Invoke(
        env, call, [this](Result<boost::json::object> r) { answer.emplace(std::move(r)); }, wait);
  }
  void RunPosted() {
    auto tasks = std::move(env.posted);
    for (auto& t : tasks) t();
  }
};

TEST(ActionTable, FindsActionsByName) {
  EXPECT_NE(kTable.Find("Read"), nullptr);
  EXPECT_EQ(kTable.Find("Write")->durability, Durability::kDurable);
  EXPECT_EQ(kTable.Find("Nope"), nullptr);
  EXPECT_EQ(kTable.Find(""), nullptr);
}

TEST(ActionTable, UnknownActionIsInvalidAction) {
  Fixture f;
  f.Invoke("Nope");
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_EQ(ErrorFor(f.answer->status()).code, "InvalidAction");
  EXPECT_EQ(f.answer->status().message(), "The action Nope is not valid for this endpoint.");
}

TEST(ActionTable, ReadsAnswerAtOnceWithoutWaiting) {
  Fixture f;
  f.Invoke("Read");
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_TRUE(f.answer->ok());
  EXPECT_TRUE(f.env.waiting.empty());
}

TEST(ActionTable, DurableSuccessWaitsAndIsAnsweredOnTheRequestThreads) {
  Fixture f;
  f.Invoke("Write");
  EXPECT_FALSE(f.answer.has_value());
  ASSERT_EQ(f.env.waiting.size(), 1u);
  f.env.waiting[0](Status::Ok());  // the writer thread
  EXPECT_FALSE(f.answer.has_value());
  f.RunPosted();
  ASSERT_TRUE(f.answer.has_value());
  ASSERT_TRUE(f.answer->ok());
  EXPECT_EQ((*f.answer)->at("written"), 1);
}

TEST(ActionTable, FailedDurabilityWaitAnswersItsFailure) {
  Fixture f;
  f.Invoke("Write");
  ASSERT_EQ(f.env.waiting.size(), 1u);
  f.env.waiting[0](Status::Unavailable("disk full"));
  f.RunPosted();
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_EQ(ErrorFor(f.answer->status()).code, "ServiceUnavailable");
  EXPECT_EQ(f.answer->status().message(), "disk full");
}

TEST(ActionTable, DurableFailureIsAnsweredAtOnce) {
  Fixture f;
  f.Invoke("Fail");
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_EQ(ErrorFor(f.answer->status()).code, "QueueDoesNotExist");
  EXPECT_TRUE(f.env.waiting.empty());
}

TEST(ActionTable, WaitThatCompletesAtOnceAnswersWithoutPosting) {
  Fixture f;
  f.env.complete_at_once = true;
  f.Invoke("Write");
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_TRUE(f.answer->ok());
  EXPECT_TRUE(f.env.posted.empty());
}

TEST(ActionTable, HandlerThatThrowsAnswersInternalError) {
  Fixture f;
  f.Invoke("Throw");
  ASSERT_TRUE(f.answer.has_value());
  EXPECT_EQ(ErrorFor(f.answer->status()).code, "InternalError");
}

}  // namespace
}  // namespace ferry::api
