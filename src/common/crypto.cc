#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <initializer_list>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ferry {

namespace {

// EVP_md5() names the algorithm only: EVP_Digest with it looks the
// implementation up in the provider store and builds a fresh context on every
// call, which costs as much as digesting 1 KiB. The fetched algorithm and a
// context per thread are kept instead.
const EVP_MD* FetchedMd5() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Md5Digest Md5(std::string_view data) {
  Md5Digest d;
  unsigned int len = 0;
  thread_local DigestContext local;
  const EVP_MD* md = FetchedMd5();
  if (md == nullptr || local.ctx == nullptr || !EVP_DigestInit_ex2(local.ctx, md, nullptr) ||
      !EVP_DigestUpdate(local.ctx, data.data(), data.size()) ||
      !EVP_DigestFinal_ex(local.ctx, d.data(), &len)) {
    EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_md5(), nullptr);
  }
  return d;
}

Md5WithPrefix::Md5WithPrefix(std::string_view prefix)
    : prefix_(prefix), ctx_(EVP_MD_CTX_new()) {
  const EVP_MD* md = FetchedMd5();
  if (md == nullptr || ctx_ == nullptr || !EVP_DigestInit_ex2(ctx_, md, nullptr) ||
      !EVP_DigestUpdate(ctx_, prefix.data(), prefix.size())) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

Md5WithPrefix::~Md5WithPrefix() { EVP_MD_CTX_free(ctx_); }

Md5Digest Md5WithPrefix::Of(std::string_view a, std::string_view b) const {
  thread_local DigestContext local;
  Md5Digest d;
  unsigned int len = 0;
  if (ctx_ != nullptr && local.ctx != nullptr && EVP_MD_CTX_copy_ex(local.ctx, ctx_) &&
      EVP_DigestUpdate(local.ctx, a.data(), a.size()) &&
      EVP_DigestUpdate(local.ctx, b.data(), b.size()) &&
      EVP_DigestFinal_ex(local.ctx, d.data(), &len)) {
    return d;
  }
  std::string whole = prefix_;
  whole.append(a);
  whole.append(b);
  return Md5(whole);
}

std::string ToHex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

std::string Md5Hex(std::string_view data) {
  auto d = Md5(data);
  return ToHex(d.data(), d.size());
}

namespace {

using Sha256Digest = std::array<unsigned char, 32>;

// A SHA-256 context per thread, over the digest fetched once: OpenSSL 3's
// one-shot EVP_Digest and HMAC look the algorithm up in the provider store on
// every call, which costs more than hashing the short inputs of SigV4 and
// SNS's deduplication ids (docs/performance.md, "SigV4 verification").
class ThreadSha256 {
 public:
  ThreadSha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~ThreadSha256() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  ThreadSha256(const ThreadSha256&) = delete;
  ThreadSha256& operator=(const ThreadSha256&) = delete;

  // SHA-256 of the concatenation of `parts`.
  Sha256Digest Of(std::initializer_list<std::string_view> parts) {
    Sha256Digest out{};
    unsigned int len = 0;
    EVP_DigestInit_ex(ctx_, md_, nullptr);
    for (std::string_view p : parts) EVP_DigestUpdate(ctx_, p.data(), p.size());
    EVP_DigestFinal_ex(ctx_, out.data(), &len);
    return out;
  }

  static ThreadSha256& Get() {
    thread_local ThreadSha256 sha;
    return sha;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

std::string_view View(const Sha256Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

std::string Sha256(std::string_view data) { return std::string(View(ThreadSha256::Get().Of({data}))); }

std::string Sha256Hex(std::string_view data) {
  const Sha256Digest d = ThreadSha256::Get().Of({data});
  return ToHex(d.data(), d.size());
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // RFC 2104: H((K ^ opad) || H((K ^ ipad) || data)), K padded to the block.
  constexpr size_t kBlock = 64;
  ThreadSha256& sha = ThreadSha256::Get();
  std::array<char, kBlock> k{};
  if (key.size() > kBlock) {
    const Sha256Digest hashed = sha.Of({key});
    std::memcpy(k.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(k.data(), key.data(), key.size());
  }
  std::array<char, kBlock> ipad, opad;
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  const Sha256Digest inner = sha.Of({std::string_view(ipad.data(), kBlock), data});
  const Sha256Digest outer = sha.Of({std::string_view(opad.data(), kBlock), View(inner)});
  return std::string(View(outer));
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view data) {
  if (data.size() % 4 != 0) return std::nullopt;
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= data.size());
    if (!ok) return std::nullopt;
  }
  if (data.size() >= 2 && data[data.size() - 2] == '=' && data.back() != '=') return std::nullopt;
  std::string out(data.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!data.empty() && data.back() == '=') ++pad;
  if (data.size() >= 2 && data[data.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

namespace {

// As for MD5: the algorithm is fetched once, and each thread keeps a context
// for sealing and one for opening. A context remembers the key it was last
// initialised with: a call with the same key (every call of one start's data
// key, the common case) sets only the nonce, keeping the key schedule and
// GHASH key that a full initialisation computes again (about half the
// instructions of sealing a small payload).
const EVP_CIPHER* FetchedAes256Gcm() {
  static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::array<unsigned char, kAesGcmKeySize> key{};
  bool keyed = false;
  ~CipherContext() {
    OPENSSL_cleanse(key.data(), key.size());
    EVP_CIPHER_CTX_free(ctx);
  }
  CipherContext() = default;
  CipherContext(const CipherContext&) = delete;
  CipherContext& operator=(const CipherContext&) = delete;
};

CipherContext& ThreadCipherContext(bool seal) {
  thread_local CipherContext sealing;
  thread_local CipherContext opening;
  return seal ? sealing : opening;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool GcmArgumentsFit(std::string_view key, std::string_view nonce, std::string_view aad,
                     size_t text) {
  return key.size() == kAesGcmKeySize && nonce.size() == kAesGcmNonceSize &&
         aad.size() <= static_cast<size_t>(INT_MAX) && text <= static_cast<size_t>(INT_MAX) &&
         FetchedAes256Gcm() != nullptr;
}

// Initialises `c` for one message under `key` and `nonce` (the arguments
// fit: GcmArgumentsFit), keeping the key schedule when the key is the last
// one. A failed initialisation forgets the key.
bool InitGcm(CipherContext& c, bool seal, std::string_view key, std::string_view nonce) {
  const bool same_key = c.keyed && CRYPTO_memcmp(c.key.data(), key.data(), kAesGcmKeySize) == 0;
  const EVP_CIPHER* cipher = same_key ? nullptr : FetchedAes256Gcm();
  const unsigned char* k = same_key ? nullptr : Bytes(key);
  const int ok = seal ? EVP_EncryptInit_ex2(c.ctx, cipher, k, Bytes(nonce), nullptr)
                      : EVP_DecryptInit_ex2(c.ctx, cipher, k, Bytes(nonce), nullptr);
  if (ok != 1) {
    c.keyed = false;
    return false;
  }
  if (!same_key) {
    std::memcpy(c.key.data(), key.data(), kAesGcmKeySize);
    c.keyed = true;
  }
  return true;
}

}  // namespace

bool AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view plaintext, std::string* out) {
  if (!GcmArgumentsFit(key, nonce, aad, plaintext.size())) return false;
  CipherContext& c = ThreadCipherContext(true);
  EVP_CIPHER_CTX* ctx = c.ctx;
  const size_t start = out->size();
  out->resize(start + plaintext.size() + kAesGcmTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(out->data() + start);
  int n = 0;
  int total = 0;
  bool ok = InitGcm(c, true, key, nonce) &&
            EVP_EncryptUpdate(ctx, nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx, dst, &n, Bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1;
  total = n;
  ok = ok && EVP_EncryptFinal_ex(ctx, dst + total, &n) == 1;
  total += n;
  ok = ok && static_cast<size_t>(total) == plaintext.size() &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAesGcmTagSize),
                           dst + total) == 1;
  if (!ok) {
    out->resize(start);
    c.keyed = false;
  }
  return ok;
}

bool AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view sealed, std::string* out) {
  if (sealed.size() < kAesGcmTagSize) return false;
  const size_t text = sealed.size() - kAesGcmTagSize;
  if (!GcmArgumentsFit(key, nonce, aad, text)) return false;
  CipherContext& c = ThreadCipherContext(false);
  EVP_CIPHER_CTX* ctx = c.ctx;
  out->resize(text);
  auto* dst = reinterpret_cast<unsigned char*>(out->data());
  // The tag is copied: OpenSSL's control call takes a non-const pointer.
  unsigned char tag[kAesGcmTagSize];
  std::memcpy(tag, sealed.data() + text, kAesGcmTagSize);
  int n = 0;
  int total = 0;
  bool ok = InitGcm(c, false, key, nonce) &&
            EVP_DecryptUpdate(ctx, nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx, dst, &n, Bytes(sealed), static_cast<int>(text)) == 1;
  total = n;
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAesGcmTagSize), tag) == 1 &&
       EVP_DecryptFinal_ex(ctx, dst + total, &n) == 1;
  total += n;
  if (!ok || static_cast<size_t>(total) != text) {
    // Nothing of an unauthenticated plaintext is handed out.
    out->clear();
    c.keyed = false;
    return false;
  }
  return true;
}

void RandomBytes(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("ferry: the system random generator failed\n", stderr);
    std::abort();
  }
}

void BufferedRandomBytes(unsigned char* out, size_t n) {
  thread_local std::array<unsigned char, 4096> buffer;
  thread_local size_t used = buffer.size();
  if (n > buffer.size()) {
    RandomBytes(out, n);
    return;
  }
  if (buffer.size() - used < n) {
    RandomBytes(buffer.data(), buffer.size());
    used = 0;
  }
  std::memcpy(out, buffer.data() + used, n);
  used += n;
}

std::string FormatUuid(const unsigned char* id16) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t at = 0;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dashes, already there
    out[at++] = kHex[id16[i] >> 4];
    out[at++] = kHex[id16[i] & 15];
  }
  return out;
}

std::string NewUuid() {
  unsigned char b[16];
  BufferedRandomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return FormatUuid(b);
}

}  // namespace ferry
