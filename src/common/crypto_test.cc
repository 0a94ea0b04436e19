#include "common/crypto.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

TEST(Crypto, Md5HexMatchesRfc1321Vectors) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Crypto, Md5WithPrefixIsTheMd5OfTheWholeText) {
  const Md5WithPrefix head("The quick brown fox ");
  EXPECT_EQ(head.Of("jumps over ", "the lazy dog"), Md5("The quick brown fox jumps over the lazy dog"));
  // The prefix's state is not used up by one text.
  EXPECT_EQ(head.Of("", ""), Md5("The quick brown fox "));
  EXPECT_EQ(head.Of("x", "y"), Md5("The quick brown fox xy"));
}

TEST(Crypto, Sha256HexMatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base64RoundTripsEveryLength) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    auto enc = Base64Encode(s);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
    s.push_back(static_cast<char>(i * 37));
  }
}

TEST(Crypto, Base64RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab!d").has_value());
  EXPECT_FALSE(Base64Decode("a=bc").has_value());
  EXPECT_FALSE(Base64Decode("ab=c").has_value());
}

TEST(Crypto, UuidHasCanonicalShape) {
  auto u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[8], '-');
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(NewUuid(), u);
}

}  // namespace
}  // namespace ferry
