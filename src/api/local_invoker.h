// LocalInvoker: the in-process api::ActionInvoker. It hands each call to the
// api::Service of that name, as the request of one caller (an account's root
// user, by default the server's account), and waits for the Reply. The
// server uses it to apply the declarative resources file (src/resources) at
// start and on SIGHUP without going through HTTP.
//
// Errors come back as the invoker contract says: a Status of the same code
// whose message starts with the AWS error code ("QueueDoesNotExist: ...").
//
// Thread-safety: Invoke may be called from several threads at once, but
// never from a thread the services answer on (an io thread of the server):
// it blocks until the answer is in, and the answer of a durable action is
// posted to those threads. Stop() may be called from any thread; it ends
// every wait at once (Invoke answers Unavailable), and later calls too, so a
// server can shut down while an apply is under way. The services must
// outlive the invoker's calls.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "api/invoker.h"

namespace ferry::api {

struct LocalInvokerOptions {
  // The account the calls are made as (its root user); also what
  // CallContext::account_id carries.
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  // Host (host[:port]) and scheme that the URLs in answers name (SQS builds
  // queue URLs from them), as if a client had reached the server there.
  std::string host = "localhost";
  std::string scheme = "http";
};

class LocalInvoker final : public ActionInvoker {
 public:
  // `services` are looked up by api::Service::name().
  LocalInvoker(std::vector<Service*> services, LocalInvokerOptions options);
  ~LocalInvoker() override;

  Result<boost::json::object> Invoke(std::string_view service, std::string_view action,
                                     boost::json::object params) override;

  // Ends the waits under way and refuses later calls (Unavailable).
  void Stop();

 private:
  // What the waits and the Replies share; a Reply keeps it alive, so an
  // answer that comes after Invoke gave up (Stop), or after the invoker is
  // gone, lands harmlessly.
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool stopped = false;  // guarded by mu
  };

  const std::vector<Service*> services_;
  const LocalInvokerOptions options_;
  const std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace ferry::api
