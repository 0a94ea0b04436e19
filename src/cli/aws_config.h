// Where the admin CLI sends its requests and how it signs them, resolved the
// way the aws CLI resolves them: command-line flags first, then AWS_*
// environment variables, then the profile in ~/.aws/credentials and
// ~/.aws/config, then Ferry's defaults (docs/cli.md, "Configuration").
//
// Resolution reads the environment only through an EnvLookup and files only
// through the paths it names, so tests run it against a map and temp files.
//
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::cli {

// Ferry's own default port, where `ferry serve` listens unless told otherwise.
inline constexpr std::string_view kDefaultEndpoint = "http://127.0.0.1:9324";
inline constexpr std::string_view kDefaultRegion = "us-east-1";
// Signs requests when no credentials are configured anywhere: a server in
// open mode accepts any well-formed signature and names the caller the
// default account's user; a server with --credentials refuses it.
inline constexpr std::string_view kPlaceholderAccessKey = "ferry-cli";
inline constexpr std::string_view kPlaceholderSecretKey = "ferry-cli";

// The flags every remote command takes; empty means "not given".
struct ConfigFlags {
  std::string endpoint_url;
  std::string region;
  std::string profile;
  std::string ca_bundle;
  bool no_verify_ssl = false;
};

struct ClientConfig {
  std::string endpoint;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // Where the keys came from, for messages: "environment",
  // "profile default (/home/u/.aws/credentials)", "none (placeholder key)".
  std::string credentials_source;
  std::string ca_bundle;  // extra PEM certificates to trust; "" for none
  bool verify_ssl = true;
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The process's own environment.
EnvLookup ProcessEnv();

// An INI file as the aws CLI writes them: section → key → value. Keys are
// lower-cased; indented lines (nested settings such as `s3 =` blocks) and
// comments (# or ;) are skipped.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

// Resolves the configuration. A file that does not exist is no error; a
// profile named by --profile or AWS_PROFILE that neither file holds is
// (kNotFound, "the config profile (x) could not be found", as the aws CLI
// says); so is a profile with an access key but no secret.
Result<ClientConfig> ResolveConfig(const ConfigFlags& flags, const EnvLookup& env);

}  // namespace ferry::cli
