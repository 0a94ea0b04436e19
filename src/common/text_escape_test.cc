#include "common/text_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string Logfmt(std::string_view s) {
  std::string out;
  AppendLogfmtValue(out, s);
  return out;
}

TEST(TextEscape, JsonEscapesQuotesBackslashesAndLineBreaks) {
  EXPECT_EQ(Json(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(Json("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(Json("\b\f"), R"("\b\f")");
}

TEST(TextEscape, JsonEscapesEveryOtherControlByteAsUnicode) {
  EXPECT_EQ(Json(std::string("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  // A forged log line cannot begin: no raw newline or escape byte survives.
  EXPECT_EQ(Json("x\n{\"level\":\"error\"}\x1b[31m"),
            R"("x\n{\"level\":\"error\"}\u001b[31m")");
}

TEST(TextEscape, JsonKeepsWellFormedUtf8AndReplacesMalformedBytes) {
  EXPECT_EQ(Json("caf\xC3\xA9 \xF0\x9F\x9A\xA2"), "\"caf\xC3\xA9 \xF0\x9F\x9A\xA2\"");
  // A stray continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(Json("a\x80" "b\xC3"), "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(TextEscape, LogfmtLeavesPlainTokensBare) {
  EXPECT_EQ(Logfmt("SendMessage"), "SendMessage");
  EXPECT_EQ(Logfmt("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(Logfmt("a-b_c/d:e"), "a-b_c/d:e");
}

TEST(TextEscape, LogfmtQuotesEmptySpacedAndSeparatorValues) {
  EXPECT_EQ(Logfmt(""), R"("")");
  EXPECT_EQ(Logfmt("two words"), R"("two words")");
  EXPECT_EQ(Logfmt("k=v"), R"("k=v")");
  EXPECT_EQ(Logfmt(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(Logfmt(R"(C:\dir)"), R"("C:\\dir")");
}

TEST(TextEscape, LogfmtEscapesControlBytesAndReplacesMalformedUtf8) {
  EXPECT_EQ(Logfmt("a\nlevel=error"), R"("a\nlevel=error")");
  EXPECT_EQ(Logfmt(std::string("\0\x1b", 2)), R"("\u0000\u001b")");
  EXPECT_EQ(Logfmt("\xFF"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Logfmt("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
}

}  // namespace
}  // namespace ferry
