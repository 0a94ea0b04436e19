#include "cli/remote_invoker.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <mutex>
#include <thread>

#include "http/server.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

ClientConfig Config(std::string endpoint) {
  ClientConfig cfg;
  cfg.endpoint = std::move(endpoint);
  cfg.region = "eu-west-1";
  cfg.access_key_id = "AKIDEXAMPLE";
  cfg.secret_access_key = "secret";
  return cfg;
}

std::string HeaderOf(const WireRequest& req, std::string_view name) {
  for (const auto& [n, v] : req.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(BuildRequestTest, SpeaksJsonWithTheServicesTargetAndSignsForItsName) {
  auto url = http::ParseUrl("http://127.0.0.1:9324");
  ASSERT_TRUE(url.ok());
  const int64_t now_ms = 1733550000000;  // 2024-12-07T05:40:00Z
  for (auto [service, target] : {std::pair{"sqs", "AmazonSQS.ListQueues"},
                                 {"sns", "SNS_20100331.ListQueues"},
                                 {"sts", "AWSSecurityTokenServiceV20110615.ListQueues"},
                                 {"ferry", "Ferry.ListQueues"}}) {
    WireRequest req = BuildRequest(Config("http://127.0.0.1:9324"), *url, service, "ListQueues",
                                   {{"QueueNamePrefix", "o"}}, now_ms);
    EXPECT_EQ(req.target, "/");
    EXPECT_EQ(req.body, R"({"QueueNamePrefix":"o"})");
    EXPECT_EQ(HeaderOf(req, "host"), "127.0.0.1:9324");
    EXPECT_EQ(HeaderOf(req, "content-type"), "application/x-amz-json-1.0");
    EXPECT_EQ(HeaderOf(req, "x-amz-target"), target);
    EXPECT_EQ(HeaderOf(req, "x-amz-date"), "20241207T054000Z");
    EXPECT_TRUE(HeaderOf(req, "authorization")
                    .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20241207/eu-west-1/" +
                                 std::string(service) + "/aws4_request"))
        << HeaderOf(req, "authorization");
  }
}

TEST(BuildRequestTest, SendsTheSessionTokenOfTemporaryCredentials) {
  auto url = http::ParseUrl("http://localhost/");
  ClientConfig cfg = Config("http://localhost/");
  cfg.session_token = "tok";
  WireRequest req = BuildRequest(cfg, *url, "sqs", "ListQueues", {}, 1733550000000);
  EXPECT_EQ(req.body, "{}");
  EXPECT_EQ(HeaderOf(req, "x-amz-security-token"), "tok");
  EXPECT_NE(HeaderOf(req, "authorization").find("x-amz-security-token"), std::string::npos);
}

TEST(ParseResponseTest, ASuccessIsItsJsonObjectAndAnEmptyBodyIsEmpty) {
  auto ok = ParseResponse(200, R"({"QueueUrl":"http://h/1/q"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at("QueueUrl").as_string(), "http://h/1/q");
  auto empty = ParseResponse(200, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseResponse(200, "<xml/>").ok());
}

TEST(ParseResponseTest, AnAwsErrorCarriesItsCodeWithoutNamespaceAndItsMessage) {
  auto err = ParseResponse(
      400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(), "QueueDoesNotExist: The specified queue does not exist.");
  EXPECT_EQ(err.status().code(), Code::kNotFound);

  auto auth = ParseResponse(403, R"({"__type":"SignatureDoesNotMatch","Message":"bad"})");
  EXPECT_EQ(auth.status().message(), "SignatureDoesNotMatch: bad");
  EXPECT_EQ(auth.status().code(), Code::kInvalidArgument);
}

TEST(ParseResponseTest, ANonJsonErrorIsReportedWithItsHttpStatus) {
  auto err = ParseResponse(502, "<html>Bad Gateway</html>");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(), "HTTP 502: <html>Bad Gateway</html>");
  EXPECT_EQ(err.status().code(), Code::kInternal);
  EXPECT_EQ(ParseResponse(503, "").status().code(), Code::kUnavailable);
}

// A real HTTP server on its own thread answering every request with a
// canned response, and keeping what it was sent.
class CannedServer : public http::Handler {
 public:
  explicit CannedServer(http::Response answer) : answer_(std::move(answer)), server_(io_, *this) {
    auto port = server_.Listen("127.0.0.1", 0);
    EXPECT_TRUE(port.ok());
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~CannedServer() override {
    server_.Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  void Handle(const http::Request& req, http::Responder respond) override {
    {
      std::lock_guard lock(mu_);
      seen_.push_back(req);
    }
    respond(answer_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  http::Request seen(size_t i) {
    std::lock_guard lock(mu_);
    return seen_.at(i);
  }

 private:
  http::Response answer_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  http::Server server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<http::Request> seen_;
};

TEST(RemoteInvokerTest, InvokesOverHttpAndReturnsTheAnswer) {
  CannedServer server({.status = 200, .headers = {}, .body = R"({"TopicArn":"arn:t"})"});
  auto invoker = RemoteInvoker::Create(Config(server.url()));
  ASSERT_TRUE(invoker.ok()) << invoker.status().message();
  auto answer = (*invoker)->Invoke("sns", "CreateTopic", {{"Name", "t"}});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->at("TopicArn").as_string(), "arn:t");
  // A second call goes over the same keep-alive connection.
  ASSERT_TRUE((*invoker)->Invoke("sns", "CreateTopic", {{"Name", "u"}}).ok());
  http::Request req = server.seen(1);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.Header("x-amz-target"), "SNS_20100331.CreateTopic");
  EXPECT_EQ(req.body, R"({"Name":"u"})");
  EXPECT_NE(req.Header("authorization").find("/sns/aws4_request"), std::string::npos);
}

TEST(RemoteInvokerTest, ReturnsTheServersErrorAsAStatus) {
  CannedServer server({.status = 400,
                       .headers = {},
                       .body = R"({"__type":"com.amazonaws.sqs#InvalidAction","message":"no"})"});
  auto invoker = RemoteInvoker::Create(Config(server.url()));
  ASSERT_TRUE(invoker.ok());
  auto answer = (*invoker)->Invoke("ferry", "Nope", {});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().message(), "InvalidAction: no");
}

TEST(RemoteInvokerTest, GetsAPathUnsigned) {
  CannedServer server({.status = 200, .headers = {}, .body = R"({"status":"ok"})"});
  auto invoker = RemoteInvoker::Create(Config(server.url()));
  ASSERT_TRUE(invoker.ok());
  auto answer = (*invoker)->Get("/health");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(server.seen(0).method, "GET");
  EXPECT_EQ(server.seen(0).target, "/health");
  EXPECT_EQ(server.seen(0).Header("authorization"), "");
}

TEST(RemoteInvokerTest, ANoServerAnswerSaysItCannotReachFerryThere) {
  std::string url;
  {
    CannedServer gone({});
    url = gone.url();
  }  // the port is closed now
  auto invoker = RemoteInvoker::Create(Config(url));
  ASSERT_TRUE(invoker.ok());
  auto answer = (*invoker)->Invoke("sqs", "ListQueues", {});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_EQ(answer.status().message(), "cannot reach Ferry at " + url + ": connection refused");
}

TEST(RemoteInvokerTest, ABadEndpointUrlIsRefusedUpFront) {
  auto invoker = RemoteInvoker::Create(Config("ftp://example"));
  ASSERT_FALSE(invoker.ok());
  EXPECT_NE(invoker.status().message().find("bad endpoint URL ftp://example"), std::string::npos);
}

}  // namespace
}  // namespace ferry::cli
