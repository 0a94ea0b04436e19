#include "http/server.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ferry::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

// Records requests and answers them with a function the test chooses
// (by default at once with 200 "ok"). A request is recorded before the
// default answer, or after the test's function returns.
class TestHandler : public Handler {
 public:
  void Handle(const Request& req, Responder respond) override {
    std::function<void(Request, Responder)> fn;
    {
      std::lock_guard lock(mu_);
      fn = fn_;
    }
    if (fn) {
      struct RecordOnExit {
        TestHandler* handler;
        Request req;
        ~RecordOnExit() { handler->Record(std::move(req)); }
      } record{this, req};
      return fn(req, std::move(respond));
    }
    Record(req);
    Response r;
    r.headers.emplace_back("Content-Type", "text/plain");
    r.body = "ok";
    respond(std::move(r));
  }

  // With a renderer set, refusals are answered with what it returns, and
  // the head each one was given is kept.
  Response Reject(int status, const Request& head) override {
    std::function<Response(int, const Request&)> render;
    {
      std::lock_guard lock(mu_);
      render = render_;
      rejected_.push_back(head);
    }
    return render ? render(status, head) : Handler::Reject(status, head);
  }

  void SetRejection(std::function<Response(int, const Request&)> render) {
    std::lock_guard lock(mu_);
    render_ = std::move(render);
  }

  std::vector<Request> rejected() {
    std::lock_guard lock(mu_);
    return rejected_;
  }

  void Set(std::function<void(Request, Responder)> fn) {
    std::lock_guard lock(mu_);
    fn_ = std::move(fn);
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

  bool WaitForRequests(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return requests_.size() >= n; });
  }

 private:
  void Record(Request req) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(req));
    }
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void(Request, Responder)> fn_;
  std::function<Response(int, const Request&)> render_;
  std::vector<Request> requests_;
  std::vector<Request> rejected_;
};

class ServerTest : public ::testing::Test {
 protected:
  void Start(Limits limits = {}) {
    server_.emplace(io_, handler_, limits);
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    for (auto& t : helpers_) t.join();
  }

  tcp::socket Connect() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    return s;
  }

  // Runs one asynchronous client read on client_io_, giving up after 5 s so
  // that a broken server fails the test instead of hanging it.
  template <class Initiate>
  error_code RunWithDeadline(tcp::socket& s, Initiate initiate) {
    std::optional<error_code> result;
    initiate([&](error_code ec, size_t) { result = ec; });
    client_io_.restart();
    client_io_.run_for(std::chrono::seconds(5));
    if (!result) {
      error_code ignored;
      s.close(ignored);
      client_io_.restart();
      client_io_.run();
      return net::error::timed_out;
    }
    return *result;
  }

  bhttp::response<bhttp::string_body> Read(tcp::socket& s, beast::flat_buffer& buffer) {
    bhttp::response<bhttp::string_body> res;
    res.result(0);  // so that a failed read cannot pass for a 200
    const error_code ec =
        RunWithDeadline(s, [&](auto done) { bhttp::async_read(s, buffer, res, done); });
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  static bhttp::request<bhttp::string_body> Post(std::string target, std::string body) {
    bhttp::request<bhttp::string_body> req(bhttp::verb::post, target, 11);
    req.set(bhttp::field::host, "localhost");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }

  // True when the server closed the connection: the next read sees EOF or a
  // reset rather than data or the deadline.
  bool ServerClosed(tcp::socket& s) {
    char c;
    const error_code ec =
        RunWithDeadline(s, [&](auto done) { s.async_read_some(net::buffer(&c, 1), done); });
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  // Sends raw bytes and returns everything the server sends until it closes.
  std::string RawExchange(const std::string& bytes) {
    tcp::socket s = Connect();
    net::write(s, net::buffer(bytes));
    std::string out;
    const error_code ec =
        RunWithDeadline(s, [&](auto done) { net::async_read(s, net::dynamic_buffer(out), done); });
    EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
    return out;
  }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  net::io_context client_io_;
  TestHandler handler_;
  std::optional<Server> server_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::vector<std::thread> helpers_;  // threads that answer late
};

TEST_F(ServerTest, RequestReachesHandlerWithMethodTargetHeadersAndBody) {
  Start();
  tcp::socket s = Connect();
  auto req = Post("/000000000000/q?Action=SendMessage", "hello body");
  req.set("X-Amz-Target", "AmazonSQS.SendMessage");
  bhttp::write(s, req);
  beast::flat_buffer buffer;
  auto res = Read(s, buffer);

  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "ok");
  EXPECT_EQ(res[bhttp::field::server], "Ferry");
  EXPECT_EQ(res[bhttp::field::content_length], "2");
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain");

  auto got = handler_.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/000000000000/q?Action=SendMessage");
  EXPECT_EQ(got[0].body, "hello body");
  EXPECT_EQ(got[0].remote_address, "127.0.0.1");
  EXPECT_EQ(got[0].Header("x-amz-target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(got[0].Header("X-AMZ-TARGET"), "AmazonSQS.SendMessage");
  EXPECT_EQ(got[0].Header("absent"), "");
  bool lower_cased = false;
  for (const auto& [name, value] : got[0].headers) lower_cased |= (name == "x-amz-target");
  EXPECT_TRUE(lower_cased);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/a", "1"));
  auto first = Read(s, buffer);
  bhttp::write(s, Post("/b", "2"));
  auto second = Read(s, buffer);
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_TRUE(second.keep_alive());
  auto got = handler_.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].target, "/b");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  handler_.Set([](Request req, Responder respond) {
    Response r;
    r.body = req.target;
    respond(std::move(r));
  });
  tcp::socket s = Connect();
  net::write(s, net::buffer(std::string(
                    "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n")));
  beast::flat_buffer buffer;
  EXPECT_EQ(Read(s, buffer).body(), "/one");
  EXPECT_EQ(Read(s, buffer).body(), "/two");
}

TEST_F(ServerTest, HeadGetsTheContentLengthOfTheBodyButNoBody) {
  Start();
  const std::string out = RawExchange(
      "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const size_t end_of_head = out.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << out;
  const std::string head = out.substr(0, end_of_head + 2);
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << out;
  EXPECT_NE(head.find("Content-Length: 2\r\n"), std::string::npos) << out;
  // The GET's answer follows the HEAD's head directly, and has the body.
  const std::string rest = out.substr(end_of_head + 4);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0u) << out;
  EXPECT_TRUE(rest.ends_with("\r\n\r\nok")) << out;
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  Start();
  tcp::socket s = Connect();
  auto req = Post("/", "x");
  req.keep_alive(false);
  bhttp::write(s, req);
  beast::flat_buffer buffer;
  auto res = Read(s, buffer);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(ServerClosed(s));
}

TEST_F(ServerTest, Http10KeepsAliveOnlyWhenAsked) {
  Start();
  const std::string out = RawExchange("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.0 200", 0), 0u) << out;

  tcp::socket s = Connect();
  net::write(s, net::buffer(std::string("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")));
  beast::flat_buffer buffer;
  auto res = Read(s, buffer);
  EXPECT_TRUE(res.keep_alive());
  net::write(s, net::buffer(std::string("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")));
  EXPECT_EQ(Read(s, buffer).result_int(), 200);
}

TEST_F(ServerTest, HandlerAnsweringFromAnotherThreadAfterDelayIsDelivered) {
  Start();
  handler_.Set([this](Request req, Responder respond) {
    helpers_.emplace_back([respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      Response r;
      r.status = 201;
      r.headers.emplace_back("Content-Type", "text/xml");
      r.body = "<late/>";
      respond(std::move(r));
    });
  });
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  auto res = Read(s, buffer);
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res.body(), "<late/>");
  EXPECT_EQ(res[bhttp::field::content_type], "text/xml");
  bhttp::write(s, Post("/", ""));  // the connection is still usable
  EXPECT_EQ(Read(s, buffer).body(), "<late/>");
}

TEST_F(ServerTest, ResponderCalledTwiceOrAfterClientLeftIsHarmless) {
  Start();
  std::mutex mu;
  std::vector<Responder> held;
  handler_.Set([&](Request, Responder respond) {
    std::lock_guard lock(mu);
    held.push_back(std::move(respond));
  });
  {
    tcp::socket s = Connect();
    bhttp::write(s, Post("/", ""));
    ASSERT_TRUE(handler_.WaitForRequests(1));
  }  // client gone
  {
    std::lock_guard lock(mu);
    held[0](Response{});
    held[0](Response{});
  }
  handler_.Set({});
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  EXPECT_EQ(Read(s, buffer).result_int(), 200);
}

TEST_F(ServerTest, HandlerThatThrowsGets500) {
  Start();
  handler_.Set([](Request, Responder) { throw std::runtime_error("boom"); });
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  EXPECT_EQ(Read(s, buffer).result_int(), 500);
}

TEST_F(ServerTest, FramingHeadersFromHandlerAreReplaced) {
  Start();
  handler_.Set([](Request, Responder respond) {
    Response r;
    r.headers = {{"Content-Length", "999"}, {"Connection", "close"}, {"X-Extra", "1"}};
    r.body = "abc";
    respond(std::move(r));
  });
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  auto res = Read(s, buffer);
  EXPECT_EQ(res[bhttp::field::content_length], "3");
  EXPECT_EQ(res["X-Extra"], "1");
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(ServerTest, ResponseHeaderThatWouldInjectALineGets500Instead) {
  Start();
  handler_.Set([](Request, Responder respond) {
    Response r;
    r.headers = {{"X-Id", "1\r\nInjected: yes"}};
    r.body = "abc";
    respond(std::move(r));
  });
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  auto res = Read(s, buffer);
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res["Injected"], "");
  EXPECT_EQ(res["X-Id"], "");
}

TEST_F(ServerTest, ResponderDroppedUnansweredClosesTheConnection) {
  Start();
  handler_.Set([](Request, Responder) {});
  tcp::socket s = Connect();
  bhttp::write(s, Post("/", ""));
  EXPECT_TRUE(ServerClosed(s));
}

TEST_F(ServerTest, DeclaredBodyOverLimitGets413AndClose) {
  Limits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  tcp::socket s = Connect();
  bhttp::write(s, Post("/", std::string(5000, 'x')));
  beast::flat_buffer buffer;
  auto res = Read(s, buffer);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(ServerClosed(s));
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(ServerTest, ClientStillUploadingOversizedBodyReads413NotReset) {
  Limits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  tcp::socket s = Connect();
  // Larger than the socket buffers: the upload completes only because the
  // server keeps draining after its 413.
  error_code ec;
  bhttp::write(s, Post("/", std::string(16 * 1024 * 1024, 'x')), ec);
  ASSERT_FALSE(ec) << ec.message();
  beast::flat_buffer buffer;
  EXPECT_EQ(Read(s, buffer).result_int(), 413);
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413) {
  Limits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  const std::string chunk(600, 'x');
  const std::string out =
      RawExchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
                  chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
}

TEST_F(ServerTest, BodyAtLimitIsAccepted) {
  Limits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  tcp::socket s = Connect();
  bhttp::write(s, Post("/", std::string(1000, 'x')));
  beast::flat_buffer buffer;
  EXPECT_EQ(Read(s, buffer).result_int(), 200);
  EXPECT_EQ(handler_.requests().at(0).body.size(), 1000u);
}

TEST_F(ServerTest, OversizedHeadersGet431AndClose) {
  Limits limits;
  limits.max_header_bytes = 1024;
  Start(limits);
  const std::string out =
      RawExchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
}

std::string HeadWithFields(size_t fields) {
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (size_t i = 2; i < fields; ++i) head += "X-F" + std::to_string(i) + ": v\r\n";
  return head + "\r\n";
}

TEST_F(ServerTest, HeaderFieldsUpToTheLimitAreServedAndOneMoreGets431) {
  Limits limits;
  limits.max_header_fields = 20;
  Start(limits);
  EXPECT_EQ(RawExchange(HeadWithFields(20)).rfind("HTTP/1.1 200", 0), 0u);
  const std::string out = RawExchange(HeadWithFields(21));
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out;
  EXPECT_EQ(handler_.requests().size(), 1u);
  // The refusal is rendered by the Handler, given what could be read.
  ASSERT_EQ(handler_.rejected().size(), 1u);
  EXPECT_EQ(handler_.rejected()[0].target, "/");
}

TEST_F(ServerTest, DefaultLimitRefusesAHundredAndOneHeaderFields) {
  Start();
  EXPECT_EQ(RawExchange(HeadWithFields(100)).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(RawExchange(HeadWithFields(101)).rfind("HTTP/1.1 431", 0), 0u);
}

TEST_F(ServerTest, GarbageGets400AndClose) {
  Start();
  const std::string out = RawExchange("\x01\x02 this is not http\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("Content-Length: "), std::string::npos);
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(ServerTest, ExpectContinueGetsInterim100BeforeBody) {
  Start();
  tcp::socket s = Connect();
  net::write(
      s, net::buffer(std::string(
             "PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")));
  std::string head;
  const error_code ec = RunWithDeadline(
      s, [&](auto done) { net::async_read_until(s, net::dynamic_buffer(head), "\r\n\r\n", done); });
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(head, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(handler_.requests().empty());
  net::write(s, net::buffer(std::string("hello")));
  beast::flat_buffer buffer;
  auto res = Read(s, buffer);
  EXPECT_EQ(res.result_int(), 200);
  ASSERT_EQ(handler_.requests().size(), 1u);
  EXPECT_EQ(handler_.requests()[0].body, "hello");
}

TEST_F(ServerTest, StopMakesNewConnectionsFail) {
  Start();
  server_->Stop();
  tcp::socket s(client_io_);
  error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_TRUE(ec) << "connected after Stop()";
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndFinishesRequestsInProgress) {
  Start();
  Responder pending;
  std::mutex mu;
  handler_.Set([&](Request req, Responder respond) {
    if (req.target == "/slow") {
      std::lock_guard lock(mu);
      pending = std::move(respond);
    } else {
      respond(Response{});
    }
  });
  tcp::socket idle = Connect();
  beast::flat_buffer idle_buffer;
  bhttp::write(idle, Post("/", ""));
  EXPECT_EQ(Read(idle, idle_buffer).result_int(), 200);

  tcp::socket busy = Connect();
  bhttp::write(busy, Post("/slow", ""));
  ASSERT_TRUE(handler_.WaitForRequests(2));

  server_->Stop();
  EXPECT_TRUE(ServerClosed(idle));
  {
    std::lock_guard lock(mu);
    pending(Response{});
  }
  beast::flat_buffer busy_buffer;
  auto res = Read(busy, busy_buffer);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(ServerClosed(busy));
}

TEST_F(ServerTest, ConnectionsOverMaxAreClosedAtOnce) {
  Limits limits;
  limits.max_connections = 1;
  Start(limits);
  tcp::socket first = Connect();
  beast::flat_buffer buffer;
  bhttp::write(first, Post("/", ""));
  EXPECT_EQ(Read(first, buffer).result_int(), 200);  // now registered

  tcp::socket second = Connect();
  EXPECT_TRUE(ServerClosed(second));

  bhttp::write(first, Post("/", ""));
  EXPECT_EQ(Read(first, buffer).result_int(), 200);
}

TEST_F(ServerTest, ConnectionsPerClientAddressOverTheLimitAreClosedAtOnce) {
  Limits limits;
  limits.max_connections_per_client = 2;
  Start(limits);
  beast::flat_buffer buffer;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(Connect());
    bhttp::write(held.back(), Post("/", ""));
    EXPECT_EQ(Read(held.back(), buffer).result_int(), 200);
  }
  tcp::socket third = Connect();
  EXPECT_TRUE(ServerClosed(third));

  // Another client address (all of 127/8 is loopback) is counted apart.
  tcp::socket other(client_io_);
  other.open(tcp::v4());
  other.bind(tcp::endpoint(net::ip::make_address("127.0.0.2"), 0));
  other.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  bhttp::write(other, Post("/", ""));
  EXPECT_EQ(Read(other, buffer).result_int(), 200);

  // A closed connection gives its place back.
  held.front().close();
  for (int attempt = 0;; ++attempt) {
    tcp::socket again = Connect();
    bhttp::write(again, Post("/", ""));
    beast::flat_buffer fresh;
    bhttp::response<bhttp::string_body> res;
    error_code ec;
    bhttp::read(again, fresh, res, ec);
    if (!ec && res.result_int() == 200) break;
    ASSERT_LT(attempt, 50) << "the closed connection's place was not given back";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the server sees the close
  }
}

TEST_F(ServerTest, ClientTricklingAByteAtATimeIsCutOffAtTheReadTimeout) {
  Limits limits;
  limits.read_timeout = std::chrono::seconds(1);
  Start(limits);
  tcp::socket s = Connect();
  const std::string request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                              std::string(100, 'a');
  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::duration> closed_after;
  s.non_blocking(true);
  for (size_t i = 0; i < request.size() && !closed_after; ++i) {
    error_code ec;
    net::write(s, net::buffer(&request[i], 1), ec);
    // Every 100 ms, so that the whole request would take 10 s.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    char c;
    s.read_some(net::buffer(&c, 1), ec);
    if (ec && ec != net::error::would_block) closed_after = std::chrono::steady_clock::now() - start;
  }
  ASSERT_TRUE(closed_after.has_value());
  EXPECT_GE(*closed_after, std::chrono::milliseconds(900));
  EXPECT_LT(*closed_after, std::chrono::milliseconds(2500));
  EXPECT_TRUE(handler_.requests().empty());
}

// Limits are in whole seconds, so the two timeout tests take about 1 s each.
TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  Limits limits;
  limits.idle_timeout = std::chrono::seconds(1);
  Start(limits);
  tcp::socket s = Connect();
  beast::flat_buffer buffer;
  bhttp::write(s, Post("/", ""));
  EXPECT_EQ(Read(s, buffer).result_int(), 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ServerClosed(s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST_F(ServerTest, RequestTricklingInLongerThanReadTimeoutIsClosed) {
  Limits limits;
  limits.read_timeout = std::chrono::seconds(1);
  Start(limits);
  tcp::socket s = Connect();
  net::write(
      s,
      net::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ServerClosed(s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(ServerTest, ListenOnBusyPortFails) {
  Start();
  Server other(io_, handler_);
  auto port = other.Listen("127.0.0.1", port_);
  // SO_REUSEADDR does not allow two listeners on one port.
  EXPECT_FALSE(port.ok());
}

TEST_F(ServerTest, ListenOnAddressNotOfThisHostFails) {
  Server server(io_, handler_);
  auto port = server.Listen("192.0.2.1", 0);  // TEST-NET-1
  EXPECT_FALSE(port.ok());
}

// The Handler renders the server's own refusals (the gateway answers them as
// AWS error documents); it sees what could be read of the request's head.
Response Rendered(int status, const Request& head) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/xml");
  r.body =
      "<Refused>" + head.method + " " + std::string(head.Header("x-amz-target")) + "</Refused>";
  return r;
}

TEST_F(ServerTest, BodyOverLimitIsAnsweredAsTheHandlerRendersIt) {
  Limits limits;
  limits.max_body_bytes = 1000;
  Start(limits);
  handler_.SetRejection(Rendered);
  const std::string out = RawExchange(
      "POST /q HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
      "Content-Length: 5000\r\n\r\n" +
      std::string(5000, 'x'));
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
  EXPECT_NE(out.find("Content-Type: text/xml"), std::string::npos) << out;
  EXPECT_NE(out.find("<Refused>POST AmazonSQS.SendMessage</Refused>"), std::string::npos) << out;
  ASSERT_EQ(handler_.rejected().size(), 1u);
  EXPECT_EQ(handler_.rejected()[0].target, "/q");
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(ServerTest, OversizedHeadIsReadLenientlyForTheRejection) {
  Limits limits;
  limits.max_header_bytes = 1024;
  Start(limits);
  handler_.SetRejection(Rendered);
  const std::string out =
      RawExchange("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nX-Big: " +
                  std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out;
  EXPECT_NE(out.find("<Refused>POST AmazonSQS.ListQueues</Refused>"), std::string::npos) << out;
}

TEST_F(ServerTest, MalformedHeadKeepsItsWellFormedFieldsForTheRejection) {
  Start();
  handler_.SetRejection(Rendered);
  // A space before the colon is refused (RFC 9112); the other fields are read.
  const std::string out = RawExchange(
      "POST / HTTP/1.1\r\nBad Field : 1\r\nX-Amz-Target: AmazonSQS.GetQueueUrl\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("<Refused>POST AmazonSQS.GetQueueUrl</Refused>"), std::string::npos) << out;
  ASSERT_EQ(handler_.rejected().size(), 1u);
  EXPECT_EQ(handler_.rejected()[0].headers.size(), 1u);
}

TEST_F(ServerTest, RejectionTheServerCannotSendFallsBackToPlainText) {
  Start();
  handler_.SetRejection([](int status, const Request&) {
    Response r;
    r.status = status;
    r.headers.emplace_back("Bad\nName", "v");
    r.body = "unsendable";
    return r;
  });
  const std::string out = RawExchange("\x01\x02 this is not http\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("Bad Request"), std::string::npos) << out;
  EXPECT_EQ(out.find("unsendable"), std::string::npos) << out;
}

}  // namespace
}  // namespace ferry::http
