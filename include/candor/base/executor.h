// executor.h: where library code runs work in the background. Libraries start no threads of
// their own: the composition root (a daemon's main, the CLI, a test) owns the threads and lends
// them as an Executor, so it decides how many there are and what happens when none can be made.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>

namespace candor {

// Executor runs tasks on threads its owner made. Tasks must not throw.
class Executor {
 public:
  using Task = std::function<void()>;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Executor() = default;

  // Post queues `task` to run on one of the executor's threads. Thread-safe. A task posted
  // after the executor stopped is dropped.
  virtual void Post(Task task) = 0;
  // PostAt runs `task` on one of the executor's threads no earlier than `when`. A task not due
  // when the executor stops is dropped without running.
  virtual void PostAt(TimePoint when, Task task) = 0;
  // Concurrency is how many tasks can run at once.
  virtual size_t Concurrency() const = 0;
};

// ParallelFor calls `body(begin, end)` on consecutive ranges that cover [0, n) exactly once,
// on the calling thread and on up to executor->Concurrency() tasks posted to `executor`, and
// returns when every range is done. With no executor, or n below `min_parallel`, everything
// runs on the calling thread. It never waits for a task that has not started (the caller takes
// the ranges no helper took), so it is safe inside a task of the same executor, however busy.
// `body` must be safe to run concurrently on different ranges.
void ParallelFor(Executor* executor, size_t n, size_t min_parallel,
                 const std::function<void(size_t begin, size_t end)>& body);

// TaskScope posts the tasks of one object and cancels them when the object goes: after
// Close(), a task of this scope that has not started never runs, and Close() waits for the one
// that is running. Objects whose tasks use `this` hold one and close it first thing in their
// destructor. Thread-safe.
class TaskScope {
 public:
  explicit TaskScope(Executor& executor);
  // The destructor calls Close().
  ~TaskScope();
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

  // Post and PostAt are the executor's, for tasks that Close() cancels.
  void Post(Executor::Task task);
  void PostAt(Executor::TimePoint when, Executor::Task task);
  // Close cancels the tasks not started and waits for those running. Must not be called from a
  // task of this scope. Idempotent.
  void Close();

  Executor& executor() const { return executor_; }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable idle;
    size_t running = 0;
    bool closed = false;
  };
  Executor::Task Guard(Executor::Task task) const;

  Executor& executor_;
  std::shared_ptr<State> state_;
};

}  // namespace candor
