#include "protocol/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ferry::protocol {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// A byte of the word is 0 ((x - 1) borrows into the high bit of the first
// such byte; the answer "some byte" is exact).
constexpr uint64_t ZeroByte(uint64_t x) { return (x - kOnes) & ~x & kHighBits; }

// Some byte of the word is '"', '\\' or below 0x20 (bytes >= 0x80 are not).
constexpr bool NeedsEscape(uint64_t w) {
  return (ZeroByte(w ^ (0x22 * kOnes)) | ZeroByte(w ^ (0x5C * kOnes)) |
          ((w - 0x20 * kOnes) & ~w & kHighBits)) != 0;
}

constexpr bool NeedsEscape(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == '"' || b == '\\';
}

void AppendEscaped(char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\r':
      out->append("\\r");
      return;
    default: {
      const auto b = static_cast<unsigned char>(c);
      const char u[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 15]};
      out->append(u, sizeof u);
    }
  }
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  const char* p = s.data();
  const size_t n = s.size();
  size_t start = 0;  // first byte not yet copied
  size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // 16 bytes per step: '"', '\\', and (signed) 0..0x1f; bytes >= 0x80 are
    // negative as signed chars, so the range test keeps them out with b >= 0.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i minus_one = _mm_set1_epi8(-1);
    for (; i + 16 <= n; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i control = _mm_and_si128(_mm_cmplt_epi8(v, space), _mm_cmpgt_epi8(v, minus_one));
      const __m128i hit = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
      if (_mm_movemask_epi8(hit) != 0) break;
    }
#endif
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (NeedsEscape(w)) break;
    }
    while (i < n && !NeedsEscape(p[i])) ++i;
    if (i == n) break;
    out->append(p + start, i - start);
    AppendEscaped(p[i], out);
    start = ++i;
  }
  out->append(p + start, n - start);
  out->push_back('"');
}

size_t TextSize(const boost::json::object& object);

// The length of the JSON text of `value` without escapes (numbers at most),
// so that the output is allocated once.
size_t TextSize(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return value.get_string().size() + 2;
    case boost::json::kind::array: {
      size_t n = 2;
      for (const boost::json::value& e : value.get_array()) n += TextSize(e) + 1;
      return n;
    }
    case boost::json::kind::object:
      return TextSize(value.get_object());
    default:
      return 24;
  }
}

size_t TextSize(const boost::json::object& object) {
  size_t n = 2;
  for (const auto& kv : object) n += kv.key().size() + 4 + TextSize(kv.value());
  return n;
}

template <class T>
void AppendInteger(T v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void AppendObject(const boost::json::object& object, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& kv : object) {
    if (!first) out->push_back(',');
    first = false;
    AppendString(std::string_view(kv.key().data(), kv.key().size()), out);
    out->push_back(':');
    AppendJson(kv.value(), out);
  }
  out->push_back('}');
}

void AppendJson(const boost::json::value& value, std::string* out) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out->append("null");
      return;
    case boost::json::kind::bool_:
      out->append(value.get_bool() ? "true" : "false");
      return;
    case boost::json::kind::int64:
      return AppendInteger(value.get_int64(), out);
    case boost::json::kind::uint64:
      return AppendInteger(value.get_uint64(), out);
    case boost::json::kind::double_:
      // Rare in SQS answers; Boost's own formatting keeps the text identical.
      out->append(boost::json::serialize(value));
      return;
    case boost::json::kind::string: {
      const boost::json::string& s = value.get_string();
      return AppendString(std::string_view(s.data(), s.size()), out);
    }
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const boost::json::value& e : value.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(e, out);
      }
      out->push_back(']');
      return;
    }
    case boost::json::kind::object:
      return AppendObject(value.get_object(), out);
  }
}

std::string SerializeJson(const boost::json::object& object) {
  std::string out;
  const size_t size = TextSize(object);
  out.reserve(size + size / 16);
  AppendObject(object, &out);
  return out;
}

}  // namespace ferry::protocol
