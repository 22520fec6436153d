#include "candor/base/executor.h"

#include <algorithm>
#include <utility>

namespace candor {

namespace {

// RangeWork is what the calling thread and its helpers share in ParallelFor. Helpers that start
// after every range was taken return without touching `body`, which may be gone by then.
struct RangeWork {
  std::mutex mu;
  std::condition_variable finished;
  const std::function<void(size_t, size_t)>* body = nullptr;
  size_t n = 0;
  size_t parts = 0;
  size_t next = 0;  // the next range nobody took
  size_t done = 0;  // ranges finished
};

// RunRanges takes and runs ranges until none is left.
void RunRanges(RangeWork& w) {
  for (;;) {
    size_t part = 0;
    {
      std::lock_guard<std::mutex> lock(w.mu);
      if (w.next == w.parts) return;
      part = w.next++;
    }
    (*w.body)(part * w.n / w.parts, (part + 1) * w.n / w.parts);
    std::lock_guard<std::mutex> lock(w.mu);
    if (++w.done == w.parts) w.finished.notify_all();
  }
}

}  // namespace

void ParallelFor(Executor* executor, size_t n, size_t min_parallel,
                 const std::function<void(size_t begin, size_t end)>& body) {
  if (n == 0) return;
  if (executor == nullptr || n < std::max<size_t>(min_parallel, 2)) {
    body(0, n);
    return;
  }
  auto work = std::make_shared<RangeWork>();
  work->body = &body;
  work->n = n;
  work->parts = std::min(n, executor->Concurrency() + 1);
  for (size_t i = 1; i < work->parts; ++i) {
    executor->Post([work] { RunRanges(*work); });
  }
  RunRanges(*work);
  std::unique_lock<std::mutex> lock(work->mu);
  work->finished.wait(lock, [&] { return work->done == work->parts; });
}

TaskScope::TaskScope(Executor& executor) : executor_(executor), state_(std::make_shared<State>()) {}

TaskScope::~TaskScope() { Close(); }

Executor::Task TaskScope::Guard(Executor::Task task) const {
  return [state = state_, task = std::move(task)] {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->closed) return;
      ++state->running;
    }
    task();
    std::lock_guard<std::mutex> lock(state->mu);
    if (--state->running == 0) state->idle.notify_all();
  };
}

void TaskScope::Post(Executor::Task task) { executor_.Post(Guard(std::move(task))); }

void TaskScope::PostAt(Executor::TimePoint when, Executor::Task task) {
  executor_.PostAt(when, Guard(std::move(task)));
}

void TaskScope::Close() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->closed = true;
  state_->idle.wait(lock, [this] { return state_->running == 0; });
}

}  // namespace candor
