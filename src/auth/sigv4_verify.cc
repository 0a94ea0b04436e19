#include "auth/sigv4_verify.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "auth/sigv4_canonical.h"
#include "common/crypto.h"

namespace ferry::auth {
namespace {

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

AuthFailure Fail(AuthError error, std::string message) { return AuthFailure{error, std::move(message)}; }

AuthFailure Incomplete(std::string message) {
  return Fail(AuthError::kIncompleteSignature, std::move(message));
}

AuthFailure Mismatch(std::string message) {
  return Fail(AuthError::kSignatureDoesNotMatch, std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view HeaderOf(const SignedRequest& req, std::string_view name) {
  for (const auto& [n, v] : req.headers) {
    if (n == name) return v;
  }
  return {};
}

bool HasHeader(const SignedRequest& req, std::string_view name) {
  for (const auto& h : req.headers) {
    if (h.first == name) return true;
  }
  return false;
}

// The decoded value of the first query parameter whose decoded name is
// `name`; nullopt when there is none.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  for (const sigv4::RawQueryPair& p : sigv4::SplitQuery(query)) {
    // Names are compared decoded, but the common case (no '%') costs nothing.
    if (p.name == name ||
        (p.name.find('%') != std::string_view::npos && sigv4::PercentDecode(p.name) == name)) {
      return sigv4::PercentDecode(p.value);
    }
  }
  return std::nullopt;
}

bool HasPresignedParams(std::string_view query) {
  return query.find("X-Amz-") != std::string_view::npos &&
         (QueryParam(query, "X-Amz-Algorithm") || QueryParam(query, "X-Amz-Credential") ||
          QueryParam(query, "X-Amz-Signature"));
}

// What a request's signature says, whichever form it came in.
struct SignatureParts {
  std::string credential;      // "AKID/day/region/service/aws4_request"
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // hex
  std::string amz_date;        // "yyyymmddThhmmssZ"
  std::string session_token;
  int64_t expires_s = 0;       // presigned only
  bool presigned = false;
};

std::optional<AuthFailure> ParseHeaderForm(const SignedRequest& req, SignatureParts& out) {
  const std::string_view header = HeaderOf(req, "authorization");
  std::string_view rest = Trim(header);
  const size_t space = rest.find(' ');
  const std::string_view algorithm = rest.substr(0, space);
  if (algorithm != sigv4::kAlgorithm) {
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'.");
  }
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  bool has_credential = false, has_signed = false, has_signature = false;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "Credential" && !has_credential) {
      out.credential = std::string(value);
      has_credential = true;
    } else if (key == "SignedHeaders" && !has_signed) {
      out.signed_headers = std::string(value);
      has_signed = true;
    } else if (key == "Signature" && !has_signature) {
      out.signature = std::string(value);
      has_signature = true;
    }
  }
  const std::string_view date = HeaderOf(req, "x-amz-date");
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (date.empty()) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return Incomplete(missing + "Authorization=" + std::string(header));
  out.amz_date = std::string(date);
  out.session_token = std::string(HeaderOf(req, "x-amz-security-token"));
  return std::nullopt;
}

std::optional<AuthFailure> ParsePresignedForm(const SignedRequest& req, SignatureParts& out) {
  out.presigned = true;
  auto need = [&](std::string_view name, std::string& into) -> std::optional<AuthFailure> {
    auto v = QueryParam(req.query, name);
    if (!v || v->empty()) {
      return Incomplete("AWS query-string parameters must include '" + std::string(name) +
                        "'. Re-examine the query-string parameters.");
    }
    into = std::move(*v);
    return std::nullopt;
  };
  std::string algorithm, expires;
  for (auto [name, into] : {std::pair<std::string_view, std::string*>{"X-Amz-Algorithm", &algorithm},
                            {"X-Amz-Credential", &out.credential},
                            {"X-Amz-Signature", &out.signature},
                            {"X-Amz-Date", &out.amz_date},
                            {"X-Amz-Expires", &expires},
                            {"X-Amz-SignedHeaders", &out.signed_headers}}) {
    if (auto failure = need(name, *into)) return failure;
  }
  if (algorithm != sigv4::kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), seconds);
  if (ec != std::errc() || end != expires.data() + expires.size() || seconds < 1) {
    return Incomplete("X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '" +
                      expires + "'.");
  }
  if (seconds > Verifier::kMaxPresignedExpiresS) {
    return Incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  out.expires_s = seconds;
  out.session_token = QueryParam(req.query, "X-Amz-Security-Token").value_or(std::string());
  return std::nullopt;
}

// The credential's five parts, or why they are not.
std::optional<AuthFailure> ParseScope(std::string_view credential, CredentialScope& scope,
                                      std::string_view& terminator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() <= 5) {
    const size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[0].empty()) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
        "got '" + std::string(credential) + "'");
  }
  scope = CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                          std::string(parts[3])};
  terminator = parts[4];
  return std::nullopt;
}

}  // namespace

SignatureForm DetectSignatureForm(const SignedRequest& req) {
  if (HasHeader(req, "authorization")) return SignatureForm::kHeader;
  if (HasPresignedParams(req.query)) return SignatureForm::kPresigned;
  return SignatureForm::kNone;
}

Verifier::Verifier(VerifierOptions options) : options_(options) {}

size_t Verifier::cached_keys() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

std::string Verifier::SigningKey(std::string_view credential, const CredentialScope& scope,
                                 std::string_view secret) const {
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(credential));
    if (it != keys_.end() && it->second.secret == secret) return it->second.key;
  }
  std::string key = sigv4::DeriveSigningKey(secret, scope.date, scope.region, scope.service);
  std::lock_guard lock(mu_);
  auto it = keys_.find(std::string(credential));
  if (it == keys_.end()) {
    if (options_.key_cache_capacity == 0) return key;
    if (keys_.size() >= options_.key_cache_capacity) keys_.erase(keys_.begin());
    keys_.emplace(std::string(credential), CachedKey{std::string(secret), key});
  } else {
    it->second = CachedKey{std::string(secret), key};
  }
  return key;
}

Verification Verifier::Verify(const KeyResolver& resolver, const SignedRequest& req,
                              std::string_view service, int64_t now_ms) const {
  Verification v;
  auto fail = [&v](AuthFailure f) {
    v.failure = std::move(f);
    return std::move(v);
  };

  const bool has_header = HasHeader(req, "authorization");
  const bool has_query = HasPresignedParams(req.query);
  if (!has_header && !has_query) {
    return fail(Fail(AuthError::kMissingAuthenticationToken,
                     "The request must contain either a valid (registered) AWS access key ID or "
                     "X.509 certificate."));
  }
  if (has_header && has_query) {
    return fail(Incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
        "Authorization header should be specified"));
  }
  SignatureParts parts;
  if (auto failure = has_header ? ParseHeaderForm(req, parts) : ParsePresignedForm(req, parts)) {
    return fail(std::move(*failure));
  }
  CredentialScope scope;
  std::string_view terminator;
  if (auto failure = ParseScope(parts.credential, scope, terminator)) return fail(std::move(*failure));
  const std::optional<int64_t> signed_at = sigv4::ParseAmzDate(parts.amz_date);
  if (!signed_at) {
    return fail(Incomplete("Date must be in ISO-8601 'basic format'. Got '" + parts.amz_date +
                           "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }

  if (!resolver.verifies_signatures()) {
    auto resolved = resolver.Resolve(scope.access_key, parts.session_token, now_ms);
    if (!resolved.principal) return fail(std::move(resolved.failure));
    v.caller = VerifiedCaller{std::move(*resolved.principal), std::move(scope), parts.presigned};
    return v;
  }

  if (terminator != sigv4::kTerminator) {
    return fail(Mismatch("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                         std::string(terminator) + "'. "));
  }
  const std::string_view day = std::string_view(parts.amz_date).substr(0, 8);
  if (scope.date != day) {
    return fail(Mismatch(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" + scope.date + "' != '" + std::string(day) + "', from '" + parts.amz_date + "'."));
  }
  if (!IsRegionName(scope.region)) {
    return fail(Mismatch("Credential should be scoped to a valid region, not '" + scope.region + "'. "));
  }
  if (!service.empty() && scope.service != service) {
    return fail(Mismatch("Credential should be scoped to correct service: '" + std::string(service) +
                         "'. "));
  }
  std::vector<std::string_view> signed_names;
  for (size_t start = 0; start <= parts.signed_headers.size();) {
    size_t semi = parts.signed_headers.find(';', start);
    if (semi == std::string::npos) semi = parts.signed_headers.size();
    signed_names.push_back(std::string_view(parts.signed_headers).substr(start, semi - start));
    start = semi + 1;
  }
  if (std::find(signed_names.begin(), signed_names.end(), "host") == signed_names.end()) {
    return fail(Mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
  }

  // The time window: 15 minutes either side for a header; for a presigned
  // URL, from 15 minutes before X-Amz-Date to X-Amz-Expires after it.
  if (*signed_at > now_ms + kMaxSkewMs) {
    return fail(Fail(AuthError::kRequestExpired,
                     "Signature not yet current: " + parts.amz_date + " is still later than " +
                         sigv4::FormatAmzDate(now_ms + kMaxSkewMs) + " (" +
                         sigv4::FormatAmzDate(now_ms) + " + 15 min.)"));
  }
  if (parts.presigned) {
    if (now_ms > *signed_at + parts.expires_s * 1000) {
      return fail(Fail(AuthError::kRequestExpired, "Request has expired."));
    }
  } else if (*signed_at < now_ms - kMaxSkewMs) {
    return fail(Fail(AuthError::kRequestExpired,
                     "Signature expired: " + parts.amz_date + " is now earlier than " +
                         sigv4::FormatAmzDate(now_ms - kMaxSkewMs) + " (" +
                         sigv4::FormatAmzDate(now_ms) + " - 15 min.)"));
  }

  auto resolved = resolver.Resolve(scope.access_key, parts.session_token, now_ms);
  if (!resolved.principal) return fail(std::move(resolved.failure));

  // The payload hash: what x-amz-content-sha256 says (which must then be the
  // body's, unless UNSIGNED-PAYLOAD), else the body's. A presigned URL
  // without X-Amz-Content-Sha256 is accepted signed either way: botocore
  // presigns with UNSIGNED-PAYLOAD, other signers with the empty body's hash.
  std::optional<std::string> declared;
  if (parts.presigned) {
    declared = QueryParam(req.query, "X-Amz-Content-Sha256");
  } else if (HasHeader(req, "x-amz-content-sha256")) {
    declared = std::string(HeaderOf(req, "x-amz-content-sha256"));
  }
  const std::string body_hash = Sha256Hex(req.body);
  if (declared && *declared != sigv4::kUnsignedPayload && *declared != body_hash) {
    return fail(Mismatch("The provided 'x-amz-content-sha256' header does not match what was computed."));
  }
  std::string canonical_headers;
  for (std::string_view name : signed_names) {
    std::string lower(name);
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    canonical_headers += lower;
    canonical_headers.push_back(':');
    if (auto value = sigv4::CanonicalHeaderValue(req.headers, lower)) canonical_headers += *value;
    canonical_headers.push_back('\n');
  }
  const std::string uri = sigv4::CanonicalUri(req.path);
  const std::string query =
      sigv4::CanonicalQuery(req.query, parts.presigned ? "X-Amz-Signature" : std::string_view());
  const std::string_view scope_text = std::string_view(parts.credential).substr(scope.access_key.size() + 1);
  const std::string key = SigningKey(parts.credential, scope, resolved.principal->secret_access_key);

  std::string canonical;
  std::string to_sign;
  auto matches = [&](std::string_view payload_hash) {
    canonical = sigv4::CanonicalRequest(req.method, uri, query, canonical_headers,
                                        parts.signed_headers, payload_hash);
    to_sign = sigv4::StringToSign(parts.amz_date, scope_text, canonical);
    const std::string expected = sigv4::Signature(key, to_sign);
    return expected.size() == parts.signature.size() &&
           CRYPTO_memcmp(expected.data(), parts.signature.data(), expected.size()) == 0;
  };
  bool ok = false;
  if (declared) {
    ok = matches(*declared);
  } else if (parts.presigned) {
    ok = matches(body_hash) || matches(sigv4::kUnsignedPayload);
  } else {
    ok = matches(body_hash);
  }
  if (!ok) {
    std::string message(kSignatureMismatch);
    if (options_.debug_signatures) {
      message += "\n\nThe Canonical String for this request should have been\n'" + canonical +
                 "'\n\nThe String-to-Sign should have been\n'" + to_sign + "'\n";
    }
    return fail(Mismatch(std::move(message)));
  }
  v.caller = VerifiedCaller{std::move(*resolved.principal), std::move(scope), parts.presigned};
  return v;
}

}  // namespace ferry::auth
