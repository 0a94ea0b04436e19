#include "sns/publish.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "api/errors.h"
#include "common/crypto.h"
#include "sns/delivery_item.h"
#include "sns/publish_test_util.h"
#include "sns/signature_test_util.h"

namespace ferry::sns::testing {
namespace {

using api::ErrorId;

std::string ErrorCode(const Status& s) { return std::string(api::ErrorFor(s).code); }

#define EXPECT_SNS_ERROR(result, code, text)           \
  do {                                                 \
    auto r_ = (result);                                \
    ASSERT_FALSE(r_.ok());                             \
    EXPECT_EQ(ErrorCode(r_.status()), code);           \
    EXPECT_EQ(r_.status().message(), text);            \
  } while (0)

// ---- Which topic ----

TEST_F(PublishTest, NeitherTopicArnNorTargetArnIsInvalidParameter) {
  EXPECT_SNS_ERROR(Publish(R"({"Message":"m"})"), "InvalidParameter",
                   "Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                   "parameter");
}

TEST_F(PublishTest, UnknownTopicIsNotFound) {
  EXPECT_SNS_ERROR(Publish(R"({"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope","Message":"m"})"),
                   "NotFound", "Topic does not exist");
}

TEST_F(PublishTest, MalformedTopicArnIsInvalidParameter) {
  EXPECT_SNS_ERROR(Publish(R"({"TopicArn":"not-an-arn","Message":"m"})"), "InvalidParameter",
                   "Invalid parameter: TopicArn");
}

TEST_F(PublishTest, TheContextMayRefuseATopicBeforeAnythingElse) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  PublishContext ctx = Context();
  std::string asked;
  ctx.authorize = [&asked](const api::Call& call, std::string_view arn, const Topic* found) {
    asked = call.action + " " + std::string(arn) + (found != nullptr ? " found" : "");
    return api::Error(ErrorId::kSnsAuthorizationError, "no");
  };
  auto r = sns::Publish(ctx, MakeCall("Publish", R"({"TargetArn":")" + topic->arn +
                                                     R"(","Message":"m"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorCode(r.status()), "AuthorizationError");
  EXPECT_EQ(asked, "Publish " + topic->arn + " found");
  EXPECT_EQ(Drain("q").size(), 0u);
}

TEST_F(PublishTest, TargetArnNamingATopicPublishesToIt) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  auto r = Publish(R"({"TargetArn":")" + topic->arn + R"(","Message":"hello"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Drain("q").size(), 1u);
}

TEST_F(PublishTest, PhoneNumbersAndPlatformEndpointsAreRefused) {
  EXPECT_SNS_ERROR(Publish(R"({"PhoneNumber":"+15555550100","Message":"m"})"), "InvalidParameter",
                   "Invalid parameter: PhoneNumber Reason: SMS delivery is not supported by this "
                   "server");
  EXPECT_SNS_ERROR(
      Publish(R"({"TargetArn":"arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/abc","Message":"m"})"),
      "InvalidParameter",
      "Invalid parameter: TargetArn Reason: Mobile push endpoints are not supported by this "
      "server");
}

TEST_F(PublishTest, BothTopicArnAndTargetArnIsInvalidParameter) {
  auto topic = MakeTopic("t");
  auto r = Publish(R"({"TopicArn":")" + topic->arn + R"(","TargetArn":")" + topic->arn +
                   R"(","Message":"m"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorCode(r.status()), "InvalidParameter");
}

// ---- Standard topic, SQS subscriptions ----

TEST_F(PublishTest, EnvelopeInTheQueueHasSnsFieldsAndAVerifiableSignature) {
  auto topic = MakeTopic("orders");
  auto sub = SubscribeQueue(*topic, "q");
  auto r = Publish(R"({"TopicArn":")" + topic->arn +
                   R"(","Message":"hello \"world\"","Subject":"greeting",
      "MessageAttributes":{"colour":{"DataType":"String","StringValue":"red"},
                           "n":{"DataType":"Number","StringValue":"42"}}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string message_id(r->at("MessageId").as_string());
  EXPECT_FALSE(r->contains("SequenceNumber"));

  auto stored = Drain("q");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(stored[0].attributes.empty());
  const std::string& body = stored[0].body;
  const std::string unsubscribe =
      std::string(kPublicUrl) +
      "/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:orders:" +
      sub->id;
  boost::json::object e = boost::json::parse(body).as_object();
  EXPECT_EQ(e.at("Type").as_string(), "Notification");
  EXPECT_EQ(e.at("MessageId").as_string(), message_id);
  EXPECT_EQ(e.at("TopicArn").as_string(), topic->arn);
  EXPECT_EQ(e.at("Subject").as_string(), "greeting");
  EXPECT_EQ(e.at("Message").as_string(), "hello \"world\"");
  EXPECT_EQ(e.at("Timestamp").as_string(), "2019-01-31T04:37:04.321Z");
  EXPECT_EQ(e.at("SignatureVersion").as_string(), "1");
  EXPECT_EQ(e.at("SigningCertURL").as_string(),
            std::string(kPublicUrl) + key().certificate_path());
  EXPECT_EQ(e.at("UnsubscribeURL").as_string(), unsubscribe);
  EXPECT_EQ(boost::json::serialize(e.at("MessageAttributes")),
            R"({"colour":{"Type":"String","Value":"red"},"n":{"Type":"Number","Value":"42"}})");
  // The exact bytes: SNS's layout, fields in SNS's order.
  EXPECT_EQ(body.substr(0, body.find("\"Signature\"")),
            "{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"" + message_id +
                "\",\n  \"TopicArn\" : \"" + topic->arn +
                "\",\n  \"Subject\" : \"greeting\",\n  \"Message\" : \"hello \\\"world\\\"\",\n"
                "  \"Timestamp\" : \"2019-01-31T04:37:04.321Z\",\n  \"SignatureVersion\" : \"1\",\n  ");
  EXPECT_NE(body.find(",\n  \"UnsubscribeURL\" : \"" + unsubscribe + "\",\n  \"MessageAttributes\" : {\n"
                      "    \"colour\" : {\"Type\":\"String\",\"Value\":\"red\"},\n"
                      "    \"n\" : {\"Type\":\"Number\",\"Value\":\"42\"}\n  }\n}"),
            std::string::npos)
      << body;

  std::string signed_text = "Message\nhello \"world\"\nMessageId\n" + message_id +
                            "\nSubject\ngreeting\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\n" +
                            topic->arn + "\nType\nNotification\n";
  EXPECT_TRUE(Verifies(key().certificate_pem(), SignatureVersion::kV1, signed_text,
                       std::string(e.at("Signature").as_string())));
}

TEST_F(PublishTest, SignatureVersion2SignsWithSha256) {
  auto topic = MakeTopic("t");
  topic->signature_version = 2;
  SubscribeQueue(*topic, "q");
  auto r = Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})");
  ASSERT_TRUE(r.ok());
  auto e = boost::json::parse(Drain("q").at(0).body).as_object();
  EXPECT_EQ(e.at("SignatureVersion").as_string(), "2");
  std::string signed_text = "Message\nm\nMessageId\n" + std::string(r->at("MessageId").as_string()) +
                            "\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\n" + topic->arn +
                            "\nType\nNotification\n";
  EXPECT_TRUE(Verifies(key().certificate_pem(), SignatureVersion::kV2, signed_text,
                       std::string(e.at("Signature").as_string())));
}

TEST_F(PublishTest, EverySubscriptionGetsTheSameSignatureAndItsOwnUnsubscribeUrl) {
  auto topic = MakeTopic("t");
  auto a = SubscribeQueue(*topic, "a");
  auto b = SubscribeQueue(*topic, "b");
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  auto ea = boost::json::parse(Drain("a").at(0).body).as_object();
  auto eb = boost::json::parse(Drain("b").at(0).body).as_object();
  EXPECT_EQ(ea.at("Signature"), eb.at("Signature"));
  EXPECT_NE(std::string(ea.at("UnsubscribeURL").as_string()).find(a->id), std::string::npos);
  EXPECT_NE(std::string(eb.at("UnsubscribeURL").as_string()).find(b->id), std::string::npos);
  EXPECT_EQ(counters_.copies.load(), 2u);
}

TEST_F(PublishTest, StoredCopyCarriesTheBodyMd5AndThePublisherAsSender) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  auto stored = Drain("q");
  auto p = message::DecodePayload(stored.at(0).payload);
  ASSERT_TRUE(p);
  const Md5Digest md5 = Md5(p->body);
  EXPECT_EQ(p->body_md5, std::string_view(reinterpret_cast<const char*>(md5.data()), md5.size()));
  EXPECT_EQ(p->sender_id, api::CallContext::kAnonymousPrincipalId);
}

TEST_F(PublishTest, RawDeliveryStoresTheMessageWithItsAttributes) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "raw", /*raw=*/true);
  auto r = Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"plain","MessageAttributes":{
      "list":{"DataType":"String.Array","StringValue":"[\"a\",1,true,null]"},
      "bin":{"DataType":"Binary","BinaryValue":"AAEC"},
      "price":{"DataType":"Number.float","StringValue":"1.5"}}})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto stored = Drain("raw");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].body, "plain");
  ASSERT_EQ(stored[0].attributes.size(), 3u);
  EXPECT_EQ(stored[0].attributes[0].name, "bin");
  EXPECT_TRUE(stored[0].attributes[0].binary);
  EXPECT_EQ(stored[0].attributes[0].value, std::string("\0\1\2", 3));
  EXPECT_EQ(stored[0].attributes[1].name, "list");
  EXPECT_EQ(stored[0].attributes[1].data_type, "String.Array");
  EXPECT_EQ(stored[0].attributes[1].value, "[\"a\",1,true,null]");
  EXPECT_EQ(stored[0].attributes[2].data_type, "Number.float");
}

TEST_F(PublishTest, MessageStructurePicksEachProtocolsCopy) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  SubscribeQueue(*topic, "raw", /*raw=*/true);
  auto http = SubscribeHttp(*topic, /*raw=*/true);
  auto r = Publish(R"({"TopicArn":")" + topic->arn +
                   R"(","MessageStructure":"json","Message":"{\"default\":\"d\",\"sqs\":\"for sqs\",\"email\":\"e\"}"})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(boost::json::parse(Drain("q").at(0).body).at("Message").as_string(), "for sqs");
  EXPECT_EQ(Drain("raw").at(0).body, "for sqs");
  auto item = Drain(http->queue_key).at(0);
  auto decoded = DecodeDeliveryItem(item.payload);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->body, "d");
}

TEST_F(PublishTest, FilterPolicyOnAttributesSelectsSubscriptions) {
  auto topic = MakeTopic("t");
  auto red = SubscribeQueue(*topic, "red");
  auto blue = SubscribeQueue(*topic, "blue");
  SubscribeQueue(*topic, "all");
  red->filter = std::make_shared<FilterPolicy>(
      CompileFilterPolicy(R"({"colour":["red"]})", FilterScope::kMessageAttributes).value());
  blue->filter = std::make_shared<FilterPolicy>(
      CompileFilterPolicy(R"({"colour":["blue"]})", FilterScope::kMessageAttributes).value());
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn +
                      R"(","Message":"m","MessageAttributes":{"colour":{"DataType":"String","StringValue":"red"}}})")
                  .ok());
  EXPECT_EQ(Drain("red").size(), 1u);
  EXPECT_EQ(Drain("blue").size(), 0u);
  EXPECT_EQ(Drain("all").size(), 1u);
}

TEST_F(PublishTest, FilterPolicyOnTheBodyMatchesTheCopyTheSubscriptionGets) {
  auto topic = MakeTopic("t");
  auto sqs = SubscribeQueue(*topic, "q");
  auto http = SubscribeHttp(*topic);
  auto policy = std::make_shared<FilterPolicy>(
      CompileFilterPolicy(R"({"kind":["sqs-copy"]})", FilterScope::kMessageBody).value());
  sqs->filter = policy;
  http->filter = policy;
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn +
                      R"(","MessageStructure":"json","Message":"{\"default\":\"{\\\"kind\\\":\\\"other\\\"}\",\"sqs\":\"{\\\"kind\\\":\\\"sqs-copy\\\"}\"}"})")
                  .ok());
  EXPECT_EQ(Drain("q").size(), 1u);
  EXPECT_EQ(Drain(http->queue_key).size(), 0u);
}

TEST_F(PublishTest, PendingSubscriptionsGetNothing) {
  auto topic = MakeTopic("t");
  auto pending = SubscribeHttp(*topic);
  pending->confirmed = false;
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  EXPECT_EQ(Drain(pending->queue_key).size(), 0u);
}

TEST_F(PublishTest, HttpSubscriptionGetsADecodableDeliveryItemWithTheEnvelope) {
  auto topic = MakeTopic("t");
  auto http = SubscribeHttp(*topic);
  auto r = Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})");
  ASSERT_TRUE(r.ok());
  auto items = Drain(http->queue_key);
  ASSERT_EQ(items.size(), 1u);
  auto item = DecodeDeliveryItem(items[0].payload);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->type, "Notification");
  EXPECT_EQ(item->message_id, r->at("MessageId").as_string());
  auto e = boost::json::parse(item->body).as_object();
  EXPECT_EQ(e.at("Message").as_string(), "m");
  EXPECT_NE(std::string(e.at("UnsubscribeURL").as_string()).find(http->id), std::string::npos);
}

// ---- FIFO topics ----

TEST_F(PublishTest, FifoTopicKeepsGroupOrderInEveryQueueAndNumbersMessages) {
  auto topic = MakeTopic("t.fifo");
  SubscribeQueue(*topic, "a.fifo");
  SubscribeQueue(*topic, "b.fifo", /*raw=*/true);
  std::vector<std::string> sequences;
  for (int i = 0; i < 5; ++i) {
    auto r = Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m)" + std::to_string(i) +
                     R"(","MessageGroupId":"g","MessageDeduplicationId":"d)" + std::to_string(i) +
                     R"("})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    std::string seq(r->at("SequenceNumber").as_string());
    EXPECT_EQ(seq.size(), 20u);
    if (!sequences.empty()) EXPECT_LT(sequences.back(), seq);
    sequences.push_back(seq);
  }
  // Both queues hold the group's messages in publish order.
  auto a = Drain("a.fifo");
  auto b = Drain("b.fifo");
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    auto e = boost::json::parse(a[i].body).as_object();
    EXPECT_EQ(e.at("Message").as_string(), "m" + std::to_string(i));
    EXPECT_EQ(e.at("SequenceNumber").as_string(), sequences[i]);
    EXPECT_EQ(b[i].body, "m" + std::to_string(i));
    EXPECT_EQ(a[i].group_id, "g");
    ASSERT_EQ(a[i].system_attributes.size(), 1u);
    EXPECT_EQ(a[i].system_attributes[0].name, "MessageDeduplicationId");
    EXPECT_EQ(a[i].system_attributes[0].value, "d" + std::to_string(i));
  }
  // FIFO notifications are unsigned.
  auto e = boost::json::parse(a[0].body).as_object();
  EXPECT_FALSE(e.contains("Signature"));
  EXPECT_FALSE(e.contains("SignatureVersion"));
  EXPECT_FALSE(e.contains("SigningCertURL"));
}

TEST_F(PublishTest, FifoDuplicateReturnsTheOriginalIdAndFansOutNothing) {
  auto topic = MakeTopic("t.fifo");
  SubscribeQueue(*topic, "q.fifo");
  const std::string req = R"({"TopicArn":")" + topic->arn +
                          R"(","Message":"m","MessageGroupId":"g","MessageDeduplicationId":"d"})";
  auto first = Publish(req);
  ASSERT_TRUE(first.ok()) << first.status().message();
  clock_.Advance(60'000);
  auto second = Publish(req);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->at("MessageId"), second->at("MessageId"));
  EXPECT_EQ(first->at("SequenceNumber"), second->at("SequenceNumber"));
  EXPECT_EQ(Drain("q.fifo").size(), 1u);
  EXPECT_EQ(counters_.copies.load(), 1u);
}

TEST_F(PublishTest, FifoContentBasedDeduplicationUsesTheMessagesSha256) {
  auto topic = MakeTopic("t.fifo");
  topic->content_based_dedup = true;
  SubscribeQueue(*topic, "q.fifo", /*raw=*/true);
  const std::string req =
      R"({"TopicArn":")" + topic->arn + R"(","Message":"same","MessageGroupId":"g"})";
  ASSERT_TRUE(Publish(req).ok());
  ASSERT_TRUE(Publish(req).ok());
  auto stored = Drain("q.fifo");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].system_attributes.at(0).value, Sha256Hex("same"));
}

TEST_F(PublishTest, FifoTopicDeliversToStandardQueuesToo) {
  auto topic = MakeTopic("t.fifo");
  SubscribeQueue(*topic, "standard");
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn +
                      R"(","Message":"m","MessageGroupId":"g","MessageDeduplicationId":"d"})")
                  .ok());
  auto stored = Drain("standard");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].group_id, "g");
  auto e = boost::json::parse(stored[0].body).as_object();
  EXPECT_TRUE(e.contains("SequenceNumber"));
  EXPECT_FALSE(e.contains("Signature"));
}

TEST_F(PublishTest, StandardTopicSkipsAFifoQueueAndCountsIt) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q.fifo");
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  EXPECT_EQ(Drain("q.fifo").size(), 0u);
  EXPECT_EQ(counters_.dropped.load(), 1u);
}

TEST_F(PublishTest, MissingQueueGoesToTheDeadLetterQueueOrIsDropped) {
  auto topic = MakeTopic("t");
  auto with_dlq = SubscribeQueue(*topic, "gone1");
  auto without = SubscribeQueue(*topic, "gone2");
  ASSERT_TRUE(engine_.CreateQueue("dlq", {}, {}).ok());
  // As the registry derives it from the RedrivePolicy; the DLQ is the
  // topic's account's, so its policy lets the topic send.
  with_dlq->attributes["RedrivePolicy"] =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq"})";
  with_dlq->dead_letter_key = "dlq";
  ASSERT_TRUE(engine_.DeleteQueue("gone1").ok());
  ASSERT_TRUE(engine_.DeleteQueue("gone2").ok());
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  auto dead = Drain("dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].body.find(with_dlq->id), std::string::npos);
  EXPECT_EQ(counters_.copies.load(), 1u);
  EXPECT_EQ(counters_.dropped.load(), 1u);
}

TEST_F(PublishTest, StandardTopicForwardsMessageGroupIdToStandardQueues) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  ASSERT_TRUE(
      Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m","MessageGroupId":"tenant-1"})")
          .ok());
  EXPECT_EQ(Drain("q").at(0).group_id, "tenant-1");
}

// ---- PublishBatch ----

TEST_F(PublishTest, PublishBatchReportsEachEntry) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q", /*raw=*/true);
  auto r = PublishBatch(R"({"TopicArn":")" + topic->arn + R"(","PublishBatchRequestEntries":[
      {"Id":"one","Message":"first"},
      {"Id":"two","Message":""},
      {"Id":"three","Message":"third","Subject":""}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& ok = r->at("Successful").as_array();
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].at("Id").as_string(), "one");
  EXPECT_EQ(ok[0].at("MessageId").as_string().size(), 36u);
  const auto& failed = r->at("Failed").as_array();
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].at("Id").as_string(), "two");
  EXPECT_EQ(failed[0].at("Code").as_string(), "InvalidParameter");
  EXPECT_EQ(failed[0].at("Message").as_string(), "Invalid parameter: Empty message");
  EXPECT_EQ(failed[0].at("SenderFault").as_bool(), true);
  EXPECT_EQ(failed[1].at("Message").as_string(), "Invalid parameter: Subject");
  auto stored = Drain("q");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].body, "first");
}

TEST_F(PublishTest, PublishBatchOnAFifoTopicAnswersSequenceNumbers) {
  auto topic = MakeTopic("t.fifo");
  SubscribeQueue(*topic, "q.fifo");
  auto r = PublishBatch(R"({"TopicArn":")" + topic->arn + R"(","PublishBatchRequestEntries":[
      {"Id":"a","Message":"1","MessageGroupId":"g","MessageDeduplicationId":"1"},
      {"Id":"b","Message":"2","MessageGroupId":"g","MessageDeduplicationId":"2"}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& ok = r->at("Successful").as_array();
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_LT(ok[0].at("SequenceNumber").as_string(), ok[1].at("SequenceNumber").as_string());
  EXPECT_FALSE(r->contains("Failed"));
}

TEST_F(PublishTest, PublishBatchRequestErrors) {
  auto topic = MakeTopic("t");
  const std::string head = R"({"TopicArn":")" + topic->arn + R"(","PublishBatchRequestEntries":)";
  EXPECT_SNS_ERROR(PublishBatch(head + "[]}"), "EmptyBatchRequest",
                   "The batch request doesn't contain any entries.");
  std::string eleven = "[";
  for (int i = 0; i < 11; ++i) {
    eleven += std::string(i ? "," : "") + R"({"Id":"e)" + std::to_string(i) + R"(","Message":"m"})";
  }
  EXPECT_SNS_ERROR(PublishBatch(head + eleven + "]}"), "TooManyEntriesInBatchRequest",
                   "The batch request contains more entries than permissible.");
  EXPECT_SNS_ERROR(
      PublishBatch(head + R"([{"Id":"x","Message":"m"},{"Id":"x","Message":"n"}]})"),
      "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
  EXPECT_SNS_ERROR(PublishBatch(head + R"([{"Id":"bad id!","Message":"m"}]})"),
                   "InvalidBatchEntryId",
                   "The Id of a batch entry in a batch request doesn't abide by the "
                   "specification.");
  const std::string big(200 * 1024, 'x');
  EXPECT_SNS_ERROR(PublishBatch(head + R"([{"Id":"a","Message":")" + big + R"("},{"Id":"b","Message":")" +
                                big + R"("}]})"),
                   "BatchRequestTooLong",
                   "The length of all the messages put together is more than the limit.");
  EXPECT_SNS_ERROR(PublishBatch(R"({"TopicArn":"arn:aws:sns:us-east-1:123456789012:nope","PublishBatchRequestEntries":[{"Id":"a","Message":"m"}]})"),
                   "NotFound", "Topic does not exist");
}

TEST_F(PublishTest, PublishBatchNeedsATopicArnAndEntryIds) {
  EXPECT_SNS_ERROR(PublishBatch(R"({"PublishBatchRequestEntries":[{"Id":"a","Message":"m"}]})"),
                   "ValidationException",
                   "1 validation error detected: Value null at 'topicArn' failed to satisfy "
                   "constraint: Member must not be null");
  auto topic = MakeTopic("t");
  EXPECT_SNS_ERROR(PublishBatch(R"({"TopicArn":")" + topic->arn +
                                R"(","PublishBatchRequestEntries":[{"Message":"m"}]})"),
                   "ValidationException",
                   "1 validation error detected: Value null at "
                   "'publishBatchRequestEntries.1.member.id' failed to satisfy constraint: Member "
                   "must not be null");
}

TEST_F(PublishTest, MessageTooLongStoresNothing) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "q");
  EXPECT_SNS_ERROR(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":")" +
                           std::string(256 * 1024 + 1, 'x') + R"("})"),
                   "InvalidParameter", "Invalid parameter: Message too long");
  EXPECT_EQ(Drain("q").size(), 0u);
}

TEST_F(PublishTest, RawCopyOfMoreThanTenAttributesIsDroppedButTheEnvelopeCarriesThem) {
  auto topic = MakeTopic("t");
  SubscribeQueue(*topic, "raw", /*raw=*/true);
  SubscribeQueue(*topic, "enveloped");
  std::string attrs;
  for (int i = 0; i < 11; ++i) {
    attrs += std::string(i ? "," : "") + "\"a" + std::to_string(i) +
             R"(":{"DataType":"String","StringValue":"v"})";
  }
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m","MessageAttributes":{)" +
                      attrs + "}}")
                  .ok());
  EXPECT_EQ(Drain("raw").size(), 0u);
  auto e = boost::json::parse(Drain("enveloped").at(0).body).as_object();
  EXPECT_EQ(e.at("MessageAttributes").as_object().size(), 11u);
  EXPECT_EQ(counters_.dropped.load(), 1u);
}

TEST_F(PublishTest, FifoTopicWithoutItsDeduplicationQueueIsAnInternalError) {
  auto topic = MakeTopic("t.fifo");
  ASSERT_TRUE(engine_.DeleteQueue(topic->dedup_queue_key).ok());
  auto r = Publish(R"({"TopicArn":")" + topic->arn +
                   R"(","Message":"m","MessageGroupId":"g","MessageDeduplicationId":"d"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorCode(r.status()), "InternalError");
}

TEST_F(PublishTest, PublishBatchOnAFifoTopicNeedsEveryGroupId) {
  auto topic = MakeTopic("t.fifo");
  EXPECT_SNS_ERROR(
      PublishBatch(R"({"TopicArn":")" + topic->arn + R"(","PublishBatchRequestEntries":[
          {"Id":"a","Message":"1","MessageGroupId":"g","MessageDeduplicationId":"1"},
          {"Id":"b","Message":"2","MessageDeduplicationId":"2"}]})"),
      "InvalidParameter",
      "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
}

}  // namespace
}  // namespace ferry::sns::testing

namespace ferry::sns::testing {
namespace {

TEST_F(PublishTest, TopicCountersCountPublishesFilteredSubscriptionsAndQueueCopies) {
  auto topic = MakeTopic("t");
  auto red = SubscribeQueue(*topic, "red");
  SubscribeQueue(*topic, "all");
  SubscribeQueue(*topic, "q.fifo");  // a standard topic cannot deliver to it
  red->filter = std::make_shared<FilterPolicy>(
      CompileFilterPolicy(R"({"colour":["red"]})", FilterScope::kMessageAttributes).value());
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());
  ASSERT_TRUE(Publish(R"({"TopicArn":")" + topic->arn + R"(","Message":"m"})").ok());

  const TopicCounters& c = *topic->counters;
  EXPECT_EQ(c.published.load(), 2u);
  EXPECT_EQ(c.filtered_out.load(), 2u);
  const DeliveryCounters& sqs = c.deliveries[static_cast<size_t>(Protocol::kSqs)];
  EXPECT_EQ(sqs.attempted.load(), 4u);
  EXPECT_EQ(sqs.succeeded.load(), 2u);
  EXPECT_EQ(sqs.failed.load(), 2u);
  EXPECT_EQ(sqs.retried.load(), 0u);
}

TEST_F(PublishTest, AFifoDuplicateIsNotCountedAsPublished) {
  auto topic = MakeTopic("t.fifo");
  SubscribeQueue(*topic, "q.fifo");
  const std::string params =
      R"({"TopicArn":")" + topic->arn +
      R"(","Message":"m","MessageGroupId":"g","MessageDeduplicationId":"d"})";
  ASSERT_TRUE(Publish(params).ok());
  ASSERT_TRUE(Publish(params).ok());
  EXPECT_EQ(topic->counters->published.load(), 1u);
}

}  // namespace
}  // namespace ferry::sns::testing
