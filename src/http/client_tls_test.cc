// The outbound client over TLS, against a real Asio ssl server with a
// certificate each test run makes for itself.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir_test_util.h"
#include "http/client.h"

namespace ferry::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct TestCertificate {
  std::string certificate_pem;
  std::string key_pem;
};

std::string PemOf(int (*write)(BIO*, void*), void* object) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  EXPECT_EQ(write(bio.get(), object), 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// A self-signed certificate for localhost and 127.0.0.1, valid for a day. An
// EC key: RSA key generation would make the tests slow.
TestCertificate MakeCertificate() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  EXPECT_TRUE(key && cert);
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("ferry-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"},
                            std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"}}) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    EXPECT_NE(ext, nullptr);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  return {
      .certificate_pem = PemOf(
          [](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); }, cert.get()),
      .key_pem = PemOf(
          [](BIO* b, void* k) {
            return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0,
                                            nullptr, nullptr);
          },
          key.get())};
}

const TestCertificate& Certificate() {
  static const TestCertificate made = MakeCertificate();
  return made;
}

// An HTTP/1.1 server on its own io thread answering 200 with the request's
// body and X-Tls: 1 or 0. On one port it speaks TLS, plain HTTP or, telling
// them apart by the first byte (a TLS record starts with 0x16), both.
enum class Speaks { kTls, kPlain, kBoth, kNothing /* reads the first bytes, never answers */ };
struct ServerSetup {
  Speaks speaks = Speaks::kTls;
  bool close_after_answer = false;  // without Connection: close, nor close_notify
};

class TlsTestServer {
 public:
  using Setup = ServerSetup;
  explicit TlsTestServer(Setup setup = {}) : setup_(setup) {
    context_.use_certificate_chain(asio::buffer(Certificate().certificate_pem));
    context_.use_private_key(asio::buffer(Certificate().key_pem), ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsTestServer() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  int tls_connections() const { return tls_connections_; }
  int plain_connections() const { return plain_connections_; }
  bool hello_seen() const { return hello_seen_; }
  std::string server_name() {
    std::lock_guard lock(mu_);
    return server_name_;
  }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    char first = 0;
    auto [ec, n] =
        co_await socket.async_receive(asio::buffer(&first, 1), tcp::socket::message_peek, kNoThrow);
    if (ec) co_return;
    if (setup_.speaks == Speaks::kNothing) {
      hello_seen_ = true;
      char sink[512];
      while (!std::get<0>(co_await socket.async_receive(asio::buffer(sink), kNoThrow))) {
      }
      co_return;  // the client left
    }
    const bool tls = setup_.speaks == Speaks::kTls ||
                     (setup_.speaks == Speaks::kBoth && static_cast<unsigned char>(first) == 0x16);
    if (!tls) {
      ++plain_connections_;
      co_await Answer(socket, false);
      co_return;
    }
    ++tls_connections_;
    ssl::stream<tcp::socket> stream(std::move(socket), context_);
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
    if (handshake_ec) co_return;
    if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
      std::lock_guard lock(mu_);
      server_name_ = name;
    }
    co_await Answer(stream, true);
  }

  template <class Stream>
  asio::awaitable<void> Answer(Stream& stream, bool tls) {
    beast::flat_buffer buffer;
    while (true) {
      beast::http::request<beast::http::string_body> request;
      auto [read_ec, read] = co_await beast::http::async_read(stream, buffer, request, kNoThrow);
      if (read_ec == beast::http::error::bad_version || read_ec == beast::http::error::bad_method) {
        // What a plain server says to a TLS ClientHello.
        static constexpr std::string_view kBadRequest =
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kBadRequest), kNoThrow);
      }
      if (read_ec) co_return;
      beast::http::response<beast::http::string_body> response(beast::http::status::ok,
                                                               request.version());
      response.set("X-Tls", tls ? "1" : "0");
      response.body() = request.body();
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_ec, written] = co_await beast::http::async_write(stream, response, kNoThrow);
      if (write_ec || setup_.close_after_answer) co_return;
    }
  }

  const Setup setup_;
  asio::io_context io_;
  ssl::context context_{ssl::context::tls_server};
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> tls_connections_ = 0;
  std::atomic<int> plain_connections_ = 0;
  std::atomic<bool> hello_seen_ = false;
  std::mutex mu_;
  std::string server_name_;
};

// An endpoint at 127.0.0.1:port whose certificate must name `host`.
Endpoint TlsEndpoint(uint16_t port, const std::string& host = "127.0.0.1") {
  Result<Endpoint> endpoint =
      ResolveEndpoint(*ParseUrl("https://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_TRUE(endpoint.ok());
  endpoint->host = host;
  endpoint->authority = host + ":" + std::to_string(port);
  return *endpoint;
}

// Trusts the test certificate through ClientOptions::tls_ca_file.
class TrustedCa {
 public:
  TrustedCa() {
    std::FILE* f = std::fopen(ca_file().c_str(), "w");
    EXPECT_NE(f, nullptr);
    std::fputs(Certificate().certificate_pem.c_str(), f);
    std::fclose(f);
  }
  std::string ca_file() const { return dir_.file("ca.pem"); }
  ClientOptions options() const {
    ClientOptions o;
    o.tls_ca_file = ca_file();
    return o;
  }

 private:
  testing::TempDir dir_;
};

OutboundRequest Post(std::string_view body) {
  return OutboundRequest{.method = "POST", .target = "/", .headers = {}, .body = body};
}

// Runs a coroutine on a fresh single-threaded io_context until it finishes.
template <class F>
void RunClient(asio::io_context& io, F body) {
  asio::co_spawn(io, std::move(body), asio::detached);
  io.run();
}

Result<InboundResponse> SendOnce(const Endpoint& endpoint, const ClientOptions& options) {
  asio::io_context io;
  ClientConnection connection(io.get_executor(), endpoint, options);
  std::optional<Result<InboundResponse>> answer;
  RunClient(io, [&]() -> asio::awaitable<void> { answer = co_await connection.Send(Post("x")); });
  EXPECT_TRUE(answer.has_value());
  return *std::move(answer);
}

TEST(ParseUrl, HttpsIsTlsOnPort443UnlessNamed) {
  auto u = ParseUrl("https://example.com/a");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->authority, "example.com");
  auto named = ParseUrl("https://example.com:8443");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->port, "8443");
  EXPECT_FALSE(ParseUrl("http://example.com/")->tls);
}

TEST(ResolveEndpoint, CarriesTlsAndTheHostToVerify) {
  auto endpoint = ResolveEndpoint(*ParseUrl("https://[::1]:9/"));
  ASSERT_TRUE(endpoint.ok());
  EXPECT_TRUE(endpoint->tls);
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->authority, "[::1]:9");
}

TEST(ClientTls, TrustedCertificateServesRequestsOnOneKeptConnectionWithSni) {
  TlsTestServer server;
  TrustedCa ca;
  asio::io_context io;
  ClientConnection connection(io.get_executor(), TlsEndpoint(server.port(), "localhost"),
                              ca.options());
  const std::string large(100'000, 'b');  // more than one TLS record
  std::vector<Result<InboundResponse>> answers;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (std::string_view body :
         {std::string_view("one"), std::string_view("two"), std::string_view(large)}) {
      answers.push_back(co_await connection.Send(Post(body)));
    }
  });
  ASSERT_EQ(answers.size(), 3u);
  for (const auto& answer : answers) ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answers[0]->body, "one");
  EXPECT_EQ(answers[1]->body, "two");
  EXPECT_EQ(answers[2]->body, large);
  EXPECT_EQ(answers[0]->Header("x-tls"), "1");
  EXPECT_EQ(connection.connects(), 1u);
  EXPECT_EQ(server.tls_connections(), 1);
  EXPECT_EQ(server.server_name(), "localhost");
}

TEST(ClientTls, IpAddressIsVerifiedAgainstTheCertificatesAddresses) {
  TlsTestServer server;
  TrustedCa ca;
  auto answer = SendOnce(
      *ResolveEndpoint(*ParseUrl("https://127.0.0.1:" + std::to_string(server.port()) + "/")),
      ca.options());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(server.server_name(), "");  // no SNI for an IP address (RFC 6066)
}

TEST(ClientTls, UntrustedCertificateIsRefused) {
  TlsTestServer server;
  auto answer = SendOnce(TlsEndpoint(server.port(), "localhost"), {});
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("TLS handshake with localhost:"), std::string::npos)
      << answer.status().message();
  EXPECT_NE(answer.status().message().find("certificate refused: self-signed certificate"),
            std::string::npos)
      << answer.status().message();
}

TEST(ClientTls, CertificateForAnotherHostIsRefused) {
  TlsTestServer server;
  TrustedCa ca;
  auto answer = SendOnce(TlsEndpoint(server.port(), "sns.example.com"), ca.options());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("certificate refused: hostname mismatch"),
            std::string::npos)
      << answer.status().message();
}

TEST(ClientTls, VerificationOffAcceptsAnyCertificateForAnyName) {
  TlsTestServer server;
  ClientOptions options;
  options.tls_verify = false;
  auto answer = SendOnce(TlsEndpoint(server.port(), "sns.example.com"), options);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->body, "x");
}

TEST(ClientTls, UnreadableCaFileIsInvalidArgument) {
  ClientOptions options;
  options.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(MakeTlsContext(options).status().code(), Code::kInvalidArgument);
  TlsTestServer server;
  auto answer = SendOnce(TlsEndpoint(server.port()), options);
  EXPECT_EQ(answer.status().code(), Code::kInvalidArgument);
  EXPECT_NE(answer.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

// The handshake runs under the connect deadline, not the request's: a
// server that accepts and never answers the ClientHello fails the request
// once the connect timeout has passed.
TEST(ClientTls, SilentHandshakeTimesOutWithinTheConnectTimeout) {
  TlsTestServer server({.speaks = Speaks::kNothing});
  asio::io_context io;
  ClientOptions options;
  options.tls_verify = false;
  options.connect_timeout = std::chrono::seconds(10);
  options.request_timeout = std::chrono::hours(1);
  ClientConnection connection(io.get_executor(), TlsEndpoint(server.port()), options);
  std::optional<Result<InboundResponse>> answer;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { answer = co_await connection.Send(Post("x")); },
      asio::detached);
  while (!server.hello_seen()) io.run_one_for(std::chrono::milliseconds(10));
  const auto now = std::chrono::steady_clock::now();
  connection.CheckTimeout(now + std::chrono::seconds(5));
  EXPECT_TRUE(connection.busy());
  connection.CheckTimeout(now + std::chrono::seconds(11));
  io.run();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status().code(), Code::kUnavailable);
  EXPECT_NE(answer->status().message().find("TLS handshake with 127.0.0.1:"), std::string::npos)
      << answer->status().message();
  EXPECT_NE(answer->status().message().find("timed out"), std::string::npos);
  EXPECT_FALSE(connection.open());
  EXPECT_FALSE(connection.busy());
}

TEST(ClientTls, PlainServerOnAnHttpsUrlFailsCleanly) {
  TlsTestServer server({.speaks = Speaks::kPlain});
  ClientOptions options;
  options.tls_verify = false;
  auto answer = SendOnce(TlsEndpoint(server.port()), options);
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("TLS handshake with 127.0.0.1:"), std::string::npos)
      << answer.status().message();
}

// A kept TLS connection the server closed after answering (no close_notify,
// as a server that times out idle connections may): the next request goes
// out once more on a new connection.
TEST(ClientTls, StaleKeptConnectionIsReopenedOnce) {
  TlsTestServer server({.close_after_answer = true});
  TrustedCa ca;
  asio::io_context io;
  ClientConnection connection(io.get_executor(), TlsEndpoint(server.port()), ca.options());
  std::vector<std::string> bodies;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (const char* body : {"a", "b"}) {
      auto answer = co_await connection.Send(Post(body));
      bodies.push_back(answer.ok() ? answer->body : answer.status().message());
    }
  });
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(connection.connects(), 2u);
}

// http://127.0.0.1:p and https://127.0.0.1:p are different endpoints: each
// request goes over a connection of its own kind, and both are kept.
TEST(HttpClientTls, PoolsTlsAndPlainEndpointsOfOnePortApart) {
  TlsTestServer server({.speaks = Speaks::kBoth});
  TrustedCa ca;
  asio::io_context io;
  Result<std::shared_ptr<TlsContext>> context = MakeTlsContext(ca.options());
  ASSERT_TRUE(context.ok()) << context.status().message();
  HttpClient client(io.get_executor(), ca.options(), *context);
  const Endpoint tls = TlsEndpoint(server.port());
  const Endpoint plain =
      *ResolveEndpoint(*ParseUrl("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
  ASSERT_EQ(tls.authority, plain.authority);
  std::vector<std::string> seen;
  RunClient(io, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 4; ++i) {
      auto answer = co_await client.Send(i % 2 ? tls : plain, Post("x"));
      seen.push_back(answer.ok() ? std::string(answer->Header("x-tls"))
                                 : answer.status().message());
    }
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"0", "1", "0", "1"}));
  EXPECT_EQ(client.open_connections(), 2u);
  EXPECT_EQ(server.plain_connections(), 1);
  EXPECT_EQ(server.tls_connections(), 1);
}

// Without a context given, the first TLS request makes one; a CA file it
// cannot load fails TLS requests, and only them.
TEST(HttpClientTls, UnreadableCaFileFailsTlsRequestsOnly) {
  TlsTestServer server({.speaks = Speaks::kBoth});
  asio::io_context io;
  ClientOptions options;
  options.tls_ca_file = "/nonexistent/ca.pem";
  HttpClient client(io.get_executor(), options);
  std::optional<Result<InboundResponse>> tls, plain;
  RunClient(io, [&]() -> asio::awaitable<void> {
    tls = co_await client.Send(TlsEndpoint(server.port()), Post("x"));
    plain = co_await client.Send(
        *ResolveEndpoint(*ParseUrl("http://127.0.0.1:" + std::to_string(server.port()))),
        Post("x"));
  });
  ASSERT_TRUE(tls.has_value() && plain.has_value());
  EXPECT_EQ(tls->status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(plain->ok()) << plain->status().message();
  EXPECT_EQ((*plain)->Header("x-tls"), "0");
}

}  // namespace
}  // namespace ferry::http
