// The HTTPS listener (Server::ListenTls, ServerTlsContext) against an Asio
// TLS client, with a CA and server certificates each test run makes.
#include "http/server_tls.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir_test_util.h"
#include "http/server.h"

namespace ferry::http {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key NewKey() { return Key(EVP_EC_gen("P-256"), &EVP_PKEY_free); }

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `subject_key` named `cn` with `serial`, signed by
// `issuer` with `issuer_key` (itself when issuer is null: a CA).
Cert Issue(EVP_PKEY* subject_key, const char* cn, long serial, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key, EVP_sha256()), 0);
  return cert;
}

void WriteCert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(PEM_write_X509(f, cert), 1);
  std::fclose(f);
}

void WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::fclose(f);
}

// A CA (ca.pem) and, on demand, server certificates it issues
// (server.pem, server.key) for localhost and 127.0.0.1.
class TestPki {
 public:
  TestPki()
      : ca_key_(NewKey()), ca_(Issue(ca_key_.get(), "ferry test CA", 1, nullptr, ca_key_.get())) {
    WriteCert(ca_file(), ca_.get());
  }
  // Writes a server certificate with `serial` and its key.
  void IssueServer(long serial) {
    Key key = NewKey();
    Cert cert = Issue(key.get(), "localhost", serial, ca_.get(), ca_key_.get());
    WriteCert(cert_file(), cert.get());
    WriteKey(key_file(), key.get());
  }
  std::string ca_file() const { return dir_.file("ca.pem"); }
  std::string cert_file() const { return dir_.file("server.pem"); }
  std::string key_file() const { return dir_.file("server.key"); }
  std::string file(const char* name) const { return dir_.file(name); }

 private:
  testing::TempDir dir_;
  Key ca_key_;
  Cert ca_;
};

class RecordingHandler : public Handler {
 public:
  void Handle(const Request& req, Responder respond) override {
    {
      std::lock_guard lock(mu_);
      secure_.push_back(req.secure);
    }
    Response r;
    r.body = req.secure ? "secure" : "plain";
    respond(std::move(r));
  }
  std::vector<bool> secure() {
    std::lock_guard lock(mu_);
    return secure_;
  }

 private:
  std::mutex mu_;
  std::vector<bool> secure_;
};

// What a client saw of one TLS connection.
struct TlsOutcome {
  error_code handshake;
  long serial = -1;
  std::string answer;  // the whole HTTP response
};

class ServerTlsTest : public ::testing::Test {
 protected:
  void Start(Limits limits = {}) {
    pki_.IssueServer(2);
    auto tls = ServerTlsContext::Load(pki_.cert_file(), pki_.key_file());
    ASSERT_TRUE(tls.ok()) << tls.status().message();
    tls_ = *tls;
    server_.emplace(io_, handler_, limits);
    auto port = server_->ListenTls("127.0.0.1", 0, tls_);
    ASSERT_TRUE(port.ok()) << port.status().message();
    tls_port_ = *port;
    auto plain = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    plain_port_ = *plain;
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Connects to the TLS port trusting the test CA, optionally capped at
  // `max_version`, and sends one GET when the handshake succeeds.
  TlsOutcome Exchange(int max_version = 0) {
    TlsOutcome out;
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(pki_.ca_file());
    context.set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
      // Let the client offer an old protocol at all (OpenSSL 3's default
      // security level refuses TLS 1.1 on the client side too).
      SSL_CTX_set_security_level(context.native_handle(), 0);
      SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
    }
    asio::io_context io;
    ssl::stream<tcp::socket> stream(io, context);
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), tls_port_));
    SSL_set1_host(stream.native_handle(), "127.0.0.1");
    stream.handshake(ssl::stream_base::client, out.handshake);
    if (out.handshake) return out;
    if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
      out.serial = ASN1_INTEGER_get(X509_get_serialNumber(peer));
      X509_free(peer);
    }
    const std::string request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    asio::write(stream, asio::buffer(request));
    error_code ec;
    asio::read(stream, asio::dynamic_buffer(out.answer), ec);
    return out;
  }

  TestPki pki_;
  std::shared_ptr<ServerTlsContext> tls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  RecordingHandler handler_;
  std::optional<Server> server_;
  uint16_t tls_port_ = 0;
  uint16_t plain_port_ = 0;
  std::thread thread_;
};

// Reads until the server closes the connection; how long that took, or
// nothing when it stayed open for 5 s.
std::optional<std::chrono::milliseconds> TimeUntilClosed(tcp::socket& s) {
  const auto start = std::chrono::steady_clock::now();
  s.non_blocking(true);
  char sink[256];
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    error_code ec;
    s.read_some(asio::buffer(sink), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    if (ec && ec != asio::error::would_block) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

TEST_F(ServerTlsTest, RequestOverTlsIsAnsweredAndMarkedSecure) {
  Start();
  const TlsOutcome out = Exchange();
  ASSERT_FALSE(out.handshake) << out.handshake.message();
  EXPECT_EQ(out.serial, 2);
  EXPECT_TRUE(out.answer.starts_with("HTTP/1.1 200 OK\r\n")) << out.answer;
  EXPECT_TRUE(out.answer.ends_with("\r\n\r\nsecure")) << out.answer;

  // The plain listener of the same server: not secure.
  asio::io_context io;
  tcp::socket plain(io);
  plain.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), plain_port_));
  asio::write(plain,
              asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  std::string answer;
  error_code ec;
  asio::read(plain, asio::dynamic_buffer(answer), ec);
  EXPECT_TRUE(answer.ends_with("\r\n\r\nplain")) << answer;
  EXPECT_EQ(handler_.secure(), (std::vector<bool>{true, false}));
}

TEST_F(ServerTlsTest, Tls12IsAcceptedAndTls11Refused) {
  Start();
  const TlsOutcome tls12 = Exchange(TLS1_2_VERSION);
  EXPECT_FALSE(tls12.handshake) << tls12.handshake.message();
  EXPECT_EQ(tls12.serial, 2);

  const TlsOutcome tls11 = Exchange(TLS1_1_VERSION);
  EXPECT_TRUE(tls11.handshake);
  EXPECT_EQ(handler_.secure().size(), 1u);
}

TEST_F(ServerTlsTest, PlainHttpToTheTlsPortIsClosedWithoutAnswer) {
  Start();
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), tls_port_));
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  // The server's handshake fails at once; whatever it sends is a TLS alert,
  // never an HTTP answer.
  std::string got;
  error_code ec;
  asio::read(s, asio::dynamic_buffer(got), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_FALSE(got.starts_with("HTTP/")) << got;
  EXPECT_TRUE(handler_.secure().empty());
}

TEST_F(ServerTlsTest, HandshakeNotFinishedInTimeClosesTheConnection) {
  Limits limits;
  limits.tls_handshake_timeout = std::chrono::seconds(1);
  Start(limits);
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), tls_port_));
  // The start of a TLS record (handshake, TLS 1.0 record version), then
  // nothing more.
  asio::write(s, asio::buffer(std::string("\x16\x03\x01", 3)));
  const auto closed = TimeUntilClosed(s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_GE(*closed, std::chrono::milliseconds(900));
  EXPECT_LT(*closed, std::chrono::milliseconds(2500));
}

TEST_F(ServerTlsTest, ReloadSwitchesTheCertificateForNewConnections) {
  Start();
  EXPECT_EQ(Exchange().serial, 2);
  pki_.IssueServer(3);
  ASSERT_TRUE(tls_->Reload().ok());
  EXPECT_EQ(Exchange().serial, 3);
}

TEST_F(ServerTlsTest, ReloadOfABadFileKeepsTheOldCertificate) {
  Start();
  { std::ofstream(pki_.cert_file()) << "not a certificate\n"; }
  const Status reloaded = tls_->Reload();
  EXPECT_EQ(reloaded.code(), Code::kInvalidArgument);
  EXPECT_NE(reloaded.message().find(pki_.cert_file()), std::string::npos) << reloaded.message();
  EXPECT_EQ(Exchange().serial, 2);
}

TEST(ServerTlsContextTest, MissingFileIsRefusedNamingIt) {
  TestPki pki;
  pki.IssueServer(2);
  auto missing = ServerTlsContext::Load(pki.file("absent.pem"), pki.key_file());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("absent.pem"), std::string::npos);
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos)
      << missing.status().message();
}

TEST(ServerTlsContextTest, KeyNotMatchingTheCertificateIsRefused) {
  TestPki pki;
  pki.IssueServer(2);
  Key other = NewKey();
  WriteKey(pki.file("other.key"), other.get());
  auto mismatched = ServerTlsContext::Load(pki.cert_file(), pki.file("other.key"));
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("does not match"), std::string::npos)
      << mismatched.status().message();
}

TEST(ServerTlsContextTest, OnlyTls12AndLaterWithAeadCiphersAndNoCompression) {
  TestPki pki;
  pki.IssueServer(2);
  auto tls = ServerTlsContext::Load(pki.cert_file(), pki.key_file());
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  SSL_CTX* ctx = (*tls)->Current()->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(c);
    if (name.starts_with("TLS_")) continue;  // a TLS 1.3 suite: all AEAD
    EXPECT_TRUE(name.starts_with("ECDHE-")) << name;
    EXPECT_TRUE(name.find("GCM") != std::string::npos || name.find("CHACHA20") != std::string::npos)
        << name;
  }
}

}  // namespace
}  // namespace ferry::http
