#include "protocol/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/utf8.h"

namespace ferry::protocol {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// A byte of the word is 0 ((x - 1) borrows into the high bit of the first
// such byte; the answer "some byte" is exact).
constexpr uint64_t ZeroByte(uint64_t x) { return (x - kOnes) & ~x & kHighBits; }

// Some byte of the word is '"', '\\', below 0x20, or 0x80 and above (the
// start or part of a multi-byte character, which is checked before it is
// copied).
constexpr bool NeedsCare(uint64_t w) {
  return (ZeroByte(w ^ (0x22 * kOnes)) | ZeroByte(w ^ (0x5C * kOnes)) |
          ((w - 0x20 * kOnes) & ~w & kHighBits) | (w & kHighBits)) != 0;
}

constexpr bool NeedsCare(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == '"' || b == '\\' || b >= 0x80;
}

// The length of the prefix of `s` that is printable ASCII other than '"'
// and '\\': bytes copied as they are.
size_t PlainPrefix(const char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes per step: '"', '\\', 0..0x1f, and 0x80..0xff. As signed chars
  // the last are negative, so "below 0x20" (a signed compare) takes in both
  // the controls and every byte of a multi-byte character.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    if (_mm_movemask_epi8(hit) != 0) break;
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (NeedsCare(w)) break;
  }
  while (i < n && !NeedsCare(p[i])) ++i;
  return i;
}

// The length of the well-formed UTF-8 character at the start of `s` (which
// starts with a byte >= 0x80), or 0 when it is malformed.
size_t CharacterLength(std::string_view s) {
  size_t end = 0;
  return DecodeUtf8(s, &end) < 0 ? 0 : end;
}

// The text being written: a buffer reused by the thread, grown (never
// shrunk) as needed, written through a cursor. Room is made once per value,
// so single characters are plain stores.
class Out {
 public:
  Out() : buf_(Scratch()) {}

  // Makes room for `n` more bytes; the check is inlined, the growth not.
  void Room(size_t n) {
    if (buf_.size() - len_ < n) [[unlikely]] Grow(n);
  }
  void Put(char c) { buf_[len_++] = c; }
  void Put(const char* p, size_t n) {
    std::memcpy(buf_.data() + len_, p, n);
    len_ += n;
  }
  std::string_view text() const { return std::string_view(buf_.data(), len_); }

 private:
  [[gnu::noinline]] void Grow(size_t n) { buf_.resize(std::max(buf_.size() * 2, len_ + n)); }
  static std::string& Scratch() {
    thread_local std::string scratch;
    return scratch;
  }
  std::string& buf_;
  size_t len_ = 0;
};

void PutEscaped(char c, Out& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.Room(6);
  switch (c) {
    case '"':
      return out.Put("\\\"", 2);
    case '\\':
      return out.Put("\\\\", 2);
    case '\b':
      return out.Put("\\b", 2);
    case '\t':
      return out.Put("\\t", 2);
    case '\n':
      return out.Put("\\n", 2);
    case '\f':
      return out.Put("\\f", 2);
    case '\r':
      return out.Put("\\r", 2);
    default: {
      const auto b = static_cast<unsigned char>(c);
      const char u[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 15]};
      return out.Put(u, sizeof u);
    }
  }
}

// Writes the string and `then` (',' ':' or 0 for nothing) after it.
void PutString(std::string_view s, char then, Out& out) {
  out.Room(s.size() + 3);
  out.Put('"');
  const char* p = s.data();
  size_t n = s.size();
  while (true) {
    const size_t plain = PlainPrefix(p, n);
    out.Put(p, plain);
    if (plain == n) break;
    p += plain;
    n -= plain;
    size_t used = 1;
    if (static_cast<unsigned char>(*p) < 0x80) {
      PutEscaped(*p, out);
    } else if (const size_t len = CharacterLength(std::string_view(p, n)); len > 0) {
      out.Put(p, len);  // within the room made for the rest of `s`
      used = len;
    } else {
      // Not UTF-8: JSON text must be, and strict parsers refuse it.
      out.Room(kReplacementCharacter.size());
      out.Put(kReplacementCharacter.data(), kReplacementCharacter.size());
    }
    p += used;
    n -= used;
    out.Room(n + 3);
  }
  out.Put('"');
  if (then != 0) out.Put(then);
}

template <class T>
void PutInteger(T v, Out& out) {
  out.Room(24);
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.Put(buf, static_cast<size_t>(end - buf));
}

void PutValue(const boost::json::value& value, Out& out);

void PutObject(const boost::json::object& object, Out& out) {
  out.Room(2);
  out.Put('{');
  bool first = true;
  for (const auto& kv : object) {
    if (!first) {
      out.Room(1);
      out.Put(',');
    }
    first = false;
    PutString(std::string_view(kv.key().data(), kv.key().size()), ':', out);
    PutValue(kv.value(), out);
  }
  out.Room(1);
  out.Put('}');
}

void PutValue(const boost::json::value& value, Out& out) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out.Room(4);
      return out.Put("null", 4);
    case boost::json::kind::bool_:
      out.Room(5);
      return value.get_bool() ? out.Put("true", 4) : out.Put("false", 5);
    case boost::json::kind::int64:
      return PutInteger(value.get_int64(), out);
    case boost::json::kind::uint64:
      return PutInteger(value.get_uint64(), out);
    case boost::json::kind::double_: {
      // Rare in SQS answers; Boost's own formatting keeps the text identical.
      const std::string text = boost::json::serialize(value);
      out.Room(text.size());
      return out.Put(text.data(), text.size());
    }
    case boost::json::kind::string: {
      const boost::json::string& s = value.get_string();
      return PutString(std::string_view(s.data(), s.size()), 0, out);
    }
    case boost::json::kind::array: {
      out.Room(2);
      out.Put('[');
      bool first = true;
      for (const boost::json::value& e : value.get_array()) {
        if (!first) {
          out.Room(1);
          out.Put(',');
        }
        first = false;
        PutValue(e, out);
      }
      out.Room(1);
      return out.Put(']');
    }
    case boost::json::kind::object:
      return PutObject(value.get_object(), out);
  }
}

}  // namespace

void AppendJson(const boost::json::value& value, std::string* out) {
  Out text;
  PutValue(value, text);
  out->append(text.text());
}

void AppendObject(const boost::json::object& object, std::string* out) {
  Out text;
  PutObject(object, text);
  out->append(text.text());
}

std::string SerializeJson(const boost::json::object& object) {
  Out text;
  PutObject(object, text);
  return std::string(text.text());
}

}  // namespace ferry::protocol
