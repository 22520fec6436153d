#include "candor/net/worker_pool.h"

#include <boost/asio/post.hpp>
#include <exception>
#include <system_error>
#include <utility>
#include <vector>

#include "worker_pool_internal.h"

namespace candor::net {

WorkerPool::WorkerPool(int num_threads) : impl_(std::make_unique<Impl>(num_threads)) {}

Result<std::unique_ptr<WorkerPool>> WorkerPool::Create(int num_threads) {
  try {
    return std::make_unique<WorkerPool>(num_threads);
  } catch (const std::system_error& e) {
    return MakeError(Errc::kUnavailable, std::string("no threads for a worker pool: ") + e.what());
  }
}

WorkerPool::~WorkerPool() {
  try {
    Wait();
  } catch (...) {
    // Only a failure to lock a mutex or to join a thread lands here: the pool's threads may
    // still use what is being destroyed, so there is no safe way on.
    std::terminate();
  }
}

void WorkerPool::Wait() {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> timers;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopped = true;
    timers.assign(impl_->timers.begin(), impl_->timers.end());
  }
  // A pending timer would keep join() waiting until it is due.
  for (auto& t : timers) t->cancel();
  impl_->pool.join();
}

void WorkerPool::Post(Task job) { boost::asio::post(impl_->pool, std::move(job)); }

void WorkerPool::PostAt(TimePoint when, Task job) {
  auto timer = std::make_shared<boost::asio::steady_timer>(impl_->pool, when);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->timers.insert(timer);
  }
  timer->async_wait(
      [impl = impl_.get(), timer, job = std::move(job)](boost::system::error_code ec) {
        {
          std::lock_guard<std::mutex> lock(impl->mu);
          impl->timers.erase(timer);
        }
        if (!ec) job();
      });
}

size_t WorkerPool::Concurrency() const { return impl_->threads; }

}  // namespace candor::net
