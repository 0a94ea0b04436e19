#include "protocol/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "common/utf8.h"

namespace ferry::protocol {
namespace {

namespace json = boost::json;

// Every ASCII byte, at every offset of the sixteen- and eight-byte scans,
// comes out as Boost writes it; so does every well-formed character of one
// to four bytes.
TEST(JsonWriter, WritesEveryByteOfAStringAsBoostDoes) {
  for (int b = 0; b < 0x80; ++b) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s(40, 'x');
      s[at] = static_cast<char>(b);
      json::value v(s);
      EXPECT_EQ(SerializeJson({{"k", v}}), json::serialize(json::object{{"k", v}}))
          << b << " at " << at;
    }
  }
  for (std::string c : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBF\xBF"}) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s(40, 'x');
      s.replace(at, 1, c);
      json::value v(s);
      EXPECT_EQ(SerializeJson({{"k", v}}), json::serialize(json::object{{"k", v}})) << at;
    }
  }
}

// JSON text must be UTF-8 (RFC 8259), and strict decoders refuse anything
// else: each byte that is not part of a well-formed sequence becomes U+FFFD,
// at every offset of the scans.
TEST(JsonWriter, ReplacesBytesThatAreNotUtf8) {
  const std::string r(kReplacementCharacter);
  const std::pair<std::string, std::string> cases[] = {
      {"\xFF", r},
      {"\xFF\xFE", r + r},
      {"\xC3", r},                          // truncated
      {"\xC0\xAF", r + r},                  // overlong '/'
      {"\xED\xA0\x80", r + r + r},          // a UTF-16 surrogate, UTF-8 encoded
      {"\xF4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\x80", r},                          // stray continuation byte
      {"\xE2\x82", r + r},                  // truncated by the end of the string
  };
  for (const auto& [in, want] : cases) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s = std::string(at, 'x') + in;
      EXPECT_EQ(SerializeJson({{"k", json::value(s)}}),
                "{\"k\":\"" + std::string(at, 'x') + want + "\"}")
          << at;
    }
  }
}

// Whatever bytes the strings hold, the text parses as strict JSON, keys too.
TEST(JsonWriter, AnyBytesMakeValidJson) {
  std::mt19937 rng(8);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 48, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const std::string text = SerializeJson({{s, json::value(s)}});
    ASSERT_TRUE(IsValidUtf8(text)) << round;
    boost::system::error_code ec;
    json::parse(text, ec);
    ASSERT_FALSE(ec) << round << ": " << ec.message();
  }
}

TEST(JsonWriter, WritesNestedValuesAsBoostDoes) {
  json::object o{
      {"Messages", json::array{json::object{{"Body", "a\"b\\c\r\n\t\x01\x7f caf\xC3\xA9"},
                                            {"n", -42},
                                            {"u", UINT64_MAX},
                                            {"min", INT64_MIN},
                                            {"d", 1.5},
                                            {"t", true},
                                            {"f", false},
                                            {"z", nullptr}},
                               json::array{}, json::object{}, ""}},
      {"Failed", json::array{}},
      {"key \"quoted\"\n", 0},
  };
  EXPECT_EQ(SerializeJson(o), json::serialize(o));
  std::string out = "prefix";
  AppendJson(json::value(o), &out);
  EXPECT_EQ(out, "prefix" + json::serialize(o));
}

}  // namespace
}  // namespace ferry::protocol
