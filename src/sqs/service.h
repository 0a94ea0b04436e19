// SqsService: the Amazon SQS API (2012-11-05) over the engine.
//
// Each action of the service model has one handler; Invoke finds it in one
// api::ActionTable (service.cc), which also makes the actions that change
// state answer only once the change is durable (Engine::AfterDurable), and
// answers through the Reply exactly once. Every handler
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

#include "api/action_table.h"
#include "api/call.h"
#include "auth/policy_cache.h"
#include "engine/engine.h"

namespace ferry::sqs {

// The largest HTTP request body an SQS request needs, for the HTTP server's
// limit. The largest legal request is a SendMessageBatch whose ten entries
// carry 1 MiB (1,048,576 bytes) of bodies and message attributes (names,
// types and values all count). Written in the largest encoding either wire
// allows for every byte of those values:
//   Query (form)  a byte of text percent-encoded ("%XX") is 3 bytes; a Binary
//                 value goes as base64 (4 characters for 3 bytes), each of
//                 which may be percent-encoded: 4 bytes a byte.
//   JSON          any UTF-16 code unit may be written "\uXXXX": 6 bytes for
//                 a 1-, 2- or 3-byte UTF-8 character, 12 (a surrogate pair)
//                 for a 4-byte one; at most 6 bytes a byte of text. A Binary
//                 value's base64 characters escaped so: 8 bytes a byte.
// That is at most 8 × 1 MiB. What the 1 MiB does not count (parameter names,
// JSON punctuation, entry ids of 80 and FIFO ids of 128 characters, QueueUrl,
// signature fields), in the same encodings, stays under 64 KiB even for ten
// entries of ten attributes each: about 20 KiB of form keys for the hundred
// attributes, 25 KiB of escaped ids.
inline constexpr size_t kMaxRequestBodyBytes = 8 * 1048576 + 64 * 1024;

struct SqsOptions {
  std::string region = "us-east-1";
  // The default account: that of requests whose caller names no account
  // (api::CallContext::account_id empty). Every other account's queues are
  // kept apart from it by their key (engine/queue_key.h).
  std::string account_id = "000000000000";
  // The queues' parsed Policy documents, by registry name: the service
  // keeps it exact (it stores each policy it sets), and SNS's fan-out reads
  // it to check a copy against its queue's policy. Null: the service makes
  // its own.
  std::shared_ptr<auth::PolicyCache> queue_policies{};
};

struct Env;

class SqsService final : public api::Service {
 public:
  SqsService(engine::Engine& engine, boost::asio::any_io_executor executor, SqsOptions options);
  ~SqsService() override;

  SqsService(const SqsService&) = delete;
  SqsService& operator=(const SqsService&) = delete;

  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view action) const override;
  void Invoke(api::Call call, api::Reply reply) override;

 private:
  std::unique_ptr<Env> env_;
  // The engine's durability wait, for the table's durable actions.
  api::DurableWait durable_;
};

}  // namespace ferry::sqs
