#include "sqs/long_poll.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>

namespace ferry::sqs {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Floor on timer-driven retries, so a wake time that is already due (the
// engine promotes lazily) cannot make the poll spin.
constexpr std::chrono::milliseconds kMinRetry{5};

// One waiting receive. Everything but the watch callback runs on strand_, so
// the members need no lock. Owned by the handlers queued on the strand and
// timer; the queue's watch callback holds only a weak reference, so an
// abandoned poll is freed rather than kept alive by the queue.
class LongPoll : public std::enable_shared_from_this<LongPoll> {
 public:
  LongPoll(boost::asio::any_io_executor executor, std::shared_ptr<engine::Queue> queue,
           const Clock& clock, SteadyClock::time_point deadline, PollAttempt attempt,
           api::Reply reply)
      : strand_(boost::asio::make_strand(std::move(executor))),
        timer_(strand_),
        queue_(std::move(queue)),
        clock_(clock),
        deadline_(deadline),
        attempt_(std::move(attempt)),
        reply_(std::move(reply)) {}

  ~LongPoll() {
    if (watching_) queue_->Unwatch(watch_token_);
  }

  void Start() {
    boost::asio::post(strand_, [self = shared_from_this()] { self->Step(); });
  }

 private:
  // Watch first, then try: a message arriving after the attempt wakes us.
  void Step() {
    const uint64_t round = ++round_;
    watch_token_ = queue_->Watch([weak = weak_from_this(), round] {
      if (auto self = weak.lock()) {
        boost::asio::post(self->strand_, [self, round] { self->Wake(round); });
      }
    });
    watching_ = true;

    std::optional<Result<boost::json::object>> answer = attempt_();
    if (answer) return Finish(std::move(*answer));
    const SteadyClock::time_point now = SteadyClock::now();
    if (now >= deadline_) return Finish(boost::json::object());

    SteadyClock::time_point at = deadline_;
    const TimeMs wake_ms = queue_->NextWakeMs();
    if (wake_ms != INT64_MAX) {
      const TimeMs delta = std::max<TimeMs>(wake_ms - clock_.NowMs(), kMinRetry.count());
      if (delta < std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now).count()) {
        at = now + std::chrono::milliseconds(delta);
      }
    }
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this(), round](boost::system::error_code ec) {
      if (!ec) self->Wake(round);
    });
  }

  // A wake-up of an earlier round was overtaken by another one: ignore it.
  void Wake(uint64_t round) {
    if (done_ || round != round_) return;
    StopWaiting();
    Step();
  }

  void StopWaiting() {
    if (watching_) queue_->Unwatch(watch_token_);
    watching_ = false;
    timer_.cancel();
  }

  void Finish(Result<boost::json::object> answer) {
    done_ = true;
    StopWaiting();
    api::Reply reply = std::move(reply_);
    reply(std::move(answer));
  }

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  const std::shared_ptr<engine::Queue> queue_;
  const Clock& clock_;
  const SteadyClock::time_point deadline_;
  PollAttempt attempt_;
  api::Reply reply_;
  uint64_t round_ = 0;
  uint64_t watch_token_ = 0;
  bool watching_ = false;
  bool done_ = false;
};

}  // namespace

void StartLongPoll(boost::asio::any_io_executor executor, std::shared_ptr<engine::Queue> queue,
                   const Clock& clock, std::chrono::milliseconds wait, PollAttempt attempt,
                   api::Reply reply) {
  auto poll =
      std::make_shared<LongPoll>(std::move(executor), std::move(queue), clock,
                                 SteadyClock::now() + wait, std::move(attempt), std::move(reply));
  poll->Start();
}

}  // namespace ferry::sqs
