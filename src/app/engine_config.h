// Which engine `ferry serve` runs on, checked before anything opens
// (docs/scale-out.md): the flags each engine takes, and how a PostgreSQL
// connection string is named in logs. Stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace ferry::app {

// The flags only the local engine reads, and those only postgres reads (long
// names). main.cc records which of them were given (ServeConfig::
// engine_flags_given); --keys-dir, --blocking-threads and the rest serve
// both engines.
const std::vector<std::string>& LocalEngineFlags();
const std::vector<std::string>& PostgresEngineFlags();

// Why `config` names no engine it can start, as the message to print;
// nullopt when it does. Refused: an unknown --engine; postgres without
// --postgres-url or --keys-dir, with a pool size below 1, or with a flag of
// the local engine (--data-dir, --in-memory, ...: they would be silently
// ignored, and data the operator expects in a directory would be elsewhere);
// local with a flag of postgres.
std::optional<std::string> EngineConfigRefusal(const ServeConfig& config);

// What logs and the startup line say of a PostgreSQL connection string
// (a postgres:// or postgresql:// URI, or libpq's key=value form): its
// host, port and database as "host:port/dbname", with the parts it does not
// name left out ("db.example/ferry", "127.0.0.1:5433/"). Never the user or
// the password. A host given as a socket directory is shown as it is.
std::string PostgresTarget(std::string_view url);

}  // namespace ferry::app
