#include "auth/session_token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "common/crypto.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kKeyFile = "sts-session.key";
constexpr std::string_view kClaimVersion = "1";
constexpr size_t kMacBytes = 32;
constexpr size_t kSecretLength = 40;  // as AWS's secret access keys
constexpr size_t kAccessKeySuffixLength = 16;
// The MAC of the token and the secret are both HMACs of the claim under one
// key: a label apiece keeps one from ever being the other.
constexpr std::string_view kTokenLabel = "ferry-sts-token\n";
constexpr std::string_view kSecretLabel = "ferry-sts-secret\n";

// version \n access key id \n role ARN \n session name \n expiry. None of the
// fields can hold a newline (AssumeRole validates them before issuing).
std::string Encode(const SessionClaims& c) {
  return std::string(kClaimVersion) + "\n" + c.access_key_id + "\n" + c.role_arn + "\n" +
         c.session_name + "\n" + std::to_string(c.expires_ms);
}

std::optional<SessionClaims> Decode(std::string_view text) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t nl = text.find('\n', start);
    fields.push_back(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  if (fields.size() != 5 || fields[0] != kClaimVersion) return std::nullopt;
  SessionClaims c{std::string(fields[1]), std::string(fields[2]), std::string(fields[3]), 0};
  const std::string_view expiry = fields[4];
  auto [end, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), c.expires_ms);
  if (ec != std::errc() || end != expiry.data() + expiry.size()) return std::nullopt;
  return c;
}

Status Errno(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

// Creates `path` with mode 0600 holding `key`, durably. O_EXCL: two
// servers can never each write their own (the data directory is locked
// anyway); a crash midway leaves a short file, which Load reports.
Status CreateKeyFile(const std::string& dir, const std::string& path, std::string_view key) {
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", path);
  Status st = Status::Ok();
  size_t done = 0;
  while (st.ok() && done < key.size()) {
    ssize_t n = ::write(fd, key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) st = Errno("write", path);
    else done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", path);
  ::close(fd);
  if (!st.ok()) {
    ::unlink(path.c_str());
    return st;
  }
  return SyncDirectory(dir);
}

}  // namespace

TemporaryCredentials SessionSealer::Issue(std::string_view role_arn, std::string_view session_name,
                                          int64_t expires_ms) const {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  unsigned char random[kAccessKeySuffixLength];
  RandomBytes(random, sizeof(random));
  TemporaryCredentials creds;
  creds.claims.access_key_id = "ASIA";
  for (unsigned char b : random) creds.claims.access_key_id.push_back(kBase32[b & 31]);
  creds.claims.role_arn = std::string(role_arn);
  creds.claims.session_name = std::string(session_name);
  creds.claims.expires_ms = expires_ms;
  const std::string claim = Encode(creds.claims);
  creds.session_token = Base64Encode(claim + HmacSha256(key_, std::string(kTokenLabel) + claim));
  creds.secret_access_key = SecretOf(creds.claims);
  return creds;
}

std::optional<SessionClaims> SessionSealer::Open(std::string_view token) const {
  std::optional<std::string> sealed = Base64Decode(token);
  if (!sealed || sealed->size() <= kMacBytes) return std::nullopt;
  const std::string_view claim = std::string_view(*sealed).substr(0, sealed->size() - kMacBytes);
  const std::string_view mac = std::string_view(*sealed).substr(claim.size());
  const std::string want = HmacSha256(key_, std::string(kTokenLabel) + std::string(claim));
  if (CRYPTO_memcmp(want.data(), mac.data(), kMacBytes) != 0) return std::nullopt;
  return Decode(claim);
}

std::string SessionSealer::SecretOf(const SessionClaims& claims) const {
  return Base64Encode(HmacSha256(key_, std::string(kSecretLabel) + Encode(claims)))
      .substr(0, kSecretLength);
}

std::string NewSessionKey() {
  std::string key(SessionSealer::kKeyBytes, '\0');
  RandomBytes(reinterpret_cast<unsigned char*>(key.data()), key.size());
  return key;
}

Result<std::string> LoadOrCreateSessionKey(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kKeyFile);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return Errno("open", path);
    std::string key = NewSessionKey();
    FERRY_RETURN_IF_ERROR(CreateKeyFile(dir, path, key));
    return key;
  }
  std::string key(SessionSealer::kKeyBytes + 1, '\0');
  size_t got = 0;
  for (;;) {
    ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("read", path);
      ::close(fd);
      return st;
    }
    if (n == 0 || (got += static_cast<size_t>(n)) == key.size()) break;
  }
  ::close(fd);
  if (got != SessionSealer::kKeyBytes) {
    return Status::FailedPrecondition(
        path + " is damaged: it must hold " + std::to_string(SessionSealer::kKeyBytes) +
        " bytes; remove it to make a new key (the temporary credentials issued so far then stop "
        "working)");
  }
  key.resize(got);
  return key;
}

}  // namespace ferry::auth
