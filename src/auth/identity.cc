#include "auth/identity.h"

#include <algorithm>

#include "common/crypto.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kUserIdPrefix = "AIDA";
constexpr size_t kUniqueIdSuffixLength = 17;
constexpr size_t kMaxUserNameLength = 64;
constexpr size_t kAccountIdLength = 12;

}  // namespace

bool IsUserName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxUserNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("+=,.@_-").find(c) != std::string_view::npos;
         });
}

// The prefix and the first 85 bits of the seed's SHA-256 in base32 (RFC 4648).
std::string UniqueIdOf(std::string_view prefix, std::string_view seed) {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = Sha256(seed);
  std::string id(prefix);
  unsigned bits = 0;
  unsigned buffer = 0;
  for (size_t i = 0; id.size() < prefix.size() + kUniqueIdSuffixLength;) {
    if (bits < 5) {
      buffer = (buffer << 8) | static_cast<unsigned char>(digest[i++]);
      bits += 8;
    }
    bits -= 5;
    id.push_back(kBase32[(buffer >> bits) & 31]);
  }
  return id;
}

bool IsAccountId(std::string_view text) {
  return text.size() == kAccountIdLength &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

CallerIdentity IdentifyCaller(std::string_view access_key, std::string_view default_account_id) {
  CallerIdentity id;
  if (IsAccountId(access_key)) {
    id.account_id = std::string(access_key);
    id.principal_id = id.account_id;
    id.arn = "arn:aws:iam::" + id.account_id + ":root";
    return id;
  }
  // Clients sign request after request with the same key, and the digest
  // costs more than the rest of a SendMessage's decoding: each io thread
  // remembers the last identity it made.
  struct Last {
    std::string access_key;
    CallerIdentity id;
  };
  thread_local Last last;
  if (!last.access_key.empty() && last.access_key == access_key &&
      last.id.account_id == default_account_id) {
    return last.id;
  }
  id.account_id = std::string(default_account_id);
  id.principal_id = UniqueIdOf(kUserIdPrefix, access_key);
  const std::string_view user = IsUserName(access_key) ? access_key : id.principal_id;
  id.arn = "arn:aws:iam::" + id.account_id + ":user/" + std::string(user);
  last = Last{std::string(access_key), id};
  return id;
}

}  // namespace ferry::auth
