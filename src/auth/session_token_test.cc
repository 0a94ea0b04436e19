#include "auth/session_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/crypto.h"
#include "common/temp_dir_test_util.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kRole = "arn:aws:iam::222222222222:role/deployer";

TEST(SessionSealer, IssuedCredentialsOpenToTheirClaims) {
  SessionSealer sealer(NewSessionKey());
  TemporaryCredentials creds = sealer.Issue(kRole, "build-42", 1'000'000);
  EXPECT_TRUE(creds.claims.access_key_id.starts_with("ASIA"));
  EXPECT_EQ(creds.claims.access_key_id.size(), 20u);
  EXPECT_EQ(creds.secret_access_key.size(), 40u);
  std::optional<SessionClaims> claims = sealer.Open(creds.session_token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->access_key_id, creds.claims.access_key_id);
  EXPECT_EQ(claims->role_arn, kRole);
  EXPECT_EQ(claims->session_name, "build-42");
  EXPECT_EQ(claims->expires_ms, 1'000'000);
  EXPECT_EQ(sealer.SecretOf(*claims), creds.secret_access_key);
}

TEST(SessionSealer, EachIssueHasItsOwnKeyAndSecret) {
  SessionSealer sealer(NewSessionKey());
  TemporaryCredentials a = sealer.Issue(kRole, "s", 1);
  TemporaryCredentials b = sealer.Issue(kRole, "s", 1);
  EXPECT_NE(a.claims.access_key_id, b.claims.access_key_id);
  EXPECT_NE(a.secret_access_key, b.secret_access_key);
  EXPECT_NE(a.session_token, b.session_token);
}

TEST(SessionSealer, AnyChangedByteOfATokenIsRefused) {
  SessionSealer sealer(NewSessionKey());
  TemporaryCredentials creds = sealer.Issue(kRole, "session", 5000);
  std::string sealed = *Base64Decode(creds.session_token);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(sealer.Open(Base64Encode(tampered))) << "byte " << i;
  }
  EXPECT_FALSE(sealer.Open(Base64Encode(sealed.substr(0, sealed.size() - 1))));
  EXPECT_FALSE(sealer.Open("not base64 !"));
  EXPECT_FALSE(sealer.Open(""));
}

TEST(SessionSealer, AnotherKeysTokensAreRefused) {
  SessionSealer mine(NewSessionKey());
  SessionSealer theirs(NewSessionKey());
  EXPECT_FALSE(mine.Open(theirs.Issue(kRole, "session", 5000).session_token));
}

TEST(SessionKey, IsMadeOnceWithMode0600AndKeptAcrossLoads) {
  testing::TempDir dir;
  Result<std::string> first = LoadOrCreateSessionKey(dir.path());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->size(), SessionSealer::kKeyBytes);
  struct stat st;
  ASSERT_EQ(::stat(dir.file("sts-session.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<std::string> again = LoadOrCreateSessionKey(dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  // So a token issued before a restart still opens after it.
  std::string token = SessionSealer(*first).Issue(kRole, "s", 1).session_token;
  EXPECT_TRUE(SessionSealer(*again).Open(token));
}

TEST(SessionKey, AKeyFileOfTheWrongSizeIsReportedNotReplaced) {
  testing::TempDir dir;
  std::ofstream(dir.file("sts-session.key")) << "short";
  Result<std::string> key = LoadOrCreateSessionKey(dir.path());
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("sts-session.key is damaged"), std::string::npos);
  std::ifstream in(dir.file("sts-session.key"));
  std::string kept;
  in >> kept;
  EXPECT_EQ(kept, "short");
}

}  // namespace
}  // namespace ferry::auth
