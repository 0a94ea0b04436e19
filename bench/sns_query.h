// The SNS actions the load generator uses: Publish and PublishBatch in the
// Query protocol (SNS speaks no other), as form bodies, and the count of
// published messages read back from the XML answers. Shapes follow
// botocore's sns/2010-03-31 service model.
#pragma once

#include <string>
#include <string_view>

#include "sqs_json.h"

namespace ferry::bench {

// With `fifo` (groups > 0), the message carries the next FIFO ids. With
// `attributes`, it carries five message attributes (a=x, b=y1, c=1, d=d,
// e=w: String, String, Number, String, String) for filter-policy runs.
std::string PublishRequest(std::string_view topic_arn, std::string_view message,
                           FifoIds* fifo = nullptr, bool attributes = false);
// `entries` entries with Ids "0".."entries-1", all carrying `message`.
std::string PublishBatchRequest(std::string_view topic_arn, std::string_view message, int entries,
                                FifoIds* fifo = nullptr, bool attributes = false);
// The messages a PublishBatch answer reports published (its MessageIds).
int CountPublished(std::string_view xml);

}  // namespace ferry::bench
