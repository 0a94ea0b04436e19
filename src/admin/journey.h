// Ferry.GetMessageJourney's answer: the journey of one message across the
// queues asked (engine::Queue::Journey), merged in time order.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace ferry::admin {

// {"MessageId": id, "Events": [...]} over `queues` (those that keep no
// journey add nothing); `url_of` gives a queue's URL. InvalidParameterValue
// when `message_id` is not a message id.
Result<boost::json::object> MessageJourneyJson(
    const std::string& message_id, const std::vector<std::shared_ptr<engine::Queue>>& queues,
    const std::function<std::string(const engine::Queue&)>& url_of);

}  // namespace ferry::admin
