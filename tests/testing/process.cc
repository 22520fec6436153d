#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "candor/base/file.h"

namespace candor::testing {

Result<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                         const std::string& log_file, uint64_t nofile_limit) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return MakeError(Errc::kUnavailable, "fork failed");
  if (pid == 0) {
    const int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (nofile_limit != 0) {
      const rlimit lim{static_cast<rlim_t>(nofile_limit), static_cast<rlim_t>(nofile_limit)};
      if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(126);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return ChildProcess(pid);
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  const std::string out_file = FreshTempDir("cmd") + "/out";
  CommandResult r;
  auto child = ChildProcess::Start(argv, out_file);
  if (!child.ok()) return r;
  r.status = child->Wait();
  auto out = ReadFile(out_file);
  if (out.ok()) r.output = std::string(AsStringView(*out));
  return r;
}

Result<std::string> WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto data = ReadFile(path);
    if (data.ok() && !data->empty()) return std::string(AsStringView(*data));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return MakeError(Errc::kUnavailable, "timed out waiting for " + path);
}

std::string FreshTempDir(const std::string& name) {
  static int counter = 0;
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base != nullptr ? base : "/tmp") + "/candor_test_" +
                    std::to_string(getpid()) + "_" + name + "_" + std::to_string(counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace candor::testing
