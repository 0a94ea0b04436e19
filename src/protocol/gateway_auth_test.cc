// The gateway verifying signatures (a resolver and a fake clock): who the
// caller is, and how a refused signature is answered; and the request
// observers, which see every answer, refusals included. Kept apart from
// gateway_test.cc for their fixtures (AuthFixture, ObservedFixture).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "auth/sigv4_sign.h"
#include "auth/static_resolver_test_util.h"
#include "common/clock.h"
#include "protocol/gateway.h"
#include "protocol/gateway_test_util.h"

namespace ferry::protocol {
namespace {

using testing::EchoService;
using testing::HeaderOf;

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
                        std::string(r.error_code), r.latency, r.request_bytes, r.response_bytes});
  }
  std::vector<Seen> seen;
};

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
    auth::SigningCredentials creds{.access_key_id = "AKIDALICE",
                                   .secret_access_key = std::string(secret),
                                   .session_token = {}};
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
  EXPECT_NE(res.body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos)
      << res.body;
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
  const std::string query = auth::PresignQuery(
      creds, "GET", "/123456789012/q", "Action=Echo&QueueName=q", "127.0.0.1:9324", "", 60, kNowMs);
  req.target = "/123456789012/q?" + query;
  EXPECT_EQ(f.Send(req).status, 200);
  EXPECT_EQ(f.service.last.ctx.account_id, "123456789012");
  f.clock.Advance(61'000);
  EXPECT_EQ(f.Send(req).status, 400);
}

}  // namespace
}  // namespace ferry::protocol
