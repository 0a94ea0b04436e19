// The pieces of an AWS Signature Version 4 that signer and verifier share:
// the canonical request's parts, the string to sign, the signing key and the
// X-Amz-Date format. Built as botocore builds them for the Query and JSON
// services (SQS, SNS, STS); S3's variants (single-encoded paths) are not
// here. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

using HeaderList = std::span<const std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding of every byte but the unreserved ones
// (A-Z a-z 0-9 - _ . ~), and '/' when `keep_slash`; hex digits upper-case.
void UriEncode(std::string_view in, bool keep_slash, std::string& out);

// Decodes %XX sequences; a '%' not followed by two hex digits stays as it
// is, and so does '+' (AWS's canonical form has no '+' for space).
std::string PercentDecode(std::string_view in);

// A raw query string's pairs, split at '&' and at each pair's first '=',
// still encoded; empty pieces are skipped. Views into `raw_query`.
struct RawQueryPair {
  std::string_view name;
  std::string_view value;  // "" also when the pair has no '='
};
std::vector<RawQueryPair> SplitQuery(std::string_view raw_query);

// The canonical URI of a raw request path (as sent, already percent-encoded
// by the client): its dot segments and empty segments removed, then encoded
// once more, '/' kept. "" becomes "/".
std::string CanonicalUri(std::string_view raw_path);

// The canonical query string of a raw query: each pair decoded and
// re-encoded, sorted by name then value, joined by '&'; a name without '='
// gets an empty value. Pairs named `skip` (the presigned signature) are left
// out.
std::string CanonicalQuery(std::string_view raw_query, std::string_view skip = {});

// The values of the headers named `name` (lower-case) in `headers` (names
// lower-cased), each trimmed and its inner runs of whitespace collapsed to
// one space, joined by ','; nullopt when there is none.
std::optional<std::string> CanonicalHeaderValue(HeaderList headers, std::string_view name);

// "yyyymmddThhmmssZ" ↔ ms since the epoch (whole seconds).
std::optional<int64_t> ParseAmzDate(std::string_view text);
std::string FormatAmzDate(int64_t ms);

// The canonical request, given its parts; `canonical_headers` is the
// "name:value\n" block.
std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex SHA-256 of the canonical request>".
// `scope`: "yyyymmdd/region/service/aws4_request".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// The 32-byte key that signs for one day, region and service.
std::string DeriveSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                             std::string_view service);

// Lower-case hex HMAC-SHA256 of the string to sign.
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace ferry::auth::sigv4
