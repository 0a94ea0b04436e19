#include "auth/open_resolver.h"

#include <gtest/gtest.h>

#include "auth/session_token.h"

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

TEST(OpenResolver, ASessionTokenItSealedActsAsTheAssumedRole) {
  SessionSealer sealer(NewSessionKey());
  OpenResolver open("000000000000", &sealer);
  TemporaryCredentials creds =
      sealer.Issue("arn:aws:iam::111122223333:role/deployer", "ci-7", 1'000'000);
  auto r = open.Resolve(creds.claims.access_key_id, creds.session_token, 999'999);
  ASSERT_TRUE(r.principal);
  EXPECT_EQ(r.principal->account_id, "111122223333");
  EXPECT_EQ(r.principal->arn, "arn:aws:sts::111122223333:assumed-role/deployer/ci-7");
  EXPECT_TRUE(r.principal->principal_id.starts_with("AROA"));
  EXPECT_TRUE(r.principal->principal_id.ends_with(":ci-7"));
}

TEST(OpenResolver, AnExpiredSessionIsRefusedWithExpiredToken) {
  SessionSealer sealer(NewSessionKey());
  OpenResolver open("000000000000", &sealer);
  TemporaryCredentials creds =
      sealer.Issue("arn:aws:iam::111122223333:role/deployer", "ci-7", 1'000'000);
  auto r = open.Resolve(creds.claims.access_key_id, creds.session_token, 1'000'000);
  ASSERT_FALSE(r.principal);
  EXPECT_EQ(r.failure.error, AuthError::kExpiredToken);
}

TEST(OpenResolver, ATokenOfAnotherKeyOrServerIsIgnored) {
  SessionSealer sealer(NewSessionKey());
  SessionSealer other(NewSessionKey());
  OpenResolver open("000000000000", &sealer);
  TemporaryCredentials mine =
      sealer.Issue("arn:aws:iam::111122223333:role/deployer", "ci-7", 1'000'000);
  TemporaryCredentials theirs =
      other.Issue("arn:aws:iam::111122223333:role/deployer", "ci-7", 1'000'000);
  // Another key's token, and a token of another server: the key names the caller.
  for (auto [key, token] : {std::pair{std::string("AKIDELSE"), mine.session_token},
                            std::pair{theirs.claims.access_key_id, theirs.session_token}}) {
    auto r = open.Resolve(key, token, 0);
    ASSERT_TRUE(r.principal);
    EXPECT_EQ(r.principal->account_id, "000000000000");
    EXPECT_EQ(r.principal->arn, "arn:aws:iam::000000000000:user/" + key);
  }
}

}  // namespace
}  // namespace ferry::auth
