// The five-key SNS filter policy filter_bench and publish_bench match
// messages against: one key each of exact string, anything-but, a list,
// numeric range and CIDR.
#pragma once

#include <string_view>

namespace ferry::bench {

inline constexpr std::string_view kFiveKeyPolicy = R"({
  "store": ["example_corp"],
  "event": [{"anything-but": "order_cancelled"}],
  "customer_interests": ["rugby", "football", "baseball"],
  "price_usd": [{"numeric": [">=", 100]}],
  "source_ip": [{"cidr": "10.0.0.0/24"}]})";

}  // namespace ferry::bench
