#include "app/engine_config.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "auth/sigv4_canonical.h"

namespace ferry::app {
namespace {

using auth::sigv4::PercentDecode;  // %XX escapes; a malformed one stays as it is

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The fields of a postgres:// or postgresql:// URI that name the server:
// host, port, dbname (from the authority and path, or the query's
// parameters of those names).
std::map<std::string, std::string> UriFields(std::string_view uri) {
  std::map<std::string, std::string> fields;
  uri.remove_prefix(uri.find("://") + 3);
  std::string_view query;
  if (size_t q = uri.find('?'); q != std::string_view::npos) {
    query = uri.substr(q + 1);
    uri = uri.substr(0, q);
  }
  std::string_view authority = uri;
  if (size_t slash = uri.find('/'); slash != std::string_view::npos) {
    authority = uri.substr(0, slash);
    fields["dbname"] = PercentDecode(uri.substr(slash + 1));
  }
  // user[:password]@ comes before the last '@'; it is never shown.
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  // host[:port], an IPv6 host in brackets; several hosts keep their commas.
  std::string_view host = authority;
  if (size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    fields["port"] = PercentDecode(authority.substr(colon + 1));
  }
  fields["host"] = PercentDecode(host);
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), param.size() + 1));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = PercentDecode(param.substr(0, eq));
    if (key == "host" || key == "hostaddr" || key == "port" || key == "dbname") {
      std::string value = PercentDecode(param.substr(eq + 1));
      if (key == "hostaddr") key = "host";
      if (!value.empty()) fields[key] = std::move(value);
    }
  }
  return fields;
}

// libpq's key=value form: keys and values separated by '=' with optional
// spaces, values single-quoted ('' and \' inside) or bare, \ escaping.
std::map<std::string, std::string> KeywordFields(std::string_view s) {
  std::map<std::string, std::string> fields;
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  while (true) {
    skip_spaces();
    if (i >= s.size()) break;
    std::string key;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i]))) {
      key.push_back(s[i++]);
    }
    skip_spaces();
    if (i >= s.size() || s[i] != '=') break;  // malformed: libpq refuses it anyway
    ++i;
    skip_spaces();
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
      ++i;
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
    }
    if (key == "hostaddr" && !fields.contains("host")) key = "host";
    if (key == "host" || key == "port" || key == "dbname") fields[key] = std::move(value);
  }
  return fields;
}

}  // namespace

const std::vector<std::string>& LocalEngineFlags() {
  static const std::vector<std::string> flags{"--data-dir",   "--in-memory",
                                              "--fsync",      "--checkpoint-mb",
                                              "--segment-mb", "--master-key-file"};
  return flags;
}

const std::vector<std::string>& PostgresEngineFlags() {
  static const std::vector<std::string> flags{"--postgres-url", "--postgres-pool",
                                              "--postgres-statement-timeout"};
  return flags;
}

std::optional<std::string> EngineConfigRefusal(const ServeConfig& config) {
  if (config.engine == "local") {
    for (const std::string& flag : config.engine_flags_given) {
      if (Contains(PostgresEngineFlags(), flag)) return flag + " needs --engine postgres";
    }
    return std::nullopt;
  }
  if (config.engine != "postgres") {
    return "unknown engine '" + config.engine + "': --engine is local or postgres";
  }
  for (const std::string& flag : config.engine_flags_given) {
    if (Contains(LocalEngineFlags(), flag)) {
      return flag +
             " is a flag of the local engine: with --engine postgres everything is kept in the "
             "database, so remove it (docs/scale-out.md)";
    }
  }
  if (config.postgres_url.empty()) {
    return "--engine postgres needs --postgres-url (postgresql://user@host:port/dbname)";
  }
  if (config.postgres_pool < 1) return "--postgres-pool must be at least 1";
  if (config.keys_dir.empty()) {
    return "--engine postgres needs --keys-dir: a directory holding the same SNS signing key and "
           "STS session key on every node (made there on the first start; docs/scale-out.md)";
  }
  return std::nullopt;
}

std::string PostgresTarget(std::string_view url) {
  const bool uri = url.starts_with("postgres://") || url.starts_with("postgresql://");
  std::map<std::string, std::string> fields = uri ? UriFields(url) : KeywordFields(url);
  std::string host = fields["host"];
  if (host.empty()) host = "(default socket)";
  std::string out = host;
  if (!fields["port"].empty()) out += ":" + fields["port"];
  return out + "/" + fields["dbname"];
}

}  // namespace ferry::app
