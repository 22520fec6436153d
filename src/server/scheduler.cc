#include "candor/server/scheduler.h"

namespace candor::server {

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Every(std::string name, std::chrono::milliseconds period,
                      std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.push_back(
      Task{std::move(name), period, std::move(task), std::chrono::steady_clock::now() + period});
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  const auto now = std::chrono::steady_clock::now();
  for (Task& t : tasks_) t.next = now + t.period;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::RunNow(const std::string& name) {
  std::vector<std::function<void()>> runs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Task& t : tasks_) {
      if (t.name == name) runs.push_back(t.run);
    }
  }
  std::lock_guard<std::mutex> running(run_mu_);
  for (auto& r : runs) r();
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto next = std::chrono::steady_clock::time_point::max();
    for (const Task& t : tasks_) next = std::min(next, t.next);
    cv_.wait_until(lock, next, [this] { return stopping_; });
    if (stopping_) break;
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < tasks_.size() && !stopping_; ++i) {
      if (tasks_[i].next > now) continue;
      tasks_[i].next = now + tasks_[i].period;
      auto run = tasks_[i].run;
      lock.unlock();
      {
        std::lock_guard<std::mutex> running(run_mu_);
        run();
      }
      lock.lock();
    }
  }
}

}  // namespace candor::server
