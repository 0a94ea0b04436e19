// The queue attribute FerryMessageJourney (engine/journey.h): a JSON
// document {"retentionSeconds": 60..1209600, "maxEvents": 1000..10000000},
// either field optional (defaults 86400 and 100000), or empty to switch
// message journeys off.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::sqs {

// The value to keep in the queue's settings: the canonical document, or ""
// for an empty value (off). InvalidAttributeValue naming the field that is
// wrong otherwise.
Result<std::string> CanonicalJourneyValue(std::string_view value);

}  // namespace ferry::sqs
