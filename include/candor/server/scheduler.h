// scheduler.h: the timers of a candord process (the directory's publish cadence, expiry
// sweeps): periodic tasks on an executor that the composition root lends, run one at a time.
// A task may block (it publishes, fsyncs, deletes); tasks must not take long compared with their
// period.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "candor/base/executor.h"

namespace candor::server {

class Scheduler {
 public:
  // Scheduler runs its tasks on `executor`, which must outlive it.
  explicit Scheduler(Executor& executor) : scope_(executor) {}
  // The destructor calls Stop().
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Every runs `task` every `period` from Start() on (the first run after one period). Register
  // every task before Start().
  void Every(std::string name, std::chrono::milliseconds period, std::function<void()> task);
  // Start schedules the tasks. Call once.
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
  };
  // Fire runs task `i` and schedules its next run one period later.
  void Fire(size_t i);

  std::mutex run_mu_;  // held while a task runs
  std::vector<Task> tasks_;
  bool started_ = false;
  TaskScope scope_;
};

}  // namespace candor::server
