#include "engine/receipt_handle.h"

#include <gtest/gtest.h>

namespace ferry::engine {
namespace {

TEST(ReceiptHandleTest, RoundTripsAndIsUrlSafe) {
  ReceiptHandle h{0xfedcba9876543210ull, 123456789012345ull, 0xffffffffu};
  std::string text = EncodeReceiptHandle(h);
  EXPECT_EQ(text.size(), 28u);
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto back = DecodeReceiptHandle(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
}

TEST(ReceiptHandleTest, RejectsWrongLengthAndAlphabet) {
  std::string text = EncodeReceiptHandle({1, 2, 3});
  EXPECT_FALSE(DecodeReceiptHandle(""));
  EXPECT_FALSE(DecodeReceiptHandle(text.substr(1)));
  EXPECT_FALSE(DecodeReceiptHandle(text + "A"));
  std::string bad = text;
  bad[5] = '+';
  EXPECT_FALSE(DecodeReceiptHandle(bad));
  EXPECT_FALSE(DecodeReceiptHandle("not a receipt handle at all!"));
}

TEST(ReceiptHandleTest, RejectsZeroSequenceOrGeneration) {
  EXPECT_FALSE(DecodeReceiptHandle(EncodeReceiptHandle({1, 0, 1})));
  EXPECT_FALSE(DecodeReceiptHandle(EncodeReceiptHandle({1, 1, 0})));
}

TEST(ReceiptHandleTest, RejectsUnknownVersion) {
  std::string text = EncodeReceiptHandle({1, 2, 3});
  text[0] = 'B';  // first six bits of the version byte change
  EXPECT_FALSE(DecodeReceiptHandle(text));
}

}  // namespace
}  // namespace ferry::engine
