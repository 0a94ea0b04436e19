// RequestParser: an incremental HTTP/1.1 request parser (RFC 9112) that
// writes straight into a reused http::Request.
//
// It replaces Beast's parser on the request path: a SendMessage spends more
// instructions in a generic parser (field-name hashing, a header map, a
// composed read operation) than in all the rest of the HTTP layer. This one
// finds the end of the head with one search, checks each byte once against a
// table, and reuses the strings of earlier requests' headers, so a connection
// in a steady state allocates nothing per request.
//
// What it accepts: a request line `token SP target SP HTTP/1.x`, header fields
// `token ":" OWS value OWS` ending in CRLF, and a body framed by
// Content-Length or by `Transfer-Encoding: chunked` (extensions and trailers
// are skipped). Empty lines before a request are skipped. What it refuses
// (Error::kBadRequest): bare LF or CR, control characters, obs-fold, a space
// before the colon, other HTTP versions, conflicting or malformed
// Content-Length, Transfer-Encoding other than `chunked`, and both framings at
// once (request smuggling). The head, with any empty lines before it, counts
// against max_header_bytes
// (Error::kHeaderTooLarge), its fields against max_header_fields
// (Error::kTooManyHeaders, once the whole head is in), the body against max_body_bytes
// (Error::kBodyTooLarge), a declared Content-Length before any of the body is
// read. No search looks past its limit, so the outcome depends only on the
// bytes, never on how they are split across calls to Feed
// (tests/fuzz/http_request_fuzz checks it).
//
// Thread-safety: none; one per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/server.h"

namespace ferry::http {

// RFC 9110 character classes, for the response writer too: a token (field
// names, methods) and a field value (visible text, obs-text, SP and HTAB; no
// control character, so no CR/LF injection).
bool IsToken(std::string_view s);
bool IsFieldValue(std::string_view s);

class RequestParser {
 public:
  enum class State { kNeedMore, kHeaderDone, kDone, kError };
  enum class Error { kNone, kBadRequest, kHeaderTooLarge, kTooManyHeaders, kBodyTooLarge };

  RequestParser(size_t max_header_bytes, size_t max_body_bytes,
                size_t max_header_fields = SIZE_MAX)
      : max_header_bytes_(max_header_bytes),
        max_body_bytes_(max_body_bytes),
        max_header_fields_(max_header_fields) {}

  // Starts a new request, to be written into `req`. Its method, target and
  // body are cleared at once; its headers are overwritten in place (their
  // strings keep their capacity) and are the new request's once Feed
  // returns kHeaderDone or kDone.
  void Start(Request& req);

  // Parses from the start of `in`, the input not consumed yet, and sets
  // `consumed` to the bytes used, which the caller drops before the next
  // call. The head is consumed only once it is complete, so `in` must hold
  // all of it by then (the caller's buffer grows to max_header_bytes).
  // Returns kHeaderDone once, right after the head, when a body follows;
  // kNeedMore when `in` is used up; kDone when the request is complete; and
  // kError, for good, with error() telling why.
  State Feed(std::string_view in, size_t& consumed);

  Error error() const { return error_; }
  // The following are valid once the head is parsed.
  unsigned version() const { return version_; }  // 10 or 11
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expect_continue_; }
  // Bytes of a Content-Length body still to come (0 in any other phase):
  // what the caller's next read should make room for.
  uint64_t body_remaining() const { return phase_ == Phase::kBody ? remaining_ : 0; }

 private:
  enum class Phase { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kDone };

  State ParseHead(std::string_view in, size_t& consumed);
  bool ParseRequestLine(std::string_view line);
  bool ParseField(std::string_view line);
  State Fail(Error e) {
    error_ = e;
    return State::kError;
  }

  const size_t max_header_bytes_;
  const size_t max_body_bytes_;
  const size_t max_header_fields_;
  Request* req_ = nullptr;
  // Header entries of earlier requests, whose strings keep their capacity.
  std::vector<std::pair<std::string, std::string>> spare_;
  size_t fields_ = 0;  // header fields of this request so far
  Phase phase_ = Phase::kDone;
  Error error_ = Error::kNone;
  size_t scanned_ = 0;      // bytes of the head searched for its end so far
  size_t skipped_ = 0;      // bytes of empty lines skipped before the request line
  uint64_t remaining_ = 0;  // of the Content-Length body or the current chunk
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  bool has_length_ = false;
  bool chunked_ = false;
  bool saw_close_ = false;
  bool saw_keep_alive_ = false;
};

}  // namespace ferry::http
