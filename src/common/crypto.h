// Digests, encodings and random identifiers, over OpenSSL.
// All functions are thread-safe.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry {

using Md5Digest = std::array<unsigned char, 16>;

Md5Digest Md5(std::string_view data);
std::string Md5Hex(std::string_view data);

// The MD5 of many texts that all begin with one prefix, the prefix hashed
// once (SNS envelopes differ from one subscription to the next only after
// the message). Immutable once made: any number of threads may call Of.
class Md5WithPrefix {
 public:
  explicit Md5WithPrefix(std::string_view prefix);
  ~Md5WithPrefix();
  Md5WithPrefix(const Md5WithPrefix&) = delete;
  Md5WithPrefix& operator=(const Md5WithPrefix&) = delete;

  // MD5 of prefix + a + b.
  Md5Digest Of(std::string_view a, std::string_view b) const;

 private:
  std::string prefix_;  // for the fallback when OpenSSL fails
  EVP_MD_CTX* ctx_;     // the state after the prefix; null when it failed
};
std::string ToHex(const unsigned char* data, size_t n);
std::string Sha256(std::string_view data);  // raw 32 bytes
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes

std::string Base64Encode(std::string_view data);
// Standard alphabet with padding; returns nullopt for malformed input.
std::optional<std::string> Base64Decode(std::string_view data);

// AES-256-GCM (encryption at rest, docs/security.md): a 32-byte key, a
// 12-byte nonce that the caller never uses twice with one key, and a 16-byte
// tag over the ciphertext and `aad`.
inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;
// Appends the ciphertext of `plaintext` and then the tag to *out. False (with
// *out as it was) only if OpenSSL fails or the key or nonce size is wrong.
bool AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view plaintext, std::string* out);
// Opens what AesGcmSeal appended (ciphertext then tag) into *out (replaced).
// False when the tag does not match: the key, nonce, aad or bytes differ.
bool AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view sealed, std::string* out);

// Fills `n` bytes from a cryptographically secure generator.
void RandomBytes(unsigned char* out, size_t n);
// The same generator's output, cut from a per-thread buffer refilled 4 KiB
// at a time: one RAND_bytes call costs about as much as a whole message
// send, so per-message ids take their bytes from here. (A fork would
// duplicate the buffer; Ferry does not fork.)
void BufferedRandomBytes(unsigned char* out, size_t n);
// 16 bytes in the canonical 36-character UUID form (8-4-4-4-12 lower hex).
std::string FormatUuid(const unsigned char* id16);
// A random (version 4) UUID in its canonical 36-character form.
std::string NewUuid();

}  // namespace ferry
