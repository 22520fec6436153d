// candord.h: the candord daemon: a data directory of hosted logs, served over HTTP.
//
// Layout: <dir>/logs/<name>/log.key (0600, the log's signed-note private key),
// <dir>/logs/<name>/append.token (0600, the bearer token for appends), and the log's tiles,
// state/ and published checkpoint beside them.
#pragma once

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

struct ServeOptions {
  std::string dir;
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::string port_file;                  // if set, the bound port is written there
  std::vector<std::string> witnesses;     // "URL=VKEY", applied to every log
  size_t quorum = 0;
  int num_threads = 2;           // HTTP threads
  int num_blocking_threads = 2;  // file reads and other blocking work
  size_t max_connections = 0;    // 0: derived from the descriptor limit
  size_t max_connections_per_client = 256;
};

// Serve opens every log under <dir>/logs/, serves them until SIGINT/SIGTERM, then drains:
// requests already received (appends included) are answered before the logs close. It raises
// the soft descriptor limit to the hard one first. Call BlockTerminationSignals() first.
Status Serve(const ServeOptions& options);

}  // namespace candor::server
