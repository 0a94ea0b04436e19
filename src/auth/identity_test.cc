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

}  // namespace
}  // namespace ferry::auth
