// large_response_load: how much clients downloading large tiles slow everyone else down.
// `--downloaders` threads fetch one resource (a 16 MiB entry bundle) in a loop on their own
// keep-alive connections, while one prober sends GET /healthz every 20 ms on a fresh connection
// and records its latency. Prints one JSON line: the prober's p50/p99/max, the downloaders'
// throughput. Run it with --downloaders 0 first, in the same run, for the baseline
// (bench/server/run_large_response_bench.sh does both).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "candor/base/process.h"
#include "candor/net/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

int Run(int argc, char** argv) {
  CLI::App app{"large_response_load: /healthz latency while clients download a large resource"};
  std::string base;
  std::string resource = "logs/main/tile/entries/000";
  int downloaders = 16;
  int seconds = 10;
  app.add_option("--url", base, "server base URL, e.g. http://127.0.0.1:8080/")->required();
  app.add_option("--resource", resource, "path of the large resource under the base URL");
  app.add_option("--downloaders", downloaders, "threads downloading the resource in a loop");
  app.add_option("--seconds", seconds, "duration");
  CLI11_PARSE(app, argc, argv);
  auto url = candor::net::ParseUrl(base);
  if (!url.ok()) {
    (void)std::fprintf(stderr, "large_response_load: %s\n", url.error().message.c_str());
    return 1;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> downloads{0};
  std::atomic<uint64_t> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < downloaders; ++i) {
    threads.emplace_back([&] {
      candor::net::HttpClient c;
      c.set_timeout(std::chrono::seconds(60));
      while (Clock::now() < deadline) {
        auto r = c.Get(url->Join(resource));
        if (!r.ok() || r->status != 200) {
          errors.fetch_add(1);
          continue;
        }
        bytes.fetch_add(r->body.size());
        downloads.fetch_add(1);
      }
    });
  }
  std::vector<double> latencies_ms;
  uint64_t probe_errors = 0;
  while (Clock::now() < deadline) {
    candor::net::HttpClient c;
    c.set_timeout(std::chrono::seconds(30));
    const auto t0 = Clock::now();
    auto r = c.Get(url->Join("healthz"));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (r.ok() && r->status == 200) {
      latencies_ms.push_back(ms);
    } else {
      ++probe_errors;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::thread& t : threads) t.join();
  nlohmann::json out = {{"downloaders", downloaders},
                        {"seconds", seconds},
                        {"healthz_probes", latencies_ms.size()},
                        {"healthz_errors", probe_errors},
                        {"healthz_p50_ms", Percentile(latencies_ms, 0.50)},
                        {"healthz_p99_ms", Percentile(latencies_ms, 0.99)},
                        {"healthz_max_ms", Percentile(latencies_ms, 1.0)},
                        {"downloads", downloads.load()},
                        {"download_errors", errors.load()},
                        {"download_MiB_per_s", static_cast<double>(bytes.load()) / (1 << 20) /
                                                   static_cast<double>(seconds)}};
  (void)std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return candor::RunMain(argc, argv, Run); }
