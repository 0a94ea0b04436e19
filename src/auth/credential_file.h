// The credentials file of `ferry serve --credentials FILE`: the access keys
// Ferry accepts, the accounts and users they belong to, and the roles STS
// AssumeRole hands out temporary credentials for (docs/security.md, "Accounts,
// credentials file and STS AssumeRole", has a full example).
//
//   [[credentials]]                    one per access key
//   access_key_id = "AKIAALICE0000001"
//   secret_access_key = "..."
//   account_id = "111111111111"
//   name = "alice"                     the IAM user: arn:aws:iam::111111111111:user/alice
//                                      "root": the account's root user, arn:aws:iam::111111111111:root
//   [[roles]]
//   name = "deployer"                  arn:aws:iam::222222222222:role/deployer
//   account_id = "222222222222"
//   trusted_accounts = ["111111111111"]  whose principals may assume it
//   max_session_duration = 7200        seconds, 3600-43200; default 3600
//
// ParseCredentialFile validates all of it (unknown keys, missing or empty
// fields, account ids, names, duplicate keys and roles) and names the file
// and the entry of the first problem. A CredentialStore serves one parsed
// file as an auth::KeyResolver, together with the temporary credentials
// issued for its roles (session_token.h).
//
// Thread-safety: CredentialStore keeps an immutable snapshot behind an
// atomically swapped shared_ptr; Resolve and FindRole read it lock-free from
// any thread, Reload may run concurrently with them (reloads are serialized
// by reload_mu_).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials.h"
#include "auth/session_token.h"
#include "common/status.h"

namespace ferry::auth {

// The name that declares an account's root user.
inline constexpr std::string_view kRootUserName = "root";

struct UserEntry {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string name;  // IAM user name, or kRootUserName
};

struct RoleEntry {
  static constexpr int64_t kDefaultMaxSessionSeconds = 3600;
  static constexpr int64_t kMinMaxSessionSeconds = 3600;
  static constexpr int64_t kMaxMaxSessionSeconds = 43200;
  std::string name;
  std::string account_id;
  std::set<std::string> trusted_accounts;
  bool trusts_every_account = false;  // open mode's roles
  int64_t max_session_seconds = kDefaultMaxSessionSeconds;

  std::string Arn() const { return "arn:aws:iam::" + account_id + ":role/" + name; }
  // AWS's unique id of the role ("AROA…"), derived from its ARN.
  std::string RoleId() const;
  bool Trusts(std::string_view account_id) const {
    return trusts_every_account || trusted_accounts.contains(std::string(account_id));
  }
};

struct CredentialSet {
  std::vector<UserEntry> users;
  std::vector<RoleEntry> roles;
};

// Parses `text` (TOML) as a credentials file named `source` in messages.
Result<CredentialSet> ParseCredentials(std::string_view text, std::string_view source);
// Reads and parses the file at `path`.
Result<CredentialSet> ParseCredentialFile(const std::string& path);

// The principal of a long-term key.
Principal PrincipalOf(const UserEntry& user);
// The principal of temporary credentials of `claims` (an assumed role).
Principal PrincipalOf(const SessionClaims& claims, std::string secret, std::string token);

// What AssumeRole needs to know of roles: the role an ARN names. Open mode
// answers for any well-formed role ARN; a CredentialStore for those in its
// file.
class RoleDirectory {
 public:
  virtual ~RoleDirectory() = default;
  virtual std::optional<RoleEntry> FindRole(std::string_view arn) const = 0;
};

// Any role ARN of the form arn:aws:iam::<12 digits>:role/<name>, trusted by
// every account, with the longest session AWS allows (open mode).
class OpenRoleDirectory final : public RoleDirectory {
 public:
  std::optional<RoleEntry> FindRole(std::string_view arn) const override;
};

// The role an ARN names: its account and name, when it is
// arn:aws:iam::<12 digits>:role/<valid role name>; nullopt otherwise.
std::optional<RoleEntry> ParseRoleArn(std::string_view arn);

// The temporary credentials of `token` presented with `access_key_id` at
// `now_ms`, checked against `roles`: kInvalidClientTokenId for a token not
// sealed by `sealer`, of another key, or of a role `roles` no longer has;
// kExpiredToken past its expiry.
KeyResolver::Resolution ResolveSession(const SessionSealer& sealer, const RoleDirectory& roles,
                                       std::string_view access_key_id, std::string_view token,
                                       int64_t now_ms);

// What a reload changed.
struct ReloadReport {
  std::vector<std::string> keys_added;
  std::vector<std::string> keys_removed;
  std::vector<std::string> roles_added;    // ARNs
  std::vector<std::string> roles_removed;  // ARNs; their sessions stop working
  std::string Summary() const;
};

class CredentialStore final : public KeyResolver, public RoleDirectory {
 public:
  // Reads `path`; fails if it is invalid. `sealer` outlives the store.
  static Result<std::unique_ptr<CredentialStore>> Open(std::string path,
                                                       const SessionSealer& sealer);
  // Reads the file again. On success the new snapshot replaces the old one
  // (requests in flight finish with the old); on failure the old one stays
  // and the Status says why.
  Result<ReloadReport> Reload();

  Resolution Resolve(std::string_view access_key_id, std::string_view session_token,
                     int64_t now_ms) const override;
  std::optional<RoleEntry> FindRole(std::string_view arn) const override;
  const std::string& path() const { return path_; }

 private:
  struct Snapshot {
    std::map<std::string, Principal, std::less<>> keys;       // by access key id
    std::map<std::string, RoleEntry, std::less<>> roles;      // by ARN
  };
  static std::shared_ptr<const Snapshot> MakeSnapshot(const CredentialSet& set);
  CredentialStore(std::string path, const SessionSealer& sealer,
                  std::shared_ptr<const Snapshot> snapshot)
      : path_(std::move(path)), sealer_(sealer), snapshot_(std::move(snapshot)) {}

  const std::string path_;
  const SessionSealer& sealer_;
  std::mutex reload_mu_;  // one reload at a time
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace ferry::auth
