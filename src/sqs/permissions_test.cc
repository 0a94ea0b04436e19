// AddPermission and RemovePermission through SqsService on both wires.
#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using PermissionsTest = SqsTest;
FERRY_SQS_BOTH_WIRES(PermissionsTest);

constexpr const char* kUrl = "http://localhost:9324/000000000000/q";

std::string Add(const std::string& label, const std::string& accounts, const std::string& actions) {
  return std::string(R"({"QueueUrl": ")") + kUrl + R"(", "Label": ")" + label +
         R"(", "AWSAccountIds": )" + accounts + R"(, "Actions": )" + actions + "}";
}

TEST_P(PermissionsTest, AddPermissionWritesAStatementPerLabel) {
  CreateQueue("q");
  Ok("AddPermission", Add("send", R"(["111122223333"])", R"(["SendMessage"])"));
  Ok("AddPermission",
     Add("two", R"(["111122223333", "444455556666"])", R"(["ReceiveMessage", "DeleteMessage"])"));
  auto out = Ok("GetQueueAttributes",
                std::string(R"({"QueueUrl": ")") + kUrl + R"(", "AttributeNames": ["Policy"]})");
  boost::json::value policy = boost::json::parse(Str(out["Attributes"].as_object()["Policy"]));
  auto& p = policy.as_object();
  EXPECT_EQ(Str(p["Version"]), "2008-10-17");
  EXPECT_EQ(Str(p["Id"]), "arn:aws:sqs:us-east-1:000000000000:q/SQSDefaultPolicy");
  auto& statements = p["Statement"].as_array();
  ASSERT_EQ(statements.size(), 2u);
  auto& first = statements[0].as_object();
  EXPECT_EQ(Str(first["Sid"]), "send");
  EXPECT_EQ(Str(first["Effect"]), "Allow");
  EXPECT_EQ(Str(first["Principal"].as_object()["AWS"]), "arn:aws:iam::111122223333:root");
  EXPECT_EQ(Str(first["Action"]), "SQS:SendMessage");
  EXPECT_EQ(Str(first["Resource"]), "arn:aws:sqs:us-east-1:000000000000:q");
  auto& second = statements[1].as_object();
  EXPECT_EQ(second["Principal"].as_object()["AWS"].as_array().size(), 2u);
  EXPECT_EQ(Str(second["Action"].as_array()[1]), "SQS:DeleteMessage");
}

TEST_P(PermissionsTest, AddPermissionValidatesLikeAws) {
  CreateQueue("q");
  std::string message;
  EXPECT_EQ(Fails("AddPermission", Add("bad label", R"(["111122223333"])", R"(["SendMessage"])"),
                  &message),
            "InvalidParameterValue");
  EXPECT_NE(message.find("for parameter Label is invalid"), std::string::npos) << message;
  EXPECT_EQ(Fails("AddPermission",
                  Add(std::string(81, 'a'), R"(["111122223333"])", R"(["SendMessage"])")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("AddPermission", Add("l", R"(["111122223333"])", R"(["CreateQueue"])"), &message),
            "InvalidParameterValue");
  EXPECT_EQ(message,
            "Value SQS:CreateQueue for parameter ActionName is invalid. Reason: Only the queue "
            "owner is allowed to invoke this action.");
  EXPECT_EQ(Fails("AddPermission", Add("l", R"(["nobody"])", R"(["SendMessage"])")),
            "InvalidParameterValue");
  EXPECT_EQ(Fails("AddPermission", Add("l", R"([])", R"(["SendMessage"])")), "MissingParameter");
  EXPECT_EQ(Fails("AddPermission", Add("l", R"(["111122223333"])", R"([])")), "MissingParameter");
  EXPECT_EQ(Fails("AddPermission",
                  Add("l", R"(["111122223333"])",
                      R"(["SendMessage","ReceiveMessage","DeleteMessage","ChangeMessageVisibility",
                          "GetQueueAttributes","GetQueueUrl","PurgeQueue","*"])")),
            "OverLimit");
  Ok("AddPermission", Add("l", R"(["111122223333"])", R"(["*"])"));
  EXPECT_EQ(Fails("AddPermission", Add("l", R"(["111122223333"])", R"(["SendMessage"])"), &message),
            "InvalidParameterValue");
  EXPECT_EQ(message, "Value l for parameter Label is invalid. Reason: Already exists.");
  EXPECT_EQ(Fails("AddPermission", std::string(R"({"QueueUrl": "http://localhost:9324/0/nope",
      "Label": "l", "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage"]})")),
            "QueueDoesNotExist");
}

TEST_P(PermissionsTest, RemovePermissionDropsTheLabelAndTheEmptyPolicy) {
  CreateQueue("q");
  Ok("AddPermission", Add("a", R"(["111122223333"])", R"(["SendMessage"])"));
  Ok("AddPermission", Add("b", R"(["111122223333"])", R"(["ReceiveMessage"])"));
  const std::string remove_a = std::string(R"({"QueueUrl": ")") + kUrl + R"(", "Label": "a"})";
  Ok("RemovePermission", remove_a);
  std::string message;
  EXPECT_EQ(Fails("RemovePermission", remove_a, &message), "InvalidParameterValue");
  EXPECT_EQ(message,
            "Value a for parameter Label is invalid. Reason: can't find label.");
  boost::json::value policy =
      boost::json::parse(engine.FindQueue("q")->settings().extra.at("Policy"));
  ASSERT_EQ(policy.as_object()["Statement"].as_array().size(), 1u);
  Ok("RemovePermission", std::string(R"({"QueueUrl": ")") + kUrl + R"(", "Label": "b"})");
  EXPECT_FALSE(engine.FindQueue("q")->settings().extra.contains("Policy"));
  EXPECT_EQ(Fails("RemovePermission", std::string(R"({"QueueUrl": ")") + kUrl + R"("})"),
            "MissingParameter");
}

// A Deny of everything does not lock the owner out of its policy.
TEST_P(PermissionsTest, AddPermissionKeepsAPolicySetByAttributes) {
  CreateQueue(
      "q",
      R"({"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"mine\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"SQS:*\",\"Resource\":\"*\"}}"})");
  Ok("AddPermission", Add("added", R"(["111122223333"])", R"(["SendMessage"])"));
  boost::json::value policy =
      boost::json::parse(engine.FindQueue("q")->settings().extra.at("Policy"));
  auto& statements = policy.as_object()["Statement"].as_array();
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(Str(statements[0].as_object()["Sid"]), "mine");
  EXPECT_EQ(Str(statements[1].as_object()["Sid"]), "added");
}

}  // namespace
}  // namespace ferry::sqs
