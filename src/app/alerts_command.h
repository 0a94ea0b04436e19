// `ferry alerts FILE`: prints the Prometheus alert rules of the alarms: of
// a resources file's queues (resources/alerts.h) to standard output.
#pragma once

#include <string>

namespace ferry::app {

// Returns the process exit code: 0, or 1 when the file does not validate
// (the problems on standard error).
int PrintAlertRules(const std::string& file, const std::string& group);

}  // namespace ferry::app
