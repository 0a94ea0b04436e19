#include "cli/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ferry::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The file's contents, or nullopt when it cannot be read (most often: it
// does not exist, which is how a machine without ~/.aws looks).
std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Get(const EnvLookup& env, std::string_view name) { return env(name).value_or(""); }

// The first non-empty of the values.
std::string FirstOf(std::initializer_list<std::string> values) {
  for (const auto& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

std::string Setting(const std::map<std::string, std::string>* section, const char* key) {
  if (section == nullptr) return "";
  auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

struct Profiles {
  IniFile credentials;
  IniFile config;
  std::string credentials_path;
  std::string config_path;

  // [name] in the credentials file.
  const std::map<std::string, std::string>* Credentials(const std::string& name) const {
    auto it = credentials.find(name);
    return it == credentials.end() ? nullptr : &it->second;
  }
  // [profile name] in the config file; [default] for the default profile.
  const std::map<std::string, std::string>* Config(const std::string& name) const {
    auto it = config.find("profile " + name);
    if (it == config.end() && name == "default") it = config.find("default");
    return it == config.end() ? nullptr : &it->second;
  }
};

Profiles LoadProfiles(const EnvLookup& env) {
  Profiles p;
  const std::string home = Get(env, "HOME");
  p.credentials_path = FirstOf(
      {Get(env, "AWS_SHARED_CREDENTIALS_FILE"), home.empty() ? "" : home + "/.aws/credentials"});
  p.config_path = FirstOf({Get(env, "AWS_CONFIG_FILE"), home.empty() ? "" : home + "/.aws/config"});
  if (!p.credentials_path.empty()) {
    if (auto text = ReadFile(p.credentials_path)) p.credentials = ParseIni(*text);
  }
  if (!p.config_path.empty()) {
    if (auto text = ReadFile(p.config_path)) p.config = ParseIni(*text);
  }
  return p;
}

// Fills the keys of `cfg` from profile `name`: the credentials file first,
// then the config file (the aws CLI reads keys from both, in that order).
// Returns whether the profile exists at all.
Result<bool> KeysFromProfile(const Profiles& profiles, const std::string& name, ClientConfig& cfg) {
  const auto* creds = profiles.Credentials(name);
  const auto* config = profiles.Config(name);
  if (creds == nullptr && config == nullptr) return false;
  for (const auto* section : {creds, config}) {
    std::string key = Setting(section, "aws_access_key_id");
    if (key.empty()) continue;
    std::string secret = Setting(section, "aws_secret_access_key");
    if (secret.empty()) {
      return Status::InvalidArgument("profile " + name +
                                     " has aws_access_key_id but no aws_secret_access_key");
    }
    cfg.access_key_id = std::move(key);
    cfg.secret_access_key = std::move(secret);
    cfg.session_token = Setting(section, "aws_session_token");
    cfg.credentials_source = "profile " + name + " (" +
                             (section == creds ? profiles.credentials_path : profiles.config_path) +
                             ")";
    return true;
  }
  return true;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

IniFile ParseIni(std::string_view text) {
  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name(Trim(line.substr(1, line.size() - 2)));
      // "[profile  dev]" names profile "dev", as the aws CLI reads it.
      if (name.starts_with("profile ")) name = "profile " + std::string(Trim(name.substr(8)));
      section = &ini[name];
      continue;
    }
    if (section == nullptr || indented) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    (*section)[Lower(Trim(line.substr(0, eq)))] = std::string(Trim(line.substr(eq + 1)));
  }
  return ini;
}

Result<ClientConfig> ResolveConfig(const ConfigFlags& flags, const EnvLookup& env) {
  ClientConfig cfg;
  const Profiles profiles = LoadProfiles(env);
  const std::string profile_name =
      FirstOf({flags.profile, Get(env, "AWS_PROFILE"), Get(env, "AWS_DEFAULT_PROFILE")});
  const std::string profile = profile_name.empty() ? "default" : profile_name;
  const auto* config = profiles.Config(profile);

  // Credentials: an explicit --profile beats the environment's keys, as in
  // the aws CLI; then AWS_ACCESS_KEY_ID; then AWS_PROFILE or the default.
  const std::string env_key = Get(env, "AWS_ACCESS_KEY_ID");
  if (flags.profile.empty() && !env_key.empty()) {
    cfg.access_key_id = env_key;
    cfg.secret_access_key = Get(env, "AWS_SECRET_ACCESS_KEY");
    if (cfg.secret_access_key.empty()) {
      return Status::InvalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    cfg.session_token = Get(env, "AWS_SESSION_TOKEN");
    cfg.credentials_source = "environment";
  } else {
    auto found = KeysFromProfile(profiles, profile, cfg);
    if (!found.ok()) return found.status();
    if (!*found && !profile_name.empty()) {
      return Status::NotFound("The config profile (" + profile + ") could not be found");
    }
  }
  if (cfg.access_key_id.empty()) {
    cfg.access_key_id = kPlaceholderAccessKey;
    cfg.secret_access_key = kPlaceholderSecretKey;
    cfg.credentials_source = "none (placeholder key: open mode only)";
  }

  cfg.endpoint =
      FirstOf({flags.endpoint_url, Get(env, "AWS_ENDPOINT_URL_SQS"), Get(env, "AWS_ENDPOINT_URL"),
               Setting(config, "endpoint_url"), std::string(kDefaultEndpoint)});
  while (cfg.endpoint.size() > 1 && cfg.endpoint.back() == '/') cfg.endpoint.pop_back();
  cfg.region = FirstOf({flags.region, Get(env, "AWS_REGION"), Get(env, "AWS_DEFAULT_REGION"),
                        Setting(config, "region"), std::string(kDefaultRegion)});
  cfg.ca_bundle =
      FirstOf({flags.ca_bundle, Get(env, "AWS_CA_BUNDLE"), Setting(config, "ca_bundle")});
  cfg.verify_ssl = !flags.no_verify_ssl;
  return cfg;
}

}  // namespace ferry::cli
