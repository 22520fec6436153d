// worker_pool.h: a fixed set of threads for blocking work (disk reads, fsync, SQLite, heavy
// crypto) so that IO threads never block. The composition root (a daemon's main, a test) makes
// one and lends it to the servers and services that need it.
#pragma once

#include <functional>
#include <memory>

#include "candor/base/executor.h"
#include "candor/base/result.h"

namespace candor::net {

// WorkerPool is the Executor that candord, the witness and the tests lend to library code.
class WorkerPool final : public Executor {
 public:
  // WorkerPool starts `num_threads` threads (at least one); std::system_error if the system
  // has none to give.
  explicit WorkerPool(int num_threads);
  // Create is the constructor that reports a lack of threads as kUnavailable.
  static Result<std::unique_ptr<WorkerPool>> Create(int num_threads);
  // The destructor runs every job already posted, then joins the threads.
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Post queues `job` to run on one of the pool's threads. Jobs must not throw (an escaping
  // exception terminates the process, as for any thread). Thread-safe. After Wait, jobs posted
  // are not run.
  void Post(Task job) override;
  // PostAt runs `job` no earlier than `when`; Wait drops it if it is not due by then.
  void PostAt(TimePoint when, Task job) override;
  size_t Concurrency() const override;

  // Wait cancels the delayed jobs, runs every job posted so far (and those they post) and joins
  // the threads, so that what the jobs use may then be destroyed. The pool accepts no more work
  // afterwards. Idempotent.
  void Wait();

  struct Impl;
  // impl gives the net layer's own code the pool's executor.
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::net
