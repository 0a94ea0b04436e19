#include "auth/credential_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir_test_util.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kTwoAccounts = R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = "alice-secret"
account_id = "111111111111"
name = "alice"

[[credentials]]
access_key_id = "AKIAROOTB00000000002"
secret_access_key = "b-root-secret"
account_id = "222222222222"
name = "root"

[[roles]]
name = "deployer"
account_id = "222222222222"
trusted_accounts = ["111111111111"]
max_session_duration = 7200
)";

std::string ErrorOf(std::string_view text) {
  Result<CredentialSet> set = ParseCredentials(text, "creds.toml");
  return set.ok() ? std::string("parsed") : set.status().message();
}

void ExpectError(const std::string& text, std::string_view want) {
  const std::string got = ErrorOf(text);
  EXPECT_NE(got.find(want), std::string::npos) << "got: " << got << "\nwant: " << want;
  EXPECT_TRUE(got.starts_with("creds.toml")) << got;
}

// One valid entry, for the tests that break the ones after it.
constexpr std::string_view kAlice = R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = "s"
account_id = "111111111111"
name = "alice"
)";

constexpr int64_t kNow = 1'700'000'000'000;

TEST(CredentialFile, ParsesUsersRootUsersAndRoles) {
  Result<CredentialSet> set = ParseCredentials(kTwoAccounts, "creds.toml");
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_EQ(set->users.size(), 2u);
  ASSERT_EQ(set->roles.size(), 1u);
  const Principal alice = PrincipalOf(set->users[0]);
  EXPECT_EQ(alice.arn, "arn:aws:iam::111111111111:user/alice");
  EXPECT_EQ(alice.account_id, "111111111111");
  EXPECT_TRUE(alice.principal_id.starts_with("AIDA"));
  EXPECT_EQ(alice.principal_id.size(), 21u);
  const Principal root = PrincipalOf(set->users[1]);
  EXPECT_EQ(root.arn, "arn:aws:iam::222222222222:root");
  EXPECT_EQ(root.principal_id, "222222222222");
  const RoleEntry& role = set->roles[0];
  EXPECT_EQ(role.Arn(), "arn:aws:iam::222222222222:role/deployer");
  EXPECT_EQ(role.max_session_seconds, 7200);
  EXPECT_EQ(role.trusted_accounts, std::set<std::string>{"111111111111"});
  EXPECT_TRUE(role.RoleId().starts_with("AROA"));
  EXPECT_TRUE(role.Trusts("111111111111"));
  EXPECT_FALSE(role.Trusts("222222222222"));
}

TEST(CredentialFile, AUsersKeysShareOnePrincipalId) {
  UserEntry a{"AKIAKEYONE0000000001", "s", "111111111111", "alice"};
  UserEntry b{"AKIAKEYTWO0000000002", "t", "111111111111", "alice"};
  UserEntry other{"AKIAKEYTWO0000000002", "t", "111111111111", "bob"};
  EXPECT_EQ(PrincipalOf(a).principal_id, PrincipalOf(b).principal_id);
  EXPECT_NE(PrincipalOf(a).principal_id, PrincipalOf(other).principal_id);
}

TEST(CredentialFile, MaxSessionDurationDefaultsToAnHour) {
  Result<CredentialSet> set = ParseCredentials(std::string(kAlice) + R"(
[[roles]]
name = "r"
account_id = "111111111111"
trusted_accounts = ["111111111111"]
)", "creds.toml");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->roles[0].max_session_seconds, 3600);
}

TEST(CredentialFile, SyntaxErrorsNameTheFileLineAndColumn) {
  ExpectError("[[credentials]\naccess_key_id = 1", "creds.toml:1:");
}

TEST(CredentialFile, AFileWithoutKeysIsRefused) {
  ExpectError("", "no [[credentials]] entry");
}

TEST(CredentialFile, UnknownKeysAreRefused) {
  ExpectError("users = 1", "unknown key \"users\"");
  ExpectError(std::string(kAlice) + R"(
region = "eu-west-1"
)", "[[credentials]] entry 1 (line 2): unknown key \"region\"");
  ExpectError(std::string(kAlice) + R"(
[[roles]]
name = "r"
account_id = "111111111111"
trusted_accounts = ["111111111111"]
trust = "all"
)", "[[roles]] entry 1 (line 8): unknown key \"trust\"");
}

TEST(CredentialFile, MissingAndEmptyFieldsNameTheEntry) {
  ExpectError(std::string(kAlice) + R"(
[[credentials]]
access_key_id = "AKIABOB0000000000002"
account_id = "111111111111"
name = "bob"
)", "[[credentials]] entry 2 (line 8): missing \"secret_access_key\"");
  ExpectError(R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = ""
account_id = "111111111111"
name = "alice"
)", "\"secret_access_key\" is empty");
  ExpectError(R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = 12
account_id = "111111111111"
name = "alice"
)", "\"secret_access_key\" must be a string");
}

TEST(CredentialFile, AccountIdsMustBeTwelveDigits) {
  ExpectError(R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = "s"
account_id = "11111111111"
name = "alice"
)", "\"account_id\" must be 12 digits, not \"11111111111\"");
  ExpectError(std::string(kAlice) + R"(
[[roles]]
name = "r"
account_id = "111111111111"
trusted_accounts = ["1111"]
)", "\"trusted_accounts\" must hold account ids of 12 digits");
}

TEST(CredentialFile, DuplicateAccessKeysAndRolesAreRefused) {
  ExpectError(std::string(kAlice) + R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = "t"
account_id = "222222222222"
name = "bob"
)", "[[credentials]] entry 2 (line 8): access key id AKIAALICE00000000001 appears twice");
  ExpectError(std::string(kAlice) + R"(
[[roles]]
name = "r"
account_id = "111111111111"
trusted_accounts = ["111111111111"]
[[roles]]
name = "r"
account_id = "111111111111"
trusted_accounts = ["222222222222"]
)", "role arn:aws:iam::111111111111:role/r appears twice");
}

TEST(CredentialFile, NamesKeysAndDurationsAreChecked) {
  const std::string head = R"(
[[credentials]]
secret_access_key = "s"
account_id = "111111111111"
)";
  ExpectError(head + "access_key_id = \"AKIA ALICE 000000001\"\nname = \"alice\"",
              "\"access_key_id\" must be 16-128 of A-Z 0-9");
  ExpectError(head + "access_key_id = \"ASIAALICE00000000001\"\nname = \"alice\"",
              "must not begin with ASIA");
  ExpectError(head + "access_key_id = \"AKIAALICE00000000001\"\nname = \"a/b\"",
              "\"name\" must be an IAM user name");
  const std::string user = head + "access_key_id = \"AKIAALICE00000000001\"\nname = \"alice\"\n";
  ExpectError(user + "[[roles]]\nname = \"r\"\naccount_id = \"111111111111\"\n"
                     "trusted_accounts = [\"111111111111\"]\nmax_session_duration = 60\n",
              "\"max_session_duration\" must be a number of seconds from 3600 to 43200");
  ExpectError(user + "[[roles]]\nname = \"r\"\naccount_id = \"111111111111\"\n"
                     "trusted_accounts = []\n",
              "\"trusted_accounts\" must be a non-empty list");
  ExpectError(user + "[[roles]]\nname = \"r\"\naccount_id = \"111111111111\"\n",
              "missing \"trusted_accounts\"");
  ExpectError("roles = 3\n" + user, "\"roles\" must be written as [[roles]] tables");
}

TEST(RoleArn, ParsesOnlyRoleArnsOfAnAccount) {
  std::optional<RoleEntry> role = ParseRoleArn("arn:aws:iam::123456789012:role/app");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->account_id, "123456789012");
  EXPECT_EQ(role->name, "app");
  EXPECT_FALSE(ParseRoleArn("arn:aws:iam::123456789012:user/app"));
  EXPECT_FALSE(ParseRoleArn("arn:aws:iam::12345678901:role/app"));
  EXPECT_FALSE(ParseRoleArn("arn:aws:iam::123456789012:role/"));
  EXPECT_FALSE(ParseRoleArn("arn:aws:iam::1234"));
  EXPECT_FALSE(ParseRoleArn("role/app"));
}

class CredentialStoreTest : public ::testing::Test {
 protected:
  void Write(std::string_view text) { std::ofstream(path_, std::ios::trunc) << text; }
  Result<std::unique_ptr<CredentialStore>> OpenStore() {
    return CredentialStore::Open(path_, sealer_);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("credentials.toml");
  SessionSealer sealer_{NewSessionKey()};
};

TEST_F(CredentialStoreTest, ResolvesKnownKeysAndRefusesOthers) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().message();
  KeyResolver::Resolution alice = (*store)->Resolve("AKIAALICE00000000001", "", kNow);
  ASSERT_TRUE(alice.principal);
  EXPECT_EQ(alice.principal->secret_access_key, "alice-secret");
  EXPECT_EQ(alice.principal->arn, "arn:aws:iam::111111111111:user/alice");
  KeyResolver::Resolution unknown = (*store)->Resolve("AKIANOBODY0000000000", "", kNow);
  ASSERT_FALSE(unknown.principal);
  EXPECT_EQ(unknown.failure.error, AuthError::kInvalidClientTokenId);
  EXPECT_EQ(unknown.failure.message, "The security token included in the request is invalid.");
  // A long-term key with a session token.
  EXPECT_FALSE((*store)->Resolve("AKIAALICE00000000001", "token", kNow).principal);
  EXPECT_TRUE((*store)->verifies_signatures());
}

TEST_F(CredentialStoreTest, AnInvalidFileFailsTheOpenNamingIt) {
  Write("[[credentials]]\nname = \"x\"\n");
  auto store = OpenStore();
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().message().starts_with(path_)) << store.status().message();
  auto missing = CredentialStore::Open(dir_.file("absent.toml"), sealer_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("absent.toml"), std::string::npos);
}

TEST_F(CredentialStoreTest, ReloadSwapsKeysAndReportsTheChange) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  Write(R"(
[[credentials]]
access_key_id = "AKIACAROL00000000003"
secret_access_key = "carol-secret"
account_id = "111111111111"
name = "carol"
[[credentials]]
access_key_id = "AKIAROOTB00000000002"
secret_access_key = "b-root-secret"
account_id = "222222222222"
name = "root"
)");
  Result<ReloadReport> report = (*store)->Reload();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->keys_added, std::vector<std::string>{"AKIACAROL00000000003"});
  EXPECT_EQ(report->keys_removed, std::vector<std::string>{"AKIAALICE00000000001"});
  EXPECT_EQ(report->roles_removed,
            std::vector<std::string>{"arn:aws:iam::222222222222:role/deployer"});
  EXPECT_EQ(report->Summary(),
            "keys added: AKIACAROL00000000003; keys removed: AKIAALICE00000000001; roles removed: "
            "arn:aws:iam::222222222222:role/deployer");
  EXPECT_TRUE((*store)->Resolve("AKIACAROL00000000003", "", kNow).principal);
  EXPECT_FALSE((*store)->Resolve("AKIAALICE00000000001", "", kNow).principal);
  EXPECT_FALSE((*store)->FindRole("arn:aws:iam::222222222222:role/deployer"));
}

TEST_F(CredentialStoreTest, AFailedReloadKeepsTheOldKeys) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  Write("[[credentials]]\naccess_key_id = \"AKIAALICE00000000001\"\n");
  Result<ReloadReport> report = (*store)->Reload();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("missing \"secret_access_key\""), std::string::npos);
  EXPECT_TRUE((*store)->Resolve("AKIAALICE00000000001", "", kNow).principal);
  EXPECT_TRUE((*store)->FindRole("arn:aws:iam::222222222222:role/deployer"));
}

TEST_F(CredentialStoreTest, TemporaryCredentialsResolveToTheAssumedRole) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  TemporaryCredentials creds =
      sealer_.Issue("arn:aws:iam::222222222222:role/deployer", "ci-run", kNow + 3'600'000);
  KeyResolver::Resolution got =
      (*store)->Resolve(creds.claims.access_key_id, creds.session_token, kNow);
  ASSERT_TRUE(got.principal);
  EXPECT_EQ(got.principal->account_id, "222222222222");
  EXPECT_EQ(got.principal->secret_access_key, creds.secret_access_key);
  EXPECT_EQ(got.principal->arn, "arn:aws:sts::222222222222:assumed-role/deployer/ci-run");
  EXPECT_TRUE(got.principal->principal_id.starts_with("AROA"));
  EXPECT_TRUE(got.principal->principal_id.ends_with(":ci-run"));
  EXPECT_EQ(got.principal->session_token, creds.session_token);
  EXPECT_EQ(got.principal->expires_ms, kNow + 3'600'000);
}

TEST_F(CredentialStoreTest, TemporaryCredentialsNeedTheirOwnToken) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  const std::string role = "arn:aws:iam::222222222222:role/deployer";
  TemporaryCredentials a = sealer_.Issue(role, "a", kNow + 1000);
  TemporaryCredentials b = sealer_.Issue(role, "b", kNow + 1000);
  for (auto [key, token] : {std::pair{a.claims.access_key_id, std::string()},
                            std::pair{a.claims.access_key_id, b.session_token},
                            std::pair{a.claims.access_key_id, a.session_token + "A"}}) {
    KeyResolver::Resolution got = (*store)->Resolve(key, token, kNow);
    ASSERT_FALSE(got.principal);
    EXPECT_EQ(got.failure.error, AuthError::kInvalidClientTokenId);
  }
  SessionSealer other(NewSessionKey());
  TemporaryCredentials forged = other.Issue(role, "a", kNow + 1000);
  EXPECT_FALSE((*store)->Resolve(forged.claims.access_key_id, forged.session_token, kNow).principal);
}

TEST_F(CredentialStoreTest, TemporaryCredentialsExpire) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  TemporaryCredentials creds =
      sealer_.Issue("arn:aws:iam::222222222222:role/deployer", "s", kNow + 900'000);
  EXPECT_TRUE(
      (*store)->Resolve(creds.claims.access_key_id, creds.session_token, kNow + 899'999).principal);
  KeyResolver::Resolution late =
      (*store)->Resolve(creds.claims.access_key_id, creds.session_token, kNow + 900'000);
  ASSERT_FALSE(late.principal);
  EXPECT_EQ(late.failure.error, AuthError::kExpiredToken);
  EXPECT_EQ(late.failure.message, "The security token included in the request is expired");
}

TEST_F(CredentialStoreTest, RemovingARoleEndsItsSessions) {
  Write(kTwoAccounts);
  auto store = OpenStore();
  ASSERT_TRUE(store.ok());
  TemporaryCredentials creds =
      sealer_.Issue("arn:aws:iam::222222222222:role/deployer", "s", kNow + 900'000);
  ASSERT_TRUE((*store)->Resolve(creds.claims.access_key_id, creds.session_token, kNow).principal);
  Write(R"(
[[credentials]]
access_key_id = "AKIAALICE00000000001"
secret_access_key = "alice-secret"
account_id = "111111111111"
name = "alice"
)");
  ASSERT_TRUE((*store)->Reload().ok());
  KeyResolver::Resolution got =
      (*store)->Resolve(creds.claims.access_key_id, creds.session_token, kNow);
  ASSERT_FALSE(got.principal);
  EXPECT_EQ(got.failure.error, AuthError::kInvalidClientTokenId);
}

TEST(OpenRoleDirectory, KnowsEveryWellFormedRoleWithTwelveHourSessions) {
  OpenRoleDirectory roles;
  std::optional<RoleEntry> role = roles.FindRole("arn:aws:iam::333333333333:role/anything");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->max_session_seconds, 43200);
  EXPECT_TRUE(role->Trusts("444444444444"));
  EXPECT_FALSE(roles.FindRole("arn:aws:iam::333333333333:user/anything"));
}

}  // namespace
}  // namespace ferry::auth
