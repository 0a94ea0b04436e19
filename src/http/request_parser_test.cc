#include "http/request_parser.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace ferry::http {
namespace {

using namespace std::string_view_literals;
using State = RequestParser::State;
using Error = RequestParser::Error;

// Feeds `input` in pieces of `step` bytes the way the server does (unconsumed
// bytes stay in front of the next piece) until the parser is done or fails.
struct Outcome {
  State state = State::kNeedMore;
  Error error = Error::kNone;
  std::string rest;  // input left unconsumed
  bool header_done_seen = false;
};

Outcome Parse(RequestParser& parser, Request& req, std::string_view input, size_t step = 1 << 20) {
  parser.Start(req);
  Outcome out;
  std::string buffer;
  size_t fed = 0;
  while (true) {
    if (fed < input.size()) {
      const size_t n = std::min(step, input.size() - fed);
      buffer.append(input.substr(fed, n));
      fed += n;
    }
    while (true) {
      size_t consumed = 0;
      out.state = parser.Feed(buffer, consumed);
      buffer.erase(0, consumed);
      if (out.state != State::kHeaderDone) break;
      out.header_done_seen = true;
    }
    if (out.state == State::kDone || out.state == State::kError) break;
    if (fed == input.size()) break;  // kNeedMore with nothing left to give
  }
  out.error = parser.error();
  out.rest = buffer;
  return out;
}

Outcome Parse(std::string_view input, Request& req, size_t step = 1 << 20) {
  RequestParser parser(16 * 1024, 1024 * 1024);
  return Parse(parser, req, input, step);
}

TEST(RequestParser, TellsHowMuchOfAContentLengthBodyIsStillToCome) {
  RequestParser parser(16 * 1024, 1024 * 1024);
  Request req;
  parser.Start(req);
  EXPECT_EQ(parser.body_remaining(), 0u);
  const std::string_view head = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc";
  size_t consumed = 0;
  EXPECT_EQ(parser.Feed(head, consumed), State::kHeaderDone);
  std::string_view rest = head.substr(consumed);
  EXPECT_EQ(parser.Feed(rest, consumed), State::kNeedMore);
  EXPECT_EQ(consumed, 3u);
  EXPECT_EQ(parser.body_remaining(), 7u);
  EXPECT_EQ(parser.Feed("defghij", consumed), State::kDone);
  EXPECT_EQ(parser.body_remaining(), 0u);
  EXPECT_EQ(req.body, "abcdefghij");
}

TEST(RequestParser, ParsesRequestLineLowerCasedHeadersAndContentLengthBody) {
  Request req;
  const auto out = Parse(
      "POST /000000000000/q?Action=X HTTP/1.1\r\nHost: h:1\r\nX-Amz-Target:  AmazonSQS.Send \t\r\n"
      "Content-Length: 5\r\n\r\nhello",
      req);
  ASSERT_EQ(out.state, State::kDone);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/000000000000/q?Action=X");
  ASSERT_EQ(req.headers.size(), 3u);
  EXPECT_EQ(req.headers[0].first, "host");
  EXPECT_EQ(req.headers[0].second, "h:1");
  EXPECT_EQ(req.headers[1].first, "x-amz-target");
  EXPECT_EQ(req.headers[1].second, "AmazonSQS.Send");
  EXPECT_EQ(req.body, "hello");
  EXPECT_TRUE(out.rest.empty());
}

TEST(RequestParser, RequestArrivingByteByByteParsesTheSame) {
  const std::string input = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
  Request req;
  const auto out = Parse(input, req, 1);
  ASSERT_EQ(out.state, State::kDone);
  EXPECT_EQ(req.headers.size(), 2u);
  EXPECT_EQ(req.body, "hello world");
}

TEST(RequestParser, ChunkedBodyIsDecodedWithExtensionsAndTrailersSkipped) {
  const std::string input =
      "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (const size_t step : {size_t{1}, size_t{7}, input.size()}) {
    Request req;
    const auto out = Parse(input, req, step);
    ASSERT_EQ(out.state, State::kDone) << "step " << step;
    EXPECT_EQ(req.body, "hello world") << "step " << step;
    EXPECT_TRUE(out.rest.empty());
  }
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnectionOptions) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
  };
  for (const auto& c : cases) {
    Request req;
    RequestParser parser(16 * 1024, 1024);
    ASSERT_EQ(Parse(parser, req, c.head).state, State::kDone) << c.head;
    EXPECT_EQ(parser.keep_alive(), c.keep_alive) << c.head;
  }
}

TEST(RequestParser, ExpectContinueIsReportedWhenTheHeadIsDone) {
  RequestParser parser(16 * 1024, 1024);
  Request req;
  parser.Start(req);
  const std::string head = "PUT /up HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n";
  size_t consumed = 0;
  EXPECT_EQ(parser.Feed(head, consumed), State::kHeaderDone);
  EXPECT_EQ(consumed, head.size());
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_EQ(parser.Feed("", consumed), State::kNeedMore);
  EXPECT_EQ(parser.Feed("hello", consumed), State::kDone);
  EXPECT_EQ(req.body, "hello");
}

TEST(RequestParser, PipelinedRequestIsLeftUnconsumedAndEmptyLinesBeforeOneAreSkipped) {
  RequestParser parser(16 * 1024, 1024);
  Request req;
  const auto first =
      Parse(parser, req, "GET /one HTTP/1.1\r\n\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(first.state, State::kDone);
  EXPECT_EQ(req.target, "/one");
  const auto second = Parse(parser, req, first.rest);
  ASSERT_EQ(second.state, State::kDone);
  EXPECT_EQ(req.target, "/two");
  ASSERT_EQ(req.headers.size(), 1u);  // none left over from the first request
}

// Found by http_request_fuzz: a piece ending between the CR and LF of an
// empty line before the request made the request line look empty.
TEST(RequestParser, EmptyLinesBeforeARequestAreSkippedHoweverTheBytesArrive) {
  const std::string input = "\r\n\r\nGET /q HTTP/1.1\r\nHost: h\r\n\r\n";
  for (size_t step = 1; step <= input.size(); ++step) {
    Request req;
    const auto out = Parse(input, req, step);
    ASSERT_EQ(out.state, State::kDone) << "pieces of " << step;
    EXPECT_EQ(req.target, "/q");
  }
}

TEST(RequestParser, FieldValuesMayHoldTabsAndObsText) {
  Request req;
  const std::string value = "a\tb c\xc3\xa9 0123456789\tabcdefghij\xff";
  const auto out = Parse("GET / HTTP/1.1\r\nX-Long: " + value + "\r\n\r\n", req);
  ASSERT_EQ(out.state, State::kDone);
  EXPECT_EQ(req.Header("x-long"), value);
}

TEST(RequestParser, RepeatedEqualContentLengthIsAccepted) {
  Request req;
  const auto out =
      Parse("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", req);
  ASSERT_EQ(out.state, State::kDone);
  EXPECT_EQ(req.body, "ok");
}

TEST(RequestParser, MalformedRequestsAreBadRequests) {
  const std::string_view cases[] = {
      "\x01\x02 this is not http\r\n\r\n",
      "GET / HTTP/1.1\nHost: x\n\n",                         // bare LF
      "GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n",                // bare CR
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",                  // space before the colon
      "GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n",          // obs-fold
      "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",                  // control character
      "GET / HTTP/1.1\r\nA: 0123456789abcdef\x7f-\r\n\r\n",  // DEL past the first word
      "GET / HTTP/1.1\r\nA: 0123456789\0bcdefgh\r\n\r\n"sv,  // NUL inside a word
      "GET / HTTP/2.0\r\n\r\n",                              // version
      "GET  / HTTP/1.1\r\n\r\n",                             // empty target
      "G(T / HTTP/1.1\r\n\r\n",                              // method not a token
      "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",  // length syntax
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",  // coding not understood
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",        // chunk size
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",  // no CRLF after data
  };
  for (const std::string_view c : cases) {
    Request req;
    const auto out = Parse(c, req);
    EXPECT_EQ(out.state, State::kError) << c;
    EXPECT_EQ(out.error, Error::kBadRequest) << c;
  }
}

TEST(RequestParser, HeadOverTheLimitIsTooLargeWhetherOrNotItIsComplete) {
  Request req;
  RequestParser parser(64, 1024);
  const std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(100, 'a');
  auto out = Parse(parser, req, big);
  EXPECT_EQ(out.error, Error::kHeaderTooLarge);
  out = Parse(parser, req, big + "\r\n\r\n");
  EXPECT_EQ(out.error, Error::kHeaderTooLarge);
}

TEST(RequestParser, MoreHeaderFieldsThanTheLimitAreRefusedHoweverTheBytesArrive) {
  Request req;
  RequestParser parser(4096, 1024, /*max_header_fields=*/3);
  const std::string three = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  auto out = Parse(parser, req, three);
  EXPECT_EQ(out.state, State::kDone);
  EXPECT_EQ(req.headers.size(), 3u);
  const std::string four = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
  for (size_t step : {size_t{1}, size_t{7}, four.size()}) {
    out = Parse(parser, req, four, step);
    EXPECT_EQ(out.error, Error::kTooManyHeaders) << step;
  }
}

// Everything a parser reports for a connection's bytes fed in pieces of
// `step` (as http_request_fuzz does): each request it completes, then the
// error that ended the connection, if any.
std::string Transcript(std::string_view input, size_t step, size_t max_header, size_t max_body) {
  RequestParser parser(max_header, max_body);
  Request req;
  std::string log;
  std::string buffer;
  size_t fed = 0;
  parser.Start(req);
  while (true) {
    size_t consumed = 0;
    const State state = parser.Feed(buffer, consumed);
    buffer.erase(0, consumed);
    if (state == State::kError) return log + "error " + std::to_string(static_cast<int>(parser.error()));
    if (state == State::kDone) {
      log += req.method + ' ' + req.target + ' ' + std::to_string(req.body.size()) + '\n';
      parser.Start(req);
      continue;
    }
    if (state == State::kNeedMore) {
      if (fed == input.size()) return buffer.empty() ? log : log + "incomplete";
      const size_t n = std::min(step, input.size() - fed);
      buffer.append(input.substr(fed, n));
      fed += n;
    }
  }
}

// Found by http_request_fuzz under libFuzzer (corpus/http_request/
// bare_lf_past_head_limit): a head with no end within the limit and a bare
// LF past it was a bad request when the bytes came at once (the search for
// the end ran past the limit into them) and too large when they came in
// pieces. Likewise a chunk-size line longer than its limit was accepted, or
// failed on its digits, only when it came at once; and empty lines before a
// request were not counted at all. Each case here is fed whole and in every
// piece size up to 64 and must read the same.
TEST(RequestParser, OutcomeDoesNotDependOnHowTheBytesArrive) {
  constexpr size_t kHead = 256;
  const std::string pad(300, 'a');
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string empty_lines;
  for (size_t i = 0; i < kHead; ++i) empty_lines += "\r\n";
  struct Case {
    std::string input;
    std::string expected;
  };
  const Case cases[] = {
      // Bare LF past the head limit, in the first request and in a pipelined one.
      {"GET / HTTP/1.1\r\nX: " + pad + "\n\r\n\r\n", "error 2"},
      {"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nX: \xff" + pad + "y\r\nZ\n\r\n", "GET /1 0\nerror 2"},
      // A bare LF within the limit is a bad request, however far the head goes.
      {"GET / HTTP/1.1\r\nX: a\nb" + pad + "\r\n\r\n", "error 1"},
      // A head of exactly the limit is accepted, and empty lines before it count.
      {"GET / HTTP/1.1\r\nX: " + std::string(kHead - 23, 'b') + "\r\n\r\n", "GET / 0\n"},
      {"\r\n\r\nGET / HTTP/1.1\r\nX: " + std::string(kHead - 27, 'b') + "\r\n\r\n", "GET / 0\n"},
      {"\r\n\r\nGET / HTTP/1.1\r\nX: " + std::string(kHead - 26, 'b') + "\r\n\r\n", "error 2"},
      // Empty lines alone, past the limit, do not keep the connection waiting.
      {empty_lines + "GET / HTTP/1.1\r\n\r\n", "error 2"},
      // A chunk-size line over 4096 bytes, with valid or overflowing content.
      {chunked + "5;" + std::string(5000, 'x') + "\r\nhello\r\n0\r\n\r\n", "error 1"},
      {chunked + std::string(5000, 'f') + "\r\n", "error 1"},
      // One of exactly 4096 bytes is accepted.
      {chunked + "5;" + std::string(4094, 'x') + "\r\nhello\r\n0\r\n\r\n", "POST / 5\n"},
  };
  for (const auto& c : cases) {
    const std::string whole = Transcript(c.input, c.input.size(), kHead, 1 << 20);
    EXPECT_EQ(whole, c.expected) << c.input.substr(0, 80);
    for (size_t step = 1; step <= 64; ++step) {
      ASSERT_EQ(Transcript(c.input, step, kHead, 1 << 20), whole)
          << "pieces of " << step << ": " << c.input.substr(0, 80);
    }
  }
}

TEST(RequestParser, BodyOverTheLimitIsTooLarge) {
  Request req;
  RequestParser parser(1024, 10);
  // A declared length fails on the head alone, before any body arrives.
  auto out = Parse(parser, req, "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(out.error, Error::kBodyTooLarge);
  out =
      Parse(parser, req,
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n");
  EXPECT_EQ(out.error, Error::kBodyTooLarge);
  out = Parse(parser, req, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(out.state, State::kDone);
}

}  // namespace
}  // namespace ferry::http
