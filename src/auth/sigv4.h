// AWS Signature Version 4: reading the credential a request was signed with.
//
// This version identifies the caller (access key, region and service of the
// credential scope) from the Authorization header or a presigned URL's
// X-Amz-Credential parameter; it does not yet verify signatures. Stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::auth {

struct CredentialScope {
  std::string access_key;
  std::string date;     // yyyymmdd
  std::string region;
  std::string service;  // "sqs", "sns", "sts", ...
};

// Whether `region` can name a region: 1 to 32 of [a-z0-9-]. A region from a
// credential scope, a queue URL or an ARN that fails this names none Ferry
// keeps (and could not appear in a URL or ARN unescaped).
bool IsRegionName(std::string_view region);

// Parses "AKID/20240101/us-east-1/sqs/aws4_request".
std::optional<CredentialScope> ParseCredential(std::string_view credential);

// Parses an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
// Authorization header.
std::optional<CredentialScope> ParseAuthorizationHeader(std::string_view header);

}  // namespace ferry::auth
