#include "app/alerts_command.h"

#include <cstdio>

#include "resources/alerts.h"
#include "resources/spec.h"

namespace ferry::app {

int PrintAlertRules(const std::string& file, const std::string& group) {
  Result<resources::Spec> spec = resources::ParseSpecFile(file);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", spec.status().message().c_str());
    return 1;
  }
  const std::string rules = resources::RenderAlertRules(*spec, group);
  std::fwrite(rules.data(), 1, rules.size(), stdout);
  return 0;
}

}  // namespace ferry::app
