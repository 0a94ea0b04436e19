// RunServer: wires the layers together and serves until SIGINT/SIGTERM.
//   http::Server → protocol::Gateway → {sqs::SqsService, sts::StsService}
//                                         → engine::Engine
#pragma once

#include "app/config.h"

namespace ferry::app {

// Returns the process exit code.
int RunServer(const ServeConfig& config);

}  // namespace ferry::app
