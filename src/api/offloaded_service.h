// OffloadedService: runs another Service's handlers on threads that may
// block, and answers on the io threads. A service whose engine blocks on I/O
// (engine::Engine::blocking(), e.g. a database engine) is served through it,
// so that a slow engine call holds one of a bounded set of blocking threads
// and never an io thread, which go on reading, parsing and answering other
// requests. See docs/architecture.md, "Engines that block".
//
// The wrapped service must itself use the blocking executor for whatever it
// does later (long polls, answers after a durability wait): construct it with
// that executor. Every reply is posted to the `answers` executor, so the
// encoding and writing of answers stay on the io threads.
//
// Thread-safety: Invoke may be called from any thread. `inner` and both
// executors' contexts must outlive every call in progress.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <string_view>

#include "api/call.h"

namespace ferry::api {

class OffloadedService final : public Service {
 public:
  OffloadedService(Service& inner, boost::asio::any_io_executor blocking,
                   boost::asio::any_io_executor answers);

  const ServiceDescriptor& descriptor() const override { return inner_.descriptor(); }
  bool Knows(std::string_view action) const override { return inner_.Knows(action); }
  void Invoke(Call call, Reply reply) override;

 private:
  Service& inner_;
  const boost::asio::any_io_executor blocking_;
  const boost::asio::any_io_executor answers_;
};

}  // namespace ferry::api
