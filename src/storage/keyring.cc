#include "storage/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/crypto.h"

namespace ferry::storage {
namespace {

constexpr std::string_view kKeysMagic = "FERRYKEY";
constexpr uint32_t kKeysFormat = 1;
constexpr size_t kKeyEntrySize = 4 + 4 + kAesGcmNonceSize + kAesGcmKeySize + kAesGcmTagSize;
constexpr uint8_t kSealVersion = 1;
constexpr size_t kSealHeaderSize = 1 + 4 + kAesGcmNonceSize;
constexpr std::string_view kMasterKeyHeader =
    "# Ferry master key file: it opens the message bodies sealed in the data directory.\n"
    "# Keep it secret (mode 0600) and keep a copy apart from the data directory's backups.\n"
    "# One line per version, newest last: <version> <64 hex digits>\n";

// A data key as `keys` holds it, wrapped.
struct WrappedKey {
  uint32_t id = 0;
  uint32_t master_version = 0;
  std::string nonce;    // kAesGcmNonceSize bytes
  std::string wrapped;  // ciphertext and tag
};

using MasterKeys = std::map<uint32_t, std::string>;  // version -> 32 bytes

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string WrapAad(uint32_t id, uint32_t master_version) {
  std::string aad = "ferry-data-key";
  PutFixed32(&aad, id);
  PutFixed32(&aad, master_version);
  return aad;
}

Result<WrappedKey> Wrap(uint32_t id, uint32_t master_version, const std::string& master,
                        std::string_view key) {
  WrappedKey w;
  w.id = id;
  w.master_version = master_version;
  w.nonce.resize(kAesGcmNonceSize);
  RandomBytes(reinterpret_cast<unsigned char*>(w.nonce.data()), w.nonce.size());
  if (!AesGcmSeal(master, w.nonce, WrapAad(id, master_version), key, &w.wrapped)) {
    return Status::Internal("cannot wrap a data key (OpenSSL failed)");
  }
  return w;
}

std::optional<std::string> Unwrap(const WrappedKey& w, const std::string& master) {
  std::string key;
  if (!AesGcmOpen(master, w.nonce, WrapAad(w.id, w.master_version), w.wrapped, &key) ||
      key.size() != kAesGcmKeySize) {
    return std::nullopt;
  }
  return key;
}

std::string RandomKey() {
  std::string key(kAesGcmKeySize, '\0');
  RandomBytes(reinterpret_cast<unsigned char*>(key.data()), key.size());
  return key;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The master key file, or nullopt when there is none. Its contents never
// appear in a message.
Result<std::optional<MasterKeys>> ReadMasterKeys(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<MasterKeys>();
    return Status::Unavailable(Errno("cannot read the master key file", path));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::FailedPrecondition("the master key file " + path +
                                      " may be read or written by group or others: make it "
                                      "readable by the server's user only (chmod 600 " +
                                      path + ")");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(Errno("cannot open the master key file", path));
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  const bool read_failed = n < 0;
  ::close(fd);
  if (read_failed) return Status::Unavailable(Errno("cannot read the master key file", path));
  MasterKeys keys;
  std::istringstream lines(text);
  std::string line;
  int line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const auto bad = [&] {
      return Status::FailedPrecondition("the master key file " + path + " is malformed at line " +
                                        std::to_string(line_no) +
                                        " (expected: <version> <64 hex digits>)");
    };
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space > 9) return bad();
    uint64_t version = 0;
    for (size_t i = 0; i < space; ++i) {
      if (line[i] < '0' || line[i] > '9') return bad();
      version = version * 10 + static_cast<uint64_t>(line[i] - '0');
    }
    const std::string_view hex = std::string_view(line).substr(space + 1);
    if (version == 0 || version > UINT32_MAX || hex.size() != 2 * kAesGcmKeySize) return bad();
    std::string key(kAesGcmKeySize, '\0');
    for (size_t i = 0; i < key.size(); ++i) {
      const int hi = HexDigit(hex[2 * i]);
      const int lo = HexDigit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return bad();
      key[i] = static_cast<char>(hi * 16 + lo);
    }
    if (!keys.emplace(static_cast<uint32_t>(version), std::move(key)).second) return bad();
  }
  if (keys.empty()) {
    return Status::FailedPrecondition("the master key file " + path + " holds no key");
  }
  return std::optional<MasterKeys>(std::move(keys));
}

// Writes the master key file whole: a temporary file of mode 0600, synced,
// renamed over it, the directory synced.
Status WriteMasterKeys(const std::string& path, const MasterKeys& keys) {
  std::string text(kMasterKeyHeader);
  for (const auto& [version, key] : keys) {
    text += std::to_string(version) + " " +
            ToHex(reinterpret_cast<const unsigned char*>(key.data()), key.size()) + "\n";
  }
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(Errno("cannot create", tmp));
  size_t done = 0;
  bool ok = ::fchmod(fd, 0600) == 0;  // whatever the umask
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  Status st = ok ? Status::Ok() : Status::Unavailable(Errno("cannot write", tmp));
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::Unavailable(Errno("cannot rename", tmp));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  const std::string dir = DirOf(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dfd >= 0 && ::fsync(dfd) == 0;
  if (dfd >= 0) ::close(dfd);
  return synced ? Status::Ok() : Status::Unavailable(Errno("cannot sync", dir));
}

std::string KeysPath(const std::string& dir) { return dir + "/" + std::string(kKeysFile); }

Result<std::optional<std::vector<WrappedKey>>> ReadKeys(const std::string& dir, FileOps& ops) {
  const std::string path = KeysPath(dir);
  uint64_t size = 0;
  if (ops.FileSize(path, &size) != 0) {
    if (errno == ENOENT) return std::optional<std::vector<WrappedKey>>();
    return Status::Unavailable(Errno("cannot read", path));
  }
  Result<std::string> data = ReadWholeFile(path, ops);
  if (!data.ok()) return data.status();
  const std::string& d = *data;
  const auto damaged = [&] {
    return Status::Internal("the data key file " + path +
                            " is damaged; the bodies it opens cannot be read without it (restore "
                            "it from a backup)");
  };
  if (d.size() < kKeysMagic.size() + 12 || d.compare(0, kKeysMagic.size(), kKeysMagic) != 0 ||
      DecodeFixed32(d.data() + d.size() - 4) !=
          Crc32c(std::string_view(d).substr(0, d.size() - 4))) {
    return damaged();
  }
  if (DecodeFixed32(d.data() + 8) != kKeysFormat) {
    return Status::FailedPrecondition("the data key file " + path +
                                      " was written by a newer Ferry (format " +
                                      std::to_string(DecodeFixed32(d.data() + 8)) + ")");
  }
  const uint32_t count = DecodeFixed32(d.data() + 12);
  if (d.size() != 16 + static_cast<size_t>(count) * kKeyEntrySize + 4) return damaged();
  std::vector<WrappedKey> keys;
  const char* p = d.data() + 16;
  for (uint32_t i = 0; i < count; ++i, p += kKeyEntrySize) {
    WrappedKey w;
    w.id = DecodeFixed32(p);
    w.master_version = DecodeFixed32(p + 4);
    w.nonce.assign(p + 8, kAesGcmNonceSize);
    w.wrapped.assign(p + 8 + kAesGcmNonceSize, kAesGcmKeySize + kAesGcmTagSize);
    keys.push_back(std::move(w));
  }
  return std::optional<std::vector<WrappedKey>>(std::move(keys));
}

Status WriteKeys(const std::string& dir, FileOps& ops, const std::vector<WrappedKey>& keys) {
  std::string d(kKeysMagic);
  PutFixed32(&d, kKeysFormat);
  PutFixed32(&d, static_cast<uint32_t>(keys.size()));
  for (const WrappedKey& w : keys) {
    PutFixed32(&d, w.id);
    PutFixed32(&d, w.master_version);
    d += w.nonce;
    d += w.wrapped;
  }
  PutFixed32(&d, Crc32c(d));
  const std::string path = KeysPath(dir);
  const std::string tmp = path + ".tmp";
  int fd = ops.Create(tmp);
  if (fd < 0) return Status::Unavailable(Errno("cannot create", tmp));
  Status st = PwriteAll(ops, fd, d, 0, tmp);
  if (st.ok() && ops.Fsync(fd) != 0) st = Status::Unavailable(Errno("cannot sync", tmp));
  ops.Close(fd);
  if (st.ok() && ops.Rename(tmp, path) != 0) st = Status::Unavailable(Errno("cannot rename", tmp));
  if (!st.ok()) {
    ops.Unlink(tmp);
    return st;
  }
  return ops.SyncDir(dir) == 0 ? Status::Ok()
                               : Status::Unavailable(Errno("cannot sync the directory", dir));
}

std::string MasterPathOf(const KeyringOptions& o) {
  return o.master_key_file.empty() ? DefaultMasterKeyFile(o.dir) : o.master_key_file;
}

std::string SealAad(uint32_t key_id, uint64_t queue_id, uint64_t seq) {
  std::string aad = "ferry-body";
  aad.push_back(static_cast<char>(kSealVersion));
  PutFixed32(&aad, key_id);
  PutFixed64(&aad, queue_id);
  PutFixed64(&aad, seq);
  return aad;
}

}  // namespace

std::string DefaultMasterKeyFile(const std::string& dir) {
  return dir + "/" + std::string(kDefaultMasterKeyFile);
}

Result<std::unique_ptr<Keyring>> Keyring::Load(const KeyringOptions& options) {
  FileOps& ops = options.file_ops != nullptr ? *options.file_ops : FileOps::Default();
  std::unique_ptr<Keyring> ring(new Keyring());
  ring->options_ = options;
  ring->master_key_file_ = MasterPathOf(options);
  const std::string& master_path = ring->master_key_file_;
  auto stored = ReadKeys(options.dir, ops);
  if (!stored.ok()) return stored.status();
  auto masters = ReadMasterKeys(master_path);
  if (!masters.ok()) return masters.status();
  if (!masters->has_value()) {
    if (stored->has_value()) {
      return Status::FailedPrecondition(
          "the data directory holds sealed message bodies but the master key file " + master_path +
          " is missing: start with the master key file that was used (--master-key-file or "
          "FERRY_MASTER_KEY_FILE)");
    }
    return ring;  // a new store, or one from before encryption: StartSealing makes the key
  }
  ring->masters_ = std::move(**masters);
  ring->master_version_ = ring->masters_.rbegin()->first;
  for (const WrappedKey& w : stored->value_or(std::vector<WrappedKey>())) {
    auto master = ring->masters_.find(w.master_version);
    if (master == ring->masters_.end()) {
      return Status::FailedPrecondition(
          "the master key file " + master_path + " lacks version " +
          std::to_string(w.master_version) + ", which wraps data key " + std::to_string(w.id) +
          " of " + KeysPath(options.dir) + ": start with the master key file that was used");
    }
    std::optional<std::string> key = Unwrap(w, master->second);
    if (!key) {
      return Status::FailedPrecondition(
          "the master key file " + master_path + " does not open data key " + std::to_string(w.id) +
          " of " + KeysPath(options.dir) +
          " (a wrong master key, or a damaged key file): start with the master key file "
          "that was used");
    }
    ring->data_keys_.emplace(w.id, std::move(*key));
  }
  return ring;
}

Status Keyring::StartSealing() {
  FileOps& ops = options_.file_ops != nullptr ? *options_.file_ops : FileOps::Default();
  if (masters_.empty()) {
    MasterKeys fresh{{1, RandomKey()}};
    FERRY_RETURN_IF_ERROR(WriteMasterKeys(master_key_file_, fresh));
    masters_ = std::move(fresh);
    master_version_ = 1;
  }
  // `keys` is written again whole: the keys it holds, as they are, and the new one.
  auto stored = ReadKeys(options_.dir, ops);
  if (!stored.ok()) return stored.status();
  std::vector<WrappedKey> wrapped = stored->value_or(std::vector<WrappedKey>());
  const uint32_t id = data_keys_.empty() ? 1 : data_keys_.rbegin()->first + 1;
  std::string key = RandomKey();
  auto w = Wrap(id, master_version_, masters_.at(master_version_), key);
  if (!w.ok()) return w.status();
  wrapped.push_back(std::move(*w));
  FERRY_RETURN_IF_ERROR(WriteKeys(options_.dir, ops, wrapped));
  data_keys_.emplace(id, key);
  sealing_key_id_ = id;
  sealing_key_ = std::move(key);
  return Status::Ok();
}

Status Keyring::Seal(uint64_t queue_id, uint64_t seq, std::string_view body,
                     std::string* out) const {
  if (sealing_key_id_ == 0) return Status::FailedPrecondition("no data key to seal with");
  // A counter: unique under this key, which no other process ever seals with.
  const uint64_t n = nonces_.fetch_add(1, std::memory_order_relaxed);
  out->clear();
  out->reserve(kSealHeaderSize + body.size() + kAesGcmTagSize);
  out->push_back(static_cast<char>(kSealVersion));
  PutFixed32(out, sealing_key_id_);
  PutFixed32(out, 0);
  PutFixed64(out, n);
  const std::string_view nonce = std::string_view(*out).substr(5, kAesGcmNonceSize);
  const std::string nonce_copy(nonce);  // *out grows below
  if (!AesGcmSeal(sealing_key_, nonce_copy, SealAad(sealing_key_id_, queue_id, seq), body, out)) {
    return Status::Internal("cannot seal a message body (OpenSSL failed)");
  }
  return Status::Ok();
}

Status Keyring::CheckKeyOf(std::string_view sealed) const {
  if (sealed.size() < kSealHeaderSize + kAesGcmTagSize ||
      static_cast<uint8_t>(sealed[0]) != kSealVersion) {
    return Status::Internal("a sealed message body is malformed");
  }
  const uint32_t id = DecodeFixed32(sealed.data() + 1);
  if (!data_keys_.contains(id)) {
    return Status::FailedPrecondition(
        "a message body is sealed with data key " + std::to_string(id) +
        ", which the data key file does not hold (was the keys file replaced or deleted?)");
  }
  return Status::Ok();
}

Status Keyring::Unseal(uint64_t queue_id, uint64_t seq, std::string_view sealed,
                       std::string* out) const {
  Status known = CheckKeyOf(sealed);
  if (!known.ok()) return Status::Internal(known.message());
  const uint32_t id = DecodeFixed32(sealed.data() + 1);
  if (!AesGcmOpen(data_keys_.at(id), sealed.substr(5, kAesGcmNonceSize), SealAad(id, queue_id, seq),
                  sealed.substr(kSealHeaderSize), out)) {
    return Status::Internal("the sealed body of message " + std::to_string(seq) + " of queue " +
                            std::to_string(queue_id) +
                            " does not open: its bytes were changed or it was moved from another "
                            "queue or message");
  }
  return Status::Ok();
}

Status RotateMasterKey(const KeyringOptions& options, std::string* report) {
  FileOps& ops = options.file_ops != nullptr ? *options.file_ops : FileOps::Default();
  const std::string master_path = MasterPathOf(options);
  auto stored = ReadKeys(options.dir, ops);
  if (!stored.ok()) return stored.status();
  auto loaded = ReadMasterKeys(master_path);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) {
    return Status::FailedPrecondition("there is no master key file " + master_path + " to rotate");
  }
  MasterKeys masters = std::move(**loaded);
  std::vector<WrappedKey> wrapped = stored->value_or(std::vector<WrappedKey>());
  // Every data key must open before anything is written.
  std::vector<std::string> keys;
  for (const WrappedKey& w : wrapped) {
    auto master = masters.find(w.master_version);
    std::optional<std::string> key =
        master == masters.end() ? std::nullopt : Unwrap(w, master->second);
    if (!key) {
      return Status::FailedPrecondition("the master key file " + master_path +
                                        " does not open data key " + std::to_string(w.id) +
                                        "; nothing was changed");
    }
    keys.push_back(std::move(*key));
  }
  const uint32_t version = masters.rbegin()->first + 1;
  const std::string fresh = RandomKey();
  // 1. The new version beside the old ones: `keys` still opens.
  masters.emplace(version, fresh);
  FERRY_RETURN_IF_ERROR(WriteMasterKeys(master_path, masters));
  // 2. Every data key rewrapped under it.
  for (size_t i = 0; i < wrapped.size(); ++i) {
    auto w = Wrap(wrapped[i].id, version, fresh, keys[i]);
    if (!w.ok()) return w.status();
    wrapped[i] = std::move(*w);
  }
  if (stored->has_value()) FERRY_RETURN_IF_ERROR(WriteKeys(options.dir, ops, wrapped));
  // 3. Only the new version: the old master key no longer opens anything.
  FERRY_RETURN_IF_ERROR(WriteMasterKeys(master_path, MasterKeys{{version, fresh}}));
  *report = "master key version " + std::to_string(version) + " in " + master_path + "; " +
            std::to_string(wrapped.size()) + " data key(s) rewrapped; older versions removed";
  return Status::Ok();
}

}  // namespace ferry::storage
