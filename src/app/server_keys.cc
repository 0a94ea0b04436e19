#include "app/server_keys.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>

#include "auth/session_token.h"

namespace ferry::app {
namespace {

// An exclusive flock on <dir>/keys.lock, held while it lives: concurrent
// starts of nodes sharing the directory load or make the keys one at a time.
class KeysLock {
 public:
  static Result<KeysLock> Acquire(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Unavailable("create directory " + dir + ": " + ec.message());
    const std::string path = dir + "/keys.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("open " + path + ": " + std::strerror(errno));
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      Status st = Status::Unavailable("lock " + path + ": " + std::strerror(errno));
      ::close(fd);
      return st;
    }
    return KeysLock(fd);
  }
  KeysLock(KeysLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  KeysLock& operator=(KeysLock&&) = delete;
  ~KeysLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }

 private:
  explicit KeysLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

Result<ServerKeys> LoadServerKeys(const ServeConfig& config, std::string_view host) {
  if (config.keys_dir.empty() && config.in_memory) {
    auto signing = sns::CreateSigningKey(host);
    if (!signing.ok()) return signing.status();
    return ServerKeys{std::move(*signing), auth::NewSessionKey()};
  }
  // The local engine's data directory is locked by the server already.
  const std::string& dir = config.keys_dir.empty() ? config.data_dir : config.keys_dir;
  std::optional<KeysLock> lock;
  if (!config.keys_dir.empty()) {
    auto locked = KeysLock::Acquire(dir);
    if (!locked.ok()) return locked.status();
    lock.emplace(std::move(*locked));
  }
  auto signing = sns::LoadOrCreateSigningKey(dir, host);
  if (!signing.ok()) {
    return Status(signing.status().code(),
                  "the SNS signing key in " + dir + ": " + signing.status().message());
  }
  auto session = auth::LoadOrCreateSessionKey(dir);
  if (!session.ok()) {
    return Status(session.status().code(),
                  "the STS session key in " + dir + ": " + session.status().message());
  }
  return ServerKeys{std::move(*signing), std::move(*session)};
}

}  // namespace ferry::app
