// Ferry.CancelMessage through the admin service, over an in-memory and a
// durable engine, with queues and messages made through SQS as clients do.
#include "admin/cancel_message.h"

#include <gtest/gtest.h>

#include <future>

#include "admin/admin_service.h"
#include "api/errors.h"
#include "sqs/sqs_test_util.h"
#include "storage/log_test_util.h"

namespace ferry::admin {
namespace {

using sqs::Str;

class CancelMessageTest : public ::testing::Test, public sqs::SqsFixture {
 protected:
  CancelMessageTest() : admin(engine, AdminOptions{}) {}

  Result<boost::json::object> Cancel(std::string_view json) {
    api::Call call = MakeCall("CancelMessage", json);
    call.service = "ferry";
    call.ctx.account_id = "000000000000";
    std::optional<Result<boost::json::object>> answer;
    admin.Invoke(std::move(call),
                 [&answer](Result<boost::json::object> a) { answer = std::move(a); });
    EXPECT_TRUE(answer.has_value()) << "an in-memory engine is durable at once";
    return answer ? std::move(*answer) : Status::Internal("no answer");
  }
  Result<boost::json::object> Cancel(const std::string& url, const std::string& id) {
    return Cancel(
        boost::json::serialize(boost::json::object{{"QueueUrl", url}, {"MessageId", id}}));
  }
  static std::string ErrorCode(const Result<boost::json::object>& a) {
    EXPECT_FALSE(a.ok());
    return a.ok() ? "" : std::string(api::ErrorFor(a.status()).code);
  }
  std::string SendTo(const std::string& url, int64_t delay_s) {
    boost::json::object p{{"QueueUrl", url}, {"MessageBody", "m"}, {"DelaySeconds", delay_s}};
    return Str(Ok("SendMessage", boost::json::serialize(p))["MessageId"]);
  }

  AdminService admin;
};

TEST_F(CancelMessageTest, ADelayedMessageIsCancelledAndNeverArrives) {
  const std::string url = CreateQueue("q");
  const std::string id = SendTo(url, 60);
  auto a = Cancel(url, id);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(boost::json::serialize(*a), R"({"Cancelled":true})");
  clock.Advance(60'000);
  auto got = Ok("ReceiveMessage", R"({"QueueUrl": ")" + url + R"("})");
  EXPECT_FALSE(got.contains("Messages"));
  a = Cancel(url, id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(boost::json::serialize(*a), R"({"Cancelled":false,"Reason":"NotFound"})");
}

TEST_F(CancelMessageTest, AVisibleOrInFlightMessageIsAlreadyVisible) {
  const std::string url = CreateQueue("q");
  const std::string visible = SendTo(url, 0);
  auto a = Cancel(url, visible);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(boost::json::serialize(*a), R"({"Cancelled":false,"Reason":"AlreadyVisible"})");
  Ok("ReceiveMessage", R"({"QueueUrl": ")" + url + R"("})");
  a = Cancel(url, visible);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(boost::json::serialize(*a), R"({"Cancelled":false,"Reason":"AlreadyVisible"})");
}

TEST_F(CancelMessageTest, ErrorsAreThoseOfTheOtherAdminActions) {
  const std::string url = CreateQueue("q");
  EXPECT_EQ(ErrorCode(Cancel(R"({"QueueUrl": ")" + url + R"("})")), "MissingParameter");
  EXPECT_EQ(ErrorCode(Cancel(R"({"MessageId": "00000000-0000-4000-8000-000000000000"})")),
            "MissingParameter");
  EXPECT_EQ(ErrorCode(Cancel(url, "not-an-id")), "InvalidParameterValue");
  EXPECT_EQ(ErrorCode(Cancel(url + "-gone", "00000000-0000-4000-8000-000000000000")),
            "QueueDoesNotExist");
}

TEST(CancelMessageDurable, ACancelAnsweredTrueStaysCancelledAfterARestart) {
  storage::testing::TempDir dir;
  std::string url, id;
  {
    sqs::SqsFixture f(sqs::DurableEngineIn(dir.path()));
    url = f.CreateQueue("q");
    boost::json::object p{{"QueueUrl", url}, {"MessageBody", "m"}, {"DelaySeconds", 60}};
    id = Str(f.Ok("SendMessage", boost::json::serialize(p))["MessageId"]);
    AdminService admin(f.engine, AdminOptions{});
    api::Call call = f.MakeCall("CancelMessage", boost::json::serialize(boost::json::object{
                                                     {"QueueUrl", url}, {"MessageId", id}}));
    call.service = "ferry";
    std::promise<Result<boost::json::object>> answer;
    admin.Invoke(std::move(call),
                 [&answer](Result<boost::json::object> a) { answer.set_value(std::move(a)); });
    Result<boost::json::object> a = answer.get_future().get();  // after it is durable
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(boost::json::serialize(*a), R"({"Cancelled":true})");
  }
  sqs::SqsFixture f(sqs::DurableEngineIn(dir.path()));
  f.clock.Advance(120'000);
  auto got = f.Ok("ReceiveMessage", R"({"QueueUrl": ")" + url + R"("})");
  EXPECT_FALSE(got.contains("Messages"));
}

}  // namespace
}  // namespace ferry::admin
