// StsService: the one STS action tooling calls before anything else,
// GetCallerIdentity (Terraform's AWS provider, `aws sts get-caller-identity`).
// It reports the caller's identity and account as the gateway read them
// from its credential (auth/identity.h); `account_id`, the server's default
// account, is that of a request that names none. Stateless and thread-safe.
#pragma once

#include <string>

#include "api/call.h"

namespace ferry::sts {

class StsService final : public api::Service {
 public:
  explicit StsService(std::string account_id) : account_id_(std::move(account_id)) {}
  const api::ServiceDescriptor& descriptor() const override { return api::StsDescriptor(); }
  bool Knows(std::string_view action) const override { return action == "GetCallerIdentity"; }
  void Invoke(api::Call call, api::Reply reply) override;

 private:
  std::string account_id_;
};

}  // namespace ferry::sts
