#include "protocol/aws_query.h"

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

boost::json::object Decode(std::string_view form, std::string_view action) {
  auto pairs = ParseForm(form);
  EXPECT_TRUE(pairs.ok());
  auto obj = DecodeQueryParams(*pairs, api::SqsDescriptor(), action);
  EXPECT_TRUE(obj.ok()) << obj.status().message();
  return obj.ok() ? *obj : boost::json::object();
}

TEST(QueryDecode, FlatMapsBecomeObjects) {
  auto obj = Decode(
      "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40"
      "&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Tag.1.Key=team&Tag.1.Value=a+b",
      "CreateQueue");
  EXPECT_EQ(obj.at("QueueName"), "q");
  EXPECT_EQ(obj.at("Attributes").at("VisibilityTimeout"), "40");
  EXPECT_EQ(obj.at("Attributes").at("DelaySeconds"), "5");
  EXPECT_EQ(obj.at("tags").at("team"), "a b");
  EXPECT_FALSE(obj.contains("Action"));
}

TEST(QueryDecode, NestedMessageAttributesAndBatchEntriesKeepTheirOrder) {
  auto obj = Decode(
      "SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two"
      "&SendMessageBatchRequestEntry.10.Id=c&SendMessageBatchRequestEntry.10.MessageBody=ten"
      "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=color"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=red",
      "SendMessageBatch");
  const auto& entries = obj.at("Entries").as_array();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].at("Id"), "a");
  EXPECT_EQ(entries[1].at("Id"), "b");
  EXPECT_EQ(entries[2].at("Id"), "c");
  EXPECT_EQ(entries[0].at("MessageAttributes").at("color").at("StringValue"), "red");
}

TEST(QueryDecode, ResponseNamesDoNotCaptureRequestParameters) {
  auto obj = Decode("QueueUrl=http%3A%2F%2Fh%2F0%2Fq", "SendMessage");
  EXPECT_EQ(obj.at("QueueUrl"), "http://h/0/q");
}

TEST(QueryDecode, AnEmptyCollectionIsItsMemberNameWithNoValue) {
  auto obj = Decode("Entries=&QueueUrl=u", "SendMessageBatch");
  EXPECT_TRUE(obj.at("Entries").as_array().empty());
}

TEST(QueryDecode, FlatListsBecomeArrays) {
  auto obj = Decode("AttributeName.1=All&MessageAttributeName.1=a.*&MessageAttributeName.2=b",
                    "ReceiveMessage");
  EXPECT_EQ(obj.at("AttributeNames").as_array().size(), 1u);
  EXPECT_EQ(obj.at("MessageAttributeNames").as_array()[1], "b");
}

TEST(QueryDecode, ContradictoryKeysAreMalformed) {
  auto pairs = ParseForm("QueueName=a&QueueName.1=b");
  ASSERT_TRUE(pairs.ok());
  EXPECT_FALSE(DecodeQueryParams(*pairs, api::SqsDescriptor(), "CreateQueue").ok());
  pairs = ParseForm("Attribute.x.Name=a&Attribute.x.Value=b");
  EXPECT_FALSE(DecodeQueryParams(*pairs, api::SqsDescriptor(), "CreateQueue").ok());
  pairs = ParseForm("Attribute.1.Value=b");
  EXPECT_FALSE(DecodeQueryParams(*pairs, api::SqsDescriptor(), "CreateQueue").ok());
  pairs = ParseForm("A..B=1");
  EXPECT_FALSE(DecodeQueryParams(*pairs, api::SqsDescriptor(), "CreateQueue").ok());
}

TEST(QueryDecode, MalformedPercentEscapesAreRejected) {
  EXPECT_FALSE(ParseForm("QueueName=%zz").ok());
}

bool IsMalformed(const Result<boost::json::object>& r) {
  return !r.ok() && api::ErrorFor(r.status()).id == api::ErrorId::kMalformedQueryString;
}

Result<boost::json::object> DecodeRaw(std::string_view form, std::string_view action) {
  auto pairs = ParseForm(form);
  EXPECT_TRUE(pairs.ok());
  return DecodeQueryParams(pairs.ok() ? *pairs : FormPairs(), api::SqsDescriptor(), action);
}

TEST(QueryDecode, AKeyOfEighteenThousandSegmentsIsMalformedNotACrash) {
  std::string form = "Action=ListQueues&a";
  for (int i = 0; i < 18000; ++i) form += ".a";
  form += "=1";
  auto r = DecodeRaw(form, "ListQueues");
  ASSERT_TRUE(IsMalformed(r));
  // The echoed key is cut short.
  EXPECT_LT(r.status().message().size(), 200u);
}

TEST(QueryDecode, KeysUpToTheDepthBoundDecode) {
  std::string key = "k";
  for (size_t i = 1; i < kMaxQueryKeySegments; ++i) key += ".k";
  EXPECT_TRUE(DecodeRaw(key + "=1", "ListQueues").ok());
  EXPECT_TRUE(IsMalformed(DecodeRaw(key + ".k=1", "ListQueues")));
}

TEST(QueryDecode, TheDeepestRealKeyDecodes) {
  auto obj = Decode(
      "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=l"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.1=x"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.2=y",
      "SendMessageBatch");
  const auto& value = obj.at("Entries").at(0).at("MessageAttributes").at("l");
  EXPECT_EQ(value.at("StringListValues"), (boost::json::array{"x", "y"}));
}

TEST(QueryDecode, TooManyDistinctKeysAreMalformed) {
  // Within the form decoder's pair bound, six new nodes per pair.
  std::string form;
  for (size_t i = 0; i <= kMaxQueryNodes / 6 && i < kMaxFormPairs; ++i) {
    form += "k" + std::to_string(i) + ".a.b.c.d.e=1&";
  }
  EXPECT_TRUE(IsMalformed(DecodeRaw(form, "ListQueues")));
}

TEST(QueryDecode, AListOrMapMemberWithAnEmptyValueIsEmpty) {
  auto obj = Decode("QueueUrl=u&AttributeName=&MessageAttributeName=&MessageSystemAttributeName=",
                    "ReceiveMessage");
  EXPECT_TRUE(obj.at("AttributeNames").as_array().empty());
  EXPECT_TRUE(obj.at("MessageAttributeNames").as_array().empty());
  EXPECT_TRUE(obj.at("MessageSystemAttributeNames").as_array().empty());
  EXPECT_TRUE(Decode("QueueUrl=u&SendMessageBatchRequestEntry=", "SendMessageBatch")
                  .at("Entries")
                  .as_array()
                  .empty());
  EXPECT_TRUE(
      Decode("QueueUrl=u&Attribute=", "SetQueueAttributes").at("Attributes").as_object().empty());
}

TEST(QueryDecode, ABareListMemberIsAOneElementList) {
  auto obj = Decode("QueueUrl=u&AttributeName=All", "GetQueueAttributes");
  EXPECT_EQ(obj.at("AttributeNames"), (boost::json::array{"All"}));
}

TEST(QueryDecode, ARepeatedBareListMemberIsAListInOrder) {
  auto obj =
      Decode("AttributeName=VisibilityTimeout&AttributeName=DelaySeconds", "GetQueueAttributes");
  EXPECT_EQ(obj.at("AttributeNames"), (boost::json::array{"VisibilityTimeout", "DelaySeconds"}));
}

TEST(QueryDecode, ARepeatedScalarIsMalformed) {
  EXPECT_TRUE(IsMalformed(DecodeRaw("QueueName=a&QueueName=b", "CreateQueue")));
  EXPECT_TRUE(IsMalformed(DecodeRaw("Attribute.1.Name=a&Attribute.1.Name=b", "CreateQueue")));
}

TEST(QueryDecode, AMapEntryWithoutItsIndexIsTheOnlyEntry) {
  auto obj = Decode("QueueUrl=u&Attribute.Name=VisibilityTimeout&Attribute.Value=40",
                    "SetQueueAttributes");
  EXPECT_EQ(obj.at("Attributes"), (boost::json::object{{"VisibilityTimeout", "40"}}));
  obj = Decode(
      "MessageBody=b&MessageAttribute.Name=color&MessageAttribute.Value.DataType=String"
      "&MessageAttribute.Value.StringValue=red",
      "SendMessage");
  EXPECT_EQ(obj.at("MessageAttributes").at("color"),
            (boost::json::object{{"DataType", "String"}, {"StringValue", "red"}}));
}

TEST(QueryDecode, IndexedAndUnindexedElementsTogetherAreMalformed) {
  EXPECT_TRUE(IsMalformed(DecodeRaw(
      "Attribute.Name=a&Attribute.Value=1&Attribute.1.Name=b&Attribute.1.Value=2", "CreateQueue")));
}

TEST(QueryDecode, AMemberNamedTwiceIsMalformed) {
  EXPECT_TRUE(
      IsMalformed(DecodeRaw("Attributes=&Attribute.1.Name=a&Attribute.1.Value=1", "CreateQueue")));
}

TEST(QueryDecode, AMapKeySentTwiceKeepsItsLastValue) {
  auto obj = Decode("Attribute.1.Name=a&Attribute.1.Value=1&Attribute.2.Name=a&Attribute.2.Value=2",
                    "CreateQueue");
  EXPECT_EQ(obj.at("Attributes"), (boost::json::object{{"a", "2"}}));
}

TEST(QueryEncode, ReceiveMessageUsesFlattenedElementNames) {
  auto result = boost::json::parse(R"({"Messages":[{"MessageId":"m1","Body":"a\r\n<b>",
      "Attributes":{"SenderId":"x"},
      "MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}]})")
                    .as_object();
  std::string xml = EncodeQueryResult(api::SqsDescriptor(), "ReceiveMessage", result, "rid");
  EXPECT_NE(xml.find("<ReceiveMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                     "<ReceiveMessageResult><Message><MessageId>m1</MessageId>"
                     "<Body>a&#xD;\n&lt;b&gt;</Body>"
                     "<Attribute><Name>SenderId</Name><Value>x</Value></Attribute>"
                     "<MessageAttribute><Name>k</Name><Value><DataType>String</DataType>"
                     "<StringValue>v</StringValue></Value></MessageAttribute></Message>"
                     "</ReceiveMessageResult><ResponseMetadata><RequestId>rid</RequestId>"),
            std::string::npos)
      << xml;
}

TEST(QueryEncode, BatchResultEntriesAreNamedPerAction) {
  auto result = boost::json::parse(R"({"Successful":[{"Id":"a"}],"Failed":[]})").as_object();
  std::string xml = EncodeQueryResult(api::SqsDescriptor(), "DeleteMessageBatch", result, "rid");
  EXPECT_NE(xml.find("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>"),
            std::string::npos);
}

// AWS writes an empty result as an empty element, <ReceiveMessageResult/>.
TEST(QueryEncode, EmptyResultIsAnEmptyElement) {
  std::string xml = EncodeQueryResult(api::SqsDescriptor(), "ReceiveMessage", {}, "rid");
  EXPECT_NE(xml.find("<ReceiveMessageResult/><ResponseMetadata>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<RequestId>rid</RequestId>"), std::string::npos);
  auto empty_list = boost::json::parse(R"({"Attributes":{}})").as_object();
  xml = EncodeQueryResult(api::SqsDescriptor(), "GetQueueAttributes", empty_list, "rid");
  EXPECT_NE(xml.find("<GetQueueAttributesResult/>"), std::string::npos) << xml;
  xml = EncodeQueryError(api::SqsDescriptor(), api::LookupError(api::ErrorId::kInvalidAction), "m",
                         "rid");
  EXPECT_NE(xml.find("<Detail/>"), std::string::npos) << xml;
}

TEST(QueryEncode, ResultsAndErrorsAsJsonKeepTheQueryDocumentsShape) {
  auto result = boost::json::parse(R"({"QueueUrls":["http://h/0/q"]})").as_object();
  EXPECT_EQ(boost::json::serialize(QueryResultAsJson("ListQueues", result, "rid")),
            R"({"ListQueuesResponse":{"ListQueuesResult":{"QueueUrls":["http://h/0/q"]},)"
            R"("ResponseMetadata":{"RequestId":"rid"}}})");
  EXPECT_EQ(
      EncodeQueryErrorAsJson(api::LookupError(api::ErrorId::kQueueDoesNotExist), "gone", "rid"),
      R"({"Error":{"Type":"Sender","Code":"AWS.SimpleQueueService.NonExistentQueue",)"
      R"("Message":"gone"},"RequestId":"rid"})");
}

TEST(QueryEncode, ErrorsCarryTheQueryCode) {
  std::string xml = EncodeQueryError(
      api::SqsDescriptor(), api::LookupError(api::ErrorId::kQueueDoesNotExist), "gone", "rid");
  EXPECT_NE(xml.find("<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
                     "<Message>gone</Message>"),
            std::string::npos);
}

}  // namespace
}  // namespace ferry::protocol
