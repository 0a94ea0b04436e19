#include "protocol/gateway.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "api/errors.h"
#include "auth/sigv4_sign.h"
#include "auth/static_resolver_test_util.h"
#include "common/clock.h"

namespace ferry::protocol {
namespace {

// A service that echoes its call, or fails when asked to.
class EchoService final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view action) const override {
    return action == "Echo" || action == "Fail";
  }
  void Invoke(api::Call call, api::Reply reply) override {
    last = call;
    if (call.action == "Fail") {
      return reply(api::Error(api::ErrorId::kQueueDoesNotExist, "no such queue"));
    }
    reply(boost::json::object{{"QueueUrl", "u"}});
  }
  api::Call last;
};

// Keeps a copy of every record it is told of.
class RecordingObserver final : public api::RequestObserver {
 public:
  struct Seen {
    std::string service, action, account_id, access_key, request_id, source_ip, wire;
    int http_status = 0;
    std::string error_code;
    std::chrono::nanoseconds latency{0};
    uint64_t request_bytes = 0, response_bytes = 0;
  };
  void OnRequest(const api::RequestRecord& r) override {
    seen.push_back(Seen{std::string(r.service), std::string(r.action), std::string(r.account_id),
                        std::string(r.access_key), std::string(r.request_id),
                        std::string(r.source_ip), std::string(r.wire), r.http_status,
                        std::string(r.error_code), r.latency, r.request_bytes,
                        r.response_bytes});
  }
  std::vector<Seen> seen;
};

struct Fixture {
  EchoService service;
  Gateway gateway{GatewayOptions{}, {&service}};
  http::Response Send(http::Request req) {
    http::Response out;
    gateway.Handle(std::move(req), [&](http::Response r) { out = std::move(r); });
    return out;
  }
};

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(Gateway, JsonRequestsReachTheServiceAndAnswerJson) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"x-amz-target", "AmazonSQS.Echo"}, {"host", "h:1"}};
  req.body = R"({"QueueName":"q"})";
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"QueueUrl":"u"})");
  EXPECT_EQ(f.service.last.ctx.wire, api::Wire::kJson);
  EXPECT_EQ(f.service.last.ctx.host, "h:1");
  EXPECT_EQ(f.service.last.params.at("QueueName"), "q");
}

TEST(Gateway, JsonErrorsCarryTheQueryErrorHeader) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.headers = {{"x-amz-target", "AmazonSQS.Fail"}};
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(HeaderOf(res, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST(Gateway, UnknownJsonTargetIsUnknownOperation) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.headers = {{"x-amz-target", "AmazonSQS.Nope"}};
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("UnknownOperationException"), std::string::npos);
}

TEST(Gateway, QueryRequestsAnswerXmlAndKeepTheirPath) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/000000000000/q";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"},
                 {"authorization",
                  "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/sqs/aws4_request, "
                  "SignedHeaders=host, Signature=0"}};
  req.body = "Action=Echo&Version=2012-11-05";
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<EchoResponse"), std::string::npos);
  EXPECT_EQ(f.service.last.ctx.path, "/000000000000/q");
  EXPECT_EQ(f.service.last.ctx.access_key, "AK");
}

TEST(Gateway, GetWithQueryStringIsAQueryRequest) {
  Fixture f;
  http::Request req;
  req.method = "GET";
  req.target = "/?Action=Fail";
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos);
}

TEST(Gateway, MissingOrUnknownActionsAreErrors) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.body = "Foo=1";
  EXPECT_NE(f.Send(req).body.find("MissingParameter"), std::string::npos);
  req.body = "Action=Nope";
  auto unknown = f.Send(req);
  EXPECT_NE(unknown.body.find("<Code>InvalidAction</Code>"), std::string::npos);
  EXPECT_NE(unknown.body.find("The action Nope is not valid for this endpoint."), std::string::npos)
      << unknown.body;
  req.body = "Action=Echo&Attribute.1.Name=%";
  EXPECT_NE(f.Send(req).body.find("MalformedQueryString"), std::string::npos);
}

TEST(Gateway, AFormBodyWithATargetHeaderIsAQueryRequest) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"x-amz-target", "AmazonSQS.Echo"}};
  req.body = "Action=Echo&QueueName=q";
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<EchoResponse"), std::string::npos) << res.body;
  EXPECT_EQ(f.service.last.ctx.wire, api::Wire::kQuery);
  EXPECT_EQ(f.service.last.params.at("QueueName"), "q");
}

// A Query Echo request to "/" with this Host header.
http::Request EchoWithHost(std::string host) {
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"host", std::move(host)}};
  req.body = "Action=Echo";
  return req;
}

TEST(Gateway, AHostWithoutAPortNamesTheListeningPort) {
  Fixture f;
  f.gateway.SetListeningPort(4566);
  http::Request req = EchoWithHost("localhost");
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "localhost:4566");
  req.headers[1].second = "h:1";
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "h:1");
}

TEST(Gateway, ARequestOverTlsIsHttpsAndNamesTheTlsListeningPort) {
  Fixture f;
  f.gateway.SetListeningPort(4566);
  f.gateway.SetTlsListeningPort(4567);
  http::Request req = EchoWithHost("localhost");
  req.secure = true;
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "localhost:4567");
  EXPECT_EQ(f.service.last.ctx.scheme, "https");
  EXPECT_TRUE(f.service.last.ctx.secure_transport);
  req.secure = false;
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "localhost:4566");
  EXPECT_EQ(f.service.last.ctx.scheme, "http");
  EXPECT_FALSE(f.service.last.ctx.secure_transport);
}

TEST(Gateway, ANulByteInAFormBodyDoesNotEndTheParse) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  req.body = "Action=Echo&MessageBody=a";
  req.body.push_back('\0');
  req.body += "b&QueueName=q";
  auto res = f.Send(std::move(req));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(f.service.last.params.at("MessageBody").as_string(),
            boost::json::string_view("a\0b", 3));
  EXPECT_EQ(f.service.last.params.at("QueueName"), "q");
}

TEST(Gateway, AGetWithoutActionIs404UnknownOperation) {
  Fixture f;
  http::Request req;
  req.method = "GET";
  req.target = "/";
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find("<Code>UnknownOperationException</Code>"), std::string::npos) << res.body;
  req.target = "/000000000000/q?Foo=1";
  EXPECT_EQ(f.Send(req).status, 404);
}

TEST(Gateway, AQueryRequestAcceptingJsonIsAnsweredInJson) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"},
                 {"accept", "application/json"}};
  req.body = "Action=Echo";
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(HeaderOf(res, "Content-Type"), "application/json");
  auto doc = boost::json::parse(res.body).as_object();
  EXPECT_EQ(doc.at("EchoResponse").at("EchoResult").at("QueueUrl").as_string(), "u");
  EXPECT_FALSE(doc.at("EchoResponse").at("ResponseMetadata").at("RequestId").as_string().empty());

  req.body = "Action=Fail";
  auto err = f.Send(req);
  EXPECT_EQ(err.status, 400);
  auto error = boost::json::parse(err.body).as_object();
  EXPECT_EQ(error.at("Error").at("Code").as_string(), "AWS.SimpleQueueService.NonExistentQueue");

  // XML stays the answer when the client takes XML, or anything.
  for (std::string_view accept : {"*/*", "text/xml", "application/json, text/xml"}) {
    req.headers = {{"accept", std::string(accept)}};
    req.body = "Action=Echo";
    EXPECT_NE(f.Send(req).body.find("<EchoResponse"), std::string::npos) << accept;
  }
}

TEST(Gateway, TheCredentialScopesRegionReachesTheService) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"authorization",
                  "AWS4-HMAC-SHA256 Credential=AK/20240101/eu-central-1/sqs/aws4_request, "
                  "SignedHeaders=host, Signature=0"}};
  req.body = "Action=Echo";
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.region, "eu-central-1");
  req.headers.clear();
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.region, "us-east-1");
  req.target = "/?X-Amz-Credential=AK%2F20240101%2FBAD%01%2Fsqs%2Faws4_request&Action=Echo";
  req.body.clear();
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.region, "us-east-1");
}

TEST(Gateway, ATwelveDigitAccessKeyNamesTheCallersAccount) {
  Fixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.body = "Action=Echo";
  auto signed_by = [&](std::string_view key) {
    req.headers = {{"authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(key) +
                                         "/20240101/us-east-1/sqs/aws4_request, "
                                         "SignedHeaders=host, Signature=0"}};
    f.Send(req);
    return f.service.last.ctx;
  };
  const api::CallContext root = signed_by("111111111111");
  EXPECT_EQ(root.account_id, "111111111111");
  EXPECT_EQ(root.principal_arn, "arn:aws:iam::111111111111:root");
  EXPECT_EQ(signed_by("test").account_id, "000000000000");
  req.headers.clear();
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.account_id, "000000000000");
}

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

namespace ferry::protocol {
namespace {

// --- Authentication: a resolver that verifies signatures ---

constexpr int64_t kNowMs = int64_t{1'700'000'000} * 1000;

struct AuthFixture {
  explicit AuthFixture(bool debug = false)
      : gateway(GatewayOptions{.resolver = &resolver, .debug_signatures = debug, .clock = &clock},
                {&service}) {
    resolver.Add(auth::TestUser("AKIDALICE", "alice-secret"));
  }
  http::Response Send(http::Request req) {
    http::Response out;
    gateway.Handle(std::move(req), [&](http::Response r) { out = std::move(r); });
    return out;
  }
  // A JSON Echo to SQS, signed at `at` with `secret`.
  http::Request Json(std::string_view secret = "alice-secret", int64_t at = kNowMs) {
    http::Request req;
    req.method = "POST";
    req.target = "/";
    req.headers = {{"host", "127.0.0.1:9324"},
                   {"content-type", "application/x-amz-json-1.0"},
                   {"x-amz-target", "AmazonSQS.Echo"}};
    req.body = R"({"QueueName":"q"})";
    Sign(req, secret, at);
    return req;
  }
  // A Query request to SQS in a form body (an Echo unless `body` says).
  http::Request Query(std::string_view secret = "alice-secret",
                      std::string_view body = "Action=Echo&QueueName=q") {
    http::Request req;
    req.method = "POST";
    req.target = "/123456789012/q";
    req.headers = {{"host", "127.0.0.1:9324"},
                   {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    req.body = std::string(body);
    Sign(req, secret, kNowMs);
    return req;
  }
  static void Sign(http::Request& req, std::string_view secret, int64_t at) {
    auth::SigningCredentials creds{
        .access_key_id = "AKIDALICE", .secret_access_key = std::string(secret), .session_token = {}};
    const size_t q = req.target.find('?');
    const std::string path = req.target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);
    std::string auth = auth::SignRequest(creds, req.method, path, query, req.headers, req.body, at);
    req.headers.emplace_back("authorization", std::move(auth));
  }

  FakeClock clock{kNowMs};
  auth::StaticResolver resolver;
  EchoService service;
  Gateway gateway;
};

// A gateway with a RecordingObserver, verifying signatures.
struct ObservedFixture : AuthFixture {
  ObservedFixture()
      : observed(GatewayOptions{.resolver = &resolver, .clock = &clock, .observers = {&recorder}},
                 {&service}) {}
  http::Response Send(http::Request req) {
    req.remote_address = "10.1.2.3";
    http::Response out;
    observed.Handle(req, [&](http::Response r) { out = std::move(r); });
    return out;
  }
  // The one record observed so far.
  const RecordingObserver::Seen& Only() {
    EXPECT_EQ(recorder.seen.size(), 1u);
    if (recorder.seen.empty()) recorder.seen.emplace_back();
    return recorder.seen.back();
  }

  RecordingObserver recorder;
  Gateway observed;
};

TEST(GatewayObservers, ASuccessIsObservedOnceWithItsCallerAndRequestId) {
  ObservedFixture f;
  http::Request req = f.Json();
  req.arrival = std::chrono::steady_clock::now() - std::chrono::milliseconds(5);
  auto res = f.Send(req);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto& r = f.Only();
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.action, "Echo");
  EXPECT_EQ(r.account_id, "123456789012");
  EXPECT_EQ(r.access_key, "AKIDALICE");
  EXPECT_EQ(r.request_id, HeaderOf(res, "x-amzn-RequestId"));
  EXPECT_EQ(r.source_ip, "10.1.2.3");
  EXPECT_EQ(r.wire, "json");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.error_code, "");
  // Measured from the server's arrival mark, not from when the gateway began.
  EXPECT_GE(r.latency, std::chrono::milliseconds(5));
  EXPECT_EQ(r.request_bytes, req.body.size());
  EXPECT_EQ(r.response_bytes, res.body.size());
}

TEST(GatewayObservers, AServiceErrorIsObservedWithItsAwsCode) {
  ObservedFixture f;
  auto res = f.Send(f.Query("alice-secret", "Action=Fail&QueueName=q"));
  ASSERT_EQ(res.status, 400) << res.body;
  const auto& r = f.Only();
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.action, "Fail");
  EXPECT_EQ(r.wire, "query");
  EXPECT_EQ(r.account_id, "123456789012");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.error_code, "QueueDoesNotExist");
  EXPECT_EQ(r.request_id, HeaderOf(res, "x-amzn-RequestId"));
}

TEST(GatewayObservers, ARefusedSignatureIsObservedWithTheKeyButNoAccount) {
  ObservedFixture f;
  auto res = f.Send(f.Json("wrong"));
  ASSERT_EQ(res.status, 403);
  const auto& r = f.Only();
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.action, "Echo");
  EXPECT_EQ(r.account_id, "");
  EXPECT_EQ(r.access_key, "AKIDALICE");
  EXPECT_EQ(r.http_status, 403);
  EXPECT_EQ(r.error_code, "SignatureDoesNotMatch");
  EXPECT_EQ(r.request_id, HeaderOf(res, "x-amzn-RequestId"));
  EXPECT_EQ(r.source_ip, "10.1.2.3");
}

TEST(GatewayObservers, AnUnknownActionIsObservedWithoutAService) {
  ObservedFixture f;
  auto res = f.Send(f.Query("alice-secret", "Action=Nope"));
  ASSERT_EQ(res.status, 400) << res.body;
  const auto& r = f.Only();
  EXPECT_EQ(r.service, "");
  EXPECT_EQ(r.action, "Nope");
  EXPECT_EQ(r.error_code, "InvalidAction");
  EXPECT_EQ(r.http_status, 400);
}

TEST(GatewayObservers, TheServersOwnRefusalIsObserved) {
  ObservedFixture f;
  http::Request head;
  head.method = "POST";
  head.headers = {{"x-amz-target", "AmazonSQS.SendMessage"}};
  head.remote_address = "10.9.9.9";
  auto res = f.observed.Reject(413, head);
  const auto& r = f.Only();
  EXPECT_EQ(r.service, "sqs");
  EXPECT_EQ(r.action, "SendMessage");
  EXPECT_EQ(r.http_status, 413);
  EXPECT_EQ(r.error_code, "RequestEntityTooLarge");
  EXPECT_EQ(r.source_ip, "10.9.9.9");
  EXPECT_EQ(r.request_id, HeaderOf(res, "x-amzn-RequestId"));
}

TEST(GatewayAuth, AVerifiedRequestCarriesItsPrincipal) {
  AuthFixture f;
  auto res = f.Send(f.Json());
  EXPECT_EQ(res.status, 200) << res.body;
  const api::CallContext& ctx = f.service.last.ctx;
  EXPECT_EQ(ctx.account_id, "123456789012");
  EXPECT_EQ(ctx.access_key, "AKIDALICE");
  EXPECT_EQ(ctx.principal_id, "AIDAEXAMPLEUSER000001");
  EXPECT_EQ(ctx.principal_arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(ctx.region, "us-east-1");
  EXPECT_EQ(f.Send(f.Query()).status, 200);
}

TEST(GatewayAuth, AWrongSecretIsRefusedInJsonBeforeTheServiceRuns) {
  AuthFixture f;
  auto res = f.Send(f.Json("wrong"));
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(HeaderOf(res, "x-amzn-query-error"), "SignatureDoesNotMatch;Sender");
  EXPECT_NE(res.body.find("The request signature we calculated does not match"), std::string::npos);
  EXPECT_EQ(res.body.find("Canonical String"), std::string::npos);
  EXPECT_TRUE(f.service.last.action.empty());
}

TEST(GatewayAuth, AWrongSecretIsRefusedInQueryXml) {
  AuthFixture f;
  auto res = f.Send(f.Query("wrong"));
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("<Type>Sender</Type>"), std::string::npos);
}

TEST(GatewayAuth, DebugSignaturesShowsTheCanonicalRequest) {
  AuthFixture f(/*debug=*/true);
  auto res = f.Send(f.Json("wrong"));
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("The Canonical String for this request should have been"),
            std::string::npos)
      << res.body;
  EXPECT_NE(res.body.find("x-amz-target:AmazonSQS.Echo"), std::string::npos);
}

TEST(GatewayAuth, AnUnsignedRequestIsMissingItsToken) {
  AuthFixture f;
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"host", "127.0.0.1:9324"}};
  req.body = "Action=Echo";
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos) << res.body;
  // Even a request that names no action is refused for its missing signature first.
  req.body.clear();
  req.method = "GET";
  EXPECT_EQ(f.Send(req).status, 403);
}

TEST(GatewayAuth, AnUnknownKeyIsAnInvalidClientTokenId) {
  AuthFixture f;
  http::Request req = f.Json();
  for (auto& [n, v] : req.headers) {
    if (n == "authorization") v.replace(v.find("AKIDALICE"), 9, "AKIDOTHER");
  }
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(HeaderOf(res, "x-amzn-query-error"), "InvalidClientTokenId;Sender");
}

TEST(GatewayAuth, ARequestSignedTwentyMinutesAgoHasExpired) {
  AuthFixture f;
  auto res = f.Send(f.Json("alice-secret", kNowMs - 20 * 60'000));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(HeaderOf(res, "x-amzn-query-error"), "RequestExpired;Sender");
  EXPECT_NE(res.body.find("Signature expired"), std::string::npos);
}

TEST(GatewayAuth, AScopeOfAnotherServiceIsRefused) {
  AuthFixture f;
  http::Request req = f.Json();
  req.headers.pop_back();
  req.headers.pop_back();  // the x-amz-date SignRequest added
  auth::SigningCredentials sns{.access_key_id = "AKIDALICE",
                               .secret_access_key = "alice-secret",
                               .session_token = {},
                               .service = "sns"};
  req.headers.emplace_back("authorization",
                           auth::SignRequest(sns, "POST", "/", "", req.headers, req.body, kNowMs));
  auto res = f.Send(req);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("Credential should be scoped to correct service: 'sqs'."),
            std::string::npos)
      << res.body;
}

TEST(GatewayAuth, APresignedQueryRequestIsVerified) {
  AuthFixture f;
  auth::SigningCredentials creds{
      .access_key_id = "AKIDALICE", .secret_access_key = "alice-secret", .session_token = {}};
  http::Request req;
  req.method = "GET";
  req.headers = {{"host", "127.0.0.1:9324"}};
  const std::string query = auth::PresignQuery(creds, "GET", "/123456789012/q",
                                               "Action=Echo&QueueName=q", "127.0.0.1:9324", "",
                                               60, kNowMs);
  req.target = "/123456789012/q?" + query;
  EXPECT_EQ(f.Send(req).status, 200);
  EXPECT_EQ(f.service.last.ctx.account_id, "123456789012");
  f.clock.Advance(61'000);
  EXPECT_EQ(f.Send(req).status, 400);
}

}  // namespace
}  // namespace ferry::protocol
