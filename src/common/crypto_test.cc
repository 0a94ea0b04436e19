#include "common/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

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

TEST(Crypto, HmacSha256IsRfc2104sForEveryKeyLength) {
  // RFC 4231, test case 2.
  const std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(ToHex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Keys shorter than, as long as, and longer than the block agree with OpenSSL's HMAC.
  for (size_t n : {0, 20, 32, 63, 64, 65, 200}) {
    const std::string key(n, static_cast<char>('a' + n % 26));
    std::string want(32, '\0');
    unsigned int len = 32;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>("data"), 4,
         reinterpret_cast<unsigned char*>(want.data()), &len);
    EXPECT_EQ(HmacSha256(key, "data"), want) << n;
  }
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

// Test case 14 of the GCM specification (McGrew and Viega): AES-256, a zero
// key and nonce, one zero block.
TEST(Crypto, AesGcmMatchesTheSpecificationsVector) {
  const std::string key(32, '\0');
  const std::string nonce(12, '\0');
  std::string sealed;
  ASSERT_TRUE(AesGcmSeal(key, nonce, "", std::string(16, '\0'), &sealed));
  EXPECT_EQ(ToHex(reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size()),
            "cea7403d4d606b6e074ec5d3baf39d18"
            "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(Crypto, AesGcmOpensWhatItSealedAndNothingChanged) {
  const std::string key(32, 'k');
  const std::string nonce(12, 'n');
  std::string sealed = "prefix:";
  ASSERT_TRUE(AesGcmSeal(key, nonce, "aad", "the plaintext", &sealed));
  const std::string_view body = std::string_view(sealed).substr(7);
  std::string out;
  ASSERT_TRUE(AesGcmOpen(key, nonce, "aad", body, &out));
  EXPECT_EQ(out, "the plaintext");
  EXPECT_FALSE(AesGcmOpen(key, nonce, "aaD", body, &out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(AesGcmOpen(std::string(32, 'K'), nonce, "aad", body, &out));
  EXPECT_FALSE(AesGcmOpen(key, std::string(12, 'N'), "aad", body, &out));
  std::string flipped(body);
  flipped[0] ^= 1;
  EXPECT_FALSE(AesGcmOpen(key, nonce, "aad", flipped, &out));
  EXPECT_FALSE(AesGcmOpen(key, nonce, "aad", body.substr(0, 15), &out));
  EXPECT_FALSE(AesGcmSeal(std::string(16, 'k'), nonce, "", "x", &sealed));  // not AES-256
}

// A thread's contexts keep the last key's schedule: each result must equal
// what a fresh thread (fresh contexts) computes, whatever came before:
// other nonces, another key, an open, a failed open.
TEST(Crypto, AesGcmResultsDoNotDependOnEarlierCallsOfTheThread) {
  const std::string k1(32, 'a');
  const std::string k2(32, 'b');
  struct Step {
    const std::string* key;
    std::string nonce;
    std::string text;
  };
  const std::vector<Step> steps = {{&k1, std::string(12, '1'), "first"},
                                   {&k1, std::string(12, '2'), "second, same key"},
                                   {&k2, std::string(12, '1'), "another key"},
                                   {&k1, std::string(12, '3'), std::string(1000, 'x')},
                                   {&k1, std::string(12, '3'), ""}};
  auto fresh = [](const Step& step) {
    std::string out;
    std::thread([&] { EXPECT_TRUE(AesGcmSeal(*step.key, step.nonce, "aad", step.text, &out)); })
        .join();
    return out;
  };
  std::string opened;
  for (const Step& step : steps) {
    std::string sealed;
    ASSERT_TRUE(AesGcmSeal(*step.key, step.nonce, "aad", step.text, &sealed));
    EXPECT_EQ(sealed, fresh(step)) << step.text;
    ASSERT_TRUE(AesGcmOpen(*step.key, step.nonce, "aad", sealed, &opened));
    EXPECT_EQ(opened, step.text);
    // A failed open (wrong key, then the right one) leaves the next ones right.
    EXPECT_FALSE(AesGcmOpen(step.key == &k1 ? k2 : k1, step.nonce, "aad", sealed, &opened));
    ASSERT_TRUE(AesGcmOpen(*step.key, step.nonce, "aad", sealed, &opened));
    EXPECT_EQ(opened, step.text);
  }
}

TEST(Crypto, FormatUuidWritesEveryByteInOrder) {
  const unsigned char id[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
  EXPECT_EQ(FormatUuid(id), "01234567-89ab-cdef-fedc-ba9876543210");
}

TEST(Crypto, BufferedRandomBytesDoNotRepeatAcrossRefills) {
  // More than one 4 KiB buffer's worth: ids cut across a refill differ too.
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewUuid()).second);
  unsigned char big[8192] = {};
  BufferedRandomBytes(big, sizeof big);  // larger than the buffer: straight from the generator
  EXPECT_NE(std::string(reinterpret_cast<char*>(big), 4096),
            std::string(reinterpret_cast<char*>(big) + 4096, 4096));
}

}  // namespace
}  // namespace ferry
