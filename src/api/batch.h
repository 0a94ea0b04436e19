// What the batch actions of every service share (SQS's SendMessageBatch,
// DeleteMessageBatch, ChangeMessageVisibilityBatch; SNS's PublishBatch): the
// entry list with its ids checked, and the {Successful, Failed} result.
//
// The rules are the same everywhere (1 to 10 entries; ids of 1 to 80
// letters, digits, '-' and '_', distinct within a request); the error codes
// and their texts are each service's, so the service passes them in
// (BatchErrors).
//
// Thread-safety: ReadBatchEntries is a pure function; a BatchResult belongs
// to one request.
#pragma once

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "api/params.h"
#include "common/status.h"

namespace ferry::api {

inline constexpr size_t kMaxBatchEntries = 10;

// One entry of a batch request: its Id and its fields (views into the call).
struct BatchEntry {
  std::string_view id;
  const boost::json::object* fields;
};

// How a service refuses a malformed entry list. Each returns the Status the
// whole request fails with.
class BatchErrors {
 public:
  virtual ~BatchErrors() = default;
  virtual Status Empty() const = 0;
  virtual Status TooMany(size_t count) const = 0;
  // The entry at `index` (0-based) has no Id.
  virtual Status MissingId(size_t index) const = 0;
  virtual Status InvalidId(std::string_view id) const = 0;
  virtual Status NotDistinct(std::string_view id) const = 0;
};

// The entries of the list params[key], with their ids checked, in request
// order.
Result<std::vector<BatchEntry>> ReadBatchEntries(const Params& params, std::string_view key,
                                                 const BatchErrors& errors);

// The result of a batch call. Its entries, and the object Take returns, live
// in one arena shared by the result: ten entries of a few strings each are
// then one or two allocations, and nothing is freed one by one.
class BatchResult {
 public:
  explicit BatchResult(Wire wire);

  // A successful entry: {"Id", ...fields}.
  void Succeed(std::string_view id, boost::json::object fields = {});
  // A failed entry: {"Id", "SenderFault", "Code", "Message"}, from the
  // error's catalog row (its Query code on the Query wire).
  void Fail(std::string_view id, const Status& error);
  // {"Successful": [...], "Failed": [...]}; AWS leaves an empty Failed list
  // out (an empty list has no XML form either, so both wires read the same).
  boost::json::object Take();

 private:
  Wire wire_;
  boost::json::storage_ptr arena_;
  boost::json::array successful_;
  boost::json::array failed_;
};

}  // namespace ferry::api
