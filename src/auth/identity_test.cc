#include "auth/identity.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::auth {
namespace {

bool IsPrincipalIdCharacter(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }

TEST(CallerIdentity, PrincipalIdIsAStableIamUserIdDerivedFromTheKey) {
  const CallerIdentity a = IdentifyCaller("test", "000000000000");
  EXPECT_EQ(a.principal_id.size(), 21u);
  EXPECT_TRUE(a.principal_id.starts_with("AIDA"));
  for (char c : a.principal_id) EXPECT_TRUE(IsPrincipalIdCharacter(c)) << a.principal_id;
  EXPECT_EQ(IdentifyCaller("test", "000000000000").principal_id, a.principal_id);
  EXPECT_NE(IdentifyCaller("other", "000000000000").principal_id, a.principal_id);
  EXPECT_EQ(a.account_id, "000000000000");
  EXPECT_EQ(a.arn, "arn:aws:iam::000000000000:user/test");
}

// A credential of control characters or bytes that are not UTF-8
// (X-Amz-Credential=%01%02/..., %FF%FE/...) names no one's response text.
TEST(CallerIdentity, KeysThatAreNoUserNameNeverReachTheIdentity) {
  for (std::string key : {std::string("\x01\x02"), std::string("\xFF\xFE"), std::string("a b"),
                          std::string(65, 'k'), std::string("<&>")}) {
    const CallerIdentity id = IdentifyCaller(key, "123456789012");
    for (char c : id.principal_id) EXPECT_TRUE(IsPrincipalIdCharacter(c));
    EXPECT_EQ(id.arn, "arn:aws:iam::123456789012:user/" + id.principal_id);
  }
}

// As LocalStack reads keys: a 12-digit key id is that account, signing as its
// root user (AWS's GetCallerIdentity for root credentials: UserId = account).
TEST(CallerIdentity, ATwelveDigitKeyIsTheRootUserOfThatAccount) {
  const CallerIdentity id = IdentifyCaller("111111111111", "000000000000");
  EXPECT_EQ(id.account_id, "111111111111");
  EXPECT_EQ(id.principal_id, "111111111111");
  EXPECT_EQ(id.arn, "arn:aws:iam::111111111111:root");
  EXPECT_EQ(IdentifyCaller("222222222222", "000000000000").account_id, "222222222222");
}

TEST(CallerIdentity, AnyOtherKeyIsAUserOfTheDefaultAccount) {
  for (std::string key : {"test", "11111111111", "1111111111111", "AKIAIOSFODNN7EXAMPLE",
                          "11111111111a", "+11111111111"}) {
    const CallerIdentity id = IdentifyCaller(key, "000000000000");
    EXPECT_EQ(id.account_id, "000000000000") << key;
    EXPECT_TRUE(id.principal_id.starts_with("AIDA")) << key;
  }
  // The memo of the last identity follows a change of the default account.
  EXPECT_EQ(IdentifyCaller("test", "999999999999").account_id, "999999999999");
  EXPECT_EQ(IdentifyCaller("test", "999999999999").arn, "arn:aws:iam::999999999999:user/test");
}

TEST(CallerIdentity, AnAccountIdIsExactlyTwelveDigits) {
  EXPECT_TRUE(IsAccountId("000000000000"));
  EXPECT_TRUE(IsAccountId("123456789012"));
  EXPECT_FALSE(IsAccountId(""));
  EXPECT_FALSE(IsAccountId("12345678901"));
  EXPECT_FALSE(IsAccountId("1234567890123"));
  EXPECT_FALSE(IsAccountId("12345678901x"));
  EXPECT_FALSE(IsAccountId(std::string("12345678901\0", 12)));
}

}  // namespace
}  // namespace ferry::auth
