// Prometheus alert rules from the `alarms:` of a resources file's queues
// (docs/resources.md, "Alarms"): `ferry alerts FILE` prints them, to be
// loaded with `rule_files:` beside the declared queues.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "resources/spec.h"

namespace ferry::resources {

// The metrics the rules watch (docs/metrics.md), labelled by queue name.
inline constexpr std::string_view kVisibleMetric = "ferry_sqs_messages_visible";
inline constexpr std::string_view kOldestAgeMetric = "ferry_sqs_oldest_message_age_seconds";

// A Prometheus rules file with one group, `group`, holding a rule per alarm
// of each queue in `spec`, in file order: <Queue>MessagesVisible and
// <Queue>OldestMessageAge, the queue name in CamelCase.
std::string RenderAlertRules(const Spec& spec, std::string_view group);

}  // namespace ferry::resources
