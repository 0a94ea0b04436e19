// SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch.
//
// Request-level problems (entry count, ids, total size, the queue) fail the
// whole call; a problem with one entry fails that entry only, reported in
// "Failed" beside the "Successful" ones (HTTP 200).
#include <unordered_set>

#include "api/errors.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr size_t kMaxBatchEntries = 10;
constexpr size_t kMaxBatchBytes = 1048576;
constexpr size_t kMaxBatchIdLength = 80;

struct Entry {
  std::string_view id;
  const boost::json::object* fields;
};

bool IsValidBatchId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxBatchIdLength;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  return ok;
}

// The entries of a batch request, with their ids checked.
// `entry_name` is the Query name of one entry, e.g. "SendMessageBatchRequestEntry".
Result<std::vector<Entry>> ReadEntries(const api::Params& p, std::string_view entry_name) {
  auto entries = p.ObjectList("Entries");
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    return api::Error(
        ErrorId::kEmptyBatchRequest,
        "There should be at least one " + std::string(entry_name) + " in the request.");
  }
  if (entries->size() > kMaxBatchEntries) {
    return api::Error(ErrorId::kTooManyEntriesInBatchRequest,
                      "Maximum number of entries per request are 10. You have sent " +
                          std::to_string(entries->size()) + ".");
  }
  std::vector<Entry> out;
  out.reserve(entries->size());
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < entries->size(); ++i) {
    const boost::json::object* e = (*entries)[i];
    auto id = e->find("Id");
    if (id == e->end() || id->value().is_null()) {
      return api::MissingParameter(std::string(entry_name) + "." + std::to_string(i + 1) + ".Id");
    }
    if (!id->value().is_string() || !IsValidBatchId(id->value().get_string())) {
      return api::Error(ErrorId::kInvalidBatchEntryId,
                        "A batch entry id can only contain alphanumeric characters, hyphens and "
                        "underscores. It can be at most 80 letters long.");
    }
    std::string_view text = id->value().get_string();
    if (!seen.insert(text).second) {
      return api::Error(ErrorId::kBatchEntryIdsNotDistinct,
                        "Id " + std::string(text) + " repeated.");
    }
    out.push_back({text, e});
  }
  return out;
}

std::size_t StringSize(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? it->value().get_string().size() : 0;
}

// The bytes an entry adds to the batch total: body, attribute names, types
// and values (binary values counted decoded). Malformed parts count as zero;
// the entry's own validation reports them.
size_t EntrySize(const boost::json::object& e) {
  size_t n = StringSize(e, "MessageBody");
  auto attrs = e.find("MessageAttributes");
  if (attrs == e.end() || !attrs->value().is_object()) return n;
  for (const auto& kv : attrs->value().get_object()) {
    n += kv.key().size();
    if (!kv.value().is_object()) continue;
    const boost::json::object& v = kv.value().get_object();
    n += StringSize(v, "DataType") + StringSize(v, "StringValue") +
         StringSize(v, "BinaryValue") / 4 * 3;
  }
  return n;
}

// The result of a batch call. Its entries, and the object Take returns, live
// in one arena shared by the result: ten entries of a few strings each are
// then one or two allocations, and nothing is freed one by one.
class BatchResult {
 public:
  explicit BatchResult(api::Wire wire)
      : wire_(wire),
        arena_(boost::json::make_shared_resource<boost::json::monotonic_resource>(2048)),
        successful_(arena_),
        failed_(arena_) {}

  void Succeed(std::string_view id, boost::json::object fields = {}) {
    boost::json::object entry(arena_);
    entry.reserve(fields.size() + 1);
    entry.emplace("Id", id);
    for (auto& kv : fields) entry.emplace(kv.key(), std::move(kv.value()));
    successful_.emplace_back(std::move(entry));
  }

  void Fail(std::string_view id, const Status& error) {
    const api::ErrorDef& def = api::ErrorFor(error);
    boost::json::object entry(arena_);
    entry.reserve(4);
    entry.emplace("Id", id);
    entry.emplace("SenderFault", def.sender_fault);
    entry.emplace("Code", wire_ == api::Wire::kQuery ? def.query_code : def.code);
    entry.emplace("Message", error.message());
    failed_.emplace_back(std::move(entry));
  }

  boost::json::object Take() {
    boost::json::object out(arena_);
    out.emplace("Successful", std::move(successful_));
    // AWS leaves an empty Failed list out (an empty list has no XML form
    // either, so both wires read the same).
    if (!failed_.empty()) out.emplace("Failed", std::move(failed_));
    return out;
  }

 private:
  api::Wire wire_;
  boost::json::storage_ptr arena_;
  boost::json::array successful_;
  boost::json::array failed_;
};

bool HasValue(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && !it->value().is_null();
}

// On a FIFO queue an entry without a MessageGroupId, or without a
// deduplication id when the queue has no content-based deduplication, fails
// the whole request (AWS's 400), not that entry alone.
Status CheckFifoBatchIds(const std::vector<Entry>& entries, const SendRules& rules) {
  for (const Entry& e : entries) {
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
  for (const Entry& e : *entries) total += EntrySize(*e.fields);
  if (total > kMaxBatchBytes) {
    return api::Error(ErrorId::kBatchRequestTooLong,
                      "Batch requests cannot be longer than " + std::to_string(kMaxBatchBytes) +
                          " bytes. You have sent " + std::to_string(total) + " bytes.");
  }

  const SendRules rules = SendRulesOf(**queue);
  FERRY_RETURN_IF_ERROR(CheckFifoBatchIds(*entries, rules));
  BatchResult result(call.ctx.wire);
  for (const Entry& e : *entries) {
    Result<PreparedSend> prepared = PrepareSend(*e.fields, call.ctx, "SendMessageBatch", rules);
    if (!prepared.ok()) {
      result.Fail(e.id, prepared.status());
      continue;
    }
    HandlerResult sent = SendPrepared(**queue, std::move(prepared).value());
    if (!sent.ok()) {
      result.Fail(e.id, sent.status());
    } else {
      result.Succeed(e.id, std::move(sent).value());
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

  BatchResult result(call.ctx.wire);
  for (const Entry& e : *entries) {
    auto handle = p.Nested(*e.fields).RequiredString("ReceiptHandle");
    Status s = handle.ok() ? DeleteOne(**queue, *handle) : handle.status();
    if (s.ok()) {
      result.Succeed(e.id);
    } else {
      result.Fail(e.id, s);
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

  BatchResult result(call.ctx.wire);
  for (const Entry& e : *entries) {
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
