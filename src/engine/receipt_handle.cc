#include "engine/receipt_handle.h"

#include <array>

namespace ferry::engine {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kRawSize = 1 + 8 + 8 + 4;
constexpr size_t kTextSize = kRawSize / 3 * 4;  // 21 bytes: no partial group
static_assert(kRawSize % 3 == 0);

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

void PutLe(uint8_t* p, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t GetLe(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  std::array<uint8_t, kRawSize> raw;
  raw[0] = kVersion;
  PutLe(&raw[1], handle.incarnation, 8);
  PutLe(&raw[9], handle.seq, 8);
  PutLe(&raw[17], handle.generation, 4);
  std::string out;
  out.reserve(kTextSize);
  for (size_t i = 0; i < kRawSize; i += 3) {
    uint32_t v = (uint32_t{raw[i]} << 16) | (uint32_t{raw[i + 1]} << 8) | raw[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  return out;
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() != kTextSize) return std::nullopt;
  std::array<uint8_t, kRawSize> raw;
  for (size_t i = 0, o = 0; i < kTextSize; i += 4, o += 3) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int d = DecodeChar(text[i + k]);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    raw[o] = static_cast<uint8_t>(v >> 16);
    raw[o + 1] = static_cast<uint8_t>(v >> 8);
    raw[o + 2] = static_cast<uint8_t>(v);
  }
  if (raw[0] != kVersion) return std::nullopt;
  ReceiptHandle h;
  h.incarnation = GetLe(&raw[1], 8);
  h.seq = GetLe(&raw[9], 8);
  h.generation = static_cast<uint32_t>(GetLe(&raw[17], 4));
  if (h.seq == 0 || h.generation == 0) return std::nullopt;
  return h;
}

}  // namespace ferry::engine
