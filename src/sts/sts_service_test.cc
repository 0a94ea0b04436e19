#include "sts/sts_service.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace ferry::sts {
namespace {

constexpr std::string_view kRoleArn = "arn:aws:iam::222222222222:role/deployer";

// One role of account 2, trusted by account 1, sessions up to two hours.
class FixedRoles final : public auth::RoleDirectory {
 public:
  std::optional<auth::RoleEntry> FindRole(std::string_view arn) const override {
    if (arn != kRoleArn) return std::nullopt;
    auth::RoleEntry role;
    role.name = "deployer";
    role.account_id = "222222222222";
    role.trusted_accounts = {"111111111111"};
    role.max_session_seconds = 7200;
    return role;
  }
};

class StsServiceTest : public ::testing::Test {
 protected:
  Result<boost::json::object> Call(std::string action, boost::json::object params,
                                    std::string account = "111111111111",
                                    std::string arn = "arn:aws:iam::111111111111:user/alice") {
    api::Call call;
    call.action = std::move(action);
    call.params = std::move(params);
    call.ctx.wire = api::Wire::kQuery;
    call.ctx.account_id = std::move(account);
    call.ctx.principal_arn = std::move(arn);
    Result<boost::json::object> got = Status::Internal("no reply");
    sts_.Invoke(std::move(call), [&](Result<boost::json::object> r) { got = std::move(r); });
    return got;
  }

  // The AWS error code and message of a failed call.
  static std::pair<std::string, std::string> ErrorOf(const Result<boost::json::object>& r) {
    if (r.ok()) return {"ok", ""};
    return {std::string(api::ErrorFor(r.status()).code), r.status().message()};
  }

  FakeClock clock_{1'700'000'000'000};  // 2023-11-14T22:13:20Z
  FixedRoles roles_;
  auth::SessionSealer sealer_{auth::NewSessionKey()};
  StsService sts_{StsOptions{.account_id = "000000000000",
                             .roles = &roles_,
                             .sealer = &sealer_,
                             .clock = &clock_}};
};

TEST_F(StsServiceTest, GetCallerIdentityNamesTheAccountAndCaller) {
  api::Call call;
  call.action = "GetCallerIdentity";
  call.ctx.account_id = "111111111111";
  call.ctx.principal_id = "AIDAEXAMPLEPRINCIPAL1";
  call.ctx.principal_arn = "arn:aws:iam::111111111111:user/alice";
  boost::json::object got;
  sts_.Invoke(call, [&](Result<boost::json::object> r) { got = *r; });
  EXPECT_EQ(got.at("Account"), "111111111111");
  EXPECT_EQ(got.at("UserId"), "AIDAEXAMPLEPRINCIPAL1");
  EXPECT_EQ(got.at("Arn"), "arn:aws:iam::111111111111:user/alice");
  EXPECT_TRUE(sts_.Knows("GetCallerIdentity"));
  EXPECT_TRUE(sts_.Knows("AssumeRole"));
}

TEST_F(StsServiceTest, GetCallerIdentityOfAnUnsignedRequestIsTheDefaultAccount) {
  api::Call call;
  call.action = "GetCallerIdentity";
  boost::json::object got;
  sts_.Invoke(call, [&](Result<boost::json::object> r) { got = *r; });
  EXPECT_EQ(got.at("Account"), "000000000000");
  EXPECT_EQ(got.at("Arn"), "arn:aws:iam::000000000000:user/anonymous");
}

TEST_F(StsServiceTest, AssumeRoleIssuesCredentialsTheSealerOpens) {
  Result<boost::json::object> got = Call(
      "AssumeRole", {{"RoleArn", kRoleArn}, {"RoleSessionName", "ci-run"}, {"DurationSeconds", "1800"}});
  ASSERT_TRUE(got.ok()) << got.status().message();
  const auto& creds = got->at("Credentials").as_object();
  const std::string key(creds.at("AccessKeyId").as_string());
  const std::string token(creds.at("SessionToken").as_string());
  EXPECT_TRUE(key.starts_with("ASIA"));
  EXPECT_EQ(creds.at("Expiration"), "2023-11-14T22:43:20Z");
  std::optional<auth::SessionClaims> claims = sealer_.Open(token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->access_key_id, key);
  EXPECT_EQ(claims->role_arn, kRoleArn);
  EXPECT_EQ(claims->session_name, "ci-run");
  EXPECT_EQ(claims->expires_ms, clock_.NowMs() + 1'800'000);
  EXPECT_EQ(creds.at("SecretAccessKey").as_string(), sealer_.SecretOf(*claims));
  const auto& user = got->at("AssumedRoleUser").as_object();
  EXPECT_EQ(user.at("Arn"), "arn:aws:sts::222222222222:assumed-role/deployer/ci-run");
  const std::string id(user.at("AssumedRoleId").as_string());
  EXPECT_TRUE(id.starts_with("AROA")) << id;
  EXPECT_TRUE(id.ends_with(":ci-run")) << id;
}

TEST_F(StsServiceTest, AssumeRoleLastsAnHourByDefault) {
  Result<boost::json::object> got =
      Call("AssumeRole", {{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("Credentials").as_object().at("Expiration"), "2023-11-14T23:13:20Z");
}

TEST_F(StsServiceTest, AnUntrustedAccountIsDenied) {
  auto [code, message] = ErrorOf(Call("AssumeRole", {{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}},
                                      "333333333333", "arn:aws:iam::333333333333:user/mallory"));
  EXPECT_EQ(code, "AccessDenied");
  EXPECT_EQ(message,
            "User: arn:aws:iam::333333333333:user/mallory is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::222222222222:role/deployer");
}

TEST_F(StsServiceTest, ARoleThatDoesNotExistIsDeniedAlike) {
  auto [code, message] = ErrorOf(Call(
      "AssumeRole", {{"RoleArn", "arn:aws:iam::222222222222:role/nope"}, {"RoleSessionName", "s1"}}));
  EXPECT_EQ(code, "AccessDenied");
  EXPECT_EQ(message,
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::222222222222:role/nope");
}

TEST_F(StsServiceTest, BadParametersAreValidationErrorsWithAwsTexts) {
  struct Case {
    boost::json::object params;
    std::string message;
  };
  const std::string prefix = "1 validation error detected: Value ";
  std::vector<Case> cases = {
      {{{"RoleSessionName", "s1"}},
       prefix + "null at 'roleArn' failed to satisfy constraint: Member must not be null"},
      {{{"RoleArn", kRoleArn}},
       prefix + "null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
      {{{"RoleArn", "arn:aws:iam::1"}, {"RoleSessionName", "s1"}},
       prefix + "'arn:aws:iam::1' at 'roleArn' failed to satisfy constraint: Member must have "
                "length greater than or equal to 20"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", "s"}},
       prefix + "'s' at 'roleSessionName' failed to satisfy constraint: Member must have length "
                "greater than or equal to 2"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", std::string(65, 'a')}},
       prefix + "'" + std::string(65, 'a') +
           "' at 'roleSessionName' failed to satisfy constraint: Member must have length less "
           "than or equal to 64"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", "has space"}},
       prefix + "'has space' at 'roleSessionName' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [\\w+=,.@-]*"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"DurationSeconds", "899"}},
       prefix + "'899' at 'durationSeconds' failed to satisfy constraint: Member must have value "
                "greater than or equal to 900"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"DurationSeconds", "43201"}},
       prefix + "'43201' at 'durationSeconds' failed to satisfy constraint: Member must have "
                "value less than or equal to 43200"},
      {{{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"DurationSeconds", "7201"}},
       "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
  };
  for (Case& c : cases) {
    auto [code, message] = ErrorOf(Call("AssumeRole", c.params));
    EXPECT_EQ(code, "ValidationError") << c.message;
    EXPECT_EQ(message, c.message);
  }
}

TEST_F(StsServiceTest, RoleChainingLastsAnHourAtMost) {
  const std::string session = "arn:aws:sts::111111111111:assumed-role/builder/s";
  auto [code, message] =
      ErrorOf(Call("AssumeRole",
                   {{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"DurationSeconds", "3601"}},
                   "111111111111", session));
  EXPECT_EQ(code, "ValidationError");
  EXPECT_EQ(message,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
            "role chaining.");
  EXPECT_TRUE(Call("AssumeRole",
                   {{"RoleArn", kRoleArn}, {"RoleSessionName", "s1"}, {"DurationSeconds", "3600"}},
                   "111111111111", session)
                  .ok());
}

TEST(StsServiceOpenMode, AssumesAnyRoleOfAnyAccount) {
  FakeClock clock;
  auth::OpenRoleDirectory roles;
  auth::SessionSealer sealer(auth::NewSessionKey());
  StsService sts(StsOptions{
      .account_id = "000000000000", .roles = &roles, .sealer = &sealer, .clock = &clock});
  api::Call call;
  call.action = "AssumeRole";
  call.ctx.wire = api::Wire::kQuery;
  call.params = {{"RoleArn", "arn:aws:iam::444444444444:role/any"},
                 {"RoleSessionName", "s1"},
                 {"DurationSeconds", "43200"}};
  Result<boost::json::object> got = Status::Internal("no reply");
  sts.Invoke(call, [&](Result<boost::json::object> r) { got = std::move(r); });
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->at("AssumedRoleUser").as_object().at("Arn"),
            "arn:aws:sts::444444444444:assumed-role/any/s1");
}

}  // namespace
}  // namespace ferry::sts
