#include "common/utf8.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(Utf8, AcceptsAllowedRanges) {
  EXPECT_TRUE(IsValidSqsText("plain\ttext\r\n"));
  EXPECT_TRUE(IsValidSqsText("caf\xC3\xA9"));            // U+00E9
  EXPECT_TRUE(IsValidSqsText("\xEE\x80\x80"));           // U+E000
  EXPECT_TRUE(IsValidSqsText("\xF0\x9F\x98\x80"));       // U+1F600
}

TEST(Utf8, RejectsControlCharactersAndNonCharacters) {
  EXPECT_FALSE(IsValidSqsText(std::string_view("\x00", 1)));
  EXPECT_FALSE(IsValidSqsText("\x01"));
  EXPECT_FALSE(IsValidSqsText("\xEF\xBF\xBE"));          // U+FFFE
  EXPECT_FALSE(IsValidSqsText("\xEF\xBF\xBF"));          // U+FFFF
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));                     // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                 // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));             // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));         // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

}  // namespace
}  // namespace ferry
