#include "http/client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/scripted_server_test_util.h"
#include "http/server.h"

namespace ferry::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A real Server on its own io thread whose answers the test chooses; by
// default it answers 200 with the request's body and an X-Seen header.
class TestServer : public http::testing::ScriptedServer {
 public:
  TestServer() {
    Answer([](const Request& req) -> std::optional<Response> {
      Response r;
      r.headers.emplace_back("X-Seen", req.Header("x-test"));
      r.body = req.body;
      return r;
    });
  }
  Endpoint endpoint() const {
    auto url = ParseUrl("http://127.0.0.1:" + std::to_string(port()) + "/");
    return *ResolveEndpoint(*url);
  }
};

// Runs a coroutine on a fresh single-threaded io_context until it finishes.
template <class F>
void RunClient(asio::io_context& io, F body) {
  asio::co_spawn(io, std::move(body), asio::detached);
  io.run();
}

OutboundRequest Post(std::string_view body, std::span<const Header> headers = {}) {
  return OutboundRequest{.method = "POST", .target = "/path?x=1", .headers = headers, .body = body};
}

TEST(ParseUrl, SplitsHostPortAndTarget) {
  auto u = ParseUrl("http://example.com:8080/a/b?c=d");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->authority, "example.com:8080");
  EXPECT_EQ(u->target, "/a/b?c=d");

  auto bare = ParseUrl("http://example.com");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, "80");
  EXPECT_EQ(bare->authority, "example.com");
  EXPECT_EQ(bare->target, "/");

  auto v6 = ParseUrl("http://[::1]:9/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority, "[::1]:9");
}

TEST(ParseUrl, RefusesWhatItCannotReach) {
  EXPECT_EQ(ParseUrl("not a url").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseUrl("ftp://example.com/").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseUrl("http://").status().code(), Code::kInvalidArgument);
}

TEST(ClientConnection, SendsHeadersAndBodyAndReusesTheConnection) {
  TestServer server;
  asio::io_context io;
  ClientOptions options;
  options.default_headers = {{"User-Agent", "ferry-test"}};
  ClientConnection connection(io.get_executor(), server.endpoint(), options);
  std::vector<Result<InboundResponse>> answers;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      const std::string value = "v" + std::to_string(i);
      const Header headers[] = {{"X-Test", value}};
      std::string body = "body-" + std::to_string(i);
      answers.push_back(co_await connection.Send(Post(body, headers)));
    }
  });
  ASSERT_EQ(answers.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(answers[i].ok()) << answers[i].status().message();
    EXPECT_EQ(answers[i]->status, 200u);
    EXPECT_EQ(answers[i]->body, "body-" + std::to_string(i));
    EXPECT_EQ(answers[i]->Header("x-seen"), "v" + std::to_string(i));
  }
  EXPECT_EQ(connection.connects(), 1u);
  Request first = server.request(0);
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.target, "/path?x=1");
  EXPECT_EQ(first.Header("user-agent"), "ferry-test");
  EXPECT_EQ(first.Header("content-length"), "6");
  EXPECT_TRUE(first.Header("host").starts_with("127.0.0.1:"));
}

TEST(ClientConnection, ConnectionRefusedIsUnavailable) {
  asio::io_context io;
  Endpoint endpoint;
  {
    // A port that was free a moment ago, with nobody listening now.
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto url = ParseUrl("http://127.0.0.1:" + std::to_string(probe.local_endpoint().port()));
    endpoint = *ResolveEndpoint(*url);
  }
  ClientConnection connection(io.get_executor(), endpoint, {});
  std::optional<Result<InboundResponse>> answer;
  RunClient(io, [&]() -> asio::awaitable<void> { answer = co_await connection.Send(Post("x")); });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status().code(), Code::kUnavailable);
  EXPECT_NE(answer->status().message().find("cannot connect"), std::string::npos);
}

TEST(ClientConnection, RequestPastItsDeadlineFailsAndCloses) {
  TestServer server;
  server.Hold();
  asio::io_context io;
  ClientConnection connection(io.get_executor(), server.endpoint(), {});
  std::optional<Result<InboundResponse>> answer;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { answer = co_await connection.Send(Post("x")); },
      asio::detached);
  // Turn the io loop until the server holds the request, then sweep with a
  // clock past the deadline: no waiting for the real timeout.
  while (server.request_count() == 0) io.run_one_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(connection.busy());
  connection.CheckTimeout(std::chrono::steady_clock::now() + std::chrono::hours(1));
  io.run();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status().code(), Code::kUnavailable);
  EXPECT_NE(answer->status().message().find("timed out"), std::string::npos);
  EXPECT_FALSE(connection.open());
  EXPECT_FALSE(connection.busy());
}

// A keep-alive connection the server closed while it was idle: the next
// request is sent again on a new connection instead of failing.
TEST(ClientConnection, StaleKeepAliveConnectionIsReopenedOnce) {
  asio::io_context server_io;
  tcp::acceptor acceptor(server_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  std::thread server([&] {
    for (const char* body : {"a", "b"}) {
      tcp::socket s(server_io);
      acceptor.accept(s);
      std::string in;
      asio::read_until(s, asio::dynamic_buffer(in), "\r\n\r\n");
      std::string out = std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n") + body;
      asio::write(s, asio::buffer(out));
      // Closed without "Connection: close": the client believes it kept it.
    }
  });
  asio::io_context io;
  ClientConnection connection(io.get_executor(),
                              *ResolveEndpoint(*ParseUrl("http://127.0.0.1:" + std::to_string(port))),
                              {});
  std::vector<std::string> bodies;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto answer = co_await connection.Send(Post("x"));
      bodies.push_back(answer.ok() ? answer->body : answer.status().message());
    }
  });
  server.join();
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(connection.connects(), 2u);
}

TEST(HttpClient, PoolsConnectionsPerEndpoint) {
  TestServer server;
  asio::io_context io;
  HttpClient client(io.get_executor(), {});
  const Endpoint endpoint = server.endpoint();
  int ok = 0;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto answer = co_await client.Send(endpoint, Post("x"));
      ok += answer.ok() && answer->status == 200;
    }
  });
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(client.open_connections(), 1u);
}

// One endpoint that never answers holds at most its own bound of
// connections; a request to another endpoint is served meanwhile, and a
// second request to the hanging one waits for a connection, not a socket.
TEST(HttpClient, HangingEndpointDoesNotHoldUpOthers) {
  TestServer hanging;
  hanging.Hold();
  TestServer healthy;
  asio::io_context io;
  ClientOptions options;
  options.max_connections_per_endpoint = 1;
  options.max_connections = 2;
  HttpClient client(io.get_executor(), options);
  const Endpoint slow = hanging.endpoint();
  const Endpoint fast = healthy.endpoint();
  std::optional<Result<InboundResponse>> first, second, other;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { first = co_await client.Send(slow, Post("1")); },
                 asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { second = co_await client.Send(slow, Post("2")); },
                 asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { other = co_await client.Send(fast, Post("3")); },
                 asio::detached);
  // The server thread records the hanging request on its own time.
  while (!other.has_value() || hanging.request_count() == 0) {
    io.run_one_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(other->ok());
  EXPECT_EQ((*other)->body, "3");
  EXPECT_EQ(hanging.request_count(), 1u);  // the second waits for the one connection
  EXPECT_FALSE(first.has_value());
  EXPECT_FALSE(second.has_value());
  EXPECT_EQ(client.open_connections(), 2u);
  client.Shutdown();
  io.run();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->status().code(), Code::kUnavailable);
  EXPECT_EQ(second->status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace ferry::http
