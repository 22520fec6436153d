// directory_bench_contention.cc: the `contention` mode of kt_directory_bench. Search latency on
// one thread, first alone (the baseline), then while another thread publishes back to back:
// each publish queues `batch` new labels (VRF work) and spends `sink_ms` in its head sink, as
// candord's tree-head log does (its batch interval and fsync). A search must not wait for a
// publish's VRF work or its sink.
#include <algorithm>
#include <atomic>
#include <thread>

#include "directory_bench_util.h"

namespace candor::kt::bench {
namespace {

struct Latencies {
  std::vector<double> ms;
  double Quantile(double q) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
  }
};

}  // namespace

int RunContention(CipherSuite suite, uint64_t labels, int seconds, int sink_ms, int batch) {
  const Keys k = MakeKeys(suite);
  constexpr uint64_t kStandinEntries = 10;
  constexpr uint64_t kEntries = 100;
  const Bytes alice = Label("alice", 1);
  Rng rng(11);
  std::map<uint64_t, std::vector<StoredVersion>> real;
  real[kStandinEntries].push_back(Real(k, alice, 0, rng));
  GeneratedStore store(labels > 1 ? labels - 1 : 0, kStandinEntries, kEntries, std::move(real));
  const uint64_t now = kStartMs + (kEntries - 1) * kEntryMs + 500;  // fixed: read by both threads
  std::unique_ptr<Directory> dir = OpenDirectory(k, store, &now, 2, [sink_ms](ByteView, ByteView) {
    std::this_thread::sleep_for(std::chrono::milliseconds(sink_ms));
    return OkStatus();
  });
  auto verifier = Verifier::Create(k.config, [&now] { return now; });
  CANDOR_CHECK(verifier.ok());
  const SearchRequest req = verifier->MakeSearch(ClientState{}, alice, std::nullopt);
  {
    auto first = dir->Search(req);  // warms the proof cache; the answer must verify
    CANDOR_CHECK(first.ok());
    CANDOR_CHECK(verifier->VerifySearch(ClientState{}, req, *first).ok());
  }
  auto measure = [&] {
    Latencies l;
    const auto end = SteadyClock::now() + std::chrono::seconds(seconds);
    while (SteadyClock::now() < end) {
      const auto t0 = SteadyClock::now();
      CANDOR_CHECK(dir->Search(req).ok());
      l.ms.push_back(SecondsSince(t0) * 1e3);
    }
    return l;
  };
  std::printf("# contention suite=%s labels=%llu seconds=%d sink_ms=%d batch=%d load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519",
              static_cast<unsigned long long>(labels), seconds, sink_ms, batch,
              LoadAverage().c_str());
  std::printf(
      "| phase | searches | p50 ms | p99 ms | p99.9 ms | max ms | publishes | publish ms (mean) "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  Latencies alone = measure();
  std::printf("| searches alone (baseline) | %zu | %.3f | %.3f | %.3f | %.3f | 0 | - |\n",
              alone.ms.size(), alone.Quantile(0.5), alone.Quantile(0.99), alone.Quantile(0.999),
              alone.Quantile(1.0));

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> publishes{0};
  double publish_seconds = 0;
  std::thread publisher([&] {
    uint64_t next = 0;
    while (!stop) {
      for (int i = 0; i < batch; ++i) {
        UpdateRequest u;
        u.label = Label("new", next++);
        u.values.push_back(LabelValue{Bytes(kValueSize, 0x5a)});
        CANDOR_CHECK(dir->SubmitUpdate(u).ok());
      }
      const auto t0 = SteadyClock::now();
      CANDOR_CHECK(dir->Publish().ok());
      publish_seconds += SecondsSince(t0);
      publishes.fetch_add(1);
    }
  });
  Latencies busy = measure();
  stop = true;
  publisher.join();
  const uint64_t p = publishes.load();
  std::printf("| searches while publishing | %zu | %.3f | %.3f | %.3f | %.3f | %llu | %.1f |\n",
              busy.ms.size(), busy.Quantile(0.5), busy.Quantile(0.99), busy.Quantile(0.999),
              busy.Quantile(1.0), static_cast<unsigned long long>(p),
              p ? publish_seconds / static_cast<double>(p) * 1e3 : 0.0);
  return 0;
}

}  // namespace candor::kt::bench
