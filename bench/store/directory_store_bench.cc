// directory_store_bench.cc: SqliteDirectoryStore on a fresh file in /tmp. Appending log entries
// of 1,000 label versions each (one transaction and one WAL fsync per entry), the bytes on disk
// per version once 200,000 versions are stored, and LoadEntries over 200,000 and 1,000,000
// versions with the process's peak RSS (LoadEntries streams, so it stays flat). Each version is
// a 24-byte label, a 64-byte value, no suffix signature, and the fixed 16 + 32 + 32 bytes of
// opening, VRF output and commitment: 168 bytes of payload plus the 4-byte version.
// Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "candor/kt/directory_store.h"
#include "candor/store/sqlite_directory_store.h"

namespace candor::store {
namespace {

constexpr uint64_t kVersionsPerEntry = 1000;

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

std::string FreshPath(const std::string& name) {
  const std::string path =
      "/tmp/candor_store_bench_" + name + "_" + std::to_string(getpid()) + ".db";
  RemoveDb(path);
  return path;
}

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// Fill writes bytes derived from `seed` (xorshift64), so that nothing compresses or repeats.
template <class Container>
void Fill(Container& out, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x);
  }
}

// MakeEntry is log entry `position` with `num_versions` fresh labels at version 0.
kt::StoredEntry MakeEntry(uint64_t position, uint64_t num_versions = kVersionsPerEntry) {
  kt::StoredEntry e;
  e.position = position;
  e.timestamp = 1'700'000'000'000 + position;
  e.versions.resize(num_versions);
  for (uint64_t i = 0; i < num_versions; ++i) {
    kt::StoredVersion& v = e.versions[i];
    char label[32];
    const uint64_t n = position * kVersionsPerEntry + i;
    std::snprintf(label, sizeof(label), "user%08llu@example.org",
                  static_cast<unsigned long long>(n));
    v.label.assign(label, label + 24);
    Fill(v.opening, n * 4);
    v.value.resize(64);
    Fill(v.value, n * 4 + 1);
    Fill(v.vrf_output, n * 4 + 2);
    Fill(v.commitment, n * 4 + 3);
  }
  return e;
}

std::unique_ptr<SqliteDirectoryStore> OpenOrAbort(const std::string& path) {
  auto store = SqliteDirectoryStore::Open(path);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    std::abort();
  }
  return std::move(store).value();
}

// BM_AppendEntries/<versions per entry>: 200 entries into a fresh file (200,000 versions at
// 1,000 per entry), one AppendEntry per iteration; entry generation is excluded from the time.
// With 0 versions per entry (heartbeats) it measures one commit's fixed cost.
void BM_AppendEntries(benchmark::State& state) {
  const auto per_entry = static_cast<uint64_t>(state.range(0));
  const std::string path = FreshPath("append");
  auto store = OpenOrAbort(path);
  uint64_t position = 0;
  for ([[maybe_unused]] auto _ : state) {
    state.PauseTiming();
    const kt::StoredEntry entry = MakeEntry(position, per_entry);
    state.ResumeTiming();
    if (!store->AppendEntry(entry).ok()) state.SkipWithError("AppendEntry failed");
    ++position;
  }
  store.reset();  // closes and checkpoints the WAL into the main file
  const double num_versions = static_cast<double>(position * per_entry);
  const double disk_len = static_cast<double>(FileSize(path) + FileSize(path + "-wal"));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(position), benchmark::Counter::kIsRate);
  if (num_versions > 0) {
    state.counters["versions/s"] = benchmark::Counter(num_versions, benchmark::Counter::kIsRate);
    state.counters["disk_B/version"] = disk_len / num_versions;
    state.counters["versions"] = num_versions;
  }
  RemoveDb(path);
}
BENCHMARK(BM_AppendEntries)
    ->Arg(0)
    ->Arg(kVersionsPerEntry)
    ->Iterations(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// StoreWith returns a store holding `num_versions` versions (entries of kVersionsPerEntry),
// built once per size.
SqliteDirectoryStore& StoreWith(uint64_t num_versions) {
  static std::map<uint64_t, std::pair<std::string, std::unique_ptr<SqliteDirectoryStore>>> stores;
  auto& slot = stores[num_versions];
  if (slot.second == nullptr) {
    slot.first = FreshPath("load" + std::to_string(num_versions));
    slot.second = OpenOrAbort(slot.first);
    for (uint64_t p = 0; p < num_versions / kVersionsPerEntry; ++p) {
      if (!slot.second->AppendEntry(MakeEntry(p)).ok()) std::abort();
    }
    std::atexit([] {
      for (auto& [n, s] : stores) {
        s.second.reset();
        RemoveDb(s.first);
      }
    });
  }
  return *slot.second;
}

double PeakRssMiB() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// BM_LoadEntries/<versions>: LoadEntries over the whole store, touching every version.
void BM_LoadEntries(benchmark::State& state) {
  const auto num_versions = static_cast<uint64_t>(state.range(0));
  SqliteDirectoryStore& store = StoreWith(num_versions);
  const double rss_before = PeakRssMiB();
  uint64_t num_seen = 0;
  for ([[maybe_unused]] auto _ : state) {
    auto st = store.LoadEntries([&](kt::StoredEntry&& e) {
      num_seen += e.versions.size();
      benchmark::DoNotOptimize(e.versions.back().value.data());
      return OkStatus();
    });
    if (!st.ok()) state.SkipWithError("LoadEntries failed");
  }
  if (num_seen != num_versions * static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("versions missing");
  state.counters["versions/s"] =
      benchmark::Counter(static_cast<double>(num_seen), benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB_before"] = rss_before;
  state.counters["peak_rss_MiB_after"] = PeakRssMiB();
}
BENCHMARK(BM_LoadEntries)
    ->Arg(200'000)
    ->Arg(1'000'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor::store

BENCHMARK_MAIN();
