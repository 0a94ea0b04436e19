// The caller's identity: who a request's credentials say it comes from.
//
// Ferry has no credentials file yet, so any access key is accepted and every
// caller belongs to the server's one account. The principal id is what AWS
// calls an IAM user's unique id: GetCallerIdentity's UserId and the SenderId
// of the messages the caller sends. It is derived from the access key, so the
// same key always gets the same id, and it is made only of the characters AWS
// uses for such ids ("AIDA" and 17 of A-Z, 2-7), so an access key with
// control characters or bytes that are not UTF-8 can never reach a response
// through it. A later issue reads accounts and users from a credentials
// file; it changes IdentifyCaller, not its users, which read the identity
// from api::CallContext.
//
// Thread-safety: thread-safe; each thread keeps its own memo of the last
// identity it made (the result depends only on the arguments).
#pragma once

#include <string>
#include <string_view>

namespace ferry::auth {

struct CallerIdentity {
  std::string account_id;
  std::string principal_id;  // "AIDA…", 21 characters
  std::string arn;           // arn:aws:iam::<account>:user/<name>
};

// The identity of a caller signing with `access_key` (non-empty) under the
// server's account `account_id`. The ARN's user name is the access key when
// it is a valid IAM user name (1-64 of A-Z a-z 0-9 + = , . @ _ -), else the
// principal id.
CallerIdentity IdentifyCaller(std::string_view access_key, std::string_view account_id);

}  // namespace ferry::auth
