// SqsService: the Amazon SQS API (2012-11-05) over the engine.
//
// Each action of the service model has one handler; Invoke finds it in one
// table (service.cc) and answers through the Reply exactly once. Every handler
// validates its input, calls the engine and shapes the result as the model's
// output shape; only this layer maps engine errors to AWS error codes.
// ReceiveMessage with a wait answers later, from the executor (long_poll.h).
//
// Thread-safety: Invoke may be called concurrently from any thread. The
// service must outlive the engine calls and long polls it starts, i.e. every
// thread running `executor`'s context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "api/call.h"
#include "engine/engine.h"

namespace ferry::sqs {

struct SqsOptions {
  std::string region = "us-east-1";
  // The one account that owns every queue: it appears in queue URLs and ARNs.
  std::string account_id = "000000000000";
};

struct Env;

class SqsService final : public api::Service {
 public:
  SqsService(engine::Engine& engine, boost::asio::any_io_executor executor, SqsOptions options);
  ~SqsService() override;

  SqsService(const SqsService&) = delete;
  SqsService& operator=(const SqsService&) = delete;

  std::string_view name() const override { return "sqs"; }
  bool Knows(std::string_view action) const override;
  void Invoke(api::Call call, api::Reply reply) override;

 private:
  std::unique_ptr<Env> env_;
};

}  // namespace ferry::sqs
