// append_load: a load driver for candord's durable append path. Worker threads with keep-alive
// connections append entries for a fixed time (one entry per request, or bundles), while a
// prober measures the time from an append request to a published checkpoint that covers it and
// carries the witness quorum (verified like a client would). Prints a JSON summary.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "candor/base/file.h"
#include "candor/net/http_client.h"
#include "candor/tlog/tile.h"
#include "candor/tlog/trust.h"
#include "common/percentile.h"

namespace {

using Clock = std::chrono::steady_clock;

using candor::bench::Percentile;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"append_load: durable append throughput and publish latency of candord"};
  std::string url_text, token_file, log_key;
  std::vector<std::string> witness_keys;
  size_t quorum = 0, connections = 16, bundle = 1, entry_bytes = 64;
  double seconds = 10;
  app.add_option("--url", url_text, "log prefix")->required();
  app.add_option("--token-file", token_file, "append token file")->required();
  app.add_option("--log-key", log_key, "log vkey")->required();
  app.add_option("--witness-key", witness_keys, "witness vkeys");
  app.add_option("--quorum", quorum, "cosignatures required for a published checkpoint");
  app.add_option("--connections", connections, "concurrent keep-alive connections");
  app.add_option("--bundle", bundle, "entries per request (1 = POST append)");
  app.add_option("--entry-bytes", entry_bytes, "bytes per entry");
  app.add_option("--seconds", seconds, "duration");
  CLI11_PARSE(app, argc, argv);

  auto url = candor::net::ParseUrl(url_text);
  auto token = candor::ReadFile(token_file);
  auto trust = candor::tlog::ParseLogTrust(log_key, witness_keys, quorum);
  if (!url.ok() || !token.ok() || !trust.ok()) {
    std::fprintf(stderr, "append_load: bad --url, --token-file or keys\n");
    return 1;
  }
  std::string bearer(candor::AsStringView(*token));
  while (!bearer.empty() && bearer.back() == '\n') bearer.pop_back();
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + bearer}};

  // The request body every worker sends (entries differ only by content, not by meaning).
  std::string body;
  if (bundle == 1) {
    body.assign(entry_bytes, 'x');
  } else {
    candor::Bytes b;
    const candor::Bytes entry(entry_bytes, 'x');
    for (size_t i = 0; i < bundle; ++i) (void)candor::tlog::AppendBundleEntry(b, entry);
    body.assign(b.begin(), b.end());
  }
  const std::string path = bundle == 1 ? "append" : "append-bundle";

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acked{0}, requests{0}, errors{0};
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (size_t c = 0; c < connections; ++c) {
    workers.emplace_back([&] {
      candor::net::HttpClient http;
      while (!stop.load(std::memory_order_relaxed)) {
        auto res = http.Request("POST", url->Join(path), body, auth);
        requests.fetch_add(1, std::memory_order_relaxed);
        if (res.ok() && res->status == 200) {
          acked.fetch_add(bundle, std::memory_order_relaxed);
        } else {
          errors.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  // Prober: one append every 200 ms, then poll the published checkpoint until it covers it.
  std::vector<double> latencies_ms;
  std::thread prober([&] {
    candor::net::HttpClient http;
    candor::net::HttpClient poll;
    while (!stop.load()) {
      const auto t0 = Clock::now();
      auto res = http.Request("POST", url->Join("append"), "probe", auth);
      if (!res.ok() || res->status != 200) continue;
      auto j = nlohmann::json::parse(res->body, nullptr, false);
      if (j.is_discarded()) continue;
      const uint64_t index = j["index"].get<uint64_t>();
      while (!stop.load()) {
        auto cp = poll.Get(url->Join("checkpoint"));
        if (cp.ok() && cp->status == 200) {
          auto v = candor::tlog::VerifyCosignedCheckpoint(cp->body, *trust);
          if (v.ok() && v->checkpoint.size > index) {
            latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            break;
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  prober.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json out = {
      {"connections", connections},
      {"entries_per_request", bundle},
      {"entry_bytes", entry_bytes},
      {"seconds", elapsed},
      {"acked_entries", acked.load()},
      {"acked_entries_per_s", static_cast<double>(acked.load()) / elapsed},
      {"requests_per_s", static_cast<double>(requests.load()) / elapsed},
      {"errors", errors.load()},
      {"publish_latency_samples", latencies_ms.size()},
      {"publish_latency_p50_ms", Percentile(latencies_ms, 0.50)},
      {"publish_latency_p99_ms", Percentile(latencies_ms, 0.99)},
  };
  std::printf("%s\n", out.dump().c_str());
  return acked.load() > 0 ? 0 : 1;
}
