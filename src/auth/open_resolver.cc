#include "auth/open_resolver.h"

#include "auth/identity.h"

namespace ferry::auth {

OpenResolver::OpenResolver(std::string default_account_id)
    : default_account_id_(std::move(default_account_id)) {}

KeyResolver::Resolution OpenResolver::Resolve(std::string_view access_key_id,
                                              std::string_view /*session_token*/,
                                              int64_t /*now_ms*/) const {
  Resolution r;
  CallerIdentity id = IdentifyCaller(access_key_id, default_account_id_);
  Principal p;
  p.access_key_id = std::string(access_key_id);
  p.account_id = std::move(id.account_id);
  p.principal_id = std::move(id.principal_id);
  p.arn = std::move(id.arn);
  r.principal = std::move(p);
  return r;
}

}  // namespace ferry::auth
