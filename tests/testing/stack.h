// stack.h: starts a real candord with one log and N candor-witness processes on loopback, as
// the system tests and the interop test need them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/tlog/trust.h"
#include "process.h"

namespace candor::testing {

struct StackOptions {
  int num_witnesses = 2;
  size_t quorum = 2;
  std::vector<std::string> server_args;   // extra `candord serve` flags
  std::vector<std::string> witness_args;  // extra `candor-witness serve` flags
  uint64_t server_nofile_limit = 0;       // candord's RLIMIT_NOFILE (0: inherited)
};

class Stack {
 public:
  // Create initialises keys in a fresh directory and starts the witnesses and candord.
  static Result<std::unique_ptr<Stack>> Create(const std::string& name, StackOptions options);

  // StartServer (re)starts candord; KillServer sends SIGKILL and reaps it.
  Status StartServer();
  void KillServer();

  // RestartWitness kills witness `i` with SIGKILL and starts it again on the same port.
  Status RestartWitness(size_t i);

  // WitnessCheckpoint returns what witness `i` serves as its latest cosigned checkpoint.
  Result<std::string> WitnessCheckpoint(size_t i);

  // Append posts entries as one append-bundle request; returns the first index.
  Result<uint64_t> Append(const std::vector<std::string>& entries);

  // WaitForPublished waits until the published checkpoint verifies under trust() and has at
  // least `size` entries; returns it.
  Result<tlog::VerifiedCheckpoint> WaitForPublished(uint64_t size,
                                                    std::chrono::milliseconds timeout);

  tlog::LogTrust trust() const;
  net::Url log_url() const;
  const std::string& dir() const { return dir_; }
  uint16_t server_port() const { return server_port_; }
  pid_t server_pid() const { return server_ ? server_->pid() : -1; }
  uint16_t witness_port(size_t i) const { return witness_ports_[i]; }
  pid_t witness_pid(size_t i) const { return witnesses_[i].pid(); }
  // append_token is the bearer token for appends.
  const std::string& append_token() const { return token_; }
  const std::string& log_vkey() const { return log_vkey_; }
  const std::vector<std::string>& witness_vkeys() const { return witness_vkeys_; }
  std::string log_dir() const { return dir_ + "/server/logs/main"; }

 private:
  std::string dir_;
  StackOptions options_;
  std::string log_vkey_;
  std::string token_;
  std::vector<std::string> witness_vkeys_;
  std::vector<uint16_t> witness_ports_;
  std::vector<ChildProcess> witnesses_;
  std::optional<ChildProcess> server_;
  uint16_t server_port_ = 0;
  net::HttpClient http_;
};

}  // namespace candor::testing
