// The caller's identity: who a request's credentials say it comes from.
//
// Ferry has no credentials file yet (issue 11), so any access key is
// accepted, and the key itself says whose it is, as LocalStack reads keys:
//   - an access key id of exactly 12 digits names that account, and the
//     caller is the account's root user: principal id the account id and ARN
//     arn:aws:iam::<account>:root, what AWS's GetCallerIdentity answers for
//     root credentials;
//   - any other key is a user of the server's default account (ferry serve's
//     --account-id), with a principal id derived from the key.
// The principal id is what AWS calls the caller's unique id (aws:userid):
// GetCallerIdentity's UserId and the SenderId of the messages the caller
// sends. A user's is derived from the access key, so the same key always gets
// the same id, and it is made only of the characters AWS uses for such ids
// ("AIDA" and 17 of A-Z, 2-7); a root user's is 12 digits. So an access key
// with control characters or bytes that are not UTF-8 can never reach a
// response through it. A later issue reads accounts and users from a
// credentials file; it changes IdentifyCaller, not its users, which read the
// identity from api::CallContext.
//
// Thread-safety: thread-safe; each thread keeps its own memo of the last
// identity it made (the result depends only on the arguments).
#pragma once

#include <string>
#include <string_view>

namespace ferry::auth {

struct CallerIdentity {
  std::string account_id;
  std::string principal_id;  // "AIDA…", 21 characters; a root user's: the account id
  std::string arn;           // arn:aws:iam::<account>:user/<name>, or :root
};

// Whether `text` has the form of an AWS account id: exactly 12 ASCII digits.
bool IsAccountId(std::string_view text);

// Whether `name` is a valid IAM user or role name: 1-64 of
// A-Z a-z 0-9 + = , . @ _ -.
bool IsUserName(std::string_view name);

// A unique id in AWS's form for IAM ids: `prefix` ("AIDA" for users, "AROA"
// for roles) and 17 of A-Z 2-7 derived from `seed`, so the same seed always
// gets the same id.
std::string UniqueIdOf(std::string_view prefix, std::string_view seed);

// The identity of a caller signing with `access_key` (non-empty): the root
// user of the account a 12-digit key names, else a user of
// `default_account_id`. A user's ARN names the access key when it is a valid
// IAM user name (1-64 of A-Z a-z 0-9 + = , . @ _ -), else the principal id.
CallerIdentity IdentifyCaller(std::string_view access_key, std::string_view default_account_id);

}  // namespace ferry::auth
