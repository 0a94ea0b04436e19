#include <gtest/gtest.h>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using BatchTest = SqsTest;
FERRY_SQS_BOTH_WIRES(BatchTest);

constexpr const char* kUrl = "http://localhost:9324/000000000000/q";

std::string Batch(const boost::json::array& entries) {
  boost::json::object p{{"QueueUrl", kUrl}, {"Entries", entries}};
  return boost::json::serialize(p);
}

boost::json::object Entry(std::string_view id, std::string_view body) {
  return {{"Id", id}, {"MessageBody", body}};
}

TEST_P(BatchTest, SendMessageBatchReportsEachEntry) {
  CreateQueue("q");
  boost::json::array entries = {Entry("a", "hello"), Entry("b", ""), Entry("c", "x")};
  entries[2].as_object()["MessageAttributes"] =
      boost::json::parse(R"({"attr1": {"DataType": "String", "StringValue": "value1"}})");
  entries[2].as_object()["DelaySeconds"] = 0;
  auto out = Ok("SendMessageBatch", Batch(entries));
  auto& ok = out["Successful"].as_array();
  auto& failed = out["Failed"].as_array();
  ASSERT_EQ(ok.size(), 2u);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Str(ok[0].as_object()["Id"]), "a");
  EXPECT_EQ(Str(ok[0].as_object()["MD5OfMessageBody"]), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Str(ok[0].as_object()["MessageId"]).size(), 36u);
  EXPECT_FALSE(ok[0].as_object().contains("MD5OfMessageAttributes"));
  EXPECT_EQ(Str(ok[1].as_object()["Id"]), "c");
  EXPECT_EQ(Str(ok[1].as_object()["MD5OfMessageAttributes"]), "3bc3f392bdd1097ba0b434f65d468d2e");
  auto& f = failed[0].as_object();
  EXPECT_EQ(Str(f["Id"]), "b");
  EXPECT_EQ(f["SenderFault"], true);
  EXPECT_EQ(Str(f["Code"]), "MissingParameter");
  EXPECT_FALSE(Str(f["Message"]).empty());
  EXPECT_EQ(engine.FindQueue("q")->Stats().visible, 2);
}

TEST_P(BatchTest, AnEmptyFailedListIsLeftOut) {
  CreateQueue("q");
  auto out = Ok("SendMessageBatch", Batch({Entry("a", "m")}));
  EXPECT_FALSE(out.contains("Failed"));
  EXPECT_EQ(out["Successful"].as_array().size(), 1u);
}

TEST_P(BatchTest, RequestLevelErrors) {
  CreateQueue("q");
  EXPECT_EQ(Fails("SendMessageBatch", Batch({})), "EmptyBatchRequest");
  EXPECT_EQ(Fails("SendMessageBatch", R"({"QueueUrl": "/0/q"})"), "EmptyBatchRequest");
  boost::json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(Entry("e" + std::to_string(i), "m"));
  EXPECT_EQ(Fails("SendMessageBatch", Batch(eleven)), "TooManyEntriesInBatchRequest");
  EXPECT_EQ(Fails("SendMessageBatch", Batch({Entry("a", "m"), Entry("a", "n")})),
            "BatchEntryIdsNotDistinct");
  EXPECT_EQ(Fails("SendMessageBatch", Batch({Entry("bad id", "m")})), "InvalidBatchEntryId");
  EXPECT_EQ(Fails("SendMessageBatch", Batch({Entry(std::string(81, 'i'), "m")})),
            "InvalidBatchEntryId");
  EXPECT_EQ(Fails("SendMessageBatch", Batch({boost::json::object{{"MessageBody", "m"}}})),
            "MissingParameter");
  Ok("SendMessageBatch", Batch({Entry(std::string(80, 'i'), "m")}));
  EXPECT_EQ(Fails("SendMessageBatch",
                  R"({"QueueUrl": "/0/none", "Entries": [{"Id": "a", "MessageBody": "m"}]})"),
            "QueueDoesNotExist");
}

TEST_P(BatchTest, TotalSizeIsLimitedToOneMebibyte) {
  CreateQueue("q");
  const std::string half(524288, 'x');
  Ok("SendMessageBatch", Batch({Entry("a", half), Entry("b", half)}));
  std::string message;
  EXPECT_EQ(Fails("SendMessageBatch", Batch({Entry("a", half), Entry("b", half), Entry("c", "x")}),
                  &message),
            "BatchRequestTooLong");
  EXPECT_NE(message.find("1048577"), std::string::npos) << message;
}

TEST_P(BatchTest, EntryLargerThanQueueMaximumFailsAlone) {
  CreateQueue("q", R"({"MaximumMessageSize": "1024"})");
  auto out =
      Ok("SendMessageBatch", Batch({Entry("big", std::string(2000, 'x')), Entry("small", "m")}));
  EXPECT_EQ(out["Successful"].as_array().size(), 1u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(Str(out["Failed"].as_array()[0].as_object()["Code"]), "InvalidParameterValue");
}

TEST_P(BatchTest, DeleteMessageBatch) {
  CreateQueue("q");
  Ok("SendMessageBatch", Batch({Entry("a", "1"), Entry("b", "2")}));
  auto out = Ok("ReceiveMessage", R"({"QueueUrl": "/0/q", "MaxNumberOfMessages": 10})");
  auto& msgs = out["Messages"].as_array();
  ASSERT_EQ(msgs.size(), 2u);
  boost::json::array entries = {
      boost::json::object{{"Id", "x"}, {"ReceiptHandle", msgs[0].as_object()["ReceiptHandle"]}},
      boost::json::object{{"Id", "y"}, {"ReceiptHandle", "garbage"}},
      boost::json::object{{"Id", "z"}, {"ReceiptHandle", msgs[1].as_object()["ReceiptHandle"]}},
  };
  auto del = Ok("DeleteMessageBatch", Batch(entries));
  auto& ok = del["Successful"].as_array();
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[0].as_object().size(), 1u);
  EXPECT_EQ(Str(ok[0].as_object()["Id"]), "x");
  auto& failed = del["Failed"].as_array();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Str(failed[0].as_object()["Id"]), "y");
  EXPECT_EQ(Str(failed[0].as_object()["Code"]), "ReceiptHandleIsInvalid");
  EXPECT_EQ(engine.FindQueue("q")->Stats().in_flight, 0);
  EXPECT_EQ(Fails("DeleteMessageBatch", Batch({})), "EmptyBatchRequest");
}

TEST_P(BatchTest, ChangeMessageVisibilityBatch) {
  CreateQueue("q");
  Ok("SendMessageBatch", Batch({Entry("a", "1")}));
  auto out = Ok("ReceiveMessage", R"({"QueueUrl": "/0/q"})");
  auto handle = out["Messages"].as_array()[0].as_object()["ReceiptHandle"];
  boost::json::array entries = {
      boost::json::object{{"Id", "ok"}, {"ReceiptHandle", handle}, {"VisibilityTimeout", 0}},
      boost::json::object{{"Id", "range"}, {"ReceiptHandle", handle}, {"VisibilityTimeout", 50000}},
      boost::json::object{{"Id", "missing"}, {"ReceiptHandle", handle}},
  };
  auto res = Ok("ChangeMessageVisibilityBatch", Batch(entries));
  ASSERT_EQ(res["Successful"].as_array().size(), 1u);
  EXPECT_EQ(Str(res["Successful"].as_array()[0].as_object()["Id"]), "ok");
  auto& failed = res["Failed"].as_array();
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(Str(failed[0].as_object()["Code"]), "InvalidParameterValue");
  EXPECT_EQ(Str(failed[1].as_object()["Code"]), "MissingParameter");
  EXPECT_EQ(engine.FindQueue("q")->Stats().visible, 1);
}

}  // namespace
}  // namespace ferry::sqs
