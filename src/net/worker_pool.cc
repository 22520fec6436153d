#include "candor/net/worker_pool.h"

#include <boost/asio/post.hpp>

#include "worker_pool_internal.h"

namespace candor::net {

WorkerPool::WorkerPool(int num_threads) : impl_(std::make_unique<Impl>(num_threads)) {}

WorkerPool::~WorkerPool() { Wait(); }

void WorkerPool::Wait() { impl_->pool.join(); }

void WorkerPool::Post(std::function<void()> job) { boost::asio::post(impl_->pool, std::move(job)); }

}  // namespace candor::net
