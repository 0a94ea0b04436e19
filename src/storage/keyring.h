// Keyring: the keys that seal message bodies at rest, and the sealing
// itself (docs/security.md "Encryption at rest", docs/wal_format.md "Sealed
// bodies").
//
// Two files:
//   - the master key file (ServeConfig::master_key_file; <dir>/master.key by
//     default), mode 0600, one line per master key version, newest last:
//         # comment lines
//         <version> <64 hex digits>
//     Created with one version when neither it nor `keys` exists. A file
//     that group or others may read is refused, as ssh refuses such a key.
//   - `<dir>/keys`, the data keys, each wrapped by a master key version:
//         "FERRYKEY" | format u32 = 1 | count u32 |
//         count x (data key id u32 | master version u32 | nonce 12 | wrapped 32 | tag 16) |
//         crc32c u32 of all the bytes before
//     A key is wrapped with AES-256-GCM under its master version, the AAD
//     being "ferry-data-key" | id | master version.
//
// Load reads both files and changes none (a recovery that refuses to start
// changes no file). StartSealing, once recovery succeeded, creates the
// master key file if the store had none, makes a fresh random data key,
// wraps it by the newest master version and writes `keys` again (temporary
// file, sync, rename, directory sync) before returning: the key is durable
// before any record sealed with it can be acknowledged. Every
// data key is used for sealing by the one process that made it, so its
// nonces are a counter from 0: (key, nonce) never repeats, across restarts
// included, since a restart makes another key. Older data keys stay for
// opening what they sealed.
//
// A sealed body:
//     version u8 = 1 | data key id u32 | nonce 12 | ciphertext | tag 16
// with the AAD "ferry-body" | version | data key id | queue id u64 | seq u64:
// a body opens only for the queue and message its record names, so a record
// or a body copied to another queue or message fails to open, and is
// reported as damage.
//
// Thread-safety: after StartSealing, every method is thread-safe: the keys are
// immutable and the nonce counter is atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/file_ops.h"

namespace ferry::storage {

inline constexpr std::string_view kKeysFile = "keys";
inline constexpr std::string_view kDefaultMasterKeyFile = "master.key";

struct KeyringOptions {
  std::string dir{};
  // Empty: <dir>/master.key.
  std::string master_key_file{};
  // The data directory's files go through it (null: FileOps::Default()).
  // The master key file does not: it is created with mode 0600, which the
  // seam's Create (0644) cannot ask for.
  FileOps* file_ops = nullptr;
};

class Keyring {
 public:
  // Reads the master key file and `keys`, and unwraps every data key.
  // kFailedPrecondition, naming the file and what to do, when `keys` exists
  // and the master key file is missing, or lacks the version that wrapped a
  // data key, or when a data key does not unwrap (a wrong master key), and
  // when the master key file is readable by group or others; kInternal when
  // `keys` is damaged; kUnavailable on an I/O error. Changes no file.
  static Result<std::unique_ptr<Keyring>> Load(const KeyringOptions& options);
  // Before the store takes writes, on one thread: see above.
  Status StartSealing();

  // Replaces *out with `body` sealed for (queue_id, seq).
  // Fails before StartSealing.
  Status Seal(uint64_t queue_id, uint64_t seq, std::string_view body, std::string* out) const;
  // Replaces *out with the body that Seal sealed for (queue_id, seq).
  // kInternal ("... does not open: ...") when it does not: damaged bytes, a
  // body moved from another queue or message, an unknown data key.
  Status Unseal(uint64_t queue_id, uint64_t seq, std::string_view sealed, std::string* out) const;
  // Whether the data key a sealed body names is here (the rest of the body
  // is not checked); recovery refuses a log whose keys are missing.
  Status CheckKeyOf(std::string_view sealed) const;

  uint32_t master_version() const { return master_version_; }
  size_t data_key_count() const { return data_keys_.size(); }
  const std::string& master_key_file() const { return master_key_file_; }

 private:
  Keyring() = default;

  KeyringOptions options_;
  std::string master_key_file_;
  std::map<uint32_t, std::string> masters_;  // version -> 32 bytes; empty until made
  uint32_t master_version_ = 0;
  std::map<uint32_t, std::string> data_keys_;  // id -> 32 bytes; immutable once sealing
  uint32_t sealing_key_id_ = 0;                // 0: no key to seal with
  std::string sealing_key_;
  mutable std::atomic<uint64_t> nonces_{0};  // sealings so far with sealing_key_
};

// The master key file of `dir` when none is named.
std::string DefaultMasterKeyFile(const std::string& dir);

// `ferry rotate-master-key`: adds a new master key version, rewraps every
// data key of `keys` under it, then drops the older versions from the master
// key file, each step written durably, so that a crash between them leaves
// a store that opens (the old version is dropped only once no key needs
// it). The store must not be in use (the caller holds its lock). *report
// says what was done.
Status RotateMasterKey(const KeyringOptions& options, std::string* report);

}  // namespace ferry::storage
