// Resource policies: the IAM policy documents of SQS queues and SNS topics
// (their Policy attribute), parsed and validated once, then evaluated as a
// pure function of who calls, what action, on which resource, with which
// request context.
//
// The language is the subset these documents use:
//   Version ("2008-10-17" | "2012-10-17"), Id, Statement (an object or a
//   non-empty array) of statements with Sid, Effect (Allow | Deny),
//   Principal or NotPrincipal ("*", {"AWS": ...}, {"Service": ...}),
//   Action or NotAction ("sqs:SendMessage", "sqs:Send*", "*"; action names
//   compare case-insensitively), Resource or NotResource (ARNs with * and ?
//   wildcards), and Condition: ArnEquals, ArnLike, ArnNotEquals,
//   ArnNotLike, StringEquals, StringLike, StringNotEquals, StringNotLike,
//   Bool, IpAddress, NotIpAddress (each also with the IfExists suffix) on
//   aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:SecureTransport
//   and aws:SourceIp (key names compare case-insensitively; a key the
//   request does not carry is absent: positive operators fail on it,
//   negated ones hold). Values of one key are ORed; keys and operators are
//   ANDed.
//
// An {"AWS": ...} principal names an account ("123456789012", or
// "arn:aws:iam::123456789012:root": every principal of the account), an IAM
// user or role ARN (a role matches its assumed-role sessions), or "*"
// (every caller, AWS services included, as AWS's older examples for SNS →
// SQS rely on). {"Service": "sns.amazonaws.com"} names a service calling on
// a resource's behalf.
//
// Evaluation: an explicit Deny wins; otherwise an Allow grants; otherwise
// the request is not allowed, except that the resource's owner account is
// allowed unless a statement denies it (IsAllowed).
//
// Thread-safety: a Policy is immutable once parsed; any number of threads
// may evaluate it at once. Evaluation allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ferry::auth {

// Who is calling. A principal of an account has `account` and `arn` (its IAM
// ARN: arn:aws:iam::<account>:root, :user/<name>, or an STS assumed-role
// ARN); a service calling on a resource's behalf has `service`
// ("sns.amazonaws.com") and neither of the others.
struct PolicyCaller {
  std::string_view account{};
  std::string_view arn{};
  std::string_view service{};
};

// The condition keys of a request. Empty: the request does not carry it.
struct PolicyContext {
  std::string_view source_arn{};      // aws:SourceArn
  std::string_view source_account{};  // aws:SourceAccount
  std::string_view source_owner{};    // aws:SourceOwner
  std::string_view source_ip{};       // aws:SourceIp (an IPv4 or IPv6 address)
  std::optional<bool> secure_transport{};  // aws:SecureTransport
};

struct PolicyRequest {
  PolicyCaller caller{};
  std::string_view action{};    // "sqs:SendMessage", "sns:Publish"
  std::string_view resource{};  // the resource's ARN
  PolicyContext context{};
};

enum class Decision {
  kAllow,       // an Allow statement applies and no Deny does
  kDeny,        // a Deny statement applies
  kNotAllowed,  // no statement applies
};

class Policy {
 public:
  // The statements' parts, compiled: patterns are kept as written (action
  // patterns lower-cased), matched without allocating.
  struct Principals {
    bool any = false;                   // "*" or {"AWS": "*"}
    std::vector<std::string> accounts;  // 12-digit ids (from ids and :root ARNs)
    std::vector<std::string> arns;      // IAM user/role ARNs
    std::vector<std::string> services;  // "sns.amazonaws.com"
  };
  enum class Key : uint8_t { kSourceArn, kSourceAccount, kSourceOwner, kSecureTransport, kSourceIp,
                             kOther };
  enum class Operator : uint8_t { kArnLike, kStringEquals, kStringLike, kBool, kIpAddress };
  struct Cidr {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
  };
  struct Condition {
    Operator op = Operator::kStringEquals;
    bool negated = false;    // ...Not...: holds when no value matches
    bool if_exists = false;  // ...IfExists: holds when the key is absent
    Key key = Key::kOther;
    std::vector<std::string> values;
    std::vector<Cidr> cidrs;  // IpAddress, NotIpAddress
  };
  struct Statement {
    bool deny = false;
    bool not_principal = false;
    Principals principals;
    bool not_action = false;
    std::vector<std::string> actions;  // lower case
    bool not_resource = false;
    bool any_resource = true;  // neither Resource nor NotResource: this resource
    std::vector<std::string> resources;
    std::vector<Condition> conditions;
  };

  Decision Evaluate(const PolicyRequest& request) const;

  const std::vector<Statement>& statements() const { return statements_; }

 private:
  friend Result<Policy> ParsePolicy(std::string_view, std::string_view);
  std::vector<Statement> statements_;
};

// Parses and validates a policy document. `service` ("sqs", "sns"), when
// set, is the only service whose actions the document may name. Errors:
// kInvalidArgument with the reason (for SNS's "Policy Error: <reason>").
Result<Policy> ParsePolicy(std::string_view json, std::string_view service = {});

// The decision with the owner rule: `owner_account` owns the resource and is
// allowed unless a statement denies it. The owner is a caller of that
// account, or a service calling on behalf of a source of that account
// (aws:SourceAccount). `policy` may be null (the resource has none).
bool IsAllowed(const Policy* policy, const PolicyRequest& request, std::string_view owner_account);

// Whether `text` matches `pattern`, where * matches any run of characters
// and ? any one; `fold_case`: ASCII letters compare case-insensitively.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool fold_case = false);

}  // namespace ferry::auth
