// The gateway with SQS and SNS registered: which service a request goes to
// (its signature's credential scope, its JSON target prefix, the resource
// it names), and that each service's answers and errors keep their own
// wire names and namespaces. Kept apart from the one-service tests
// (gateway_test.cc) for its own fixture of two fake services.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/errors.h"
#include "protocol/gateway.h"
#include "protocol/gateway_test_util.h"

namespace ferry::protocol {
namespace {

using testing::HeaderOf;

// A service of the given wire names that knows the given actions and answers
// each call with its parameters; a call naming the topic or queue "missing"
// fails with `missing`.
class FakeService final : public api::Service {
 public:
  FakeService(const api::ServiceDescriptor& descriptor, std::vector<std::string_view> actions,
              api::ErrorId missing)
      : descriptor_(descriptor), actions_(std::move(actions)), missing_(missing) {}
  const api::ServiceDescriptor& descriptor() const override { return descriptor_; }
  bool Knows(std::string_view action) const override {
    return std::find(actions_.begin(), actions_.end(), action) != actions_.end();
  }
  void Invoke(api::Call call, api::Reply reply) override {
    ++calls;
    last = call;
    for (std::string_view name : {"TopicArn", "QueueUrl"}) {
      auto it = call.params.find(name);
      if (it != call.params.end() && it->value() == "missing") {
        return reply(api::Error(missing_, "It does not exist."));
      }
    }
    reply(std::move(call.params));
  }
  int calls = 0;
  api::Call last;

 private:
  const api::ServiceDescriptor& descriptor_;
  std::vector<std::string_view> actions_;
  api::ErrorId missing_;
};

FakeService FakeSqs() {
  return FakeService(
      api::SqsDescriptor(),
      {"AddPermission", "CreateQueue", "ListQueues", "RemovePermission", "SendMessage"},
      api::ErrorId::kQueueDoesNotExist);
}

FakeService FakeSns() {
  return FakeService(
      api::SnsDescriptor(),
      {"AddPermission", "CreateTopic", "ListTopics", "Publish", "RemovePermission", "TagResource"},
      api::ErrorId::kSnsNotFound);
}

// SQS registered first, as the server does.
struct TwoServices {
  FakeService sqs = FakeSqs();
  FakeService sns = FakeSns();
  Gateway gateway{GatewayOptions{}, {&sqs, &sns}};

  http::Response Send(http::Request req) {
    http::Response out;
    gateway.Handle(std::move(req), [&](http::Response r) { out = std::move(r); });
    return out;
  }
  http::Response Query(std::string body, std::string target = "/", std::string authorization = "") {
    http::Request req;
    req.method = "POST";
    req.target = std::move(target);
    req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
    if (!authorization.empty()) req.headers.emplace_back("authorization", authorization);
    req.body = std::move(body);
    return Send(std::move(req));
  }
  // Which service the last request reached: "sqs", "sns" or "".
  std::string Reached() {
    std::string name = sqs.calls > 0 ? "sqs" : sns.calls > 0 ? "sns" : "";
    if (sqs.calls + sns.calls > 1) name = "both";
    sqs.calls = sns.calls = 0;
    return name;
  }
};

std::string SignedFor(std::string_view service) {
  return "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/" + std::string(service) +
         "/aws4_request, SignedHeaders=host, Signature=0";
}

TEST(GatewayRouting, UnsignedActionsOnlyOneServiceKnowsGoToIt) {
  TwoServices f;
  f.Query("Action=Publish&TopicArn=t&Message=m");
  EXPECT_EQ(f.Reached(), "sns");
  f.Query("Action=CreateTopic&Name=t");
  EXPECT_EQ(f.Reached(), "sns");
  f.Query("Action=SendMessage&QueueUrl=u&MessageBody=m");
  EXPECT_EQ(f.Reached(), "sqs");
  f.Query("Action=CreateQueue&QueueName=q");
  EXPECT_EQ(f.Reached(), "sqs");
  // Whatever parameters it carries.
  f.Query("Action=Publish&QueueUrl=u&Message=m", "/000000000000/q");
  EXPECT_EQ(f.Reached(), "sns");
  f.Query("Action=SendMessage&TopicArn=t&MessageBody=m");
  EXPECT_EQ(f.Reached(), "sqs");
}

TEST(GatewayRouting, UnsignedSharedActionsGoToTheServiceWhoseResourceTheyName) {
  TwoServices f;
  for (std::string action : {"AddPermission", "RemovePermission"}) {
    f.Query("Action=" + action + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At&Label=l");
    EXPECT_EQ(f.Reached(), "sns") << action;
    EXPECT_EQ(f.sns.last.action, action);
    EXPECT_EQ(f.sns.last.service, "sns");
    f.Query("Action=" + action + "&QueueUrl=http%3A%2F%2Fh%2F0%2Fq&Label=l");
    EXPECT_EQ(f.Reached(), "sqs") << action;
    EXPECT_EQ(f.sqs.last.service, "sqs");
    // A queue's URL path names the queue without a QueueUrl.
    f.Query("Action=" + action + "&Label=l", "/000000000000/q");
    EXPECT_EQ(f.Reached(), "sqs") << action;
  }
}

TEST(GatewayRouting, AnUnsignedSharedActionNamingNoResourceGoesToTheFirstServiceAsBefore) {
  TwoServices f;
  f.Query("Action=AddPermission&Label=l");
  EXPECT_EQ(f.Reached(), "sqs");
  // Named twice, the first registered service that is named wins.
  f.Query("Action=AddPermission&Label=l&TopicArn=t&QueueUrl=u");
  EXPECT_EQ(f.Reached(), "sqs");
  f.Query("Action=AddPermission&Label=l&TopicArn=t", "/000000000000/q");
  EXPECT_EQ(f.Reached(), "sqs");
}

TEST(GatewayRouting, TheNamedResourceDecidesWhateverTheRegistrationOrder) {
  FakeService sqs = FakeSqs();
  FakeService sns = FakeSns();
  Gateway gateway{GatewayOptions{}, {&sns, &sqs}};
  auto send = [&](std::string body, std::string target) {
    http::Request req;
    req.method = "POST";
    req.target = std::move(target);
    req.body = std::move(body);
    gateway.Handle(std::move(req), [](http::Response) {});
  };
  send("Action=AddPermission&QueueUrl=u&Label=l", "/");
  EXPECT_EQ(sqs.calls, 1);
  send("Action=AddPermission&Label=l", "/000000000000/q");
  EXPECT_EQ(sqs.calls, 2);
  send("Action=AddPermission&TopicArn=t&Label=l", "/");
  EXPECT_EQ(sns.calls, 1);
}

TEST(GatewayRouting, SignedQueryRequestsGoToTheServiceTheirCredentialScopeNames) {
  TwoServices f;
  f.Query("Action=AddPermission&QueueUrl=u&Label=l", "/", SignedFor("sns"));
  EXPECT_EQ(f.Reached(), "sns");
  f.Query("Action=AddPermission&TopicArn=t&Label=l", "/", SignedFor("sqs"));
  EXPECT_EQ(f.Reached(), "sqs");
  // A presigned URL's credential names the service too.
  f.Query("",
          "/?Action=RemovePermission&Label=l"
          "&X-Amz-Credential=AK%2F20240101%2Fus-east-1%2Fsns%2Faws4_request");
  EXPECT_EQ(f.Reached(), "sns");
  // A scope whose service does not know the action does not keep it from
  // the one that does.
  f.Query("Action=Publish&TopicArn=t&Message=m", "/", SignedFor("sqs"));
  EXPECT_EQ(f.Reached(), "sns");
  f.Query("Action=SendMessage&QueueUrl=u&MessageBody=m", "/", SignedFor("sns"));
  EXPECT_EQ(f.Reached(), "sqs");
}

TEST(GatewayRouting, JsonRequestsGoToTheServiceTheirTargetPrefixNames) {
  TwoServices f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-amz-json-1.0"},
                 {"x-amz-target", "SNS_20100331.AddPermission"}};
  req.body = R"({"QueueUrl":"u","Label":"l"})";
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(f.Reached(), "sns");
  EXPECT_EQ(boost::json::parse(res.body), (boost::json::object{{"QueueUrl", "u"}, {"Label", "l"}}));
  req.headers[1].second = "AmazonSQS.AddPermission";
  req.body = R"({"TopicArn":"t","Label":"l"})";
  EXPECT_EQ(f.Send(req).status, 200);
  EXPECT_EQ(f.Reached(), "sqs");
  req.headers[1].second = "SNS_20100331.SendMessage";
  res = f.Send(req);
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("UnknownOperationException"), std::string::npos) << res.body;
  EXPECT_EQ(f.Reached(), "");
}

TEST(GatewayRouting, SnsJsonErrorsAreTypedInSnsNamespace) {
  TwoServices f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-amz-json-1.0"},
                 {"x-amz-target", "SNS_20100331.Publish"}};
  req.body = R"({"TopicArn":"missing","Message":"m"})";
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 404);
  auto doc = boost::json::parse(res.body).as_object();
  EXPECT_EQ(doc.at("__type"), "com.amazonaws.sns#NotFoundException");
  EXPECT_EQ(HeaderOf(res, "x-amzn-query-error"), "NotFound;Sender");
}

TEST(GatewayRouting, SnsQueryAnswersAreXmlInSnsNamespace) {
  TwoServices f;
  auto res = f.Query(
      "Action=CreateTopic&Version=2010-03-31&Name=t&Tags.member.1.Key=k"
      "&Tags.member.1.Value=v",
      "/", SignedFor("sns"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(HeaderOf(res, "Content-Type"), "text/xml");
  const std::string rid = HeaderOf(res, "x-amzn-RequestId");
  EXPECT_FALSE(rid.empty());
  EXPECT_NE(res.body.find("<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                          "<CreateTopicResult><Name>t</Name><Tags><member><Key>k</Key>"
                          "<Value>v</Value></member></Tags></CreateTopicResult>"
                          "<ResponseMetadata><RequestId>" +
                          rid + "</RequestId></ResponseMetadata></CreateTopicResponse>"),
            std::string::npos)
      << res.body;
}

TEST(GatewayRouting, SnsQueryErrorsAreErrorResponsesWithSnsCodes) {
  TwoServices f;
  auto res = f.Query("Action=Publish&TopicArn=missing&Message=m");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(HeaderOf(res, "Content-Type"), "text/xml");
  EXPECT_NE(res.body.find("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                          "<Error><Type>Sender</Type><Code>NotFound</Code>"
                          "<Message>It does not exist.</Message>"),
            std::string::npos)
      << res.body;
  EXPECT_NE(res.body.find("<RequestId>" + HeaderOf(res, "x-amzn-RequestId") +
                          "</RequestId></ErrorResponse>"),
            std::string::npos)
      << res.body;
  // The same request for a queue answers in SQS's names.
  res = f.Query("Action=SendMessage&QueueUrl=missing&MessageBody=m");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\">"
                          "<Error><Type>Sender</Type>"
                          "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos)
      << res.body;
}

TEST(GatewayRouting, SqsQueryRequestsDecodeWithSqsCollectionsAndSnsOnesWithSns) {
  TwoServices f;
  f.Query("Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5");
  EXPECT_EQ(f.sqs.last.params.at("Attributes"), (boost::json::object{{"DelaySeconds", "5"}}));
  f.Query(
      "Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName"
      "&Attributes.entry.1.value=d");
  EXPECT_EQ(f.sns.last.params.at("Attributes"), (boost::json::object{{"DisplayName", "d"}}));
}

TEST(GatewayRouting, AQueryRequestRefusedBeforeItsActionIsReadAnswersInItsSignedService) {
  TwoServices f;
  const std::string sns_ns = std::string(api::SnsDescriptor().xml_namespace);
  const std::string sqs_ns = std::string(api::SqsDescriptor().xml_namespace);
  // A malformed form, signed for SNS: an SNS ErrorResponse.
  auto res = f.Query("Action=Publish&Message=%zz", "/", SignedFor("sns"));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("MalformedQueryString"), std::string::npos);
  EXPECT_NE(res.body.find(sns_ns), std::string::npos) << res.body;
  // Unsigned, or signed for SQS: the default service's, as before.
  res = f.Query("Action=Publish&Message=%zz");
  EXPECT_NE(res.body.find(sqs_ns), std::string::npos) << res.body;
  res = f.Query("Action=SendMessage&MessageBody=%zz", "/", SignedFor("sqs"));
  EXPECT_NE(res.body.find(sqs_ns), std::string::npos) << res.body;
  // The HTTP server's refusals (a body over the cap) too.
  http::Request head;
  head.method = "POST";
  head.target = "/";
  head.headers = {{"content-type", "application/x-www-form-urlencoded"},
                  {"authorization", SignedFor("sns")}};
  res = f.gateway.Reject(413, head);
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.body.find("RequestEntityTooLarge"), std::string::npos);
  EXPECT_NE(res.body.find(sns_ns), std::string::npos) << res.body;
}

}  // namespace
}  // namespace ferry::protocol
