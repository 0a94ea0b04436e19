#include "cli/aws_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/temp_dir_test_util.h"

namespace ferry::cli {
namespace {

// A fake environment whose HOME is a temp dir holding .aws/ files.
class AwsConfigTest : public ::testing::Test {
 protected:
  AwsConfigTest() { vars_["HOME"] = dir_.path(); }

  void WriteAws(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_.file(".aws"));
    std::ofstream(dir_.file(".aws/" + name)) << text;
  }
  EnvLookup env() const {
    return [vars = vars_](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
  ClientConfig Resolve(const ConfigFlags& flags = {}) {
    auto cfg = ResolveConfig(flags, env());
    EXPECT_TRUE(cfg.ok()) << cfg.status().message();
    return cfg.ok() ? *cfg : ClientConfig{};
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> vars_;
};

TEST_F(AwsConfigTest, WithNothingConfiguredUsesFerrysDefaultsAndThePlaceholderKey) {
  ClientConfig cfg = Resolve();
  EXPECT_EQ(cfg.endpoint, "http://127.0.0.1:9324");
  EXPECT_EQ(cfg.region, "us-east-1");
  EXPECT_EQ(cfg.access_key_id, kPlaceholderAccessKey);
  EXPECT_EQ(cfg.secret_access_key, kPlaceholderSecretKey);
  EXPECT_NE(cfg.credentials_source.find("placeholder"), std::string::npos);
  EXPECT_TRUE(cfg.verify_ssl);
}

TEST_F(AwsConfigTest, EndpointFlagBeatsTheServiceVariableWhichBeatsTheGeneralOne) {
  vars_["AWS_ENDPOINT_URL"] = "http://general:1";
  EXPECT_EQ(Resolve().endpoint, "http://general:1");
  vars_["AWS_ENDPOINT_URL_SQS"] = "http://sqs:2/";
  EXPECT_EQ(Resolve().endpoint, "http://sqs:2");  // trailing slash dropped
  EXPECT_EQ(Resolve({.endpoint_url = "https://flag:3"}).endpoint, "https://flag:3");
}

TEST_F(AwsConfigTest, RegionComesFromFlagThenAwsRegionThenDefaultRegionThenProfile) {
  WriteAws("config", "[default]\nregion = eu-west-3\n");
  EXPECT_EQ(Resolve().region, "eu-west-3");
  vars_["AWS_DEFAULT_REGION"] = "eu-west-2";
  EXPECT_EQ(Resolve().region, "eu-west-2");
  vars_["AWS_REGION"] = "eu-west-1";
  EXPECT_EQ(Resolve().region, "eu-west-1");
  EXPECT_EQ(Resolve({.region = "ap-south-1"}).region, "ap-south-1");
}

TEST_F(AwsConfigTest, EnvironmentKeysBeatTheDefaultProfile) {
  WriteAws("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\n");
  vars_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  vars_["AWS_SESSION_TOKEN"] = "tok";
  ClientConfig cfg = Resolve();
  EXPECT_EQ(cfg.access_key_id, "ENVKEY");
  EXPECT_EQ(cfg.secret_access_key, "envsecret");
  EXPECT_EQ(cfg.session_token, "tok");
  EXPECT_EQ(cfg.credentials_source, "environment");
}

TEST_F(AwsConfigTest, AnExplicitProfileFlagBeatsEnvironmentKeys) {
  WriteAws("credentials",
           "# comment\n[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret\n");
  vars_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  ClientConfig cfg = Resolve({.profile = "dev"});
  EXPECT_EQ(cfg.access_key_id, "DEVKEY");
  EXPECT_EQ(cfg.secret_access_key, "devsecret");
  EXPECT_NE(cfg.credentials_source.find("profile dev"), std::string::npos);
}

TEST_F(AwsConfigTest, AwsProfileSelectsTheProfileAndItsConfigSection) {
  WriteAws("credentials",
           "[default]\naws_access_key_id = D\naws_secret_access_key = d\n"
           "[ops]\naws_access_key_id = O\naws_secret_access_key = o\n");
  WriteAws("config",
           "[default]\nregion = us-west-2\n[profile ops]\nregion = eu-central-1\n"
           "endpoint_url = http://ops-ferry:9324\n");
  vars_["AWS_PROFILE"] = "ops";
  ClientConfig cfg = Resolve();
  EXPECT_EQ(cfg.access_key_id, "O");
  EXPECT_EQ(cfg.region, "eu-central-1");
  EXPECT_EQ(cfg.endpoint, "http://ops-ferry:9324");
}

TEST_F(AwsConfigTest, KeysInTheConfigFileAreUsedWhenTheCredentialsFileHasNone) {
  WriteAws("config", "[profile cfgonly]\naws_access_key_id = C\naws_secret_access_key = c\n");
  ClientConfig cfg = Resolve({.profile = "cfgonly"});
  EXPECT_EQ(cfg.access_key_id, "C");
  EXPECT_EQ(cfg.secret_access_key, "c");
}

TEST_F(AwsConfigTest, FileVariablesOverrideTheHomePaths) {
  std::ofstream(dir_.file("creds"))
      << "[default]\naws_access_key_id = ALT\naws_secret_access_key = a\n";
  std::ofstream(dir_.file("cfg")) << "[default]\nregion = sa-east-1\n";
  vars_["AWS_SHARED_CREDENTIALS_FILE"] = dir_.file("creds");
  vars_["AWS_CONFIG_FILE"] = dir_.file("cfg");
  ClientConfig cfg = Resolve();
  EXPECT_EQ(cfg.access_key_id, "ALT");
  EXPECT_EQ(cfg.region, "sa-east-1");
}

TEST_F(AwsConfigTest, ANamedProfileThatDoesNotExistIsAnError) {
  auto cfg = ResolveConfig({.profile = "nope"}, env());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(), "The config profile (nope) could not be found");
}

TEST_F(AwsConfigTest, AnAccessKeyWithoutASecretIsAnError) {
  vars_["AWS_ACCESS_KEY_ID"] = "K";
  EXPECT_FALSE(ResolveConfig({}, env()).ok());
  WriteAws("credentials", "[default]\naws_access_key_id = K\n");
  vars_.erase("AWS_ACCESS_KEY_ID");
  EXPECT_FALSE(ResolveConfig({}, env()).ok());
}

TEST_F(AwsConfigTest, CaBundleComesFromFlagThenEnvironmentAndVerificationCanBeTurnedOff) {
  vars_["AWS_CA_BUNDLE"] = "/env/ca.pem";
  EXPECT_EQ(Resolve().ca_bundle, "/env/ca.pem");
  ClientConfig cfg = Resolve({.ca_bundle = "/flag/ca.pem", .no_verify_ssl = true});
  EXPECT_EQ(cfg.ca_bundle, "/flag/ca.pem");
  EXPECT_FALSE(cfg.verify_ssl);
}

TEST(ParseIniTest, ReadsSectionsKeysAndSkipsCommentsAndNestedSettings) {
  IniFile ini = ParseIni(
      "; top comment\n[default]\r\nRegion = us-east-2\r\ns3 =\n  max_concurrent_requests = 20\n"
      "[profile  spaced ]\nkey=value with = sign\n\n# c\nnot a setting\n");
  EXPECT_EQ(ini["default"]["region"], "us-east-2");
  EXPECT_EQ(ini["default"].count("max_concurrent_requests"), 0u);
  EXPECT_EQ(ini["default"]["s3"], "");
  EXPECT_EQ(ini["profile spaced"]["key"], "value with = sign");
  EXPECT_EQ(ini["profile spaced"].size(), 1u);
}

}  // namespace
}  // namespace ferry::cli
