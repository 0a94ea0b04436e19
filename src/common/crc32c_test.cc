#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32c, MatchesRfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
}

TEST(Crc32c, ExtendingInPiecesEqualsOneShot) {
  std::string s = "The quick brown fox jumps over the lazy dog, twice over.";
  uint32_t c = 0;
  for (size_t i = 0; i < s.size(); i += 7) {
    c = Crc32cExtend(c, s.data() + i, std::min<size_t>(7, s.size() - i));
  }
  EXPECT_EQ(c, Crc32c(s));
}

}  // namespace
}  // namespace ferry
