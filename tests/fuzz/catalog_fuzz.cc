// Fuzzes the catalog as SNS reads it back: stored CatalogEntry records
// (storage/record.h) put into an engine's catalog, then loaded by the SNS
// registry (sns/registry.h), which decodes topics and subscriptions from
// their fields. The input is a run of records, each a u16 LE length and that
// many bytes of a kCatalogEntry payload; a payload that does not decode is
// skipped (wal_record_fuzz covers the decoder's refusals).
//
// What must hold: Load answers ok or an error (a subscription it cannot
// load, an internal queue it cannot make); never a crash. When it loads: every subscription belongs to
// a loaded topic and is listed by it; a second registry loading the same
// catalog sees the same topics and subscriptions (the first load's clean-up
// left nothing more to do); and storing each loaded topic and subscription
// again unchanged, then loading once more, gives back the same fields (what
// the registry decodes, it encodes back to the same thing).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/coding.h"
#include "engine/local_engine.h"
#include "sns/registry.h"
#include "storage/record.h"

namespace {

using namespace ferry;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Describe(const sns::Registry& r) {
  std::string out;
  for (const auto& t : r.Topics()) {
    out += "topic " + t->arn + " name " + t->name + " account " + t->account + " region " +
           t->region + " created " + std::to_string(t->created_ms) + (t->fifo ? " fifo" : "") +
           " dedup " + t->dedup_queue_key + "\n";
    for (const auto& [k, v] : t->attributes) out += " attr " + k + "=" + v + "\n";
    for (const auto& [k, v] : t->tags) out += " tag " + k + "=" + v + "\n";
    for (const auto& s : t->subscriptions) out += " sub " + s->arn + "\n";
  }
  for (const auto& s : r.Subscriptions()) {
    out += "subscription " + s->arn + " id " + s->id + " topic " + s->topic_arn + " owner " +
           s->owner + " " + std::string(sns::ProtocolName(s->protocol)) + " " + s->endpoint +
           (s->confirmed ? " confirmed" : "") + (s->confirmation_authenticated ? " auth" : "") +
           " token " + s->token + " created " + std::to_string(s->created_ms) + "\n";
    for (const auto& [k, v] : s->attributes) out += " attr " + k + "=" + v + "\n";
  }
  for (const auto& s : r.HttpSubscriptions()) {
    if (s->retired) out += "retired " + s->arn + " queue " + s->queue_key + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (in.size() >= 2) {
    const size_t len = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
    in.remove_prefix(2);
    const std::string_view payload = in.substr(0, len);
    in.remove_prefix(payload.size());
    storage::Record record;
    if (!storage::DecodeRecordPayload(storage::RecordType::kCatalogEntry, payload, &record).ok()) {
      continue;
    }
    auto& e = std::get<storage::CatalogEntry>(record);
    const auto kind = static_cast<engine::CatalogKind>(e.kind);
    if (e.erased) {
      Check(engine.EraseEntry(kind, e.key).ok());
    } else {
      engine::CatalogEntry entry{.key = e.key, .fields = {}};
      for (auto& [k, v] : e.fields) entry.fields[k] = v;
      Check(engine.PutEntry(kind, std::move(entry)).ok());
    }
  }

  sns::Registry first(engine, sns::RegistryOptions{});
  const Status loaded = first.Load();
  if (!loaded.ok()) return 0;
  for (const auto& s : first.Subscriptions()) {
    auto topic = first.FindTopic(s->topic_arn);
    Check(topic != nullptr);
    bool listed = false;
    for (const auto& listed_sub : topic->subscriptions) listed = listed || listed_sub == s;
    Check(listed);
  }
  const std::string described = Describe(first);

  sns::Registry second(engine, sns::RegistryOptions{});
  Check(second.Load().ok());
  Check(Describe(second) == described);

  for (const auto& t : first.Topics()) {
    Check(first.UpdateTopic(t->arn, [](sns::Topic&) { return Status::Ok(); }).ok());
  }
  for (const auto& s : first.Subscriptions()) {
    Check(first.UpdateSubscription(s->arn, [](sns::Subscription&) { return Status::Ok(); }).ok());
  }
  sns::Registry third(engine, sns::RegistryOptions{});
  Check(third.Load().ok());
  Check(Describe(third) == described);
  return 0;
}
