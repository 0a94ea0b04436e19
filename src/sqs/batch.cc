// SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch.
//
// Request-level problems (entry count, ids, total size, the queue) fail the
// whole call; a problem with one entry fails that entry only, reported in
// "Failed" beside the "Successful" ones (HTTP 200).
#include "api/batch.h"

#include <optional>
#include <string>
#include <vector>

#include "api/errors.h"
#include "message/body.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

using api::BatchEntry;
using api::ErrorId;

constexpr size_t kMaxBatchBytes = 1048576;

// SQS's refusals of a malformed entry list. `entry_name` is the Query name
// of one entry, e.g. "SendMessageBatchRequestEntry".
class SqsBatchErrors final : public api::BatchErrors {
 public:
  explicit SqsBatchErrors(std::string_view entry_name) : entry_name_(entry_name) {}
  Status Empty() const override {
    return api::Error(ErrorId::kEmptyBatchRequest,
                      "There should be at least one " + entry_name_ + " in the request.");
  }
  Status TooMany(size_t count) const override {
    return api::Error(ErrorId::kTooManyEntriesInBatchRequest,
                      "Maximum number of entries per request are 10. You have sent " +
                          std::to_string(count) + ".");
  }
  Status MissingId(size_t index) const override {
    return api::MissingParameter(entry_name_ + "." + std::to_string(index + 1) + ".Id");
  }
  Status InvalidId(std::string_view) const override {
    return api::Error(ErrorId::kInvalidBatchEntryId,
                      "A batch entry id can only contain alphanumeric characters, hyphens and "
                      "underscores. It can be at most 80 letters long.");
  }
  Status NotDistinct(std::string_view id) const override {
    return api::Error(ErrorId::kBatchEntryIdsNotDistinct, "Id " + std::string(id) + " repeated.");
  }

 private:
  std::string entry_name_;
};

Result<std::vector<BatchEntry>> ReadEntries(const api::Params& p, std::string_view entry_name) {
  return api::ReadBatchEntries(p, "Entries", SqsBatchErrors(entry_name));
}

bool HasValue(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && !it->value().is_null();
}

// On a FIFO queue an entry without a MessageGroupId, or without a
// deduplication id when the queue has no content-based deduplication, fails
// the whole request (AWS's 400), not that entry alone.
Status CheckFifoBatchIds(const std::vector<BatchEntry>& entries, const SendRules& rules) {
  for (const BatchEntry& e : entries) {
    FERRY_RETURN_IF_ERROR(CheckFifoIdsPresent(rules, HasValue(*e.fields, "MessageGroupId"),
                                              HasValue(*e.fields, "MessageDeduplicationId")));
  }
  return Status::Ok();
}

}  // namespace

HandlerResult SendMessageBatch(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto entries = ReadEntries(p, "SendMessageBatchRequestEntry");
  if (!entries.ok()) return entries.status();
  size_t total = 0;
  for (const BatchEntry& e : *entries) total += message::UnreadMessageSize(*e.fields, "MessageBody");
  if (total > kMaxBatchBytes) {
    return api::Error(ErrorId::kBatchRequestTooLong,
                      "Batch requests cannot be longer than " + std::to_string(kMaxBatchBytes) +
                          " bytes. You have sent " + std::to_string(total) + " bytes.");
  }

  const SendRules rules = SendRulesOf(**queue, env.engine.clock());
  FERRY_RETURN_IF_ERROR(CheckFifoBatchIds(*entries, rules));
  api::BatchResult result(call.ctx.wire);
  // Every valid entry is stored by one engine call (one transaction on an
  // engine with round trips); the answer keeps the request's order.
  struct Outcome {
    const BatchEntry* entry;
    Status failed;
    std::optional<PreparedSend> prepared;
  };
  std::vector<Outcome> outcomes;
  std::vector<engine::SendRequest> requests;
  outcomes.reserve(entries->size());
  requests.reserve(entries->size());
  for (const BatchEntry& e : *entries) {
    Outcome& o = outcomes.emplace_back(Outcome{&e, Status::Ok(), std::nullopt});
    Result<PreparedSend> prepared = PrepareSend(*e.fields, call.ctx, "SendMessageBatch", rules);
    Status failed = prepared.ok() ? CheckMessageSize(**queue, *prepared) : prepared.status();
    if (!failed.ok()) {
      o.failed = std::move(failed);
      continue;
    }
    o.prepared = std::move(prepared).value();
    requests.push_back(std::move(o.prepared->request));
  }
  std::vector<Result<engine::SendResult>> sent;
  if (!requests.empty()) sent = (*queue)->SendBatch(std::move(requests));
  size_t next = 0;
  for (Outcome& o : outcomes) {
    if (!o.prepared) {
      result.Fail(o.entry->id, o.failed);
    } else if (Result<engine::SendResult>& r = sent[next++]; !r.ok()) {
      result.Fail(o.entry->id, EngineError(r.status()));
    } else {
      result.Succeed(o.entry->id, SentMembers(**queue, *o.prepared, std::move(r).value()));
    }
  }
  return result.Take();
}

HandlerResult DeleteMessageBatch(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto entries = ReadEntries(p, "DeleteMessageBatchRequestEntry");
  if (!entries.ok()) return entries.status();

  api::BatchResult result(call.ctx.wire);
  // The entries with a handle are deleted by one engine call.
  std::vector<Status> failed(entries->size());
  std::vector<std::string> owned;
  std::vector<size_t> index;  // handle → entry
  owned.reserve(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    auto handle = p.Nested(*(*entries)[i].fields).RequiredString("ReceiptHandle");
    if (!handle.ok()) {
      failed[i] = handle.status();
      continue;
    }
    owned.push_back(std::move(handle).value());
    index.push_back(i);
  }
  const std::vector<std::string_view> handles(owned.begin(), owned.end());
  if (!handles.empty()) {
    std::vector<Status> deleted = (*queue)->DeleteBatch(handles);
    for (size_t j = 0; j < handles.size(); ++j) {
      if (!deleted[j].ok()) failed[index[j]] = DeleteError(deleted[j], handles[j]);
    }
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    if (failed[i].ok()) {
      result.Succeed((*entries)[i].id);
    } else {
      result.Fail((*entries)[i].id, failed[i]);
    }
  }
  return result.Take();
}

HandlerResult ChangeMessageVisibilityBatch(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto entries = ReadEntries(p, "ChangeMessageVisibilityBatchRequestEntry");
  if (!entries.ok()) return entries.status();

  api::BatchResult result(call.ctx.wire);
  for (const BatchEntry& e : *entries) {
    const api::Params fields = p.Nested(*e.fields);
    Status s;
    auto handle = fields.RequiredString("ReceiptHandle");
    auto timeout = fields.OptionalInt("VisibilityTimeout");
    if (!handle.ok()) {
      s = handle.status();
    } else if (!timeout.ok()) {
      s = timeout.status();
    } else {
      s = ChangeVisibilityOne(**queue, *handle, *timeout);
    }
    if (s.ok()) {
      result.Succeed(e.id);
    } else {
      result.Fail(e.id, s);
    }
  }
  return result.Take();
}

}  // namespace ferry::sqs
