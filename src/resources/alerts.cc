#include "resources/alerts.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

namespace ferry::resources {
namespace {

// "orders-dlq" → "OrdersDlq", "jobs.fifo" → "JobsFifo": alert names must be
// metric-name characters.
std::string CamelCase(std::string_view name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) out = "Queue" + out;
  return out;
}

void Rule(YAML::Emitter& out, const QueueSpec& q, std::string_view what, std::string_view metric,
          int64_t above, const std::string& summary) {
  const Alarms& a = *q.alarms;
  out << YAML::BeginMap;
  out << YAML::Key << "alert" << YAML::Value << CamelCase(q.name) + std::string(what);
  out << YAML::Key << "expr" << YAML::Value
      << std::string(metric) + "{queue=\"" + q.name + "\"} > " + std::to_string(above);
  out << YAML::Key << "for" << YAML::Value << a.for_duration;
  out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "severity" << YAML::Value << a.severity;
  out << YAML::Key << "queue" << YAML::Value << q.name;
  out << YAML::EndMap;
  out << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "summary" << YAML::Value << YAML::DoubleQuoted << summary;
  out << YAML::EndMap;
  out << YAML::EndMap;
}

}  // namespace

std::string RenderAlertRules(const Spec& spec, std::string_view group) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << std::string(group);
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const QueueSpec& q : spec.queues) {
    if (!q.alarms) continue;
    if (auto n = q.alarms->messages_visible_above) {
      Rule(out, q, "MessagesVisible", kVisibleMetric, *n,
           q.name + " holds {{ $value }} visible messages (more than " + std::to_string(*n) + ")");
    }
    if (auto n = q.alarms->oldest_message_age_above) {
      Rule(out, q, "OldestMessageAge", kOldestAgeMetric, *n,
           "the oldest message in " + q.name +
               " is {{ $value | humanizeDuration }} old (more than " + std::to_string(*n) + " s)");
    }
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ferry::resources
