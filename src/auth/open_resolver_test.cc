#include "auth/open_resolver.h"

#include <gtest/gtest.h>

namespace ferry::auth {
namespace {

TEST(OpenResolver, AnyKeyIsAUserOfTheDefaultAccount) {
  OpenResolver open("000000000000");
  EXPECT_FALSE(open.verifies_signatures());
  auto r = open.Resolve("AKIDANYTHING", "", 0);
  ASSERT_TRUE(r.principal);
  EXPECT_EQ(r.principal->access_key_id, "AKIDANYTHING");
  EXPECT_EQ(r.principal->account_id, "000000000000");
  EXPECT_EQ(r.principal->arn, "arn:aws:iam::000000000000:user/AKIDANYTHING");
  EXPECT_TRUE(r.principal->principal_id.starts_with("AIDA"));
}

TEST(OpenResolver, ATwelveDigitKeyIsThatAccountsRoot) {
  OpenResolver open("000000000000");
  auto r = open.Resolve("111122223333", "any-token", 0);
  ASSERT_TRUE(r.principal);
  EXPECT_EQ(r.principal->account_id, "111122223333");
  EXPECT_EQ(r.principal->principal_id, "111122223333");
  EXPECT_EQ(r.principal->arn, "arn:aws:iam::111122223333:root");
}

}  // namespace
}  // namespace ferry::auth
