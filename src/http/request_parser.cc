#include "http/request_parser.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ferry::http {
namespace {

// A chunk-size line (size and extensions) longer than this is refused.
constexpr size_t kMaxChunkLine = 4096;
constexpr std::string_view kCrlf = "\r\n";

enum CharClass : uint8_t {
  kToken = 1,   // tchar (RFC 9110 5.6.2)
  kValue = 2,   // field-vchar, SP or HTAB
  kTarget = 4,  // anything visible: VCHAR or obs-text
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t v = 0;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool tchar = alnum;
    for (const char* p = "!#$%&'*+-.^_`|~"; *p != '\0'; ++p) tchar |= (c == *p);
    if (tchar) v |= kToken;
    if ((c >= 0x21 && c <= 0x7e) || c >= 0x80) v |= kValue | kTarget;
    if (c == ' ' || c == '\t') v |= kValue;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

// Lower-case form of each token character, 0 for any other byte. Built from
// kClasses, computed once: re-running MakeClasses() per byte exceeds clang's
// constexpr evaluation step limit.
constexpr std::array<char, 256> MakeLowerTokens() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if ((kClasses[static_cast<size_t>(c)] & kToken) != 0) {
      t[static_cast<size_t>(c)] = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
  }
  return t;
}
constexpr std::array<char, 256> kLowerTokens = MakeLowerTokens();

bool All(std::string_view s, CharClass c) {
  for (const char ch : s) {
    if ((kClasses[static_cast<unsigned char>(ch)] & c) == 0) return false;
  }
  return true;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != lower[i]) return false;
  }
  return true;
}

// A field value has no control character but HTAB (so no CR, LF or NUL).
// Checked eight bytes at a time: a word holds a byte below 0x20 exactly when
// (x - 0x20..20) & ~x & 0x80..80 is not zero, and 0x7f is the zero byte test
// on x ^ 0x7f..7f. Words with a tab, or a flagged byte, are checked bytewise.
bool IsValidFieldValue(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
    const uint64_t del = x ^ (kOnes * 0x7f);
    const uint64_t has_del = (del - kOnes) & ~del & kHighs;
    if ((below_space | has_del) != 0 && !All(std::string_view(p, 8), kValue)) return false;
    p += 8;
    n -= 8;
  }
  return All(std::string_view(p, n), kValue);
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 1*DIGIT without overflow.
bool ParseDecimal(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool IsToken(std::string_view s) { return !s.empty() && All(s, kToken); }
bool IsFieldValue(std::string_view s) { return IsValidFieldValue(s); }

void RequestParser::Start(Request& req) {
  req_ = &req;
  req.method.clear();
  req.target.clear();
  req.body.clear();
  fields_ = 0;  // req.headers is overwritten in place, then trimmed to fields_
  phase_ = Phase::kHead;
  error_ = Error::kNone;
  scanned_ = 0;
  skipped_ = 0;
  remaining_ = 0;
  version_ = 11;
  keep_alive_ = true;
  expect_continue_ = false;
  has_length_ = false;
  chunked_ = false;
  saw_close_ = false;
  saw_keep_alive_ = false;
}

RequestParser::State RequestParser::Feed(std::string_view in, size_t& consumed) {
  consumed = 0;
  if (error_ != Error::kNone) return State::kError;
  while (true) {
    switch (phase_) {
      case Phase::kHead: {
        size_t used = 0;
        const State s = ParseHead(in, used);
        consumed += used;
        return s;
      }

      case Phase::kBody:
      case Phase::kChunkData: {
        if (in.empty()) return State::kNeedMore;
        const size_t n = static_cast<size_t>(std::min<uint64_t>(in.size(), remaining_));
        req_->body.append(in.data(), n);
        remaining_ -= n;
        consumed += n;
        in.remove_prefix(n);
        if (remaining_ > 0) return State::kNeedMore;
        if (phase_ == Phase::kBody) {
          phase_ = Phase::kDone;
          return State::kDone;
        }
        phase_ = Phase::kChunkDataEnd;
        break;
      }

      case Phase::kChunkDataEnd: {
        if (in.size() < 2) return State::kNeedMore;
        if (in[0] != '\r' || in[1] != '\n') return Fail(Error::kBadRequest);
        consumed += 2;
        in.remove_prefix(2);
        phase_ = Phase::kChunkSize;
        break;
      }

      case Phase::kChunkSize: {
        // Only the first kMaxChunkLine bytes and their CRLF are searched, so
        // a longer line fails the same way whether it arrives whole or in
        // pieces (searching all of `in` let a whole long line through, or
        // failed it on its digits instead of its length).
        const size_t eol = in.substr(0, kMaxChunkLine + 2).find(kCrlf);
        if (eol == std::string_view::npos) {
          if (in.size() >= kMaxChunkLine + 2) return Fail(Error::kBadRequest);
          return State::kNeedMore;
        }
        std::string_view line = in.substr(0, eol);
        uint64_t size = 0;
        size_t digits = 0;
        for (; digits < line.size(); ++digits) {
          const char c = line[digits];
          int d;
          if (c >= '0' && c <= '9') {
            d = c - '0';
          } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
          } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
          } else {
            break;
          }
          if (size > (UINT64_MAX >> 4)) return Fail(Error::kBodyTooLarge);
          size = (size << 4) | static_cast<uint64_t>(d);
        }
        if (digits == 0) return Fail(Error::kBadRequest);
        // Extensions (BWS ";" ...) are skipped, but must be visible text.
        const std::string_view ext = TrimOws(line.substr(digits));
        if (!ext.empty() && (ext.front() != ';' || !All(ext, kValue))) {
          return Fail(Error::kBadRequest);
        }
        if (size > max_body_bytes_ - std::min(max_body_bytes_, req_->body.size())) {
          return Fail(Error::kBodyTooLarge);
        }
        consumed += eol + 2;
        in.remove_prefix(eol + 2);
        if (size == 0) {
          phase_ = Phase::kTrailers;
          scanned_ = 0;  // counts trailer bytes from here
        } else {
          remaining_ = size;
          phase_ = Phase::kChunkData;
        }
        break;
      }

      case Phase::kTrailers: {
        const size_t eol = in.find(kCrlf);
        if (eol == std::string_view::npos) {
          if (scanned_ + in.size() > max_header_bytes_) return Fail(Error::kHeaderTooLarge);
          return State::kNeedMore;
        }
        const std::string_view line = in.substr(0, eol);
        consumed += eol + 2;
        in.remove_prefix(eol + 2);
        if (line.empty()) {
          phase_ = Phase::kDone;
          return State::kDone;
        }
        scanned_ += eol + 2;
        if (scanned_ > max_header_bytes_) return Fail(Error::kHeaderTooLarge);
        const size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos || !All(line.substr(0, colon), kToken) ||
            !All(line.substr(colon + 1), kValue)) {
          return Fail(Error::kBadRequest);
        }
        break;  // trailer fields are not kept
      }

      case Phase::kDone:
        return State::kDone;
    }
  }
}

RequestParser::State RequestParser::ParseHead(std::string_view in, size_t& used) {
  used = 0;
  if (scanned_ == 0) {
    // RFC 9112 2.2: ignore empty lines before the request line. They count
    // against the head's limit, or a stream of them would never end.
    while (in.size() >= 2 && in[0] == '\r' && in[1] == '\n') {
      in.remove_prefix(2);
      used += 2;
      skipped_ += 2;
    }
    if (skipped_ >= max_header_bytes_) return Fail(Error::kHeaderTooLarge);
    // A CR at the end may start one more empty line: wait for its LF
    // before taking it for the request line.
    if (in == "\r") return State::kNeedMore;
  }
  // Find the empty line ending the head, one LF at a time; every LF must
  // follow a CR (a bare LF would otherwise leave the request waiting for its
  // timeout). Only the bytes within the limit are searched: the outcome must
  // not depend on how much of the stream has arrived, and a byte past the
  // limit is never seen by a parser fed in small pieces, which stops there
  // with kHeaderTooLarge.
  const size_t room = max_header_bytes_ - skipped_;
  const size_t limit = std::min(in.size(), room);
  size_t end = std::string_view::npos;  // offset of the final CRLF
  for (size_t pos = scanned_; pos < limit;) {
    const void* found = std::memchr(in.data() + pos, '\n', limit - pos);
    if (found == nullptr) break;
    const size_t lf = static_cast<size_t>(static_cast<const char*>(found) - in.data());
    if (lf == 0 || in[lf - 1] != '\r') return Fail(Error::kBadRequest);
    if (lf >= 3 && in[lf - 2] == '\n') {
      end = lf - 1;
      break;
    }
    pos = lf + 1;
  }
  if (end == std::string_view::npos) {
    if (in.size() >= room) return Fail(Error::kHeaderTooLarge);
    // Every LF so far is checked; the test for the end looks back at the
    // bytes before an LF, which stay in the caller's buffer.
    scanned_ = in.size();
    return State::kNeedMore;
  }
  const size_t head_size = end + 2;  // at most room: its LF was within the limit

  const std::string_view head = in.substr(0, end);  // lines, each with its CRLF
  const char* line = head.data();
  const char* const head_end = head.data() + head.size();
  bool first = true;
  while (line < head_end) {
    const char* lf = static_cast<const char*>(std::memchr(line, '\n', head_end - line));
    const std::string_view text(line, static_cast<size_t>(lf - 1 - line));  // without CRLF
    if (!first && fields_ >= max_header_fields_) return Fail(Error::kTooManyHeaders);
    if (!(first ? ParseRequestLine(text) : ParseField(text))) return Fail(Error::kBadRequest);
    first = false;
    line = lf + 1;
  }
  if (first) return Fail(Error::kBadRequest);  // no request line
  // Entries left from a longer earlier request keep their strings for later.
  while (req_->headers.size() > fields_) {
    spare_.push_back(std::move(req_->headers.back()));
    req_->headers.pop_back();
  }
  // Both framings at once is how requests are smuggled past proxies.
  if (chunked_ && has_length_) return Fail(Error::kBadRequest);
  keep_alive_ = version_ >= 11 ? !saw_close_ : (saw_keep_alive_ && !saw_close_);
  used += head_size;
  scanned_ = 0;

  if (chunked_) {
    phase_ = Phase::kChunkSize;
    return State::kHeaderDone;
  }
  if (has_length_ && remaining_ > 0) {
    if (remaining_ > max_body_bytes_) return Fail(Error::kBodyTooLarge);
    req_->body.reserve(static_cast<size_t>(remaining_));
    phase_ = Phase::kBody;
    return State::kHeaderDone;
  }
  phase_ = Phase::kDone;
  return State::kDone;
}

bool RequestParser::ParseRequestLine(std::string_view line) {
  const size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view rest = line.substr(sp1 + 1);
  const size_t sp2 = rest.find(' ');
  if (sp2 == 0 || sp2 == std::string_view::npos) return false;
  const std::string_view target = rest.substr(0, sp2);
  const std::string_view version = rest.substr(sp2 + 1);
  if (!All(method, kToken) || !All(target, kTarget)) return false;
  if (version == "HTTP/1.1") {
    version_ = 11;
  } else if (version == "HTTP/1.0") {
    version_ = 10;
  } else {
    return false;
  }
  req_->method.assign(method);
  req_->target.assign(target);
  return true;
}

bool RequestParser::ParseField(std::string_view line) {
  const size_t colon = line.find(':');
  // A space before the colon, or a line starting with one (obs-fold), fails
  // the token check.
  if (colon == 0 || colon == std::string_view::npos) return false;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (!IsValidFieldValue(value)) return false;

  auto& headers = req_->headers;
  if (fields_ == headers.size()) {
    if (spare_.empty()) {
      headers.emplace_back();
    } else {
      headers.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
  }
  auto& [key, val] = headers[fields_++];
  key.resize(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    const char lower = kLowerTokens[static_cast<unsigned char>(name[i])];
    if (lower == 0) return false;
    key[i] = lower;
  }
  val.assign(value);

  switch (key.size()) {
    case 14:
      if (key == "content-length") {
        uint64_t length = 0;
        if (!ParseDecimal(value, length)) return false;
        if (has_length_ && length != remaining_) return false;
        has_length_ = true;
        remaining_ = length;
      }
      break;
    case 17:
      if (key == "transfer-encoding") {
        // Only chunked, once: other codings would reach the handler still encoded.
        if (chunked_ || !IEquals(value, "chunked")) return false;
        chunked_ = true;
      }
      break;
    case 10:
      if (key == "connection") {
        std::string_view list = value;
        while (!list.empty()) {
          const size_t comma = list.find(',');
          const std::string_view option = TrimOws(list.substr(0, comma));
          if (IEquals(option, "close")) saw_close_ = true;
          if (IEquals(option, "keep-alive")) saw_keep_alive_ = true;
          if (comma == std::string_view::npos) break;
          list.remove_prefix(comma + 1);
        }
      }
      break;
    case 6:
      if (key == "expect" && IEquals(value, "100-continue")) expect_continue_ = true;
      break;
    default:
      break;
  }
  return true;
}

}  // namespace ferry::http
