// worker_pool.h: a fixed set of threads for blocking work (disk reads, fsync, SQLite, heavy
// crypto) so that IO threads never block. The composition root (a daemon's main, a test) makes
// one and lends it to the servers and services that need it.
#pragma once

#include <functional>
#include <memory>

namespace candor::net {

class WorkerPool {
 public:
  // WorkerPool starts `num_threads` threads (at least one).
  explicit WorkerPool(int num_threads);
  // The destructor runs every job already posted, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Post queues `job` to run on one of the pool's threads. Jobs must not throw (an escaping
  // exception terminates the process, as for any thread). Thread-safe. After Wait, jobs posted
  // are not run.
  void Post(std::function<void()> job);

  // Wait runs every job posted so far (and those they post) and joins the threads, so that what
  // the jobs use may then be destroyed. The pool accepts no more work afterwards. Idempotent.
  void Wait();

  struct Impl;
  // impl gives the net layer's own code the pool's executor.
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace candor::net
