#include "protocol/error_response.h"

#include <gtest/gtest.h>

#include "api/errors.h"
#include "common/utf8.h"
#include "protocol/gateway.h"

namespace ferry::protocol {
namespace {

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

http::Request Head(std::vector<std::pair<std::string, std::string>> headers) {
  http::Request head;
  head.method = "POST";
  head.target = "/";
  head.headers = std::move(headers);
  return head;
}

TEST(RejectionResponse, JsonWhenTheHeadShowsJson) {
  for (auto headers :
       {std::vector<std::pair<std::string, std::string>>{{"x-amz-target", "AmazonSQS.SendMessage"}},
        std::vector<std::pair<std::string, std::string>>{
            {"content-type", "application/x-amz-json-1.0"}}}) {
    const http::Response r = RejectionResponse(413, Head(headers), api::SqsDescriptor());
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.0");
    EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "RequestEntityTooLarge;Sender");
    EXPECT_NE(r.body.find("RequestEntityTooLarge"), std::string::npos) << r.body;
    EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
  }
}

TEST(RejectionResponse, QueryXmlOtherwiseWithTheStatusAsked) {
  const std::pair<int, std::string_view> cases[] = {
      {400, "<Code>BadRequest</Code>"},
      {413, "<Code>RequestEntityTooLarge</Code>"},
      {431, "<Code>RequestHeaderFieldsTooLarge</Code>"}};
  for (const auto& [status, code] : cases) {
    const http::Response r = RejectionResponse(status, Head({}), api::SqsDescriptor());
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/xml");
    EXPECT_NE(r.body.find("<ErrorResponse"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(code), std::string::npos) << r.body;
  }
}

// A service whose every answer is an error echoing the action it was given.
class EchoErrors final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view) const override { return true; }
  void Invoke(api::Call call, api::Reply reply) override {
    reply(api::Error(api::ErrorId::kInvalidParameterValue, "bad " + call.action));
  }
};

http::Response Send(Gateway& gateway, http::Request req) {
  http::Response out;
  gateway.Handle(req, [&](http::Response r) { out = std::move(r); });
  return out;
}

// Error messages that echo input are made safe by the writers, not by each
// call site: X-Amz-Target: AmazonSQS.\xff\xfe answers valid UTF-8.
TEST(GatewayErrors, EchoedBytesThatAreNotUtf8BecomeReplacementCharacters) {
  EchoErrors service;
  Gateway gateway(GatewayOptions{}, {&service});
  http::Request req = Head({{"x-amz-target", "AmazonSQS.\xff\xfe"}, {"host", "h:1"}});
  req.body = "{}";
  const http::Response json = Send(gateway, req);
  EXPECT_EQ(json.status, 400);
  EXPECT_TRUE(IsValidUtf8(json.body)) << json.body;
  EXPECT_NE(json.body.find("\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos) << json.body;

  req = Head({{"host", "h:1"}});
  req.body = "Action=%01Bad";
  const http::Response xml = Send(gateway, req);
  EXPECT_EQ(xml.status, 400);
  EXPECT_TRUE(IsValidSqsText(xml.body)) << xml.body;
  EXPECT_EQ(xml.body.find("&#x1;"), std::string::npos) << xml.body;
}

// Queue URLs are built from the Host: one that is not host[:port] is refused.
TEST(GatewayErrors, AnInvalidHostIsRefused) {
  EchoErrors service;
  Gateway gateway(GatewayOptions{}, {&service});
  for (std::string host : {"h\xff:1", "a b", "h<x>", "[::1", "h:port", "h:1234567"}) {
    http::Request req = Head({{"host", host}});
    req.body = "Action=ListQueues";
    const http::Response r = Send(gateway, req);
    EXPECT_EQ(r.status, 400) << host;
    EXPECT_NE(r.body.find("The Host header is not a valid host."), std::string::npos) << host;
  }
  for (std::string host : {"", "localhost", "127.0.0.1:9324", "[::1]:9324", "sqs.example-1.com"}) {
    http::Request req = Head({{"host", host}});
    req.body = "Action=ListQueues";
    EXPECT_NE(Send(gateway, req).body.find("bad ListQueues"), std::string::npos) << host;
  }
}

}  // namespace
}  // namespace ferry::protocol
