// The end-of-run report: a block for people, then one JSON line for scripts
// (run_compare.sh picks the stdout line that starts with '{').
#pragma once

#include <string>

#include "runner.h"

namespace ferry::bench {

// What the run was pointed at, echoed so that a saved report stands alone.
struct RunDescription {
  std::string label;  // e.g. "ferry" or "moto"; may be empty
  std::string endpoint;
  int body_size = 0;
};

void PrintReport(const RunDescription& description, const Workload& workload, const RunPlan& plan,
                 const RunResult& run);

}  // namespace ferry::bench
