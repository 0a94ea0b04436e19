#include "auth/sigv4_verify.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/open_resolver.h"
#include "auth/sigv4_canonical.h"
#include "auth/sigv4_sign.h"
#include "auth/static_resolver_test_util.h"
#include "common/crypto.h"

namespace ferry::auth {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The keys of AWS's published SigV4 examples, and a resolver that knows
// them and a temporary key.
constexpr std::string_view kSuiteKey = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 2015-08-30T12:36:00Z, the time of the test suite's requests.
constexpr int64_t kSuiteTimeMs = int64_t{1'440'938'160} * 1000;

struct Request {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  Headers headers;
  std::string body;
  SignedRequest view() const { return SignedRequest{method, path, query, headers, body}; }
};

// A request of AWS's test suite: host example.amazonaws.com, the suite's
// date, and an Authorization header carrying `signature`.
Request SuiteRequest(std::string method, std::string path, std::string query,
                     std::string_view signed_headers, std::string_view signature) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
  r.headers.emplace_back("authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                         "aws4_request, SignedHeaders=" +
                             std::string(signed_headers) + ", Signature=" + std::string(signature));
  return r;
}

class SigV4Verify : public ::testing::Test {
 protected:
  SigV4Verify() {
    resolver_.Add(TestUser(kSuiteKey, kSuiteSecret));
    resolver_.Add(TestUser("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    resolver_.Add(TestUser("AKIDALICE", "alice-secret"));
    Principal temp = TestUser("ASIATEMP", "temp-secret");
    temp.session_token = "the-session-token";
    temp.expires_ms = kNow + 3600'000;
    resolver_.Add(temp);
  }

  Verification Verify(const Request& r, std::string_view service = "sqs", int64_t now = kNow) {
    return verifier_.Verify(resolver_, r.view(), service, now);
  }

  // A SendMessage over JSON, signed by alice for sqs at kNow.
  Request SignedSend(SigningCredentials creds = Alice(), int64_t at = kNow) {
    Request r;
    r.method = "POST";
    r.body = R"({"QueueUrl":"http://127.0.0.1:9324/123456789012/orders","MessageBody":"hello"})";
    r.headers = {{"host", "127.0.0.1:9324"},
                 {"content-type", "application/x-amz-json-1.0"},
                 {"x-amz-target", "AmazonSQS.SendMessage"}};
    std::string auth = SignRequest(creds, r.method, r.path, r.query, r.headers, r.body, at);
    r.headers.emplace_back("authorization", auth);
    return r;
  }

  static SigningCredentials Alice() {
    return SigningCredentials{
        .access_key_id = "AKIDALICE", .secret_access_key = "alice-secret", .session_token = {}};
  }

  static constexpr int64_t kNow = int64_t{1'700'000'000} * 1000;
  StaticResolver resolver_;
  Verifier verifier_;
};

// Replaces the first `from` in header `name` with `to`; an empty `from`
// replaces the whole value.
void EditHeader(Request& r, std::string_view name, std::string_view from, std::string_view to) {
  for (auto& [n, v] : r.headers) {
    if (n != name) continue;
    if (from.empty()) {
      v = std::string(to);
    } else {
      v.replace(v.find(from), from.size(), to);
    }
  }
}

void ExpectFailure(const Verification& v, AuthError error, std::string_view text = {}) {
  ASSERT_FALSE(v.caller.has_value());
  EXPECT_EQ(v.failure.error, error) << v.failure.message;
  if (!text.empty()) {
    EXPECT_NE(v.failure.message.find(text), std::string::npos) << v.failure.message;
  }
}

// --- AWS's published examples (the SigV4 test suite and documentation) ---

TEST_F(SigV4Verify, AcceptsTheTestSuitesGetVanilla) {
  auto v = Verify(SuiteRequest("GET", "/", "", "host;x-amz-date",
                               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
                  "service", kSuiteTimeMs);
  ASSERT_TRUE(v.caller) << v.failure.message;
  EXPECT_EQ(v.caller->scope.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(v.caller->scope.region, "us-east-1");
  EXPECT_EQ(v.caller->principal.account_id, "123456789012");
}

TEST_F(SigV4Verify, AcceptsTheTestSuitesQueryOrderKeyCase) {
  auto v = Verify(SuiteRequest("GET", "/", "Param2=value2&Param1=value1", "host;x-amz-date",
                               "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
                  "service", kSuiteTimeMs);
  EXPECT_TRUE(v.caller) << v.failure.message;
}

TEST_F(SigV4Verify, AcceptsTheTestSuitesPostVanilla) {
  auto v = Verify(SuiteRequest("POST", "/", "", "host;x-amz-date",
                               "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
                  "service", kSuiteTimeMs);
  EXPECT_TRUE(v.caller) << v.failure.message;
}

TEST_F(SigV4Verify, AcceptsTheTestSuitesUtf8Path) {
  auto v = Verify(SuiteRequest("GET", "/\xE1\x88\xB4", "", "host;x-amz-date",
                               "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
                  "service", kSuiteTimeMs);
  EXPECT_TRUE(v.caller) << v.failure.message;
}

TEST_F(SigV4Verify, AcceptsTheTestSuitesFormUrlencodedPost) {
  Request r = SuiteRequest("POST", "/", "", "content-type;host;x-amz-date",
                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  r.body = "Param1=value1";
  auto v = Verify(r, "service", kSuiteTimeMs);
  EXPECT_TRUE(v.caller) << v.failure.message;
  // The suite's body, changed by one byte, no longer matches.
  r.body = "Param1=value2";
  ExpectFailure(Verify(r, "service", kSuiteTimeMs), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AcceptsTheDocumentedPresignedUrlExample) {
  // AWS's presigned GET of examplebucket/test.txt, signed 2013-05-24T00:00:00Z
  // for 86400 s with UNSIGNED-PAYLOAD.
  Request r;
  r.path = "/test.txt";
  r.query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"
      "%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  r.headers = {{"host", "examplebucket.s3.amazonaws.com"}};
  const int64_t signed_at = int64_t{1'369'353'600} * 1000;
  auto v = Verify(r, "s3", signed_at + 1000);
  ASSERT_TRUE(v.caller) << v.failure.message;
  EXPECT_TRUE(v.caller->presigned);
  // A day and a second later it has expired.
  ExpectFailure(Verify(r, "s3", signed_at + 86401'000), AuthError::kRequestExpired);
}

// --- The canonical request's parts ---

TEST(SigV4Canonical, PathsAreNormalisedAndEncodedAgain) {
  EXPECT_EQ(sigv4::CanonicalUri(""), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/"), "/");
  EXPECT_EQ(sigv4::CanonicalUri("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(sigv4::CanonicalUri("/123456789012/my%20queue"), "/123456789012/my%2520queue");
  EXPECT_EQ(sigv4::CanonicalUri("/example space/"), "/example%20space/");
}

TEST(SigV4Canonical, QueryPairsAreReencodedAndSorted) {
  EXPECT_EQ(sigv4::CanonicalQuery("b=2&a=1&A=0"), "A=0&a=1&b=2");
  EXPECT_EQ(sigv4::CanonicalQuery("k=a b&k=%7e&flag"), "flag=&k=a%20b&k=~");
  EXPECT_EQ(sigv4::CanonicalQuery("Action=X&X-Amz-Signature=ab", "X-Amz-Signature"), "Action=X");
  EXPECT_EQ(sigv4::CanonicalQuery("plus=a+b"), "plus=a%2Bb");
}

TEST(SigV4Canonical, HeaderValuesAreTrimmedAndJoined) {
  Headers h = {{"my-header", "  a   b \t c  "}, {"other", "x"}, {"my-header", "d"}};
  EXPECT_EQ(sigv4::CanonicalHeaderValue(h, "my-header"), "a b c,d");
  EXPECT_FALSE(sigv4::CanonicalHeaderValue(h, "absent").has_value());
}

TEST(SigV4Canonical, AmzDatesRoundTrip) {
  EXPECT_EQ(sigv4::ParseAmzDate("20150830T123600Z"), kSuiteTimeMs);
  EXPECT_EQ(sigv4::FormatAmzDate(kSuiteTimeMs), "20150830T123600Z");
  EXPECT_EQ(sigv4::FormatAmzDate(int64_t{951'782'400} * 1000), "20000229T000000Z");
  EXPECT_FALSE(sigv4::ParseAmzDate("2015-08-30T12:36:00Z").has_value());
  EXPECT_FALSE(sigv4::ParseAmzDate("20151330T123600Z").has_value());
}

// --- Requests signed as the SDKs sign them ---

TEST_F(SigV4Verify, ASignedSendMessageNamesItsPrincipal) {
  auto v = Verify(SignedSend());
  ASSERT_TRUE(v.caller) << v.failure.message;
  EXPECT_EQ(v.caller->principal.arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(v.caller->scope.service, "sqs");
  EXPECT_FALSE(v.caller->presigned);
}

TEST_F(SigV4Verify, AQueryRequestWithQueryStringAndFormBodyVerifies) {
  Request r;
  r.method = "POST";
  r.path = "/123456789012/orders";
  r.query = "Action=SendMessage&Version=2012-11-05";
  r.body = "MessageBody=a%20b%2Bc&DelaySeconds=0";
  r.headers = {{"host", "localhost:9324"},
               {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.headers.emplace_back("authorization",
                         SignRequest(Alice(), r.method, r.path, r.query, r.headers, r.body, kNow));
  EXPECT_TRUE(Verify(r).caller);
}

// --- Tampering ---

TEST_F(SigV4Verify, AChangedBodyDoesNotMatch) {
  Request r = SignedSend();
  r.body.replace(r.body.find("hello"), 5, "HELLO");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch,
                "The request signature we calculated does not match");
}

TEST_F(SigV4Verify, AChangedSignedHeaderDoesNotMatch) {
  Request r = SignedSend();
  EditHeader(r, "x-amz-target", "", "AmazonSQS.DeleteQueue");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AnUnsignedHeaderMayChange) {
  Request r = SignedSend();
  r.headers.emplace_back("user-agent", "whatever");
  EXPECT_TRUE(Verify(r).caller);
}

TEST_F(SigV4Verify, AnAddedQueryParameterDoesNotMatch) {
  Request r = SignedSend();
  r.query = "Action=DeleteQueue";
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AChangedPathDoesNotMatch) {
  Request r = SignedSend();
  r.path = "/123456789012/other";
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AWrongSecretDoesNotMatch) {
  SigningCredentials wrong = Alice();
  wrong.secret_access_key = "not-alice-secret";
  ExpectFailure(Verify(SignedSend(wrong)), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AnUnknownKeyIsAnInvalidClientTokenId) {
  SigningCredentials unknown = Alice();
  unknown.access_key_id = "AKIDNOBODY";
  ExpectFailure(Verify(SignedSend(unknown)), AuthError::kInvalidClientTokenId,
                "The security token included in the request is invalid.");
}

TEST_F(SigV4Verify, AnotherServicesScopeIsRefused) {
  SigningCredentials sns = Alice();
  sns.service = "sns";
  ExpectFailure(Verify(SignedSend(sns)), AuthError::kSignatureDoesNotMatch,
                "Credential should be scoped to correct service: 'sqs'. ");
}

TEST_F(SigV4Verify, AnInvalidRegionIsRefused) {
  SigningCredentials odd = Alice();
  odd.region = "US_EAST";
  ExpectFailure(Verify(SignedSend(odd)), AuthError::kSignatureDoesNotMatch,
                "Credential should be scoped to a valid region, not 'US_EAST'. ");
}

TEST_F(SigV4Verify, AnotherRegionThanTheSignersDoesNotMatch) {
  Request r = SignedSend();
  EditHeader(r, "authorization", "us-east-1", "eu-west-1");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, AScopeOfAnotherDayIsRefused) {
  Request r = SignedSend();
  const std::string day = sigv4::FormatAmzDate(kNow).substr(0, 8);
  EditHeader(r, "authorization", day, "20200101");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '20200101' != '" + day + "'");
}

TEST_F(SigV4Verify, HostMustBeSigned) {
  Request r;
  r.method = "POST";
  r.body = "Action=ListQueues";
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  const std::string auth = SignRequest(Alice(), r.method, r.path, r.query, r.headers, r.body, kNow);
  r.headers.emplace_back("host", "127.0.0.1:9324");
  r.headers.emplace_back("authorization", auth);
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch,
                "'Host' or ':authority' must be a 'SignedHeader'");
}

TEST_F(SigV4Verify, ARequestSignedMoreThanFifteenMinutesAgoHasExpired) {
  Request r = SignedSend();
  EXPECT_TRUE(Verify(r, "sqs", kNow + 15 * 60'000).caller);
  ExpectFailure(Verify(r, "sqs", kNow + 15 * 60'000 + 1000), AuthError::kRequestExpired,
                "Signature expired: " + sigv4::FormatAmzDate(kNow) + " is now earlier than");
}

TEST_F(SigV4Verify, ARequestSignedMoreThanFifteenMinutesAheadIsNotYetCurrent) {
  Request r = SignedSend();
  ExpectFailure(Verify(r, "sqs", kNow - 16 * 60'000), AuthError::kRequestExpired,
                "Signature not yet current");
}

TEST_F(SigV4Verify, TemporaryCredentialsNeedTheirToken) {
  SigningCredentials temp{
      .access_key_id = "ASIATEMP", .secret_access_key = "temp-secret", .session_token = {}};
  ExpectFailure(Verify(SignedSend(temp)), AuthError::kInvalidClientTokenId);
  temp.session_token = "another-token";
  ExpectFailure(Verify(SignedSend(temp)), AuthError::kInvalidClientTokenId);
  temp.session_token = "the-session-token";
  EXPECT_TRUE(Verify(SignedSend(temp)).caller);
  // Signed just before the credentials expire, arriving after.
  ExpectFailure(Verify(SignedSend(temp, kNow + 3599'000), "sqs", kNow + 3600'000),
                AuthError::kExpiredToken);
}

TEST_F(SigV4Verify, TheSessionTokenIsSigned) {
  SigningCredentials temp{.access_key_id = "ASIATEMP",
                          .secret_access_key = "temp-secret",
                          .session_token = "the-session-token"};
  Request r = SignedSend(temp);
  EXPECT_TRUE(Verify(r).caller);
  // Another token the resolver would accept, but not the one signed.
  resolver_.Add([] {
    Principal p = TestUser("ASIATEMP", "temp-secret");
    p.session_token = "other";
    return p;
  }());
  EditHeader(r, "x-amz-security-token", "", "other");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch);
}

// --- Malformed and missing signatures ---

TEST_F(SigV4Verify, AnUnsignedRequestIsMissingItsToken) {
  Request r;
  r.headers = {{"host", "localhost"}};
  ExpectFailure(Verify(r), AuthError::kMissingAuthenticationToken,
                "The request must contain either a valid (registered) AWS access key ID");
}

TEST_F(SigV4Verify, AnAuthorizationHeaderWithoutItsPartsIsIncomplete) {
  Request r;
  r.headers = {{"host", "localhost"}, {"authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/x"}};
  ExpectFailure(Verify(r), AuthError::kIncompleteSignature,
                "Authorization header requires 'Signature' parameter. Authorization header requires "
                "'SignedHeaders' parameter. Authorization header requires existence of either a "
                "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIDALICE/x");
}

TEST_F(SigV4Verify, AnotherAlgorithmIsIncomplete) {
  Request r;
  r.headers = {{"host", "localhost"}, {"authorization", "AWS AKIDALICE:abc"}};
  ExpectFailure(Verify(r), AuthError::kIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS'.");
}

TEST_F(SigV4Verify, ACredentialOfFourPartsIsIncomplete) {
  Request r = SignedSend();
  EditHeader(r, "authorization", "/aws4_request", "");
  ExpectFailure(Verify(r), AuthError::kIncompleteSignature,
                "Credential must have exactly 5 slash-delimited elements");
}

TEST_F(SigV4Verify, AMalformedDateIsIncomplete) {
  Request r = SignedSend();
  EditHeader(r, "x-amz-date", "", "Mon, 01 Jan 2024 00:00:00 GMT");
  ExpectFailure(Verify(r), AuthError::kIncompleteSignature, "Date must be in ISO-8601 'basic format'");
}

TEST_F(SigV4Verify, AWrongTerminatorIsRefused) {
  Request r = SignedSend();
  EditHeader(r, "authorization", "aws4_request", "aws4_requesx");
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch,
                "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requesx'");
}

// --- The payload hash header ---

TEST_F(SigV4Verify, UnsignedPayloadLeavesTheBodyOutOfTheSignature) {
  Request r;
  r.method = "POST";
  r.body = "Action=ListQueues";
  r.headers = {{"host", "localhost:9324"}, {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  // Signed as a client that does not hash its body signs: UNSIGNED-PAYLOAD
  // in the canonical request.
  r.headers.emplace_back("x-amz-date", sigv4::FormatAmzDate(kNow));
  const Headers& signed_headers = r.headers;
  std::string canonical_headers;
  for (std::string_view name : {"host", "x-amz-content-sha256", "x-amz-date"}) {
    canonical_headers += std::string(name) + ":" +
                         *sigv4::CanonicalHeaderValue(signed_headers, name) + "\n";
  }
  const std::string amz_date = sigv4::FormatAmzDate(kNow);
  const std::string scope = amz_date.substr(0, 8) + "/us-east-1/sqs/aws4_request";
  const std::string canonical = sigv4::CanonicalRequest(
      "POST", "/", "", canonical_headers, "host;x-amz-content-sha256;x-amz-date", "UNSIGNED-PAYLOAD");
  const std::string sig = sigv4::Signature(
      sigv4::DeriveSigningKey("alice-secret", amz_date.substr(0, 8), "us-east-1", "sqs"),
      sigv4::StringToSign(amz_date, scope, canonical));
  r.headers.emplace_back("authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDALICE/" + scope +
                             ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + sig);
  EXPECT_TRUE(Verify(r).caller) << Verify(r).failure.message;
  r.body = "Action=DeleteQueue";
  EXPECT_TRUE(Verify(r).caller);
}

TEST_F(SigV4Verify, ADeclaredPayloadHashMustBeTheBodys) {
  Request r;
  r.method = "POST";
  r.body = "Action=ListQueues";
  r.headers = {{"host", "localhost:9324"}, {"x-amz-content-sha256", Sha256Hex("Action=ListQueues")}};
  r.headers.emplace_back("authorization",
                         SignRequest(Alice(), r.method, r.path, r.query, r.headers, r.body, kNow));
  EXPECT_TRUE(Verify(r).caller);
  r.body = "Action=DeleteQueue";
  ExpectFailure(Verify(r), AuthError::kSignatureDoesNotMatch, "x-amz-content-sha256");
}

// --- Presigned URLs ---

TEST_F(SigV4Verify, APresignedUrlVerifiesUntilItExpires) {
  Request r;
  r.path = "/123456789012/orders";
  r.headers = {{"host", "127.0.0.1:9324"}};
  r.query = PresignQuery(Alice(), "GET", r.path, "Action=SendMessage&MessageBody=hi%20there",
                         "127.0.0.1:9324", "", 60, kNow);
  auto v = Verify(r);
  ASSERT_TRUE(v.caller) << v.failure.message;
  EXPECT_TRUE(v.caller->presigned);
  EXPECT_TRUE(Verify(r, "sqs", kNow + 60'000).caller);
  ExpectFailure(Verify(r, "sqs", kNow + 61'000), AuthError::kRequestExpired, "Request has expired.");
  ExpectFailure(Verify(r, "sqs", kNow - 16 * 60'000), AuthError::kRequestExpired,
                "Signature not yet current");
}

TEST_F(SigV4Verify, ATamperedPresignedUrlDoesNotMatch) {
  Request r;
  r.path = "/123456789012/orders";
  r.headers = {{"host", "127.0.0.1:9324"}};
  r.query = PresignQuery(Alice(), "GET", r.path, "Action=SendMessage&MessageBody=hi",
                         "127.0.0.1:9324", "", 60, kNow);
  Request tampered = r;
  tampered.query.replace(tampered.query.find("MessageBody=hi"), 14, "MessageBody=ho");
  ExpectFailure(Verify(tampered), AuthError::kSignatureDoesNotMatch);
  Request longer = r;
  longer.query.replace(longer.query.find("X-Amz-Expires=60"), 16, "X-Amz-Expires=600");
  ExpectFailure(Verify(longer), AuthError::kSignatureDoesNotMatch);
  Request host = r;
  host.headers = {{"host", "evil.example:9324"}};
  ExpectFailure(Verify(host), AuthError::kSignatureDoesNotMatch);
}

TEST_F(SigV4Verify, PresignedUrlsNeedEveryParameterAndAWeekAtMost) {
  Request r;
  r.headers = {{"host", "127.0.0.1:9324"}};
  r.query = PresignQuery(Alice(), "GET", "/", "Action=ListQueues", "127.0.0.1:9324", "",
                         604800, kNow);
  EXPECT_TRUE(Verify(r).caller);
  Request too_long = r;
  too_long.query = PresignQuery(Alice(), "GET", "/", "Action=ListQueues", "127.0.0.1:9324", "",
                                604801, kNow);
  ExpectFailure(Verify(too_long), AuthError::kIncompleteSignature, "604800");
  Request zero = r;
  zero.query = PresignQuery(Alice(), "GET", "/", "Action=ListQueues", "127.0.0.1:9324", "", 0, kNow);
  ExpectFailure(Verify(zero), AuthError::kIncompleteSignature, "X-Amz-Expires");
  Request no_date = r;
  const size_t at = no_date.query.find("&X-Amz-Date=");
  no_date.query.erase(at, no_date.query.find('&', at + 1) - at);
  ExpectFailure(Verify(no_date), AuthError::kIncompleteSignature,
                "AWS query-string parameters must include 'X-Amz-Date'.");
}

TEST_F(SigV4Verify, BothFormsAtOnceAreRefused) {
  Request r = SignedSend();
  r.query = PresignQuery(Alice(), "POST", "/", "", "127.0.0.1:9324", r.body, 60, kNow);
  ExpectFailure(Verify(r), AuthError::kIncompleteSignature, "Only one auth mechanism allowed");
}

TEST_F(SigV4Verify, APresignedUrlForTemporaryCredentialsCarriesTheToken) {
  SigningCredentials temp{.access_key_id = "ASIATEMP",
                          .secret_access_key = "temp-secret",
                          .session_token = "the-session-token"};
  Request r;
  r.headers = {{"host", "127.0.0.1:9324"}};
  r.query = PresignQuery(temp, "GET", "/", "Action=ListQueues", "127.0.0.1:9324", "", 60, kNow);
  EXPECT_TRUE(Verify(r).caller);
  Request stripped = r;
  const size_t at = stripped.query.find("&X-Amz-Security-Token=");
  stripped.query.erase(at, stripped.query.find('&', at + 1) - at);
  ExpectFailure(Verify(stripped), AuthError::kInvalidClientTokenId);
}

// --- The debug text ---

TEST_F(SigV4Verify, TheCanonicalRequestIsShownOnlyWhenDebugging) {
  SigningCredentials wrong = Alice();
  wrong.secret_access_key = "nope";
  Request r = SignedSend(wrong);
  auto quiet = Verify(r);
  EXPECT_EQ(quiet.failure.message.find("Canonical String"), std::string::npos);
  Verifier debugging(VerifierOptions{.debug_signatures = true});
  auto loud = debugging.Verify(resolver_, r.view(), "sqs", kNow);
  ASSERT_FALSE(loud.caller);
  const std::string amz_date = sigv4::FormatAmzDate(kNow);
  EXPECT_NE(loud.failure.message.find("\n\nThe Canonical String for this request should have been\n'"
                                      "POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"
                                      "host:127.0.0.1:9324\nx-amz-date:" + amz_date),
            std::string::npos)
      << loud.failure.message;
  EXPECT_NE(loud.failure.message.find("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" +
                                      amz_date + "\n" + amz_date.substr(0, 8) +
                                      "/us-east-1/sqs/aws4_request\n"),
            std::string::npos);
}

// --- The signing-key cache ---

TEST_F(SigV4Verify, SigningKeysAreCachedPerScope) {
  EXPECT_EQ(verifier_.cached_keys(), 0u);
  EXPECT_TRUE(Verify(SignedSend()).caller);
  EXPECT_TRUE(Verify(SignedSend()).caller);
  EXPECT_EQ(verifier_.cached_keys(), 1u);
  SigningCredentials eu = Alice();
  eu.region = "eu-west-1";
  EXPECT_TRUE(Verify(SignedSend(eu)).caller);
  EXPECT_EQ(verifier_.cached_keys(), 2u);
}

TEST_F(SigV4Verify, AChangedSecretIsNoticedDespiteTheCache) {
  EXPECT_TRUE(Verify(SignedSend()).caller);
  resolver_.Add(TestUser("AKIDALICE", "rotated-secret"));
  ExpectFailure(Verify(SignedSend()), AuthError::kSignatureDoesNotMatch);
  SigningCredentials rotated = Alice();
  rotated.secret_access_key = "rotated-secret";
  EXPECT_TRUE(Verify(SignedSend(rotated)).caller);
}

TEST_F(SigV4Verify, TheCacheIsBounded) {
  Verifier small(VerifierOptions{.key_cache_capacity = 2});
  for (std::string region : {"us-east-1", "us-east-2", "us-west-1", "us-west-2"}) {
    SigningCredentials c = Alice();
    c.region = region;
    EXPECT_TRUE(small.Verify(resolver_, SignedSend(c).view(), "sqs", kNow).caller);
    EXPECT_LE(small.cached_keys(), 2u);
  }
}

TEST_F(SigV4Verify, VerifiesFromManyThreadsAtOnce) {
  std::vector<Request> requests;
  for (std::string region : {"us-east-1", "us-east-2", "eu-west-1", "ap-south-1"}) {
    SigningCredentials c = Alice();
    c.region = region;
    requests.push_back(SignedSend(c));
  }
  Verifier small(VerifierOptions{.key_cache_capacity = 2});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!small.Verify(resolver_, requests[(t + i) % requests.size()].view(), "sqs", kNow).caller) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// --- Open mode ---

TEST(SigV4OpenMode, AnySignatureOfAWellFormedCredentialNamesTheCaller) {
  OpenResolver open("000000000000");
  Verifier verifier;
  Request r;
  r.headers = {{"host", "localhost"},
               {"x-amz-date", "20200101T000000Z"},
               {"authorization",
                "AWS4-HMAC-SHA256 Credential=123456789012/20200101/us-east-1/sqs/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=0000"}};
  auto v = verifier.Verify(open, r.view(), "sqs", int64_t{1'700'000'000} * 1000);
  ASSERT_TRUE(v.caller) << v.failure.message;
  EXPECT_EQ(v.caller->principal.account_id, "123456789012");
  EXPECT_EQ(v.caller->principal.arn, "arn:aws:iam::123456789012:root");
}

}  // namespace
}  // namespace ferry::auth
