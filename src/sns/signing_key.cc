#include "sns/signing_key.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <system_error>

#include "common/crypto.h"

namespace ferry::sns {
namespace {

constexpr int kKeyBits = 2048;
constexpr long kSecondsPerDay = long{24} * 3600;
// A day of slack for clocks behind ours; 20 years so that no operator meets
// an expired certificate (subscribers pin it by URL, not by date).
constexpr long kNotBeforeSeconds = -kSecondsPerDay;
constexpr long kNotAfterSeconds = kSecondsPerDay * 365 * 20;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// OpenSSL keeps its reasons on a per-thread queue; the first one says most.
Status OpensslError(std::string_view what) {
  std::string m(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    m += ": ";
    m += buf;
  }
  ERR_clear_error();
  return Status::Internal(std::move(m));
}

// std::error_code's text is strerror_r's: safe while other threads fail too.
Status Errno(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " +
                             std::error_code(errno, std::generic_category()).message());
}

Status Damaged(const std::string& path, std::string_view why) {
  ERR_clear_error();
  return Status::FailedPrecondition(
      path + ": " + std::string(why) +
      "; it is not replaced (remove both SNS signing files to make a new key, which "
      "changes the certificate subscribers verify with)");
}

// Never prompts on a terminal for the passphrase of an encrypted key:
// Ferry's keys are not encrypted, so such a key is not Ferry's.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// A PEM RSA-2048 key is under 2 KiB and its certificate under 1.5 KiB;
// anything this large is not one of them.
constexpr size_t kMaxPemFile = size_t{64} * 1024;

// The whole file, or nullopt if it does not exist; a file over kMaxPemFile
// is reported as damaged without being read to its end.
Result<std::optional<std::string>> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Errno("open", path);
  }
  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxPemFile) {
      ::close(fd);
      return Damaged(path, "larger than any PEM key or certificate");
    }
  }
  ::close(fd);
  return std::optional<std::string>(std::move(data));
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

// Puts `data` at dir/name with `mode`, atomically and durably: a reader (or
// a restart after a crash) sees the old state or the whole new file.
Status WriteFileDurably(const std::string& dir, std::string_view name, std::string_view data,
                        mode_t mode) {
  const std::string path = dir + "/" + std::string(name);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) return Errno("create", tmp);
  // A temporary file left by a crash keeps its old mode through O_CREAT.
  Status st = ::fchmod(fd, mode) == 0 ? Status::Ok() : Errno("chmod", tmp);
  size_t done = 0;
  while (st.ok() && done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      st = Errno("write", tmp);
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = Errno("rename", tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The host a certificate names: brackets of an IPv6 literal removed; no
// port; nothing that OpenSSL's configuration syntax ("DNS:<host>") would read
// as more than one name (',').
Result<std::string> CertificateHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  bool ok = !host.empty() && host.size() <= 253;
  for (char c : host) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == ':');
  }
  if (ok && host.find(':') != std::string_view::npos) ok = IsIpAddress(std::string(host));
  if (!ok) {
    return Status::InvalidArgument(
        "SNS signing certificate host must be a DNS name or an IP address without port, got '" +
        std::string(host) + "'");
  }
  return std::string(host);
}

Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OpensslError("certificate extension");
  return Status::Ok();
}

Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpensslError("certificate serial");
  bytes[0] &= 0x7f;  // serial numbers are positive
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr),
                                                 &BN_free);
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpensslError("certificate serial");
  }
  return Status::Ok();
}

// A self-signed certificate of `key` for `host_in`, in PEM.
Result<std::string> MakeCertificate(EVP_PKEY* key, std::string_view host_in) {
  Result<std::string> checked = CertificateHost(host_in);
  if (!checked.ok()) return checked.status();
  const std::string& host = *checked;
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpensslError("X509_new");
  FERRY_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), kNotBeforeSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kNotAfterSeconds) == nullptr) {
    return OpensslError("certificate validity");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) return OpensslError("certificate key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  // X.509 bounds a common name to 64 characters; the full host is in the
  // subjectAltName either way.
  const std::string cn = host.size() <= 64 ? host : "ferry";
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("Ferry"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return OpensslError("certificate name");
  }
  FERRY_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  FERRY_RETURN_IF_ERROR(AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  FERRY_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  FERRY_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_subject_alt_name, (IsIpAddress(host) ? "IP:" : "DNS:") + host));
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return OpensslError("certificate signature");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return OpensslError("certificate");
  return BioText(bio.get());
}

Result<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpensslError("private key");
  }
  return BioText(bio.get());
}

// The key in `pem`, checked: an RSA key of at least kKeyBits whose parts are
// consistent (a flipped bit that still parses is caught here).
Result<PkeyPtr> ParseKey(const std::string& path, const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return Damaged(path, "not a readable PEM private key");
  if (!EVP_PKEY_is_a(key.get(), "RSA") || EVP_PKEY_get_bits(key.get()) < kKeyBits) {
    return Damaged(path, "not an RSA key of at least 2048 bits");
  }
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx) return OpensslError("EVP_PKEY_CTX_new");
  if (EVP_PKEY_check(ctx.get()) != 1)
    return Damaged(path, "the RSA key fails its consistency check");
  return key;
}

// The certificate in `pem`, re-encoded, if it is one of `key`.
Result<std::string> ParseCertificate(const std::string& path, const std::string& pem,
                                     EVP_PKEY* key) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!cert) return Damaged(path, "not a readable PEM certificate");
  if (X509_check_private_key(cert.get(), key) != 1) {
    return Damaged(path, "the certificate is not of the signing key");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) return OpensslError("certificate");
  return BioText(out.get());
}

}  // namespace

void SigningKey::KeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

SigningKey::SigningKey(EVP_PKEY* key, std::string certificate_pem)
    : key_(key),
      certificate_pem_(std::move(certificate_pem)),
      certificate_path_("/SimpleNotificationService-" + Md5Hex(certificate_pem_) + ".pem") {}

Result<SigningKey> CreateSigningKey(std::string_view host) {
  // Checked before the (slow) key generation.
  FERRY_RETURN_IF_ERROR(CertificateHost(host).status());
  PkeyPtr key(EVP_RSA_gen(kKeyBits));
  if (!key) return OpensslError("RSA key generation");
  Result<std::string> cert = MakeCertificate(key.get(), host);
  if (!cert.ok()) return cert.status();
  return SigningKey(key.release(), std::move(cert).value());
}

Result<SigningKey> LoadOrCreateSigningKey(const std::string& dir, std::string_view host) {
  std::error_code ec;
  const bool created_dir = std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("create directory " + dir + ": " + ec.message());
  if (created_dir) {
    // A new directory's own entry must be durable too, or a crash could take
    // the key with it after the certificate was served.
    std::filesystem::path path = std::filesystem::absolute(dir, ec).lexically_normal();
    if (ec) return Status::Unavailable("resolve directory " + dir + ": " + ec.message());
    if (!path.has_filename()) path = path.parent_path();  // "dir/" names dir
    FERRY_RETURN_IF_ERROR(SyncDir(path.parent_path().string()));
  }
  const std::string key_path = dir + "/" + std::string(kSigningKeyFile);
  const std::string cert_path = dir + "/" + std::string(kSigningCertFile);

  Result<std::optional<std::string>> key_pem = ReadFile(key_path);
  if (!key_pem.ok()) return key_pem.status();
  Result<std::optional<std::string>> cert_pem = ReadFile(cert_path);
  if (!cert_pem.ok()) return cert_pem.status();

  if (!key_pem->has_value()) {
    if (cert_pem->has_value()) return Damaged(cert_path, "a certificate without its key");
    Result<SigningKey> created = CreateSigningKey(host);
    if (!created.ok()) return created.status();
    Result<std::string> pem = PrivateKeyPem(created->key());
    if (!pem.ok()) return pem.status();
    FERRY_RETURN_IF_ERROR(WriteFileDurably(dir, kSigningKeyFile, *pem, 0600));
    FERRY_RETURN_IF_ERROR(
        WriteFileDurably(dir, kSigningCertFile, created->certificate_pem(), 0644));
    return created;
  }

  Result<PkeyPtr> key = ParseKey(key_path, **key_pem);
  if (!key.ok()) return key.status();
  if (!cert_pem->has_value()) {
    // Creation stopped between the key and the certificate: the certificate
    // is derived data, so it is made again for the kept key.
    Result<std::string> cert = MakeCertificate(key->get(), host);
    if (!cert.ok()) return cert.status();
    FERRY_RETURN_IF_ERROR(WriteFileDurably(dir, kSigningCertFile, *cert, 0644));
    return SigningKey(key->release(), std::move(cert).value());
  }
  Result<std::string> cert = ParseCertificate(cert_path, **cert_pem, key->get());
  if (!cert.ok()) return cert.status();
  return SigningKey(key->release(), std::move(cert).value());
}

}  // namespace ferry::sns
