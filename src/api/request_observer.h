// RequestObserver: told of every API request the gateway answers, once its
// answer is written (or handed to the HTTP server), with what an operator
// wants to count and log: the service, action, caller's account, request id,
// HTTP status, error code and latency. The metrics registry (request counts
// and latency histograms by service, action and outcome) and the structured
// request log are observers; GatewayOptions::observers lists them.
//
// A request that never reached a service (a refused signature, an unknown
// action, a malformed body) is observed too, with the service and action as
// far as they were known ("" otherwise) and its error code.
//
// Thread-safety: OnRequest is called on any thread (io threads, the blocking
// pool, the log writer's callbacks), concurrently; it must be quick and must
// not block. The record's views are valid during the call only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace ferry::api {

struct RequestRecord {
  std::string_view service;     // "sqs", "sns", "sts", "ferry"; "" if not known
  std::string_view action;      // e.g. "SendMessage"; "" if not known
  std::string_view account_id;  // the caller's account ("" before authentication)
  std::string_view access_key;  // from the SigV4 credential, "" if unsigned
  std::string_view request_id;  // the x-amzn-RequestId of the answer
  std::string_view source_ip;
  std::string_view wire;        // "json" or "query"
  int http_status = 200;
  std::string_view error_code;  // AWS's code (e.g. "QueueDoesNotExist"); "" on success
  std::chrono::nanoseconds latency{0};  // from the request's arrival to its answer
  uint64_t request_bytes = 0;
  uint64_t response_bytes = 0;
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnRequest(const RequestRecord& record) = 0;
};

}  // namespace ferry::api
