#include "auth/credential_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>

#include "auth/identity.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kRoleIdPrefix = "AROA";
constexpr std::string_view kUserIdPrefix = "AIDA";
constexpr std::string_view kInvalidTokenMessage =
    "The security token included in the request is invalid.";
constexpr std::string_view kExpiredTokenMessage =
    "The security token included in the request is expired";
// Larger than any sensible credentials file; a file this large is refused
// before it is parsed.
constexpr size_t kMaxFileBytes = size_t{16} << 20;

// Reads one [[credentials]] or [[roles]] entry, naming it in every error:
// "<file>: [[credentials]] entry 2 (line 7): ...".
class EntryReader {
 public:
  EntryReader(std::string_view source, std::string_view section, size_t index,
              const toml::table& table)
      : where_(std::string(source) + ": [[" + std::string(section) + "]] entry " +
               std::to_string(index + 1) + " (line " +
               std::to_string(table.source().begin.line) + ")"),
        table_(table) {}

  Status Fail(std::string_view what) const {
    return Status::InvalidArgument(where_ + ": " + std::string(what));
  }

  // Every key must be one of `known`.
  Status CheckKeys(std::initializer_list<std::string_view> known) const {
    for (auto&& [key, value] : table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        return Fail("unknown key \"" + std::string(key.str()) + "\"");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Fail("missing \"" + std::string(key) + "\"");
    const auto* text = node->as_string();
    if (text == nullptr) return Fail("\"" + std::string(key) + "\" must be a string");
    if (text->get().empty()) return Fail("\"" + std::string(key) + "\" is empty");
    return text->get();
  }

  Result<std::string> AccountId(std::string_view key) const {
    Result<std::string> id = String(key);
    if (id.ok() && !IsAccountId(*id)) {
      return Fail("\"" + std::string(key) + "\" must be 12 digits, not \"" + *id + "\"");
    }
    return id;
  }

  const toml::table& table() const { return table_; }

 private:
  std::string where_;
  const toml::table& table_;
};

// Access key ids as AWS makes them: 16-128 of A-Z 0-9 (AWS's model allows
// \w; Ferry keeps to the characters real keys use, so a key never needs
// escaping in a log line or an ARN).
bool IsAccessKeyId(std::string_view id) {
  return id.size() >= 16 && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

Result<UserEntry> ReadUser(const EntryReader& entry) {
  FERRY_RETURN_IF_ERROR(
      entry.CheckKeys({"access_key_id", "secret_access_key", "account_id", "name"}));
  UserEntry user;
  for (auto [field, key] : {std::pair{&user.access_key_id, "access_key_id"},
                            std::pair{&user.secret_access_key, "secret_access_key"},
                            std::pair{&user.name, "name"}}) {
    Result<std::string> value = entry.String(key);
    if (!value.ok()) return value.status();
    *field = std::move(*value);
  }
  Result<std::string> account = entry.AccountId("account_id");
  if (!account.ok()) return account.status();
  user.account_id = std::move(*account);
  if (!IsAccessKeyId(user.access_key_id)) {
    return entry.Fail("\"access_key_id\" must be 16-128 of A-Z 0-9");
  }
  if (user.access_key_id.starts_with("ASIA")) {
    return entry.Fail("\"access_key_id\" must not begin with ASIA (temporary credentials' prefix)");
  }
  if (!IsUserName(user.name)) {
    return entry.Fail("\"name\" must be an IAM user name: 1-64 of A-Z a-z 0-9 + = , . @ _ -");
  }
  return user;
}

Result<RoleEntry> ReadRole(const EntryReader& entry) {
  FERRY_RETURN_IF_ERROR(
      entry.CheckKeys({"name", "account_id", "trusted_accounts", "max_session_duration"}));
  RoleEntry role;
  Result<std::string> name = entry.String("name");
  if (!name.ok()) return name.status();
  role.name = std::move(*name);
  if (!IsUserName(role.name)) {
    return entry.Fail("\"name\" must be an IAM role name: 1-64 of A-Z a-z 0-9 + = , . @ _ -");
  }
  Result<std::string> account = entry.AccountId("account_id");
  if (!account.ok()) return account.status();
  role.account_id = std::move(*account);

  const toml::array* trusted = entry.table()["trusted_accounts"].as_array();
  if (!entry.table().contains("trusted_accounts")) return entry.Fail("missing \"trusted_accounts\"");
  if (trusted == nullptr || trusted->empty()) {
    return entry.Fail("\"trusted_accounts\" must be a non-empty list of account ids");
  }
  for (const toml::node& item : *trusted) {
    const auto* id = item.as_string();
    if (id == nullptr || !IsAccountId(id->get())) {
      return entry.Fail("\"trusted_accounts\" must hold account ids of 12 digits");
    }
    role.trusted_accounts.insert(id->get());
  }

  if (const toml::node* max = entry.table().get("max_session_duration")) {
    const auto* seconds = max->as_integer();
    if (seconds == nullptr || seconds->get() < RoleEntry::kMinMaxSessionSeconds ||
        seconds->get() > RoleEntry::kMaxMaxSessionSeconds) {
      return entry.Fail("\"max_session_duration\" must be a number of seconds from 3600 to 43200");
    }
    role.max_session_seconds = seconds->get();
  }
  return role;
}

// The array of tables `section`; empty when absent.
Result<const toml::array*> Section(const toml::table& root, std::string_view section,
                                   std::string_view source) {
  const toml::node* node = root.get(section);
  if (node == nullptr) return static_cast<const toml::array*>(nullptr);
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return Status::InvalidArgument(std::string(source) + ": \"" + std::string(section) +
                                   "\" must be written as [[" + std::string(section) + "]] tables");
  }
  return array;
}

Result<CredentialSet> Validate(const toml::table& root, std::string_view source) {
  for (auto&& [key, value] : root) {
    if (key.str() != "credentials" && key.str() != "roles") {
      return Status::InvalidArgument(std::string(source) + ": unknown key \"" +
                                     std::string(key.str()) +
                                     "\" (expected [[credentials]] and [[roles]])");
    }
  }
  CredentialSet set;
  Result<const toml::array*> users = Section(root, "credentials", source);
  if (!users.ok()) return users.status();
  if (*users == nullptr || (*users)->empty()) {
    return Status::InvalidArgument(std::string(source) + ": no [[credentials]] entry");
  }
  std::set<std::string, std::less<>> keys;
  for (size_t i = 0; i < (*users)->size(); ++i) {
    EntryReader entry(source, "credentials", i, *(**users)[i].as_table());
    Result<UserEntry> user = ReadUser(entry);
    if (!user.ok()) return user.status();
    if (!keys.insert(user->access_key_id).second) {
      return entry.Fail("access key id " + user->access_key_id + " appears twice");
    }
    set.users.push_back(std::move(*user));
  }
  Result<const toml::array*> roles = Section(root, "roles", source);
  if (!roles.ok()) return roles.status();
  std::set<std::string, std::less<>> arns;
  for (size_t i = 0; *roles != nullptr && i < (*roles)->size(); ++i) {
    EntryReader entry(source, "roles", i, *(**roles)[i].as_table());
    Result<RoleEntry> role = ReadRole(entry);
    if (!role.ok()) return role.status();
    if (!arns.insert(role->Arn()).second) return entry.Fail("role " + role->Arn() + " appears twice");
    set.roles.push_back(std::move(*role));
  }
  return set;
}

void Difference(const auto& from, const auto& to, std::vector<std::string>& out) {
  for (const auto& [key, value] : from) {
    if (!to.contains(key)) out.push_back(key);
  }
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string RoleEntry::RoleId() const { return UniqueIdOf(kRoleIdPrefix, Arn()); }

Result<CredentialSet> ParseCredentials(std::string_view text, std::string_view source) {
  // toml++ reports syntax errors by throwing; they stop here.
  try {
    const toml::table root = toml::parse(text, source);
    return Validate(root, source);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " +
                                   std::string(e.description()));
  }
}

Result<CredentialSet> ParseCredentialFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read the credentials file " + path);
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Status::InvalidArgument(path +
                                     ": larger than 16 MiB, too large for a credentials file");
    }
  }
  if (in.bad()) return Status::InvalidArgument("cannot read the credentials file " + path);
  return ParseCredentials(text, path);
}

Principal PrincipalOf(const UserEntry& user) {
  Principal p;
  p.access_key_id = user.access_key_id;
  p.secret_access_key = user.secret_access_key;
  p.account_id = user.account_id;
  if (user.name == kRootUserName) {
    p.principal_id = user.account_id;
    p.arn = "arn:aws:iam::" + user.account_id + ":root";
  } else {
    p.arn = "arn:aws:iam::" + user.account_id + ":user/" + user.name;
    // From the ARN: a user's keys all share its id, as in IAM.
    p.principal_id = UniqueIdOf(kUserIdPrefix, p.arn);
  }
  return p;
}

Principal PrincipalOf(const SessionClaims& claims, std::string secret, std::string token) {
  const std::optional<RoleEntry> role = ParseRoleArn(claims.role_arn);
  Principal p;
  p.access_key_id = claims.access_key_id;
  p.secret_access_key = std::move(secret);
  p.session_token = std::move(token);
  p.expires_ms = claims.expires_ms;
  if (role) {
    p.account_id = role->account_id;
    p.principal_id = role->RoleId() + ":" + claims.session_name;
    p.arn = "arn:aws:sts::" + role->account_id + ":assumed-role/" + role->name + "/" +
            claims.session_name;
  }
  return p;
}

std::optional<RoleEntry> ParseRoleArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  constexpr std::string_view kRole = ":role/";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  arn.remove_prefix(kPrefix.size());
  RoleEntry role;
  role.account_id = std::string(arn.substr(0, 12));
  if (!IsAccountId(role.account_id) || arn.substr(12, kRole.size()) != kRole) return std::nullopt;
  role.name = std::string(arn.substr(12 + kRole.size()));
  if (!IsUserName(role.name)) return std::nullopt;
  return role;
}

std::optional<RoleEntry> OpenRoleDirectory::FindRole(std::string_view arn) const {
  std::optional<RoleEntry> role = ParseRoleArn(arn);
  if (!role) return std::nullopt;
  role->max_session_seconds = RoleEntry::kMaxMaxSessionSeconds;
  role->trusts_every_account = true;
  return role;
}

KeyResolver::Resolution ResolveSession(const SessionSealer& sealer, const RoleDirectory& roles,
                                       std::string_view access_key_id, std::string_view token,
                                       int64_t now_ms) {
  auto refuse = [](AuthError error, std::string_view message) {
    return KeyResolver::Resolution{std::nullopt, AuthFailure{error, std::string(message)}};
  };
  std::optional<SessionClaims> claims = sealer.Open(token);
  if (!claims || claims->access_key_id != access_key_id || !roles.FindRole(claims->role_arn)) {
    return refuse(AuthError::kInvalidClientTokenId, kInvalidTokenMessage);
  }
  if (now_ms >= claims->expires_ms) return refuse(AuthError::kExpiredToken, kExpiredTokenMessage);
  std::string secret = sealer.SecretOf(*claims);
  return KeyResolver::Resolution{PrincipalOf(*claims, std::move(secret), std::string(token)), {}};
}

std::string ReloadReport::Summary() const {
  std::string out;
  auto add = [&out](std::string_view what, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out += (out.empty() ? "" : "; ") + std::string(what) + " " + Joined(items);
  };
  add("keys added:", keys_added);
  add("keys removed:", keys_removed);
  add("roles added:", roles_added);
  add("roles removed:", roles_removed);
  return out.empty() ? "no keys or roles changed" : out;
}

std::shared_ptr<const CredentialStore::Snapshot> CredentialStore::MakeSnapshot(
    const CredentialSet& set) {
  auto snapshot = std::make_shared<Snapshot>();
  for (const UserEntry& user : set.users) snapshot->keys.emplace(user.access_key_id, PrincipalOf(user));
  for (const RoleEntry& role : set.roles) snapshot->roles.emplace(role.Arn(), role);
  return snapshot;
}

Result<std::unique_ptr<CredentialStore>> CredentialStore::Open(std::string path,
                                                               const SessionSealer& sealer) {
  Result<CredentialSet> set = ParseCredentialFile(path);
  if (!set.ok()) return set.status();
  return std::unique_ptr<CredentialStore>(
      new CredentialStore(std::move(path), sealer, MakeSnapshot(*set)));
}

Result<ReloadReport> CredentialStore::Reload() {
  std::lock_guard lock(reload_mu_);
  Result<CredentialSet> set = ParseCredentialFile(path_);
  if (!set.ok()) return set.status();
  std::shared_ptr<const Snapshot> next = MakeSnapshot(*set);
  std::shared_ptr<const Snapshot> previous = snapshot_.exchange(next);
  ReloadReport report;
  Difference(next->keys, previous->keys, report.keys_added);
  Difference(previous->keys, next->keys, report.keys_removed);
  Difference(next->roles, previous->roles, report.roles_added);
  Difference(previous->roles, next->roles, report.roles_removed);
  return report;
}

KeyResolver::Resolution CredentialStore::Resolve(std::string_view access_key_id,
                                                 std::string_view session_token,
                                                 int64_t now_ms) const {
  if (access_key_id.starts_with("ASIA") && !session_token.empty()) {
    return ResolveSession(sealer_, *this, access_key_id, session_token, now_ms);
  }
  std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
  auto it = snapshot->keys.find(access_key_id);
  // A long-term key presented with a session token is refused, as AWS does.
  if (it == snapshot->keys.end() || !session_token.empty()) {
    return Resolution{std::nullopt,
                      AuthFailure{AuthError::kInvalidClientTokenId, std::string(kInvalidTokenMessage)}};
  }
  return Resolution{it->second, {}};
}

std::optional<RoleEntry> CredentialStore::FindRole(std::string_view arn) const {
  std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
  auto it = snapshot->roles.find(arn);
  if (it == snapshot->roles.end()) return std::nullopt;
  return it->second;
}

}  // namespace ferry::auth
