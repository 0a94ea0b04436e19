#include "protocol/aws_json.h"

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

TEST(AwsJson, EmptyBodyIsAnEmptyObject) {
  auto r = DecodeJsonBody("  ");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(AwsJson, MalformedBodiesAreSerializationErrors) {
  for (std::string_view body : {"{", "[1,2]", "\"x\"", "{\"a\":}", "{\"a\":\"\xff\"}"}) {
    auto r = DecodeJsonBody(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(api::ErrorFor(r.status()).code, "SerializationException");
  }
}

TEST(AwsJson, AKeyTwiceInOneObjectIsASerializationError) {
  for (std::string_view body : {R"({"MessageBody":"one","MessageBody":"two"})",
                                R"({"a":{"k":1,"k":2}})", R"({"a":[{"k":1},{"k":1,"k":1}]})"}) {
    auto r = DecodeJsonBody(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(api::ErrorFor(r.status()).code, "SerializationException");
  }
  // Equal keys in different objects, and colons and quotes inside strings,
  // are not duplicates.
  for (std::string_view body : {R"({"a":{"k":1},"b":{"k":1},"k":[{"k":0},{"k":0}]})",
                                R"({"a:b":"c:\"d\":e","\\":":"})"}) {
    EXPECT_TRUE(DecodeJsonBody(body).ok()) << body;
  }
}

TEST(AwsJson, DeepNestingIsRejected) {
  std::string deep(1000, '[');
  EXPECT_FALSE(DecodeJsonBody("{\"a\":" + deep).ok());
}

TEST(AwsJson, ErrorsNameTheModelShapeAndTheQueryCode) {
  const auto& def = api::LookupError(api::ErrorId::kQueueDoesNotExist);
  auto body = boost::json::parse(EncodeJsonError(&api::SqsDescriptor(), def, "gone")).as_object();
  EXPECT_EQ(body.at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(body.at("message"), "gone");
  EXPECT_EQ(QueryErrorHeader(def), "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

// AWS answers JSON clients with the JSON-era type in __type and the Query
// code only in the header: InvalidParameterValue travels as
// InvalidParameterValueException, MissingParameter as
// MissingRequiredParameterException.
TEST(AwsJson, CommonErrorsSendTheirJsonTypeAndTheQueryCodeInTheHeader) {
  struct Case {
    api::ErrorId id;
    std::string_view type;
    std::string_view header;
  };
  for (const Case& c : {
           Case{api::ErrorId::kInvalidParameterValue,
                "com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue;Sender"},
           Case{api::ErrorId::kMissingParameter,
                "com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter;Sender"},
           Case{api::ErrorId::kQueueNameExists, "com.amazonaws.sqs#QueueNameExists",
                "QueueAlreadyExists;Sender"},
           Case{api::ErrorId::kUnknownOperation, "com.amazonaws.sqs#UnknownOperationException",
                "InvalidAction;Sender"},
       }) {
    const auto& def = api::LookupError(c.id);
    auto body = boost::json::parse(EncodeJsonError(&api::SqsDescriptor(), def, "m")).as_object();
    EXPECT_EQ(body.at("__type").as_string(), c.type);
    EXPECT_EQ(QueryErrorHeader(def), c.header);
  }
}

TEST(AwsJson, ErrorsOfNoKnownServiceHaveNoTypePrefix) {
  const auto& def = api::LookupError(api::ErrorId::kUnknownOperation);
  auto body = boost::json::parse(EncodeJsonError(nullptr, def, "m")).as_object();
  EXPECT_EQ(body.at("__type"), "UnknownOperationException");
  body = boost::json::parse(EncodeJsonError(&api::StsDescriptor(), def, "m")).as_object();
  EXPECT_EQ(body.at("__type"), "UnknownOperationException");
}

}  // namespace
}  // namespace ferry::protocol
