#include "sts/sts_service.h"

#include <algorithm>
#include <ctime>

#include "api/errors.h"
#include "api/params.h"

namespace ferry::sts {
namespace {

constexpr int64_t kMinDurationSeconds = 900;
constexpr int64_t kMaxDurationSeconds = 43200;
constexpr int64_t kDefaultDurationSeconds = 3600;
// A session assumed with temporary credentials of another role ("role
// chaining") lasts an hour at most, as in AWS.
constexpr int64_t kChainedMaxSeconds = 3600;
constexpr size_t kMinSessionName = 2;
constexpr size_t kMaxSessionName = 64;
constexpr size_t kMinArn = 20;
constexpr size_t kMaxArn = 2048;

// "1 validation error detected: Value '<v>' at '<member>' failed to satisfy
// constraint: Member must <rule>", AWS's text for a constraint of the model.
Status ConstraintError(std::string_view member, std::string_view value, std::string_view rule) {
  return api::Error(api::ErrorId::kStsValidationError,
                    "1 validation error detected: Value '" + std::string(value) + "' at '" +
                        std::string(member) + "' failed to satisfy constraint: Member must " +
                        std::string(rule));
}

Status NullError(std::string_view member) {
  return api::Error(api::ErrorId::kStsValidationError,
                    "1 validation error detected: Value null at '" + std::string(member) +
                        "' failed to satisfy constraint: Member must not be null");
}

bool IsSessionNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}

// ISO 8601 in UTC to the second, as STS writes Expiration.
std::string FormatExpiration(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

bool StsService::Knows(std::string_view action) const {
  return action == "GetCallerIdentity" || (action == "AssumeRole" && options_.roles != nullptr);
}

void StsService::Invoke(api::Call call, api::Reply reply) {
  if (call.action == "AssumeRole" && options_.roles != nullptr) {
    reply(AssumeRole(call));
    return;
  }
  reply(GetCallerIdentity(call.ctx));
}

std::string StsService::CallerAccount(const api::CallContext& ctx) const {
  return ctx.account_id.empty() ? options_.account_id : ctx.account_id;
}

std::string StsService::CallerArn(const api::CallContext& ctx) const {
  return ctx.principal_arn.empty() ? "arn:aws:iam::" + CallerAccount(ctx) + ":user/anonymous"
                                   : ctx.principal_arn;
}

Result<boost::json::object> StsService::GetCallerIdentity(const api::CallContext& ctx) const {
  // The caller as the gateway identified it; the same principal id is the
  // SenderId of the messages it sends.
  return boost::json::object{
      {"UserId", ctx.PrincipalId()},
      {"Account", CallerAccount(ctx)},
      {"Arn", CallerArn(ctx)},
  };
}

Result<boost::json::object> StsService::AssumeRole(const api::Call& call) const {
  const api::Params params(call.params, call.ctx.wire);
  Result<std::optional<std::string>> role_arn = params.OptionalString("RoleArn");
  if (!role_arn.ok()) return role_arn.status();
  if (!*role_arn) return NullError("roleArn");
  const std::string& arn = **role_arn;
  if (arn.size() < kMinArn) {
    return ConstraintError("roleArn", arn, "have length greater than or equal to 20");
  }
  if (arn.size() > kMaxArn) {
    return ConstraintError("roleArn", arn, "have length less than or equal to 2048");
  }

  Result<std::optional<std::string>> session = params.OptionalString("RoleSessionName");
  if (!session.ok()) return session.status();
  if (!*session) return NullError("roleSessionName");
  const std::string& name = **session;
  if (name.size() < kMinSessionName) {
    return ConstraintError("roleSessionName", name, "have length greater than or equal to 2");
  }
  if (name.size() > kMaxSessionName) {
    return ConstraintError("roleSessionName", name, "have length less than or equal to 64");
  }
  if (!std::all_of(name.begin(), name.end(), IsSessionNameCharacter)) {
    return ConstraintError("roleSessionName", name,
                           "satisfy regular expression pattern: [\\w+=,.@-]*");
  }

  Result<std::optional<int64_t>> duration = params.OptionalInt("DurationSeconds");
  if (!duration.ok()) return duration.status();
  const int64_t seconds = duration->value_or(kDefaultDurationSeconds);
  if (seconds < kMinDurationSeconds) {
    return ConstraintError("durationSeconds", std::to_string(seconds),
                           "have value greater than or equal to 900");
  }
  if (seconds > kMaxDurationSeconds) {
    return ConstraintError("durationSeconds", std::to_string(seconds),
                           "have value less than or equal to 43200");
  }

  // A role that does not exist is refused as one the caller may not assume,
  // as AWS does: the answer does not tell which roles exist.
  const std::string caller = CallerArn(call.ctx);
  const std::optional<auth::RoleEntry> role = options_.roles->FindRole(arn);
  if (!role || !role->Trusts(CallerAccount(call.ctx))) {
    return api::Error(api::ErrorId::kAccessDenied,
                      "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + arn);
  }
  if (seconds > role->max_session_seconds) {
    return api::Error(api::ErrorId::kStsValidationError,
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  if (seconds > kChainedMaxSeconds && caller.find(":assumed-role/") != std::string::npos) {
    return api::Error(api::ErrorId::kStsValidationError,
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining.");
  }

  const int64_t expires_ms = options_.clock->NowMs() + seconds * 1000;
  const auth::TemporaryCredentials creds = options_.sealer->Issue(arn, name, expires_ms);
  const auth::Principal assumed = auth::PrincipalOf(creds.claims, "", "");
  return boost::json::object{
      {"Credentials",
       boost::json::object{
           {"AccessKeyId", creds.claims.access_key_id},
           {"SecretAccessKey", creds.secret_access_key},
           {"SessionToken", creds.session_token},
           {"Expiration", FormatExpiration(expires_ms)},
       }},
      {"AssumedRoleUser",
       boost::json::object{
           {"AssumedRoleId", assumed.principal_id},
           {"Arn", assumed.arn},
       }},
  };
}

}  // namespace ferry::sts
