// candord.h: the candord daemon, the composition root of the server: configuration -> stores
// -> services -> route table -> HTTP server, plus the scheduler and the worker pool that the
// services share, one clock and one metrics registry.
//
// Layout of a data directory:
//   candord.json                 the configuration (config.h); absent: a log-only server
//   kt-config.bin                the KEYTRANS Configuration clients pin (TLS encoding)
//   keys/kt-signature.key        the directory's signing key (0600)
//   keys/kt-vrf.key              the directory's VRF key (0600)
//   keys/auditor.token           thirdPartyAuditing: the auditor's bearer token (0600)
//   logs/<name>/log.key          a log's signed-note key (0600), append.token (0600), tiles
//   logs/kt-heads/               the log of the directory's signed tree heads
//   client-trust.json            written by serve: what a client needs to trust this server
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "candor/base/result.h"

namespace candor::server {

struct InitLogOptions {
  std::string dir;
  std::string name;    // URL segment
  std::string origin;  // checkpoint origin and key name; default "candor.local/logs/<name>"
};

// InitLogResult reports what InitLog created (no secrets).
struct InitLogResult {
  std::string origin;
  std::string vkey;        // the log's verifier key
  std::string token_file;  // path of the append token
};

// InitLog creates a new log with a fresh key and append token. kConflict if it exists.
Result<InitLogResult> InitLog(const InitLogOptions& options);

struct InitServerOptions {
  std::string dir;
  std::string listen = "127.0.0.1:8080";
  std::string database;                // default sqlite:<dir>/candor.db
  std::vector<std::string> witnesses;  // "URL=VKEY"
  size_t quorum = 0;
  std::string origin_prefix = "candor.local";  // the kt-heads log's origin is <prefix>/kt-heads
  // Third-Party Auditing: the auditor's public key (base64 of the raw Ed25519 key that
  // `candor-auditor init` prints). Empty: Contact Monitoring.
  std::string auditor_key;
  // How far (ms of log time) the auditor's signed head may trail the newest entry before
  // clients refuse answers; at least twice the directory's heartbeat interval.
  uint64_t max_auditor_lag_ms = 70'000;
};

// InitServerResult reports what InitServer created (no secrets).
struct InitServerResult {
  std::string config_file;
  std::string kt_config;           // base64 of the KEYTRANS Configuration
  std::string kt_heads_vkey;       // the tree-head log's verifier key
  std::string auditor_token_file;  // thirdPartyAuditing: the token to give the auditor
};

// InitServer creates a messaging server's data directory: configuration, directory keys and
// Configuration, and the tree-head log. kConflict if `dir` holds a configuration already.
Result<InitServerResult> InitServer(const InitServerOptions& options);

struct ServeOptions {
  std::string dir;
  std::string config_file;  // default <dir>/candord.json
  std::string listen;       // overrides the configuration's (or 127.0.0.1:8080 without one)
  std::string port_file;    // if set, the bound port is written there
  // For a log-only server (no candord.json); ignored otherwise.
  std::vector<std::string> witnesses;
  size_t quorum = 0;
  std::chrono::milliseconds cosign_refresh{300000};  // see ServerConfig::cosign_refresh
  int num_threads = 2;
  size_t max_connections = 0;
  size_t max_connections_per_client = 256;
};

// Serve runs the server in `options.dir` until SIGINT/SIGTERM, then drains: requests already
// received are answered (appends and updates once durable), WebSockets are told to reconnect,
// then everything stops. It raises the soft descriptor limit to the hard one first. Call
// BlockTerminationSignals() first.
Status Serve(const ServeOptions& options);

}  // namespace candor::server
