// A KeyResolver over a fixed table of principals, for tests: an unknown key
// or a token other than the principal's is kInvalidClientTokenId, a
// principal past its expires_ms kExpiredToken, with AWS's texts.
// Not thread-safe while Add is called; Resolve counts its calls.
#pragma once

#include <map>
#include <string>

#include "auth/credentials.h"

namespace ferry::auth {

class StaticResolver final : public KeyResolver {
 public:
  void Add(Principal p) {
    std::string key = p.access_key_id;
    keys_[key] = std::move(p);
  }
  Resolution Resolve(std::string_view access_key_id, std::string_view session_token,
                     int64_t now_ms) const override {
    ++calls;
    Resolution r;
    auto it = keys_.find(std::string(access_key_id));
    if (it == keys_.end() || it->second.session_token != session_token) {
      r.failure = {AuthError::kInvalidClientTokenId,
                   "The security token included in the request is invalid."};
      return r;
    }
    if (it->second.expires_ms != 0 && now_ms >= it->second.expires_ms) {
      r.failure = {AuthError::kExpiredToken, "The security token included in the request is expired"};
      return r;
    }
    r.principal = it->second;
    return r;
  }
  mutable int calls = 0;

 private:
  std::map<std::string, Principal> keys_;
};

// A long-term user of account 123456789012.
inline Principal TestUser(std::string_view key, std::string_view secret) {
  Principal p;
  p.access_key_id = std::string(key);
  p.secret_access_key = std::string(secret);
  p.account_id = "123456789012";
  p.principal_id = "AIDAEXAMPLEUSER000001";
  p.arn = "arn:aws:iam::123456789012:user/alice";
  return p;
}

}  // namespace ferry::auth
