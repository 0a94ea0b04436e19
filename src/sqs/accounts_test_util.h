// Test helpers for calls made by several accounts (the SQS and SNS
// accounts_test.cc and policy_enforcement_test.cc): a call made by an
// account's root user, SqsTest with helpers that call so, and a call by an
// account alone on a bare SqsFixture (the restart tests).
//
// Thread-safety: single-threaded, like the tests that use it.
#pragma once

#include <string>
#include <string_view>

#include "sqs/sqs_test_util.h"

namespace ferry::sqs {

// Makes `call` one by `account`'s root user, as the gateway does for a key
// of that account.
inline void ByRootUserOf(std::string_view account, api::Call& call) {
  call.ctx.account_id = std::string(account);
  call.ctx.principal_id = std::string(account);
  call.ctx.principal_arn = "arn:aws:iam::" + std::string(account) + ":root";
}

// The call `f` makes of `action`, made by `account` (no user: the account
// alone, as a restart test needs it).
inline SqsFixture::Answer CallAsAccount(SqsFixture& f, std::string_view account,
                                        std::string_view action, std::string_view json) {
  api::Call call = f.MakeCall(action, json);
  call.ctx.account_id = std::string(account);
  return f.Call(std::move(call));
}

class AccountsTestBase : public SqsTest {
 protected:
  // `action` as called by `account`'s root user, from source_ip.
  api::Call As(std::string_view account, std::string_view action, std::string_view json) const {
    api::Call call = MakeCall(action, json);
    ByRootUserOf(account, call);
    call.ctx.source_ip = source_ip;
    return call;
  }
  Answer CallAs(std::string_view account, std::string_view action, std::string_view json) {
    return Call(As(account, action, json));
  }
  // The result of a call that must succeed.
  boost::json::object OkAs(std::string_view account, std::string_view action,
                           std::string_view json) {
    Answer a = CallAs(account, action, json);
    EXPECT_TRUE(a.ok()) << account << " " << action << ": " << a.status().message();
    return a.ok() ? std::move(a).value() : boost::json::object();
  }
  // The AWS error code (JSON form) of a call that must fail, and its message.
  std::string FailsAs(std::string_view account, std::string_view action, std::string_view json,
                      std::string* message = nullptr) {
    Answer a = CallAs(account, action, json);
    EXPECT_FALSE(a.ok()) << account << " " << action << " succeeded";
    if (a.ok()) return "";
    if (message) *message = a.status().message();
    return std::string(api::ErrorFor(a.status()).code);
  }

  // The address calls come from (aws:SourceIp); empty by default.
  std::string source_ip;
};

}  // namespace ferry::sqs
