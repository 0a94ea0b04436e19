#include "protocol/xml_writer.h"

#include <expat.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/utf8.h"

namespace ferry::protocol {
namespace {

// Parses `doc` with expat, a strict XML 1.0 parser; returns the error, or ""
// when the document is well-formed, with the character data in `text`.
std::string ParseXml(const std::string& doc, std::string* text) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, text);
  XML_SetCharacterDataHandler(p, [](void* data, const XML_Char* s, int len) {
    static_cast<std::string*>(data)->append(s, static_cast<size_t>(len));
  });
  std::string error;
  if (XML_Parse(p, doc.data(), static_cast<int>(doc.size()), 1) == XML_STATUS_ERROR) {
    error = XML_ErrorString(XML_GetErrorCode(p));
  }
  XML_ParserFree(p);
  return error;
}

std::string Document(std::string_view text) {
  XmlWriter w;
  w.Declaration();
  w.Element("Message", text);
  return w.Take();
}

TEST(XmlWriter, TextRoundTripsThroughAStrictParser) {
  const std::string in = "a&b<c>d\"e'f\r\n\tg caf\xC3\xA9 \xF0\x9F\x98\x80 \xEF\xBF\xBD";
  std::string text;
  ASSERT_EQ(ParseXml(Document(in), &text), "");
  EXPECT_EQ(text, in);
}

// What XML 1.0 cannot carry, not even as a character reference, becomes
// U+FFFD: controls other than tab, LF and CR, U+FFFE/U+FFFF, and bytes that
// are not well-formed UTF-8 (an error message may echo any of them).
TEST(XmlWriter, ReplacesWhatXmlCannotCarry) {
  const std::string r(kReplacementCharacter);
  const std::pair<std::string, std::string> cases[] = {
      {std::string("a\0b", 3), "a" + r + "b"},
      {"\x01\x02", r + r},
      {"\x1B[0m", r + "[0m"},
      {"\xEF\xBF\xBE", r},  // U+FFFE
      {"\xEF\xBF\xBF", r},  // U+FFFF
      {"\xFF\xFE", r + r},
      {"\xED\xA0\x80", r + r + r},  // an encoded surrogate
      {"g\xC3", "g" + r},           // truncated
  };
  for (const auto& [in, want] : cases) {
    std::string text;
    ASSERT_EQ(ParseXml(Document(in), &text), "") << in;
    EXPECT_EQ(text, want);
  }
}

// Whatever the bytes, the document is well-formed for a strict parser.
TEST(XmlWriter, AnyBytesMakeAWellFormedDocument) {
  std::mt19937 rng(8);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 48, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string text;
    ASSERT_EQ(ParseXml(Document(s), &text), "") << round;
    ASSERT_TRUE(IsValidSqsText(text));
  }
}

}  // namespace
}  // namespace ferry::protocol
