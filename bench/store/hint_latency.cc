// hint_latency: the cost of the cross-node wake-up hop alone (issue 13 §3, "where the time
// goes"). Node A's PresenceStore sends node B a hint inside a write transaction, as a delivery
// does; B's PgListener receives it. One hint at a time, paced: for each, the time from the
// start of the transaction to its commit returning to A, and to the hint reaching B's listener
// thread. The difference is what the hop adds to a message that crosses nodes, before B's
// own work (queue read, push). Prints one JSON line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "candor/store/pg_listener.h"
#include "candor/store/presence_store.h"
#include "candor/store/sql.h"
#include "common/percentile.h"

namespace {

using namespace candor;  // NOLINT(google-build-using-namespace): a driver's main file
using Clock = std::chrono::steady_clock;

using candor::bench::Percentile;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

nlohmann::json Summary(const std::vector<double>& v) {
  return {{"p50", Percentile(v, 0.50)}, {"p99", Percentile(v, 0.99)}, {"max", Percentile(v, 1)}};
}

Status Run(const std::string& conninfo, int count, int interval_ms, nlohmann::json& out) {
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<store::SqlDatabase> db,
                          store::OpenDatabase("postgresql:" + conninfo));
  CANDOR_ASSIGN_OR_RETURN(auto a, store::PresenceStore::Open(*db, "00000000000000a1"));
  CANDOR_ASSIGN_OR_RETURN(auto b, store::PresenceStore::Open(*db, "00000000000000b2"));
  const store::DeviceAddress device{"bench", "phone"};
  CANDOR_TRY(b->Attach(
      device, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count())));
  CANDOR_ASSIGN_OR_RETURN(auto listener, store::PgListener::Open(conninfo, b->channel()));

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Clock::time_point> received;
  bool stop = false;
  std::thread listening([&] {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop) return;
      }
      auto got = listener->Wait(std::chrono::milliseconds(100));
      const auto now = Clock::now();
      if (!got.ok()) return;
      std::lock_guard<std::mutex> lock(mu);
      for (size_t i = 0; i < got->size(); ++i) received.push_back(now);
      cv.notify_all();
    }
  });

  std::vector<double> commit_ms;
  std::vector<double> hint_ms;
  std::vector<double> added_ms;
  Status failed = OkStatus();
  for (int i = 0; i < count && failed.ok(); ++i) {
    const auto start = Clock::now();
    failed = db->Write([&](store::SqlTx& tx) { return a->HintInTx(tx, {device}); });
    const auto committed = Clock::now();
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(5),
                     [&] { return received.size() > static_cast<size_t>(i); })) {
      failed = MakeError(Errc::kUnavailable, "a hint did not arrive within 5 s");
      break;
    }
    const auto arrived = received[static_cast<size_t>(i)];
    lock.unlock();
    commit_ms.push_back(Ms(committed - start));
    hint_ms.push_back(Ms(arrived - start));
    added_ms.push_back(Ms(arrived - committed));
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
  }
  listening.join();
  CANDOR_TRY(b->Detach(device));
  CANDOR_TRY(failed);
  out = {{"hints", commit_ms.size()},
         {"commit_returned_ms", Summary(commit_ms)},
         {"hint_received_ms", Summary(hint_ms)},
         {"received_after_commit_ms", Summary(added_ms)}};
  return OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hint_latency: a cross-node wake-up hint, from commit to the other node"};
  std::string conninfo;
  int count = 2000;
  int interval_ms = 5;
  app.add_option("--conninfo", conninfo, "libpq connection string")->required();
  app.add_option("--count", count, "hints to send, one at a time")->check(CLI::Range(1, 1000000));
  app.add_option("--interval-ms", interval_ms, "pause after each")->check(CLI::Range(0, 10000));
  CLI11_PARSE(app, argc, argv);
  nlohmann::json out;
  if (Status st = Run(conninfo, count, interval_ms, out); !st.ok()) {
    std::fprintf(stderr, "hint_latency: %s\n", st.error().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
