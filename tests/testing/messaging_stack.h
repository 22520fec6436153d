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
#include "process.h"
#include "test_database.h"

namespace candor::testing {

// MessagingStackOptions choose the deployment mode: with `auditor`, the directory is in Third-Party
// Auditing mode (its Configuration names a `candor-auditor` key made for the test, with
// `max_auditor_lag_ms`) and the auditor process is started after candord; Create returns once
// candord holds the auditor's first head.
struct MessagingStackOptions {
  bool auditor = false;
  uint64_t max_auditor_lag_ms = 70'000;
  // start_server false leaves candord unstarted: the test runs it itself (e.g. as the nodes of
  // a cluster, from copies of server_dir()).
  bool start_server = true;
};

class MessagingStack {
 public:
  // Create makes the server's data directory on a fresh `backend` database, starts two
  // witnesses for its tree-head log, then starts candord (quorum 2). `config_patch` is a JSON
  // merge patch (RFC 7396) applied to candord.json, e.g. {"delivery":{"max_queue":5}}.
  static Result<std::unique_ptr<MessagingStack>> Create(const std::string& name, Backend backend,
                                                        const std::string& config_patch = "{}",
                                                        const MessagingStackOptions& options = {});

  // StartAuditor (re)starts candor-auditor (MessagingStackOptions::auditor) on its directory;
  // KillAuditor sends SIGKILL and reaps it; StopAuditor sends SIGTERM and returns its exit
  // status (an auditor that exited by itself is only reaped).
  Status StartAuditor();
  // RunAuditorToEnd runs candor-auditor in the foreground until it exits by itself (as one that
  // refuses to start does) and returns its status and output.
  CommandResult RunAuditorToEnd() const;
  void KillAuditor();
  int StopAuditor();
  // auditor_dir holds the auditor's key, record and alarm; AuditorLog is what it printed.
  std::string auditor_dir() const { return dir_ + "/auditor"; }
  std::string AuditorLog() const;
  // Metric reads one gauge or counter of candord's /metrics (kNotFound if absent).
  Result<double> Metric(const std::string& name) const;

  // StartServer (re)starts candord on the port it first bound; it returns once the server
  // answers /healthz.
  Status StartServer();
  // KillServer sends SIGKILL and reaps it; StopServer sends SIGTERM (a drain) and reaps it.
  void KillServer();
  int StopServer();

  // trust is what clients of this deployment pin (client-trust.json).
  const client::ClientTrust& trust() const { return trust_; }
  uint16_t port() const { return port_; }
  // set_auditor_server makes later StartAuditor calls follow `url` instead of candord itself.
  void set_auditor_server(const std::string& url) { auditor_url_ = url; }
  // server_pid is candord's process id (-1 while it is not running).
  pid_t server_pid() const { return server_ ? server_->pid() : -1; }
  const std::string& dir() const { return dir_; }
  std::string server_dir() const { return dir_ + "/server"; }
  const std::string& database() const { return database_; }

  // AddGhostDevice acts as an operator compelled to add `device` to `handle`'s account: it
  // stops candord, runs candor-compelled-operator on the server's data directory (its database
  // and keys), and starts candord again; the witnesses cosign the new head as any other.
  // Returns what the tool printed.
  Result<std::string> AddGhostDevice(const std::string& handle, const std::string& device);

 private:
  std::vector<std::string> AuditorArgv() const;

  std::string dir_;
  std::string database_;
  std::vector<std::string> witness_vkeys_;
  std::vector<ChildProcess> witnesses_;
  std::optional<ChildProcess> server_;
  std::optional<ChildProcess> auditor_;
  std::string auditor_url_;  // where the auditor finds candord (tests may put a proxy between)
  uint16_t port_ = 0;
  client::ClientTrust trust_;
};

}  // namespace candor::testing
