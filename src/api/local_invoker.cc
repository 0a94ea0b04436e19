#include "api/local_invoker.h"

#include <optional>
#include <utility>

#include "api/errors.h"
#include "common/crypto.h"

namespace ferry::api {

LocalInvoker::LocalInvoker(std::vector<Service*> services, LocalInvokerOptions options)
    : services_(std::move(services)), options_(std::move(options)) {}

LocalInvoker::~LocalInvoker() { Stop(); }

void LocalInvoker::Stop() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopped = true;
  }
  shared_->cv.notify_all();
}

Result<boost::json::object> LocalInvoker::Invoke(std::string_view service, std::string_view action,
                                                 boost::json::object params) {
  Service* target = nullptr;
  for (Service* s : services_) {
    if (s->name() == service) target = s;
  }
  if (target == nullptr) {
    return Status::InvalidArgument("InvalidAction: no service named " + std::string(service));
  }
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopped) return Status::Unavailable("ServiceUnavailable: the server is stopping");
  }
  Call call;
  call.service = std::string(service);
  call.action = std::string(action);
  call.params = std::move(params);
  call.ctx.request_id = NewUuid();
  call.ctx.wire = Wire::kJson;
  call.ctx.scheme = options_.scheme;
  call.ctx.secure_transport = options_.scheme == "https";
  call.ctx.host = options_.host;
  call.ctx.path = "/";
  call.ctx.region = options_.region;
  call.ctx.account_id = options_.account_id;
  // The account's root user, as a 12-digit access key names it
  // (auth/identity.h).
  call.ctx.access_key = options_.account_id;
  call.ctx.principal_id = options_.account_id;
  call.ctx.principal_arn = "arn:aws:iam::" + options_.account_id + ":root";

  // The answer slot, guarded by shared_->mu.
  using Slot = std::optional<Result<boost::json::object>>;
  auto slot = std::make_shared<Slot>();
  target->Invoke(std::move(call), [shared = shared_, slot](Result<boost::json::object> answer) {
    {
      std::lock_guard lock(shared->mu);
      *slot = std::move(answer);
    }
    shared->cv.notify_all();
  });
  std::unique_lock lock(shared_->mu);
  shared_->cv.wait(lock, [&] { return slot->has_value() || shared_->stopped; });
  if (!slot->has_value()) {
    return Status::Unavailable("ServiceUnavailable: the server is stopping");
  }
  Result<boost::json::object> answer = std::move(**slot);
  if (answer.ok()) return answer;
  const Status& failed = answer.status();
  return Status(failed.code(), std::string(ErrorFor(failed).code) + ": " + failed.message(),
                failed.detail());
}

}  // namespace ferry::api
