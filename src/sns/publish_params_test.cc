#include "sns/publish_params.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "api/errors.h"
#include "common/crypto.h"

namespace ferry::sns {
namespace {

struct Outcome {
  std::string code;  // empty: accepted
  std::string message;
};

Outcome Read(std::string_view json, PublishRules rules = {}) {
  const boost::json::object params = boost::json::parse(json).as_object();
  Result<PublishMessage> m = ReadPublishMessage(api::Params(params, api::Wire::kJson), rules);
  if (m.ok()) return {};
  return {std::string(api::ErrorFor(m.status()).code), m.status().message()};
}

Result<PublishMessage> ReadOk(std::string_view json, PublishRules rules = {}) {
  const boost::json::object params = boost::json::parse(json).as_object();
  return ReadPublishMessage(api::Params(params, api::Wire::kJson), rules);
}

// An attribute map of one attribute, `name`, with the given value fields.
std::string WithAttribute(std::string_view name, std::string_view value_fields) {
  return R"({"Message":"m","MessageAttributes":{")" + std::string(name) + R"(":{)" +
         std::string(value_fields) + "}}}";
}

void ExpectRefused(const Outcome& o, std::string_view code, std::string_view message) {
  EXPECT_EQ(o.code, code);
  EXPECT_EQ(o.message, message);
}

constexpr PublishRules kFifo{.fifo = true, .content_based_dedup = false};

TEST(ReadPublishMessage, MissingMessageIsAValidationError) {
  ExpectRefused(Read("{}"), "ValidationException",
                "1 validation error detected: Value null at 'message' failed to satisfy "
                "constraint: Member must not be null");
}

TEST(ReadPublishMessage, EmptyMessageIsRefused) {
  ExpectRefused(Read(R"({"Message":""})"), "InvalidParameter", "Invalid parameter: Empty message");
}

TEST(ReadPublishMessage, MessageWithCharactersSqsCannotCarryIsRefused) {
  EXPECT_EQ(Read("{\"Message\":\"a\\u0001b\"}").code, "InvalidParameter");
}

TEST(ReadPublishMessage, SubjectRules) {
  for (std::string_view bad : {R"("")", R"(" leading space")", R"("line\nbreak")",
                               R"("caf\u00e9")"}) {
    ExpectRefused(Read(R"({"Message":"m","Subject":)" + std::string(bad) + "}"),
                  "InvalidParameter", "Invalid parameter: Subject");
  }
  ExpectRefused(Read(R"({"Message":"m","Subject":")" + std::string(100, 's') + R"("})"),
                "InvalidParameter", "Invalid parameter: Subject");
  EXPECT_EQ(Read(R"({"Message":"m","Subject":")" + std::string(99, 's') + R"("})").code, "");
  EXPECT_EQ(Read(R"({"Message":"m","Subject":"!Alert: disk 95% full"})").code, "");
}

TEST(ReadPublishMessage, MessageStructureMustBeJson) {
  ExpectRefused(Read(R"({"Message":"m","MessageStructure":"xml"})"), "InvalidParameter",
                "Invalid parameter: MessageStructure Reason: Value xml is not valid. Valid value "
                "is json");
}

TEST(ReadPublishMessage, MessageStructureJsonNeedsAnObjectWithAStringDefault) {
  for (std::string_view bad : {R"("not json")", R"("[\"default\"]")"}) {
    ExpectRefused(Read(R"({"MessageStructure":"json","Message":)" + std::string(bad) + "}"),
                  "InvalidParameter",
                  "Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  for (std::string_view bad : {R"("{\"sqs\":\"x\"}")", R"("{\"default\":1}")"}) {
    ExpectRefused(Read(R"({"MessageStructure":"json","Message":)" + std::string(bad) + "}"),
                  "InvalidParameter",
                  "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
}

TEST(ReadPublishMessage, MessageStructureIgnoresOtherKeysAndNonStringValues) {
  auto m = ReadOk(
      R"({"MessageStructure":"json","Message":"{\"default\":\"d\",\"sqs\":\"\",\"http\":5,\"email\":\"e\"}"})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->Body(Protocol::kSqs), "");  // an empty copy is allowed
  EXPECT_EQ(m->Body(Protocol::kHttp), "d");
  EXPECT_EQ(m->Body(Protocol::kHttps), "d");
}

TEST(ReadPublishMessage, MessageTooLongCountsAttributes) {
  const std::string body(kMaxPublishBytes - 10, 'x');
  EXPECT_EQ(Read(R"({"Message":")" + body + R"("})").code, "");
  ExpectRefused(
      Read(R"({"Message":")" + body +
           R"(","MessageAttributes":{"name":{"DataType":"String","StringValue":"value"}}})"),
      "InvalidParameter", "Invalid parameter: Message too long");
}

TEST(ReadPublishMessage, AttributeNameRules) {
  const std::string v = R"("DataType":"String","StringValue":"v")";
  ExpectRefused(Read(WithAttribute(".a", v)), "ParameterValueInvalid",
                "Invalid message attribute name starting with character '.' was found.");
  ExpectRefused(Read(WithAttribute("a.", v)), "ParameterValueInvalid",
                "Invalid message attribute name ending with character '.' was found.");
  ExpectRefused(Read(WithAttribute("a..b", v)), "ParameterValueInvalid",
                "Message attribute name can not have successive '.' character.");
  ExpectRefused(Read(WithAttribute("a b", v)), "ParameterValueInvalid",
                "Invalid non-alphanumeric character '#x20' was found in the message attribute "
                "name. Can only include alphanumeric characters, hyphens, underscores, or dots.");
  ExpectRefused(Read(WithAttribute(std::string(257, 'a'), v)), "ParameterValueInvalid",
                "Length of message attribute name must be less than 256 bytes.");
  EXPECT_EQ(Read(WithAttribute("AWS.trace", v)).code, "ParameterValueInvalid");
  EXPECT_EQ(Read(WithAttribute("a-b_c.d9", v)).code, "");
}

TEST(ReadPublishMessage, AttributeTypeRules) {
  ExpectRefused(Read(WithAttribute("a", R"("DataType":"Integer","StringValue":"1")")),
                "ParameterValueInvalid",
                "The message attribute 'a' has an invalid message attribute type, the set of "
                "supported type prefixes is Binary, Number, and String.");
  EXPECT_EQ(Read(WithAttribute("a", R"("DataType":"String.","StringValue":"1")")).code,
            "ParameterValueInvalid");
  ExpectRefused(Read(WithAttribute("a", R"("DataType":"","StringValue":"1")")),
                "ParameterValueInvalid",
                "The message attribute 'a' must contain non-empty message attribute type.");
  EXPECT_EQ(Read(WithAttribute("a", R"("DataType":"String.custom","StringValue":"1")")).code, "");
  EXPECT_EQ(Read(WithAttribute("a", R"("DataType":"Binary.png","BinaryValue":"AAE=")")).code, "");
}

TEST(ReadPublishMessage, AttributeValueRules) {
  ExpectRefused(Read(WithAttribute("a", R"("DataType":"String","BinaryValue":"AAE=")")),
                "ParameterValueInvalid",
                "The message attribute 'a' with type 'String' must use field 'String'.");
  ExpectRefused(Read(WithAttribute("a", R"("DataType":"Binary","StringValue":"x")")),
                "ParameterValueInvalid",
                "The message attribute 'a' with type 'Binary' must use field 'Binary'.");
  ExpectRefused(Read(WithAttribute("a", R"("DataType":"String","StringValue":"")")),
                "ParameterValueInvalid",
                "The message attribute 'a' must contain non-empty message attribute value for "
                "message attribute type 'String'.");
}

TEST(ReadPublishMessage, BinaryValuesAreBase64) {
  ExpectRefused(Read(WithAttribute("b", R"("DataType":"Binary","BinaryValue":"not base64!")")),
                "ParameterValueInvalid",
                "The binary value of message attribute 'b' is not valid base64.");
  auto m = ReadOk(WithAttribute("b", R"("DataType":"Binary","BinaryValue":"AAEC")"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->attributes[0].binary);
  EXPECT_EQ(m->attributes[0].value, std::string("\0\1\2", 3));
}

TEST(ReadPublishMessage, ReservedAttributeNamePrefixes) {
  for (std::string_view name : {"AWS.x", "aws.x", "Amazon.x", "AMAZON.x"}) {
    ExpectRefused(Read(WithAttribute(name, R"("DataType":"String","StringValue":"v")")),
                  "ParameterValueInvalid",
                  "The message attribute name '" + std::string(name) +
                      "' is reserved: the prefixes AWS. and Amazon. (in any case) are reserved.");
  }
  EXPECT_EQ(Read(WithAttribute("awsome", R"("DataType":"String","StringValue":"v")")).code, "");
}

TEST(ReadPublishMessage, StringValuesHaveTheMessagesCharacters) {
  ExpectRefused(Read(WithAttribute("s", R"("DataType":"String","StringValue":"a\u0002")")),
                "ParameterValueInvalid",
                "The message attribute 's' contains characters outside the allowed set.");
}

TEST(ReadPublishMessage, AttributesAreSortedByName) {
  auto m = ReadOk(R"({"Message":"m","MessageAttributes":{
      "b":{"DataType":"String","StringValue":"2"},"a":{"DataType":"String","StringValue":"1"}}})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->attributes.size(), 2u);
  EXPECT_EQ(m->attributes[0].name, "a");
  EXPECT_EQ(m->attributes[1].name, "b");
}

TEST(ReadPublishMessage, MoreThanTenAttributesAreAllowed) {
  std::string attrs;
  for (int i = 0; i < 12; ++i) {
    attrs += std::string(i ? "," : "") + "\"a" + std::to_string(i) +
             R"(":{"DataType":"String","StringValue":"v"})";
  }
  auto m = ReadOk(R"({"Message":"m","MessageAttributes":{)" + attrs + "}}");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->attributes.size(), 12u);
}

TEST(ReadPublishMessage, NumberRangeAndPrecision) {
  for (std::string_view good : {"0", "-1.5", "1e126", "1E-128", "12345678901234567890123456789012345678",
                                "0.000123"}) {
    EXPECT_EQ(Read(WithAttribute("n", R"("DataType":"Number","StringValue":")" + std::string(good) +
                                          "\""))
                  .code,
              "")
        << good;
  }
  for (std::string_view bad : {"abc", "1e127", "1e-129", "123456789012345678901234567890123456789",
                               "1.", "--1", "0x10"}) {
    if (bad == "1.") continue;  // "1." is a decimal to AWS too
    ExpectRefused(Read(WithAttribute("n", R"("DataType":"Number","StringValue":")" +
                                              std::string(bad) + "\"")),
                  "ParameterValueInvalid", "Could not cast message attribute 'n' value to number.");
  }
}

TEST(ReadPublishMessage, StringArrayMustBeAJsonArrayOfScalars) {
  EXPECT_EQ(Read(WithAttribute("a", R"("DataType":"String.Array","StringValue":"[\"x\",1,true,null]")"))
                .code,
            "");
  for (std::string_view bad : {R"(\"x\")", R"([[1]])", R"([{\"k\":1}])", "[1"}) {
    EXPECT_EQ(Read(WithAttribute("a", R"("DataType":"String.Array","StringValue":")" +
                                          std::string(bad) + "\""))
                  .code,
              "ParameterValueInvalid")
        << bad;
  }
}

TEST(ReadPublishMessage, FifoNeedsAGroupAndADeduplicationId) {
  ExpectRefused(Read(R"({"Message":"m"})", kFifo), "InvalidParameter",
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  ExpectRefused(Read(R"({"Message":"m","MessageGroupId":"g"})", kFifo), "InvalidParameter",
                "Invalid parameter: The topic should either have ContentBasedDeduplication "
                "enabled or MessageDeduplicationId provided explicitly");
  auto m = ReadOk(R"({"Message":"m","MessageGroupId":"g"})",
                  {.fifo = true, .content_based_dedup = true});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->dedup_id, Sha256Hex("m"));
  m = ReadOk(R"({"Message":"m","MessageGroupId":"g","MessageDeduplicationId":"mine"})",
             {.fifo = true, .content_based_dedup = true});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->dedup_id, "mine");
}

TEST(ReadPublishMessage, FifoIdCharactersAndLength) {
  ExpectRefused(Read(R"({"Message":"m","MessageGroupId":"a b","MessageDeduplicationId":"d"})", kFifo),
                "InvalidParameter",
                "Invalid parameter: MessageGroupId Reason: MessageGroupId can only include "
                "alphanumeric and punctuation characters. 1 to 128 in length.");
  EXPECT_EQ(Read(R"({"Message":"m","MessageGroupId":"g","MessageDeduplicationId":")" +
                     std::string(129, 'd') + R"("})",
                 kFifo)
                .code,
            "InvalidParameter");
}

TEST(ReadPublishMessage, StandardTopicsRefuseADeduplicationIdButTakeAGroup) {
  ExpectRefused(Read(R"({"Message":"m","MessageDeduplicationId":"d"})"), "InvalidParameter",
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type");
  auto m = ReadOk(R"({"Message":"m","MessageGroupId":"g"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->group_id, "g");
  EXPECT_TRUE(m->dedup_id.empty());
}

TEST(ReadPublishMessage, QueryWireValuesAreReadToo) {
  const boost::json::object params = boost::json::parse(
      R"({"Message":"m","MessageAttributes":{"n":{"DataType":"Number","StringValue":"7"}}})")
                                         .as_object();
  auto m = ReadPublishMessage(api::Params(params, api::Wire::kQuery), {});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->attributes.size(), 1u);
  EXPECT_EQ(m->attributes[0].value, "7");
}

}  // namespace
}  // namespace ferry::sns
