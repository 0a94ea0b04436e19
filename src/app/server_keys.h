// The keys a server signs and seals with: the SNS signing key (and its
// certificate, served at SigningCertURL) and the STS session key (sealing
// temporary credentials). Kept in --keys-dir, else in the local engine's
// data directory; --in-memory without --keys-dir makes fresh ones each
// start.
//
// Several nodes (--engine postgres) must hold the same files: a signature
// made on one node names a SigningCertURL that any node behind the load
// balancer must serve, and credentials issued by one node's STS must open on
// every other. Nodes sharing one directory (one host, or a shared volume)
// take an exclusive flock on <keys-dir>/keys.lock while they load, so the
// first one to start makes the keys and the others read them; nodes on
// separate hosts are given copies of the files made once
// (docs/scale-out.md, "Keys").
#pragma once

#include <string>
#include <string_view>

#include "app/config.h"
#include "common/status.h"
#include "sns/signing_key.h"

namespace ferry::app {

struct ServerKeys {
  sns::SigningKey signing;
  std::string session;  // auth::SessionSealer::kKeyBytes bytes
};

// Loads (or makes, on first use) the keys for `config`; `host` names the
// certificate of a new signing key (an existing certificate is kept).
// Errors: a directory that cannot be made or locked, damaged key files
// (never replaced: sns/signing_key.h, auth/session_token.h).
Result<ServerKeys> LoadServerKeys(const ServeConfig& config, std::string_view host);

}  // namespace ferry::app
