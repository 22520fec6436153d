// paced_load.h: the load loop the HTTP drivers share. `connections` threads, each with state of
// its own (a keep-alive connection, a random generator), send requests for `seconds`, as fast as
// they go or paced to `rate` requests/s in all. Paced, thread t sends its i-th request at
// start + (i + t / connections) * connections / rate, and a request's latency counts from that
// scheduled time, so a server that falls behind shows its queue instead of hiding it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "candor/base/result.h"

namespace candor::bench {

// LoadTotals is what a RunPacedLoad run saw.
struct LoadTotals {
  std::vector<double> latency_ms;  // one per request that succeeded
  uint64_t errors = 0;             // requests that failed
  std::string first_error;
  double elapsed_s = 0;
};

// Request sends one request and says whether it succeeded (its error is counted, the first one
// kept). MakeRequest builds thread t's Request, which owns that thread's state.
using Request = std::function<Status()>;
using MakeRequest = std::function<Request(int)>;

// RunPacedLoad runs the load described above and returns its totals.
inline LoadTotals RunPacedLoad(int connections, double seconds, double rate,
                               const MakeRequest& make_request) {
  using Steady = std::chrono::steady_clock;
  LoadTotals totals;
  std::mutex mu;
  const auto start = Steady::now();
  const auto end =
      start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  const double period_s = rate > 0 ? static_cast<double>(connections) / rate : 0;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(connections));
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      Request request = make_request(t);
      std::vector<double> latency;
      uint64_t errors = 0;
      std::string first_error;
      for (uint64_t i = 0;; ++i) {
        auto due = Steady::now();
        if (rate > 0) {
          const double at =
              (static_cast<double>(i) + static_cast<double>(t) / static_cast<double>(connections)) *
              period_s;
          due = start +
                std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(at));
          std::this_thread::sleep_until(due);
        }
        if (due >= end) break;
        Status st = request();
        if (!st.ok()) {
          ++errors;
          if (first_error.empty()) first_error = st.error().ToString();
          continue;
        }
        latency.push_back(std::chrono::duration<double, std::milli>(Steady::now() - due).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      totals.latency_ms.insert(totals.latency_ms.end(), latency.begin(), latency.end());
      totals.errors += errors;
      if (totals.first_error.empty()) totals.first_error = first_error;
    });
  }
  for (std::thread& t : threads) t.join();
  totals.elapsed_s = std::chrono::duration<double>(Steady::now() - start).count();
  return totals;
}

}  // namespace candor::bench
