// Queue keys of an account and a region: the engine registry names
// (engine/queue_key.h) of SQS queues, and their ARNs and URLs. The SQS
// handlers and the admin service (src/admin) name queues through these, so
// both agree on which queues are whose.
//
// The server's default account and home region (`QueueHome`) are a key's
// empty account and region, so the default account's queues of the home
// region keep their plain names.
//
// Thread-safety: pure functions, but ListQueueKeys, which reads the engine
// through its thread-safe interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "engine/engine.h"
#include "engine/queue_key.h"

namespace ferry::sqs {

// The server's default account and home region; the strings outlive it.
struct QueueHome {
  std::string_view region;
  std::string_view account_id;
};

// The registry key of queue `name` of `account` in `region`.
engine::QueueKey QueueKeyIn(const QueueHome& home, std::string_view account,
                            std::string_view region, std::string_view name);
// The account and region a registry name places its queue in (never empty).
std::string AccountOfKey(const QueueHome& home, std::string_view registry_name);
std::string RegionOfKey(const QueueHome& home, std::string_view registry_name);
// The queue's ARN, and its URL as the caller of `ctx` reaches it.
std::string QueueArnOfKey(const QueueHome& home, std::string_view registry_name);
std::string QueueUrlOfKey(const QueueHome& home, const api::CallContext& ctx,
                          std::string_view registry_name);
// The registry names of `account`'s queues in `region` whose names begin
// with `prefix`, in order; never another account's or region's, nor an
// internal queue's (their keys have regions no request can name).
std::vector<std::string> ListQueueKeys(const engine::Engine& engine, const QueueHome& home,
                                       std::string_view account, std::string_view region,
                                       std::string_view prefix);

}  // namespace ferry::sqs
