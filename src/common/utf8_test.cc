#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// Long inputs take the word-at-a-time path for their printable ASCII
// prefix; whatever follows it, at any offset, is still checked.
TEST(Utf8, ChecksEveryByteOfLongInputsAtEveryOffset) {
  const std::string ascii(100, 'a');
  EXPECT_TRUE(IsValidSqsText(ascii));
  EXPECT_TRUE(IsValidSqsText(ascii + "\x7f~ "));
  for (size_t at = 0; at < ascii.size(); ++at) {
    std::string s = ascii;
    s[at] = '\x1f';
    EXPECT_FALSE(IsValidSqsText(s)) << at;
    s[at] = '\t';
    EXPECT_TRUE(IsValidSqsText(s)) << at;
    s[at] = '\x00';
    EXPECT_FALSE(IsValidSqsText(s)) << at;
    EXPECT_TRUE(IsValidUtf8(s)) << at;
    std::string bad = ascii.substr(0, at) + "\xC3" + ascii.substr(at);
    EXPECT_FALSE(IsValidUtf8(bad)) << at;
    EXPECT_FALSE(IsValidSqsText(bad)) << at;
    std::string good = ascii.substr(0, at) + "\xC3\xA9" + ascii.substr(at);
    EXPECT_TRUE(IsValidSqsText(good)) << at;
    std::string nonchar = ascii.substr(0, at) + "\xEF\xBF\xBF" + ascii.substr(at);
    EXPECT_FALSE(IsValidSqsText(nonchar)) << at;
  }
}

TEST(Utf8, DecodeAdvancesOneByteOverAMalformedSequence) {
  const std::string s = "a\xFF\xC3\xA9\xED\xA0\x80\xF0\x9F\x98\x80";
  std::vector<int32_t> got;
  for (size_t i = 0; i < s.size();) got.push_back(DecodeUtf8(s, &i));
  EXPECT_EQ(got, (std::vector<int32_t>{'a', -1, 0xE9, -1, -1, -1, 0x1F600}));
}

TEST(Utf8, LettersAndDigitsOfAnyScript) {
  for (int32_t cp : {0x61, 0x5A, 0x37, 0xF8, 0xDF, 0xE4, 0x416, 0x4E2D, 0x645, 0x10400}) {
    EXPECT_TRUE(IsLetterOrDigit(cp)) << std::hex << cp;
  }
  for (int32_t cp : {-1, 0, 1, 0x20, 0x2E, 0x5F, 0x7F, 0xA0, 0x301, 0x2028, 0x1F600, 0xFFFD}) {
    EXPECT_FALSE(IsLetterOrDigit(cp)) << std::hex << cp;
  }
  EXPECT_TRUE(IsSpaceSeparator(' '));
  EXPECT_TRUE(IsSpaceSeparator(0x3000));
  EXPECT_FALSE(IsSpaceSeparator('\t'));
}

}  // namespace
}  // namespace ferry
