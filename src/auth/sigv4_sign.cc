#include "auth/sigv4_sign.h"

#include <algorithm>

#include "auth/sigv4_canonical.h"
#include "common/crypto.h"

namespace ferry::auth {
namespace {

std::string Scope(const SigningCredentials& creds, std::string_view amz_date) {
  std::string scope(amz_date.substr(0, 8));
  scope += "/" + creds.region + "/" + creds.service + "/" + std::string(sigv4::kTerminator);
  return scope;
}

std::string SignatureOf(const SigningCredentials& creds, std::string_view amz_date,
                        std::string_view canonical_request) {
  const std::string key = sigv4::DeriveSigningKey(creds.secret_access_key, amz_date.substr(0, 8),
                                                  creds.region, creds.service);
  return sigv4::Signature(key, sigv4::StringToSign(amz_date, Scope(creds, amz_date), canonical_request));
}

}  // namespace

std::string SignRequest(const SigningCredentials& creds, std::string_view method,
                        std::string_view path, std::string_view query,
                        std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view body, int64_t now_ms) {
  const std::string amz_date = sigv4::FormatAmzDate(now_ms);
  headers.emplace_back("x-amz-date", amz_date);
  if (!creds.session_token.empty()) headers.emplace_back("x-amz-security-token", creds.session_token);
  std::vector<std::string> names;
  for (const auto& h : headers) names.push_back(h.first);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& name : names) {
    canonical_headers += name + ":" + sigv4::CanonicalHeaderValue(headers, name).value_or("") + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }
  const std::string canonical =
      sigv4::CanonicalRequest(method, sigv4::CanonicalUri(path), sigv4::CanonicalQuery(query),
                              canonical_headers, signed_headers, Sha256Hex(body));
  return std::string(sigv4::kAlgorithm) + " Credential=" + creds.access_key_id + "/" +
         Scope(creds, amz_date) + ", SignedHeaders=" + signed_headers +
         ", Signature=" + SignatureOf(creds, amz_date, canonical);
}

std::string PresignQuery(const SigningCredentials& creds, std::string_view method,
                         std::string_view path, std::string_view query, std::string_view host,
                         std::string_view body, int64_t expires_s, int64_t now_ms) {
  const std::string amz_date = sigv4::FormatAmzDate(now_ms);
  std::string out(query);
  auto add = [&out](std::string_view name, std::string_view value) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    sigv4::UriEncode(value, false, out);
  };
  add("X-Amz-Algorithm", sigv4::kAlgorithm);
  add("X-Amz-Credential", creds.access_key_id + "/" + Scope(creds, amz_date));
  add("X-Amz-Date", amz_date);
  add("X-Amz-Expires", std::to_string(expires_s));
  if (!creds.session_token.empty()) add("X-Amz-Security-Token", creds.session_token);
  add("X-Amz-SignedHeaders", "host");
  const std::string canonical =
      sigv4::CanonicalRequest(method, sigv4::CanonicalUri(path), sigv4::CanonicalQuery(out),
                              "host:" + std::string(host) + "\n", "host", Sha256Hex(body));
  add("X-Amz-Signature", SignatureOf(creds, amz_date, canonical));
  return out;
}

}  // namespace ferry::auth
