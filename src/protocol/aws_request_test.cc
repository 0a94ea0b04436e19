#include "protocol/aws_request.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "api/call.h"
#include "api/service_descriptor.h"
#include "protocol/gateway.h"

namespace ferry::protocol {
namespace {

http::Request Make(std::string method, std::string target, std::string body = {},
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  req.headers = std::move(headers);
  return req;
}

constexpr const char* kForm = "application/x-www-form-urlencoded";

// Probes and browsers: no operation named anywhere.
std::vector<http::Request> PlainRequests() {
  return {
      Make("GET", "/health"),
      Make("GET", "/health?verbose=1"),
      Make("HEAD", "/health"),
      Make("POST", "/health"),
      Make("POST", "/health", "verbose=1", {{"content-type", kForm}}),
      Make("PUT", "/health", "{}", {{"content-type", "application/json"}}),
      // The gateway reads no form body from a GET.
      Make("GET", "/health", "Action=ListQueues", {{"content-type", kForm}}),
      Make("GET", "/metrics?name[]=x"),
  };
}

TEST(IsAwsRequestTest, RequestsNamingNoOperationAreNot) {
  for (const http::Request& req : PlainRequests()) {
    EXPECT_FALSE(IsAwsRequest(req)) << req.method << " " << req.target << " " << req.body;
  }
}

TEST(IsAwsRequestTest, JsonRequestsAre) {
  EXPECT_TRUE(IsAwsRequest(Make(
      "POST", "/health", "{}",
      {{"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", "AmazonSQS.ListQueues"}})));
  EXPECT_TRUE(IsAwsRequest(
      Make("POST", "/health", "{}", {{"content-type", "application/x-amz-json-1.0"}})));
  EXPECT_TRUE(IsAwsRequest(Make("GET", "/health", "", {{"x-amz-target", "AmazonSQS.ListQueues"}})));
}

TEST(IsAwsRequestTest, AnActionInTheQueryStringMakesOne) {
  for (const char* target : {"/health?Action=ListQueues", "/health?Version=2012-11-05&Action=X",
                             "/health?Action=", "/health?Action", "/health?%41ction=ListQueues",
                             "/console/?Action=SendMessage&MessageBody=x"}) {
    EXPECT_TRUE(IsAwsRequest(Make("GET", target))) << target;
    EXPECT_TRUE(IsAwsRequest(Make("POST", target))) << target;
  }
  EXPECT_FALSE(IsAwsRequest(Make("GET", "/health?action=ListQueues")))
      << "parameter names are case-sensitive, as the gateway reads them";
}

TEST(IsAwsRequestTest, AnActionInAPostFormBodyMakesOne) {
  EXPECT_TRUE(IsAwsRequest(
      Make("POST", "/health", "Action=SendMessage&MessageBody=x", {{"content-type", kForm}})));
  EXPECT_TRUE(IsAwsRequest(Make("POST", "/health", "MessageBody=x&Action=SendMessage")));
  EXPECT_TRUE(IsAwsRequest(Make("POST", "/health", "%41ction=SendMessage")));
}

TEST(IsAwsRequestTest, FormsTheDecoderRefusesAreTheGatewaysToAnswer) {
  EXPECT_TRUE(IsAwsRequest(Make("GET", "/health?x=%zz")));
  EXPECT_TRUE(IsAwsRequest(Make("POST", "/health", "x=%zz", {{"content-type", kForm}})));
}

// A service that knows every action and answers each with an empty result.
class AnyActionService final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view) const override { return true; }
  void Invoke(api::Call, api::Reply reply) override { reply(boost::json::object{}); }
};

// What makes the router safe in front of the gateway: every request it may
// take is one the gateway refuses for naming no operation.
TEST(IsAwsRequestTest, WhatIsNotTheGatewayRefusesForNamingNoOperation) {
  AnyActionService service;
  Gateway gateway(GatewayOptions{}, {&service});
  for (const http::Request& req : PlainRequests()) {
    http::Response res;
    gateway.Handle(req, [&](http::Response r) { res = std::move(r); });
    const bool get = req.method == "GET";
    EXPECT_EQ(res.status, get ? 404 : 400) << req.method << " " << req.target;
    EXPECT_NE(res.body.find(get ? "UnknownOperationException" : "MissingParameter"),
              std::string::npos)
        << req.method << " " << req.target << ": " << res.body;
  }
}

}  // namespace
}  // namespace ferry::protocol
