// worker_pool_internal.h: the asio side of WorkerPool, for the net layer's own code.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "candor/net/worker_pool.h"

namespace candor::net {

struct WorkerPool::Impl {
  explicit Impl(int num_threads) : pool(static_cast<size_t>(num_threads < 1 ? 1 : num_threads)) {}
  boost::asio::thread_pool pool;
};

}  // namespace candor::net
