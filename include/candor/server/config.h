// config.h: candord's configuration file (<dir>/candord.json), every option with its default.
// Unknown keys are refused (a typo must not silently fall back to a default).
//
//   {
//     "listen": "127.0.0.1:8080",            host:port; port 0 picks a free one
//     "database": "sqlite:<dir>/candor.db",  or "postgresql:<libpq conninfo>"
//     "http_threads": 2,                      IO threads
//     "blocking_threads": 8,                  database, disk and crypto work
//     "max_connections": 0,                   0: from the descriptor limit
//     "max_connections_per_client": 256,
//     "witnesses": [],                        "URL=VKEY" of every witness of the logs
//     "quorum": 0,                            cosignatures a checkpoint needs to be published
//     "cosign_refresh_ms": 300000,            an unchanged checkpoint is cosigned again this
//                                             often (fresh witness timestamps); 0: never
//     "directory": {"publish_interval_ms": 1000, "heartbeat_interval_ms": 30000,
//                   "update_timeout_ms": 30000, "accounts_per_minute_per_address": 10,
//                   "updates_per_minute_per_handle": 30},
//     "auth": {"challenge_life_ms": 60000, "session_life_ms": 3600000,
//              "challenges_per_minute_per_address": 120},
//     "keypackages": {"max_per_upload": 100, "max_stored_per_device": 1000},
//     "delivery": {"max_message_bytes": 262144, "max_queue": 10000, "max_age_hours": 720,
//                  "max_in_flight": 256},
//     "cluster": {"role": "single",           or "front", "sequencer" (cluster.h): both need
//                                             a postgresql database
//                 "advertise_url": "",        a sequencer's URL for the front nodes
//                 "lease_ms": 5000, "follow_interval_ms": 200}
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/server/auth_service.h"
#include "candor/server/cluster.h"
#include "candor/server/delivery_service.h"
#include "candor/server/directory_service.h"
#include "candor/server/key_package_service.h"

namespace candor::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string database;  // default: sqlite:<dir>/candor.db
  int http_threads = 2;
  int blocking_threads = 8;
  size_t max_connections = 0;
  size_t max_connections_per_client = 256;
  std::vector<std::string> witnesses;
  size_t quorum = 0;
  std::chrono::milliseconds cosign_refresh{300000};
  DirectoryServiceOptions directory;
  AuthServiceOptions auth;
  KeyPackageServiceOptions keypackages;
  DeliveryServiceOptions delivery;
  uint64_t max_queue = 10000;
  ClusterOptions cluster;
};

// ParseServerConfig reads the JSON text of a configuration file; kInvalidArgument names a bad
// or unknown key. `dir` fills the default database.
Result<ServerConfig> ParseServerConfig(std::string_view json, const std::string& dir);

// FormatServerConfig writes `config` as the JSON of a configuration file (every option).
std::string FormatServerConfig(const ServerConfig& config);

}  // namespace candor::server
