#include "auth/open_resolver.h"

#include "auth/credential_file.h"
#include "auth/identity.h"

namespace ferry::auth {

OpenResolver::OpenResolver(std::string default_account_id, const SessionSealer* sessions)
    : default_account_id_(std::move(default_account_id)), sessions_(sessions) {}

KeyResolver::Resolution OpenResolver::Resolve(std::string_view access_key_id,
                                              std::string_view session_token,
                                              int64_t now_ms) const {
  if (sessions_ && !session_token.empty()) {
    std::optional<SessionClaims> claims = sessions_->Open(session_token);
    if (claims && claims->access_key_id == access_key_id) {
      static const OpenRoleDirectory kEveryRole;
      return ResolveSession(*sessions_, kEveryRole, access_key_id, session_token, now_ms);
    }
  }
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
