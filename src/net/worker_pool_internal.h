// worker_pool_internal.h: the asio side of WorkerPool, for the net layer's own code.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <set>

#include "candor/net/worker_pool.h"

namespace candor::net {

struct WorkerPool::Impl {
  explicit Impl(int num_threads)
      : threads(static_cast<size_t>(num_threads < 1 ? 1 : num_threads)), pool(threads) {}
  size_t threads;
  boost::asio::thread_pool pool;
  std::mutex mu;
  bool stopped = false;
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers;  // PostAt jobs not yet due
};

}  // namespace candor::net
