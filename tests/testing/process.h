// process.h: test helpers to run the real binaries as child processes (fork/exec), kill them
// (SIGKILL included) and wait for them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "candor/base/result.h"

namespace candor::testing {

class ChildProcess {
 public:
  // Start runs `argv` with stdout and stderr appended to `log_file`. A non-zero
  // `nofile_limit` sets the child's soft and hard RLIMIT_NOFILE (as systemd's LimitNOFILE=).
  static Result<ChildProcess> Start(const std::vector<std::string>& argv,
                                    const std::string& log_file, uint64_t nofile_limit = 0);
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // The destructor kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Wait reaps the child and returns its exit status (or 128 + signal).
  int Wait();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// RunCommand runs `argv` to completion and returns its exit status and combined output.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv);

// WaitForFile waits until `path` exists and is non-empty, up to `timeout`; returns its contents.
Result<std::string> WaitForFile(const std::string& path, std::chrono::milliseconds timeout);

// TempDir returns a fresh empty directory for this test.
std::string FreshTempDir(const std::string& name);

}  // namespace candor::testing
