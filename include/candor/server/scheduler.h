// scheduler.h: the timers of a candord process (the directory's publish cadence, expiry
// sweeps): periodic tasks run one at a time on one thread that the composition root owns. A
// task may block (it publishes, fsyncs, deletes); tasks must not take long compared with their
// period.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace candor::server {

class Scheduler {
 public:
  Scheduler() = default;
  // The destructor calls Stop().
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Every runs `task` every `period` from Start() on (the first run after one period).
  void Every(std::string name, std::chrono::milliseconds period, std::function<void()> task);
  // Start starts the thread. Call once, after the tasks are registered.
  void Start();
  // Stop waits for a running task to finish and stops; no task runs afterwards. Idempotent.
  void Stop();
  // RunNow runs every task whose name is `name` once, on the calling thread (tests, drains).
  void RunNow(const std::string& name);

 private:
  struct Task {
    std::string name;
    std::chrono::milliseconds period;
    std::function<void()> run;
    std::chrono::steady_clock::time_point next;
  };
  void Loop();

  std::mutex mu_;
  std::mutex run_mu_;  // held while a task runs
  std::condition_variable cv_;
  std::vector<Task> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace candor::server
