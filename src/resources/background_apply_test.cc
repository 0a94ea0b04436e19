// BackgroundApply's scheduling: requests made during an apply are folded
// into one more apply.
#include "resources/background_apply.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "api/errors.h"
#include "common/temp_dir_test_util.h"
#include "resources/applies_seen_test_util.h"

namespace ferry::resources {
namespace {

// An "sqs" service whose queues never exist; its first call waits until
// the test opens the gate, so the test can act while an apply is under way.
class GatedService final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view) const override { return true; }
  void Invoke(api::Call call, api::Reply reply) override {
    {
      std::unique_lock lock(mu_);
      ++calls_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    }
    if (call.action == "GetQueueUrl") {
      return reply(api::Error(api::ErrorId::kQueueDoesNotExist, "no such queue"));
    }
    reply(boost::json::object{});
  }
  void WaitForCalls(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool open_ = false;
};

TEST(BackgroundApplyTest, RequestsDuringAnApplyAreFoldedIntoOneMoreApply) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/resources.yaml";
  std::ofstream(path) << "queues:\n  q:\n";
  GatedService sqs;
  api::LocalInvoker invoker({&sqs}, {});
  AppliesSeen seen;
  BackgroundApply apply(path, invoker, seen.Callback());

  apply.Request();
  sqs.WaitForCalls(1);  // the first apply is under way, held at its first call
  apply.Request();
  apply.Request();
  sqs.Open();
  seen.WaitFor(2);
  const int calls_per_apply = sqs.calls() / 2;
  ASSERT_GT(calls_per_apply, 0);

  // One more request makes one more apply, and nothing else was pending.
  apply.Request();
  seen.WaitFor(3);
  EXPECT_EQ(apply.applies_done(), 3u);
  EXPECT_EQ(sqs.calls(), 3 * calls_per_apply);
}

}  // namespace
}  // namespace ferry::resources
