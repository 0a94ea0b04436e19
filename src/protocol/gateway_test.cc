// The gateway with one service: how a request's wire (JSON or Query) is
// recognised and answered, and what of the request (host, port, TLS,
// region, account) reaches the service. Routing between two services is in
// gateway_routing_test.cc, signatures and observers in gateway_auth_test.cc.
#include "protocol/gateway.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/gateway_test_util.h"

namespace ferry::protocol {
namespace {

using testing::EchoService;
using testing::HeaderOf;

struct Fixture {
  EchoService service;
  Gateway gateway{GatewayOptions{}, {&service}};
  http::Response Send(http::Request req) {
    http::Response out;
    gateway.Handle(std::move(req), [&](http::Response r) { out = std::move(r); });
    return out;
  }
};

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

}  // namespace
}  // namespace ferry::protocol
