#include "api/offloaded_service.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace ferry::api {

OffloadedService::OffloadedService(Service& inner, boost::asio::any_io_executor blocking,
                                   boost::asio::any_io_executor answers)
    : inner_(inner), blocking_(std::move(blocking)), answers_(std::move(answers)) {}

void OffloadedService::Invoke(Call call, Reply reply) {
  boost::asio::post(blocking_, [this, call = std::move(call), reply = std::move(reply)]() mutable {
    inner_.Invoke(std::move(call), [answers = answers_, reply = std::move(reply)](
                                       Result<boost::json::object> result) mutable {
      boost::asio::post(answers, [reply = std::move(reply), result = std::move(result)]() mutable {
        reply(std::move(result));
      });
    });
  });
}

}  // namespace ferry::api
