#include "message/body.h"

#include <gtest/gtest.h>

namespace ferry::message {
namespace {

TEST(BodyTest, AllowedCharactersPass) {
  for (std::string_view ok : {"plain\ttext\r\n", "caf\xC3\xA9", "\xEE\x80\x80", "\xEF\xBF\xBD",
                              "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", " ~\x7f"}) {
    EXPECT_TRUE(CheckBodyCharacters(ok).ok()) << ok;
  }
}

TEST(BodyTest, OtherCharactersAndBadUtf8AreRefusedWithAwsText) {
  for (std::string_view bad :
       {std::string_view("\x00", 1), std::string_view("a\x01"), std::string_view("\x1f"),
        std::string_view("\xEF\xBF\xBE"), std::string_view("\xEF\xBF\xBF"),
        std::string_view("\xED\xA0\x80"), std::string_view("\xC3"), std::string_view("\xFF")}) {
    Status s = CheckBodyCharacters(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_EQ(s.message(),
              "Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
              "#xE000 to #xFFFD | #x10000 to #x10FFFF");
  }
}

TEST(BodyTest, SizeCountsBodyAndEveryAttributesNameTypeAndValue) {
  std::vector<MessageAttribute> attrs = {{"ab", "String", false, "xyz"},
                                         {"c", "Binary", true, std::string("\0\1", 2)}};
  EXPECT_EQ(MessageSize("body", attrs), 4u + 2 + 6 + 3 + 1 + 6 + 2);
  EXPECT_EQ(MessageSize("", {}), 0u);
}

}  // namespace
}  // namespace ferry::message
