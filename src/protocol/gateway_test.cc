#include "protocol/gateway.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::protocol {
namespace {

// A service that echoes its call, or fails when asked to.
class EchoService final : public api::Service {
 public:
  std::string_view name() const override { return "sqs"; }
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
  EXPECT_NE(f.Send(req).body.find("InvalidAction"), std::string::npos);
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

TEST(Gateway, AHostWithoutAPortNamesTheListeningPort) {
  Fixture f;
  f.gateway.SetListeningPort(4566);
  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"host", "localhost"}};
  req.body = "Action=Echo";
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "localhost:4566");
  req.headers[1].second = "h:1";
  f.Send(req);
  EXPECT_EQ(f.service.last.ctx.host, "h:1");
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
  EXPECT_EQ(f.service.last.params.at("MessageBody").as_string(), boost::json::string_view("a\0b", 3));
  EXPECT_EQ(f.service.last.params.at("QueueName"), "q");
}

}  // namespace
}  // namespace ferry::protocol
