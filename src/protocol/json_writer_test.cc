#include "protocol/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace ferry::protocol {
namespace {

namespace json = boost::json;

// Every byte value, at every offset of the word-at-a-time scan, comes out as
// Boost writes it.
TEST(JsonWriter, WritesEveryByteOfAStringAsBoostDoes) {
  for (int b = 0; b < 256; ++b) {
    for (size_t at = 0; at < 40; ++at) {
      std::string s(40, 'x');
      s[at] = static_cast<char>(b);
      json::value v(s);
      EXPECT_EQ(SerializeJson({{"k", v}}), json::serialize(json::object{{"k", v}}))
          << b << " at " << at;
    }
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
