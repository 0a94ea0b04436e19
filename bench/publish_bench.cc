// publish_bench: in-process SNS publishes (sns::Publish) to a topic with 10
// SQS subscriptions on a durable LocalEngine in a temporary directory
// (fsync always, group commit). Two threads publish, each keeping many
// publishes in flight: a publish counts once AfterDurable says every copy
// it stored is on disk, as the Publish action answers.
//
// Variants: no filter policies, signed (the default); a 5-key filter
// policy on every subscription, signed; no filter policies, unsigned. Also
// the cost of one RSA signature on its own, which bounds signed publishes.
//
// Usage: publish_bench [seconds per variant] [in flight per thread]
//        (default 3 s, 256)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "api/call.h"
#include "five_key_policy.h"
#include "common/clock.h"
#include "engine/local_engine.h"
#include "sns/envelope.h"
#include "sns/publish.h"
#include "sns/signing.h"
#include "sns/signing_key.h"

namespace {

using namespace ferry;

constexpr int kSubscriptions = 10;
constexpr int kThreads = 2;
constexpr std::string_view kTopicArn = "arn:aws:sns:us-east-1:000000000000:bench";

// The published message matches it.
constexpr std::string_view kPolicy = ferry::bench::kFiveKeyPolicy;

constexpr std::string_view kPublish = R"({"TopicArn":"arn:aws:sns:us-east-1:000000000000:bench",
  "Message":"{\"order\":12345,\"items\":[{\"sku\":\"A-1\",\"qty\":2},{\"sku\":\"B-7\",\"qty\":1}],\"note\":\"leave at the door\"}",
  "Subject":"order placed",
  "MessageAttributes":{
    "customer_interests":{"DataType":"String.Array","StringValue":"[\"soccer\",\"rugby\",\"hockey\"]"},
    "store":{"DataType":"String","StringValue":"example_corp"},
    "event":{"DataType":"String","StringValue":"order_placed"},
    "price_usd":{"DataType":"Number","StringValue":"210.75"},
    "source_ip":{"DataType":"String","StringValue":"10.0.0.7"}}})";

double CpuNanos(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "publish_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Variant {
  const char* name;
  bool filters;
  bool signing;
};

void RunVariant(const Variant& v, const sns::SigningKey& key, double seconds, int in_flight) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("publish_bench." + std::to_string(::getpid()) + "." + std::to_string(std::rand()));
  SystemClock clock;
  engine::DurableOptions options;
  options.dir = dir.string();
  options.fsync = storage::FsyncMode::kAlways;
  auto opened = engine::LocalEngine::OpenDurable(clock, options);
  if (!opened.ok()) Die(opened.status().message());
  engine::LocalEngine& eng = **opened;

  auto topic = std::make_shared<sns::Topic>();
  topic->arn = std::string(kTopicArn);
  topic->name = "bench";
  // The queues' account: a queue without a policy takes its own account's
  // topics only (sns/queue_access.h).
  topic->account = "000000000000";
  topic->region = "us-east-1";
  std::shared_ptr<const sns::FilterPolicy> policy;
  if (v.filters) {
    auto p = sns::CompileFilterPolicy(kPolicy, sns::FilterScope::kMessageAttributes);
    if (!p.ok()) Die(p.status().message());
    policy = std::make_shared<const sns::FilterPolicy>(std::move(*p));
  }
  for (int i = 0; i < kSubscriptions; ++i) {
    const std::string queue = "bench-" + std::to_string(i);
    if (!eng.CreateQueue(queue, {}, {}).ok()) Die("cannot create " + queue);
    auto sub = std::make_shared<sns::Subscription>();
    sub->id = "00000000-0000-0000-0000-00000000000" + std::to_string(i);
    sub->arn = topic->arn + ":" + sub->id;
    sub->topic_arn = topic->arn;
    sub->endpoint = "arn:aws:sqs:us-east-1:000000000000:" + queue;
    sub->confirmed = true;
    sub->queue_key = queue;
    sub->filter = policy;
    topic->subscriptions.push_back(sub);
  }

  sns::PublishCounters counters;
  sns::PublishContext ctx{.engine = eng,
                          .signing_key = v.signing ? &key : nullptr,
                          .public_url = "http://127.0.0.1:9324",
                          .find_topic = [topic](std::string_view) { return topic; },
                          .authorize = nullptr,
                          .counters = &counters,
                          .queue_policies = nullptr};

  api::Call call;
  call.service = "sns";
  call.action = "Publish";
  call.params = boost::json::parse(kPublish).as_object();

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> durable{0};
  std::atomic<uint64_t> failed{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuNanos(CLOCK_PROCESS_CPUTIME_ID);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::counting_semaphore<> slots(in_flight);
      while (!stop.load(std::memory_order_relaxed)) {
        slots.acquire();
        auto r = sns::Publish(ctx, call);
        if (!r.ok()) {
          ++failed;
          slots.release();
          continue;
        }
        eng.AfterDurable([&](Status s) {
          if (s.ok()) ++durable;
          slots.release();
        });
      }
      // Let the last callbacks run before `slots` goes away.
      for (int i = 0; i < in_flight; ++i) slots.acquire();
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The process's CPU time (publishers, the log's writer) per publish: on a
  // shared machine it moves much less than the wall-clock rate.
  const double cpu = CpuNanos(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  std::printf("%-34s %9.0f publishes/s %10.0f deliveries/s %7.1f us CPU/publish"
              "  (%llu failed, %llu dropped)\n",
              v.name, static_cast<double>(durable.load()) / took,
              static_cast<double>(counters.copies.load()) / took,
              cpu / 1e3 / static_cast<double>(std::max<uint64_t>(durable.load(), 1)),
              static_cast<unsigned long long>(failed.load()),
              static_cast<unsigned long long>(counters.dropped.load()));
  // A bench whose copies went nowhere measures nothing.
  if (counters.dropped.load() != 0 || counters.refused.load() != 0 ||
      counters.copies.load() < durable.load() * kSubscriptions) {
    Die("copies were dropped or refused: the bench's set-up is wrong");
  }
  opened->reset();
  std::filesystem::remove_all(dir);
}

// The CPU cost of one signature of a notification's string to sign.
void MeasureSigning(const sns::SigningKey& key, sns::SignatureVersion version, const char* name) {
  sns::Notification n;
  n.message_id = "4d4dc071-ddbf-465d-bba8-08f81c89da64";
  n.topic_arn = kTopicArn;
  n.message = "{\"order\":12345}";
  n.timestamp_ms = 1548909424321;
  const std::string text = sns::StringToSign(n);
  constexpr int kSignatures = 200;
  const double start = CpuNanos(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < kSignatures; ++i) {
    if (!sns::Sign(key, version, text).ok()) Die("signing failed");
  }
  const double each = (CpuNanos(CLOCK_THREAD_CPUTIME_ID) - start) / kSignatures;
  std::printf("%-34s %9.0f us/signature (%.0f signatures/s per core)\n", name, each / 1e3,
              1e9 / each);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const int in_flight = argc > 2 ? std::atoi(argv[2]) : 256;
  auto key = sns::CreateSigningKey("localhost");
  if (!key.ok()) Die(key.status().message());

  MeasureSigning(*key, sns::SignatureVersion::kV1, "RSA-2048 SHA1withRSA (v1)");
  MeasureSigning(*key, sns::SignatureVersion::kV2, "RSA-2048 SHA256withRSA (v2)");
  for (const Variant& v : {Variant{"10 subscriptions, signed", false, true},
                           Variant{"10 subscriptions, 5-key filters", true, true},
                           Variant{"10 subscriptions, unsigned", false, false},
                           Variant{"10 subs, 5-key filters, unsigned", true, false}}) {
    RunVariant(v, *key, seconds, in_flight);
  }
  return 0;
}
