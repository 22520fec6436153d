// messaging_stack.h: a real messaging deployment for system tests: `candord` (its own process,
// on SQLite or PostgreSQL) whose directory heads two `candor-witness` processes cosign, plus
// what a compelled operator could do with the server's own keys and database.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/client/trust.h"
#include "candor/kt/device_list.h"
#include "process.h"
#include "test_database.h"

namespace candor::testing {

class MessagingStack {
 public:
  // Create makes the server's data directory on a fresh `backend` database, starts two
  // witnesses for its tree-head log, then starts candord (quorum 2).
  static Result<std::unique_ptr<MessagingStack>> Create(const std::string& name, Backend backend);

  // StartServer (re)starts candord on the port it first bound; it returns once the server
  // answers /healthz.
  Status StartServer();
  // KillServer sends SIGKILL and reaps it; StopServer sends SIGTERM (a drain) and reaps it.
  void KillServer();
  int StopServer();

  // trust is what clients of this deployment pin (client-trust.json).
  const client::ClientTrust& trust() const { return trust_; }
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string server_dir() const { return dir_ + "/server"; }
  const std::string& database() const { return database_; }

  // ForgeDeviceList acts as an operator compelled to add a device to `handle`: with candord
  // stopped, it opens the server's database and keys and publishes `forged` as the account's
  // next version, as the server itself would (signed tree head, tree-head log). candord is
  // started again afterwards, and the witnesses cosign the new head as they cosign any other.
  Status ForgeDeviceList(const std::string& handle, const kt::DeviceList& forged);

 private:
  std::string dir_;
  std::string database_;
  std::vector<std::string> witness_vkeys_;
  std::vector<ChildProcess> witnesses_;
  std::optional<ChildProcess> server_;
  uint16_t port_ = 0;
  client::ClientTrust trust_;
};

}  // namespace candor::testing
