#include "protocol/request_id.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "common/crypto.h"

namespace ferry::protocol {
namespace {

// xoshiro256** (Blackman and Vigna, public domain reference algorithm).
class Xoshiro256 {
 public:
  Xoshiro256() {
    do {
      RandomBytes(reinterpret_cast<unsigned char*>(s_.data()), sizeof(s_));
    } while (s_[0] == 0 && s_[1] == 0 && s_[2] == 0 && s_[3] == 0);  // the one bad state
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

}  // namespace

std::string NewRequestId() {
  thread_local Xoshiro256 rng;
  unsigned char b[16];
  const uint64_t hi = rng.Next();
  const uint64_t lo = rng.Next();
  std::memcpy(b, &hi, 8);
  std::memcpy(b + 8, &lo, 8);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++pos;  // keep the '-'
    id[pos++] = kHex[b[i] >> 4];
    id[pos++] = kHex[b[i] & 0x0f];
  }
  return id;
}

}  // namespace ferry::protocol
