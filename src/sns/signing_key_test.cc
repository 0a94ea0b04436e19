#include "sns/signing_key.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "common/temp_dir_test_util.h"

namespace ferry::sns {
namespace {

using ::ferry::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr ParseCert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

TEST(LoadOrCreateSigningKey, CreatesKeyAndSelfSignedCertificateOnFirstUse) {
  TempDir dir;
  const std::string sub = dir.path() + "/data/sns";  // created as needed
  Result<SigningKey> key = LoadOrCreateSigningKey(sub, "ferry.example");
  ASSERT_TRUE(key.ok()) << key.status().message();

  EXPECT_TRUE(EVP_PKEY_is_a(key->key(), "RSA"));
  EXPECT_EQ(EVP_PKEY_get_bits(key->key()), 2048);
  struct stat st {};
  ASSERT_EQ(::stat((sub + "/" + std::string(kSigningKeyFile)).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadAll(sub + "/" + std::string(kSigningCertFile)), key->certificate_pem());
  EXPECT_FALSE(std::filesystem::exists(sub + "/" + std::string(kSigningKeyFile) + ".tmp"));

  X509Ptr cert = ParseCert(key->certificate_pem());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_private_key(cert.get(), key->key()), 1);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);  // self-signed
  EXPECT_EQ(X509_check_host(cert.get(), "ferry.example", 0, 0, nullptr), 1);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(cert.get())), 0);
}

TEST(LoadOrCreateSigningKey, CreatesADirectoryNamedWithATrailingSlash) {
  TempDir dir;
  Result<SigningKey> key = LoadOrCreateSigningKey(dir.path() + "/new/", "localhost");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/new/" + std::string(kSigningKeyFile)));
}

TEST(LoadOrCreateSigningKey, ReloadReturnsTheSameKeyAndCertificate) {
  TempDir dir;
  Result<SigningKey> first = LoadOrCreateSigningKey(dir.path(), "localhost");
  ASSERT_TRUE(first.ok()) << first.status().message();
  Result<SigningKey> again = LoadOrCreateSigningKey(dir.path(), "another-host");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(EVP_PKEY_eq(first->key(), again->key()), 1);
  EXPECT_EQ(first->certificate_pem(), again->certificate_pem());
  EXPECT_EQ(first->certificate_path(), again->certificate_path());
}

TEST(SigningKey, CertificatePathEndsInPemAndDiffersPerKey) {
  Result<SigningKey> a = CreateSigningKey("localhost");
  Result<SigningKey> b = CreateSigningKey("localhost");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->certificate_path().starts_with("/SimpleNotificationService-"));
  EXPECT_TRUE(a->certificate_path().ends_with(".pem"));
  EXPECT_EQ(a->certificate_path().size(), std::string_view("/SimpleNotificationService-").size() +
                                              32 + std::string_view(".pem").size());
  EXPECT_NE(a->certificate_path(), b->certificate_path());
}

TEST(LoadOrCreateSigningKey, CertificateForAnIpAddressNamesTheAddress) {
  Result<SigningKey> key = CreateSigningKey("[::1]");
  ASSERT_TRUE(key.ok()) << key.status().message();
  X509Ptr cert = ParseCert(key->certificate_pem());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
}

TEST(LoadOrCreateSigningKey, RefusesAHostThatIsNotANameOrAddressWithoutPort) {
  TempDir dir;
  for (const char* host : {"a.example,DNS:evil.example", "localhost:9324", "", "a b"}) {
    Result<SigningKey> key = LoadOrCreateSigningKey(dir.path(), host);
    ASSERT_FALSE(key.ok()) << host;
    EXPECT_EQ(key.status().code(), Code::kInvalidArgument) << host;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file(kSigningKeyFile)));
}

// Each damage below is refused with the files left as they were.
class DamagedKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<SigningKey> key = LoadOrCreateSigningKey(dir_.path(), "localhost");
    ASSERT_TRUE(key.ok()) << key.status().message();
    key_pem_ = ReadAll(dir_.file(kSigningKeyFile));
    cert_pem_ = ReadAll(dir_.file(kSigningCertFile));
  }

  void ExpectRefusedAndUntouched(const std::string& key_file, const std::string& cert_file) {
    Result<SigningKey> key = LoadOrCreateSigningKey(dir_.path(), "localhost");
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), Code::kFailedPrecondition) << key.status().message();
    EXPECT_EQ(ReadAll(dir_.file(kSigningKeyFile)), key_file);
    EXPECT_EQ(ReadAll(dir_.file(kSigningCertFile)), cert_file);
  }

  TempDir dir_;
  std::string key_pem_;
  std::string cert_pem_;
};

TEST_F(DamagedKeyTest, GarbageKeyFileIsRefused) {
  WriteAll(dir_.file(kSigningKeyFile), "not a key\n");
  ExpectRefusedAndUntouched("not a key\n", cert_pem_);
}

TEST_F(DamagedKeyTest, TruncatedKeyFileIsRefused) {
  const std::string half = key_pem_.substr(0, key_pem_.size() / 2);
  WriteAll(dir_.file(kSigningKeyFile), half);
  ExpectRefusedAndUntouched(half, cert_pem_);
}

TEST_F(DamagedKeyTest, EmptyKeyFileIsRefused) {
  WriteAll(dir_.file(kSigningKeyFile), "");
  ExpectRefusedAndUntouched("", cert_pem_);
}

TEST_F(DamagedKeyTest, OversizedKeyFileIsRefused) {
  const std::string big(size_t{100} * 1024, 'A');
  WriteAll(dir_.file(kSigningKeyFile), big);
  ExpectRefusedAndUntouched(big, cert_pem_);
}

// A changed character inside the key's base64 still parses as PEM; the
// key's own consistency check (or the DER parser) catches it.
TEST_F(DamagedKeyTest, KeyWithAChangedCharacterIsRefused) {
  std::string changed = key_pem_;
  size_t mid = changed.size() / 2;
  while (changed[mid] == '\n') ++mid;
  changed[mid] = changed[mid] == 'A' ? 'B' : 'A';
  WriteAll(dir_.file(kSigningKeyFile), changed);
  ExpectRefusedAndUntouched(changed, cert_pem_);
}

TEST_F(DamagedKeyTest, CertificateWithoutItsKeyIsRefused) {
  std::filesystem::remove(dir_.file(kSigningKeyFile));
  Result<SigningKey> key = LoadOrCreateSigningKey(dir_.path(), "localhost");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_.file(kSigningKeyFile)));
  EXPECT_EQ(ReadAll(dir_.file(kSigningCertFile)), cert_pem_);
}

TEST_F(DamagedKeyTest, CertificateOfAnotherKeyIsRefused) {
  Result<SigningKey> other = CreateSigningKey("localhost");
  ASSERT_TRUE(other.ok());
  WriteAll(dir_.file(kSigningCertFile), other->certificate_pem());
  ExpectRefusedAndUntouched(key_pem_, other->certificate_pem());
}

TEST_F(DamagedKeyTest, GarbageCertificateIsRefused) {
  WriteAll(dir_.file(kSigningCertFile), "-----BEGIN CERTIFICATE-----\nAAAA\n");
  ExpectRefusedAndUntouched(key_pem_, "-----BEGIN CERTIFICATE-----\nAAAA\n");
}

// Creation writes the key, then the certificate: a crash in between leaves
// the key alone, and the next start makes its certificate again.
TEST_F(DamagedKeyTest, MissingCertificateIsMadeAgainForTheKeptKey) {
  Result<SigningKey> before = LoadOrCreateSigningKey(dir_.path(), "localhost");
  ASSERT_TRUE(before.ok());
  std::filesystem::remove(dir_.file(kSigningCertFile));
  Result<SigningKey> after = LoadOrCreateSigningKey(dir_.path(), "localhost");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(EVP_PKEY_eq(before->key(), after->key()), 1);
  EXPECT_EQ(ReadAll(dir_.file(kSigningKeyFile)), key_pem_);
  EXPECT_EQ(ReadAll(dir_.file(kSigningCertFile)), after->certificate_pem());
  X509Ptr cert = ParseCert(after->certificate_pem());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_private_key(cert.get(), after->key()), 1);
}

}  // namespace
}  // namespace ferry::sns
