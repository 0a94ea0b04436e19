// The Query codec over SNS's descriptor: requests as botocore's Query
// serializer writes them for sns/2010-03-31, responses as its parser reads
// them (wrapped "member" lists and "entry" maps).
#include <gtest/gtest.h>

#include "protocol/aws_query.h"

namespace ferry::protocol {
namespace {

boost::json::object Decode(std::string_view form, std::string_view action) {
  auto pairs = ParseForm(form);
  EXPECT_TRUE(pairs.ok());
  auto obj = DecodeQueryParams(pairs.ok() ? *pairs : FormPairs(), api::SnsDescriptor(), action);
  EXPECT_TRUE(obj.ok()) << obj.status().message();
  return obj.ok() ? *obj : boost::json::object();
}

std::string Encode(std::string_view action, std::string_view json) {
  return EncodeQueryResult(api::SnsDescriptor(), action, boost::json::parse(json).as_object(),
                           "rid");
}

TEST(SnsQueryDecode, AttributesAreAWrappedMapAndTagsAWrappedListOfStructures) {
  auto obj = Decode(
      "Action=CreateTopic&Version=2010-03-31&Name=t&Attributes.entry.1.key=DisplayName"
      "&Attributes.entry.1.value=Hi&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=true"
      "&Tags.member.1.Key=team&Tags.member.1.Value=a+b&Tags.member.2.Key=env&Tags.member.2.Value=",
      "CreateTopic");
  EXPECT_EQ(obj.at("Name"), "t");
  EXPECT_EQ(obj.at("Attributes"),
            (boost::json::object{{"DisplayName", "Hi"}, {"FifoTopic", "true"}}));
  EXPECT_EQ(obj.at("Tags"),
            (boost::json::array{boost::json::object{{"Key", "team"}, {"Value", "a b"}},
                                boost::json::object{{"Key", "env"}, {"Value", ""}}}));
  EXPECT_FALSE(obj.contains("Version"));
}

TEST(SnsQueryDecode, MessageAttributesAreEntriesOfNameAndValue) {
  auto obj = Decode(
      "TopicArn=arn&Message=m&MessageAttributes.entry.1.Name=color"
      "&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=red&MessageAttributes.entry.2.Name=b"
      "&MessageAttributes.entry.2.Value.DataType=Binary"
      "&MessageAttributes.entry.2.Value.BinaryValue=AQ%3D%3D",
      "Publish");
  const auto& attrs = obj.at("MessageAttributes").as_object();
  EXPECT_EQ(attrs.at("color"),
            (boost::json::object{{"DataType", "String"}, {"StringValue", "red"}}));
  EXPECT_EQ(attrs.at("b"), (boost::json::object{{"DataType", "Binary"}, {"BinaryValue", "AQ=="}}));
}

TEST(SnsQueryDecode, PublishBatchEntriesAreMembersInIndexOrder) {
  auto obj = Decode(
      "TopicArn=arn&PublishBatchRequestEntries.member.2.Id=b"
      "&PublishBatchRequestEntries.member.2.Message=two"
      "&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=one"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=n"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType=Number"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue=1",
      "PublishBatch");
  const auto& entries = obj.at("PublishBatchRequestEntries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("Id"), "a");
  EXPECT_EQ(entries[1].at("Message"), "two");
  EXPECT_EQ(entries[0].at("MessageAttributes").at("n").at("StringValue"), "1");
}

TEST(SnsQueryDecode, AddPermissionsAccountsAndActionsAreMemberLists) {
  auto obj = Decode(
      "TopicArn=arn&Label=l&AWSAccountId.member.1=111122223333&AWSAccountId.member.2=444455556666"
      "&ActionName.member.1=Publish",
      "AddPermission");
  EXPECT_EQ(obj.at("AWSAccountId"), (boost::json::array{"111122223333", "444455556666"}));
  EXPECT_EQ(obj.at("ActionName"), (boost::json::array{"Publish"}));
  EXPECT_EQ(obj.at("Label"), "l");
}

TEST(SnsQueryDecode, TagKeysAreAMemberList) {
  auto obj = Decode("ResourceArn=arn&TagKeys.member.1=a&TagKeys.member.2=b", "UntagResource");
  EXPECT_EQ(obj.at("TagKeys"), (boost::json::array{"a", "b"}));
}

TEST(SnsQueryDecode, SmsAttributesAreAListToGetAndAMapToSet) {
  auto get = Decode("attributes.member.1=DefaultSMSType", "GetSMSAttributes");
  EXPECT_EQ(get.at("attributes"), (boost::json::array{"DefaultSMSType"}));
  auto set = Decode("attributes.entry.1.key=DefaultSMSType&attributes.entry.1.value=Promotional",
                    "SetSMSAttributes");
  EXPECT_EQ(set.at("attributes"), (boost::json::object{{"DefaultSMSType", "Promotional"}}));
}

TEST(SnsQueryDecode, AnEmptyCollectionIsItsNameWithNoValue) {
  auto obj = Decode("Name=t&Tags=&Attributes=", "CreateTopic");
  EXPECT_TRUE(obj.at("Tags").as_array().empty());
  EXPECT_TRUE(obj.at("Attributes").as_object().empty());
}

TEST(SnsQueryDecode, AWrappedCollectionWithoutItsWrapperIsMalformed) {
  auto pairs = ParseForm("Name=t&Attributes.1.key=a&Attributes.1.value=b");
  ASSERT_TRUE(pairs.ok());
  auto r = DecodeQueryParams(*pairs, api::SnsDescriptor(), "CreateTopic");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(api::ErrorFor(r.status()).id, api::ErrorId::kMalformedQueryString);
}

TEST(SnsQueryEncode, AnswersAreInSnsNamespaceWithResultAndRequestId) {
  std::string xml = Encode("CreateTopic", R"({"TopicArn":"arn:aws:sns:us-east-1:0:t"})");
  EXPECT_NE(xml.find("<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                     "<CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:0:t</TopicArn>"
                     "</CreateTopicResult><ResponseMetadata><RequestId>rid</RequestId>"
                     "</ResponseMetadata></CreateTopicResponse>"),
            std::string::npos)
      << xml;
}

TEST(SnsQueryEncode, TopicsAndSubscriptionsAreMemberLists) {
  std::string xml = Encode("ListTopics", R"({"Topics":[{"TopicArn":"a"},{"TopicArn":"b"}],
      "NextToken":"n"})");
  EXPECT_NE(xml.find("<ListTopicsResult><Topics><member><TopicArn>a</TopicArn></member>"
                     "<member><TopicArn>b</TopicArn></member></Topics>"
                     "<NextToken>n</NextToken></ListTopicsResult>"),
            std::string::npos)
      << xml;
  xml = Encode("ListSubscriptionsByTopic",
               R"({"Subscriptions":[{"SubscriptionArn":"s","Protocol":"sqs"}]})");
  EXPECT_NE(xml.find("<Subscriptions><member><SubscriptionArn>s</SubscriptionArn>"
                     "<Protocol>sqs</Protocol></member></Subscriptions>"),
            std::string::npos)
      << xml;
}

TEST(SnsQueryEncode, AttributesAreEntriesOfKeyAndValue) {
  std::string xml =
      Encode("GetTopicAttributes", R"({"Attributes":{"TopicArn":"a","Policy":"{\"x\":1}"}})");
  EXPECT_NE(xml.find("<Attributes><entry><key>TopicArn</key><value>a</value></entry>"
                     "<entry><key>Policy</key><value>{&quot;x&quot;:1}</value></entry>"
                     "</Attributes>"),
            std::string::npos)
      << xml;
  xml = Encode("ListEndpointsByPlatformApplication",
               R"({"Endpoints":[{"EndpointArn":"e","Attributes":{"Enabled":"true"}}]})");
  EXPECT_NE(xml.find("<Endpoints><member><EndpointArn>e</EndpointArn><Attributes><entry>"
                     "<key>Enabled</key><value>true</value></entry></Attributes></member>"
                     "</Endpoints>"),
            std::string::npos)
      << xml;
  xml = Encode("GetSMSAttributes", R"({"attributes":{"DefaultSMSType":"Promotional"}})");
  EXPECT_NE(xml.find("<attributes><entry><key>DefaultSMSType</key><value>Promotional</value>"
                     "</entry></attributes>"),
            std::string::npos)
      << xml;
}

TEST(SnsQueryEncode, TagsAreMembersOfKeyAndValue) {
  std::string xml = Encode("ListTagsForResource", R"({"Tags":[{"Key":"k","Value":"v"}]})");
  EXPECT_NE(xml.find("<ListTagsForResourceResult><Tags><member><Key>k</Key><Value>v</Value>"
                     "</member></Tags></ListTagsForResourceResult>"),
            std::string::npos)
      << xml;
}

TEST(SnsQueryEncode, PublishBatchResultsAreMemberLists) {
  std::string xml = Encode("PublishBatch", R"({"Successful":[{"Id":"a","MessageId":"m"}],
      "Failed":[{"Id":"b","Code":"InvalidParameter","Message":"bad","SenderFault":true}]})");
  EXPECT_NE(xml.find("<PublishBatchResult><Successful><member><Id>a</Id><MessageId>m</MessageId>"
                     "</member></Successful><Failed><member><Id>b</Id>"
                     "<Code>InvalidParameter</Code><Message>bad</Message>"
                     "<SenderFault>true</SenderFault></member></Failed></PublishBatchResult>"),
            std::string::npos)
      << xml;
}

TEST(SnsQueryEncode, ErrorsAreErrorResponsesWithSnsCodes) {
  std::string xml =
      EncodeQueryError(api::SnsDescriptor(), api::LookupError(api::ErrorId::kSnsNotFound),
                       "Topic does not exist", "rid");
  EXPECT_NE(xml.find("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
                     "<Type>Sender</Type><Code>NotFound</Code>"
                     "<Message>Topic does not exist</Message>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<RequestId>rid</RequestId></ErrorResponse>"), std::string::npos) << xml;
  xml = EncodeQueryError(api::SnsDescriptor(),
                         api::LookupError(api::ErrorId::kSnsInvalidParameterValue), "m", "rid");
  EXPECT_NE(xml.find("<Code>ParameterValueInvalid</Code>"), std::string::npos) << xml;
}

}  // namespace
}  // namespace ferry::protocol
