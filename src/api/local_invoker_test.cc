#include "api/local_invoker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "api/errors.h"

namespace ferry::api {
namespace {

// Answers each call with what `answer` makes of it, at once or, when
// `later` is set, from another thread (as a durable action's answer comes).
class FakeService final : public Service {
 public:
  std::function<Result<boost::json::object>(const Call&)> answer;
  bool later = false;
  bool hold = false;  // never answer (until the test ends)
  std::vector<std::thread> threads;
  std::vector<Reply> held;
  std::atomic<bool> reached_hold{false};  // a call's reply is held
  Call last;

  ~FakeService() override {
    for (auto& t : threads) t.join();
  }
  const ServiceDescriptor& descriptor() const override { return SqsDescriptor(); }
  bool Knows(std::string_view) const override { return true; }
  void Invoke(Call call, Reply reply) override {
    last = call;
    if (hold) {
      held.push_back(std::move(reply));
      reached_hold = true;
      return;
    }
    Result<boost::json::object> a = answer(call);
    if (!later) return reply(std::move(a));
    threads.emplace_back(
        [reply = std::move(reply), a = std::move(a)]() mutable { reply(std::move(a)); });
  }
};

TEST(LocalInvokerTest, CallsTheNamedServiceAsTheAccountsRootUser) {
  FakeService sqs;
  sqs.answer = [](const Call& c) { return boost::json::object{{"Action", c.action}}; };
  LocalInvoker invoker(
      {&sqs}, LocalInvokerOptions{
                  .account_id = "123456789012", .region = "eu-west-1", .host = "127.0.0.1:9324"});
  auto r = invoker.Invoke("sqs", "CreateQueue", boost::json::object{{"QueueName", "q"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->at("Action"), "CreateQueue");
  EXPECT_EQ(sqs.last.service, "sqs");
  EXPECT_EQ(sqs.last.params.at("QueueName"), "q");
  EXPECT_EQ(sqs.last.ctx.account_id, "123456789012");
  EXPECT_EQ(sqs.last.ctx.principal_arn, "arn:aws:iam::123456789012:root");
  EXPECT_EQ(sqs.last.ctx.region, "eu-west-1");
  EXPECT_EQ(sqs.last.ctx.host, "127.0.0.1:9324");
  EXPECT_EQ(sqs.last.ctx.path, "/");
  EXPECT_EQ(sqs.last.ctx.wire, Wire::kJson);
  EXPECT_FALSE(sqs.last.ctx.request_id.empty());
}

TEST(LocalInvokerTest, WaitsForAnAnswerGivenOnAnotherThread) {
  FakeService sqs;
  sqs.later = true;
  sqs.answer = [](const Call&) { return boost::json::object{{"QueueUrl", "u"}}; };
  LocalInvoker invoker({&sqs}, {});
  auto r = invoker.Invoke("sqs", "GetQueueUrl", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("QueueUrl"), "u");
}

TEST(LocalInvokerTest, AnErrorStartsWithItsAwsCode) {
  FakeService sqs;
  sqs.answer = [](const Call&) -> Result<boost::json::object> {
    return Error(ErrorId::kQueueDoesNotExist, "The specified queue does not exist.");
  };
  LocalInvoker invoker({&sqs}, {});
  auto r = invoker.Invoke("sqs", "GetQueueUrl", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "QueueDoesNotExist: The specified queue does not exist.");
  EXPECT_EQ(ErrorFor(r.status()).id, ErrorId::kQueueDoesNotExist);
}

TEST(LocalInvokerTest, AnUnknownServiceIsAnError) {
  LocalInvoker invoker({}, {});
  EXPECT_FALSE(invoker.Invoke("sns", "ListTopics", {}).ok());
}

TEST(LocalInvokerTest, StopEndsAWaitAndRefusesLaterCalls) {
  FakeService sqs;
  sqs.hold = true;
  LocalInvoker invoker({&sqs}, {});
  Result<boost::json::object> waited = Status::Internal("not yet");
  std::thread caller([&] { waited = invoker.Invoke("sqs", "ReceiveMessage", {}); });
  while (!sqs.reached_hold) std::this_thread::yield();
  invoker.Stop();
  caller.join();
  EXPECT_EQ(waited.status().code(), Code::kUnavailable);
  EXPECT_EQ(invoker.Invoke("sqs", "ListQueues", {}).status().code(), Code::kUnavailable);
  // An answer after the wait ended lands harmlessly.
  sqs.held[0](boost::json::object{});
}

}  // namespace
}  // namespace ferry::api
