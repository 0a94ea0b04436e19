// Protected mode: `ferry serve` without --credentials accepts any
// well-formed signature (open mode), which is safe only where no one else
// can connect. So open mode listens on a loopback address only, unless the
// operator asks for it elsewhere with --insecure-open-mode
// (docs/security.md, "Open mode and protected mode"). Stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/config.h"

namespace ferry::app {

// Whether `host` (a --listen value) names the loopback interface only:
// 127.0.0.0/8, ::1 (also written [::1] or in full), or "localhost".
// Wildcards (0.0.0.0, ::, "") and every other address are not.
bool IsLoopbackHost(std::string_view host);

// Why `config` may not start in open mode, as the message to print; nullopt
// when it may (credentials given, a loopback address, or
// --insecure-open-mode).
std::optional<std::string> OpenModeRefusal(const ServeConfig& config);

}  // namespace ferry::app
