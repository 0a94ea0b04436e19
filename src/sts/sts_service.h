// StsService: the STS actions tooling calls, on the same port as SQS, in
// the Query protocol.
//
// GetCallerIdentity (Terraform's AWS provider, `aws sts get-caller-identity`
// call it before anything else) reports the caller's identity and account
// as the gateway read them from its credential; for temporary credentials,
// the assumed role's session. `account_id`, the server's default account, is
// that of a request that names none.
//
// AssumeRole hands out temporary credentials for a role the RoleDirectory
// knows and whose trust admits the caller's account
// (auth/credential_file.h; auth/session_token.h seals them, so the server
// keeps no state of its own for them).
//
// Thread-safety: stateless apart from what it is given, which is
// thread-safe; any number of threads may call Invoke.
#pragma once

#include <string>

#include "api/call.h"
#include "auth/credential_file.h"
#include "auth/session_token.h"
#include "common/clock.h"

namespace ferry::sts {

struct StsOptions {
  std::string account_id;  // the server's default account
  // Both outlive the service; without them AssumeRole is not offered.
  const auth::RoleDirectory* roles = nullptr;
  const auth::SessionSealer* sealer = nullptr;
  const Clock* clock = nullptr;
};

class StsService final : public api::Service {
 public:
  explicit StsService(StsOptions options) : options_(std::move(options)) {}
  const api::ServiceDescriptor& descriptor() const override { return api::StsDescriptor(); }
  bool Knows(std::string_view action) const override;
  void Invoke(api::Call call, api::Reply reply) override;

 private:
  Result<boost::json::object> GetCallerIdentity(const api::CallContext& ctx) const;
  Result<boost::json::object> AssumeRole(const api::Call& call) const;
  // The caller's account and ARN; the server's default account's anonymous
  // user for a request that names none.
  std::string CallerAccount(const api::CallContext& ctx) const;
  std::string CallerArn(const api::CallContext& ctx) const;

  StsOptions options_;
};

}  // namespace ferry::sts
