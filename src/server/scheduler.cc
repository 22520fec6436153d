#include "candor/server/scheduler.h"

namespace candor::server {

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Every(std::string name, std::chrono::milliseconds period,
                      std::function<void()> task) {
  tasks_.push_back(Task{std::move(name), period, std::move(task)});
}

void Scheduler::Start() {
  if (started_) return;
  started_ = true;
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < tasks_.size(); ++i) {
    scope_.PostAt(now + tasks_[i].period, [this, i] { Fire(i); });
  }
}

void Scheduler::Stop() { scope_.Close(); }

void Scheduler::RunNow(const std::string& name) {
  std::lock_guard<std::mutex> running(run_mu_);
  for (const Task& t : tasks_) {
    if (t.name == name) t.run();
  }
}

void Scheduler::Fire(size_t i) {
  {
    std::lock_guard<std::mutex> running(run_mu_);
    tasks_[i].run();
  }
  scope_.PostAt(std::chrono::steady_clock::now() + tasks_[i].period, [this, i] { Fire(i); });
}

}  // namespace candor::server
