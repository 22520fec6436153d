// The executor the libraries borrow: WorkerPool's timers, ParallelFor and TaskScope.
#include "candor/net/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "candor/base/executor.h"

namespace candor::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(WorkerPoolTest, PostAtRunsNoEarlierThanAsked) {
  WorkerPool pool(2);
  std::promise<steady_clock::time_point> ran;
  const auto asked = steady_clock::now() + milliseconds(30);
  pool.PostAt(asked, [&ran] { ran.set_value(steady_clock::now()); });
  EXPECT_GE(ran.get_future().get(), asked);
}

TEST(WorkerPoolTest, WaitDropsTimersNotDueAndDoesNotWaitForThem) {
  std::atomic<int> ran{0};
  const auto start = steady_clock::now();
  {
    WorkerPool pool(1);
    pool.PostAt(steady_clock::now() + std::chrono::hours(1), [&ran] { ran++; });
    pool.Post([&ran] { ran += 10; });
    pool.Wait();
    pool.PostAt(steady_clock::now(), [&ran] { ran += 100; });  // after Wait: dropped
  }
  EXPECT_EQ(ran.load(), 10);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ParallelForTest, CoversEveryIndexOnceOnSeveralThreads) {
  WorkerPool pool(3);
  for (size_t n : {0u, 1u, 2u, 5u, 1000u}) {
    std::vector<int> hits(n, 0);
    std::mutex mu;
    std::set<std::thread::id> threads;
    ParallelFor(&pool, n, 1, [&](size_t begin, size_t end) {
      ASSERT_LE(begin, end);
      ASSERT_LE(end, n);
      for (size_t i = begin; i < end; ++i) hits[i]++;
      // Hold each range a little so that the helpers get a share.
      std::this_thread::sleep_for(milliseconds(5));
      std::lock_guard<std::mutex> lock(mu);
      threads.insert(std::this_thread::get_id());
    });
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i], 1) << "n=" << n << " i=" << i;
    if (n >= 1000) EXPECT_GT(threads.size(), 1u);
  }
}

TEST(ParallelForTest, RunsInlineWithoutAnExecutorOrBelowTheThreshold) {
  WorkerPool pool(2);
  for (Executor* ex : {static_cast<Executor*>(nullptr), static_cast<Executor*>(&pool)}) {
    std::set<std::thread::id> threads;
    size_t calls = 0;
    ParallelFor(ex, 10, ex == nullptr ? 1 : 11, [&](size_t begin, size_t end) {
      EXPECT_EQ(begin, 0u);
      EXPECT_EQ(end, 10u);
      threads.insert(std::this_thread::get_id());
      ++calls;
    });
    EXPECT_EQ(calls, 1u);
    EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
  }
}

// Inside a task of a pool whose every thread is busy, ParallelFor must not wait for helpers
// that cannot start: it does the work itself.
TEST(ParallelForTest, FinishesInsideABusyPool) {
  WorkerPool pool(1);
  std::promise<size_t> done;
  pool.Post([&pool, &done] {
    std::atomic<size_t> sum{0};
    ParallelFor(&pool, 100, 1, [&sum](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) sum += i;
    });
    done.set_value(sum.load());
  });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(f.get(), 4950u);
}

TEST(TaskScopeTest, CloseCancelsWhatHasNotStartedAndWaitsForWhatRuns) {
  WorkerPool pool(2);
  std::atomic<bool> long_task_finished{false};
  std::atomic<int> late_runs{0};
  std::promise<void> started;
  {
    TaskScope scope(pool);
    scope.Post([&] {
      started.set_value();
      std::this_thread::sleep_for(milliseconds(50));
      long_task_finished = true;
    });
    scope.PostAt(steady_clock::now() + milliseconds(200), [&late_runs] { late_runs++; });
    started.get_future().wait();
    scope.Close();
    EXPECT_TRUE(long_task_finished.load());  // Close waited for it
    scope.Post([&late_runs] { late_runs++; });
  }
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(late_runs.load(), 0);
}

}  // namespace
}  // namespace candor::net
