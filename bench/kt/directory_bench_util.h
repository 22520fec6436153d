// directory_bench_util.h: what the KEYTRANS directory benchmark driver's modes share (see
// directory_bench_main.cc): clocks, stand-in labels, keys, a generated store, the VRF bounds.
//
// Stand-in labels: the bulk of the directory is written straight into a store with random 32-byte
// "VRF outputs" instead of proving 1M-10M VRFs first. VRF outputs are pseudorandom, so the prefix
// tree has the same shape; the commitments are real (kt::Commit) because Directory::Open checks
// that every stored commitment opens. Labels that are searched or monitored are real: their VRF
// outputs come from VrfEvaluate under the directory's key, so their proofs verify.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "candor/base/process.h"
#include "candor/kt/auditor.h"
#include "candor/kt/binary_ladder.h"
#include "candor/kt/combined_tree.h"
#include "candor/kt/directory.h"
#include "candor/kt/tree_algorithms.h"
#include "candor/kt/update_value.h"
#include "candor/kt/verifier.h"
#include "candor/net/worker_pool.h"
#include "candor/store/sqlite_directory_store.h"

namespace candor::kt::bench {

using SteadyClock = std::chrono::steady_clock;

inline constexpr uint64_t kStartMs = 1'800'000'000'000;  // timestamp of entry 0
inline constexpr uint64_t kEntryMs = 1'000;              // one log entry per second
inline constexpr uint64_t kRmwMs = 3'600'000;            // reasonable monitoring window: 1 hour
inline constexpr size_t kValueSize = 64;                 // as bench/store: 64-byte values

inline double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Rng is splitmix64: fast deterministic filler for stand-in data (not for secrets).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void Fill(uint8_t* out, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      const uint64_t x = Next();
      for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<uint8_t>(x >> (8 * j));
    }
  }

 private:
  uint64_t s_;
};

inline Bytes Label(const char* prefix, uint64_t i) {
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%s%08llu@example.org", prefix,
                      static_cast<unsigned long long>(i));
  return {buf, buf + std::char_traits<char>::length(buf)};
}

struct Keys {
  CipherSuiteParams suite;
  crypto::SignaturePrivateKey signature;
  crypto::VrfPrivateKey vrf;
  Configuration config;
  std::unique_ptr<crypto::SignaturePrivateKey> auditor;  // thirdPartyAuditing only
};

// MakeKeys makes a directory's keys and Configuration; with `audited` the log is deployed with a
// Third-Party Auditor (thirdPartyAuditing, max_auditor_lag 60 s, auditor from the start).
inline Keys MakeKeys(CipherSuite suite, uint64_t rmw_ms = kRmwMs, bool audited = false) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  CANDOR_CHECK(params.ok());
  Keys k{*params, crypto::SignaturePrivateKey::Generate(params->signature),
         crypto::VrfPrivateKey::Generate(params->vrf), Configuration{}, nullptr};
  k.config.ciphersuite = suite;
  k.config.mode = DeploymentMode::contactMonitoring;
  k.config.signature_public_key = k.signature.public_key();
  k.config.vrf_public_key = k.vrf.public_key();
  k.config.max_ahead = 5'000;
  k.config.max_behind = 60'000;
  k.config.reasonable_monitoring_window = rmw_ms;
  if (audited) {
    k.auditor = std::make_unique<crypto::SignaturePrivateKey>(
        crypto::SignaturePrivateKey::Generate(params->signature));
    k.config.mode = DeploymentMode::thirdPartyAuditing;
    k.config.max_auditor_lag = 60'000;
    k.config.auditor_start_pos = 0;
    k.config.auditor_public_key = k.auditor->public_key();
  }
  return k;
}

// MakeAuditor starts the Third-Party Auditor of an audited deployment at tree size 0.
inline std::unique_ptr<Auditor> MakeAuditor(const Keys& k) {
  auto key = crypto::SignaturePrivateKey::FromBytes(k.auditor->scheme(), k.auditor->private_key());
  CANDOR_CHECK(key.ok());
  auto a = Auditor::Create(k.config, std::move(*key));
  CANDOR_CHECK(a.ok());
  return std::make_unique<Auditor>(std::move(*a));
}

// AuditNew feeds the auditor every entry of `dir` it has not processed (the operator's loop:
// AuditorUpdateFor, the auditor's Process, SetAuditorTreeHead with its newest head).
inline void AuditNew(Auditor& auditor, Directory& dir) {
  std::optional<AuditorTreeHead> head;
  while (auditor.size() < dir.size()) {
    auto update = dir.AuditorUpdateFor(auditor.size());
    CANDOR_CHECK(update.ok());
    auto signed_head = auditor.Process(*update);
    if (!signed_head.ok()) {
      (void)std::fprintf(stderr, "auditor: %s\n", signed_head.error().message.c_str());
      std::exit(1);
    }
    head = *signed_head;
  }
  if (head) CANDOR_CHECK(dir.SetAuditorTreeHead(*head).ok());
}

// BenchHelper is the one extra thread a 2-thread directory borrows (the caller is the other).
inline Executor& BenchHelper() {
  static net::WorkerPool pool(1);
  return pool;
}

inline std::unique_ptr<Directory> OpenDirectory(
    const Keys& k, DirectoryStore& store, const uint64_t* now, int threads,
    Directory::HeadSink sink = [](ByteView, ByteView) { return OkStatus(); },
    bool prove_at_publish = false) {
  auto sig =
      crypto::SignaturePrivateKey::FromBytes(k.signature.scheme(), k.signature.private_key());
  auto vrf = crypto::VrfPrivateKey::FromBytes(k.vrf.suite(), k.vrf.private_key());
  CANDOR_CHECK(sig.ok() && vrf.ok());
  DirectoryOptions options;
  options.executor = threads > 1 ? &BenchHelper() : nullptr;  // 2 threads at most
  options.prove_at_publish = prove_at_publish;
  auto d = Directory::Open(
      k.config, std::move(*sig), std::move(*vrf), store, [now] { return *now; }, std::move(sink),
      options);
  if (!d.ok()) {
    (void)std::fprintf(stderr, "Directory::Open: %s\n", d.error().message.c_str());
    std::exit(1);
  }
  return std::move(*d);
}

// StandIn is stand-in label `i`: random VRF output, opening and value; real commitment.
inline StoredVersion StandIn(uint64_t i, Rng& rng) {
  StoredVersion v;
  v.label = Label("user", i);
  v.version = 0;
  rng.Fill(v.opening.data(), v.opening.size());
  v.value.resize(kValueSize);
  rng.Fill(v.value.data(), v.value.size());
  rng.Fill(v.vrf_output.data(), v.vrf_output.size());
  v.commitment = Commit(v.opening, v.label, v.version, UpdateValue{v.value, {}},
                        DeploymentMode::contactMonitoring);
  return v;
}

// Real is a real label version: VRF output proven under the directory's key.
inline StoredVersion Real(const Keys& k, const Bytes& label, uint32_t version, Rng& rng) {
  StoredVersion v;
  v.label = label;
  v.version = version;
  rng.Fill(v.opening.data(), v.opening.size());
  v.value.resize(kValueSize);
  rng.Fill(v.value.data(), v.value.size());
  v.vrf_output = VrfEvaluate(k.vrf, label, version).output;
  v.commitment = Commit(v.opening, v.label, v.version, UpdateValue{v.value, {}}, k.config.mode);
  return v;
}

// GeneratedStore is a DirectoryStore whose first `base` entries are generated on replay (never
// held in memory): entries [0, standin_entries) hold `standins` stand-in labels between them, the
// real versions sit at their positions, every other entry is a heartbeat; entry p has timestamp
// kStartMs + p * entry_ms. Entries appended later (Publish) are kept in memory. GetVersion is not
// used by Directory and answers kNotFound.
class GeneratedStore final : public DirectoryStore {
 public:
  GeneratedStore(uint64_t standins, uint64_t standin_entries, uint64_t base,
                 std::map<uint64_t, std::vector<StoredVersion>> real, uint64_t entry_ms = kEntryMs)
      : standins_(standins),
        standin_entries_(standin_entries),
        base_(base),
        entry_ms_(entry_ms),
        real_(std::move(real)) {}

  Status AppendEntry(const StoredEntry& entry) override {
    if (entry.position != base_ + extra_.size()) {
      return MakeError(Errc::kConflict, "bench: wrong position");
    }
    extra_.push_back(entry);
    return OkStatus();
  }
  Result<uint64_t> EntryCount() override { return base_ + extra_.size(); }
  Status LoadEntries(const std::function<Status(StoredEntry&&)>& visit) override {
    const uint64_t per =
        (standins_ + standin_entries_ - 1) / std::max<uint64_t>(1, standin_entries_);
    for (uint64_t p = 0; p < base_; ++p) {
      StoredEntry e;
      e.position = p;
      e.timestamp = kStartMs + p * entry_ms_;
      if (p < standin_entries_) {
        Rng rng(p + 1);
        for (uint64_t i = p * per; i < std::min(standins_, (p + 1) * per); ++i) {
          e.versions.push_back(StandIn(i, rng));
        }
      }
      if (auto it = real_.find(p); it != real_.end()) {
        for (const StoredVersion& v : it->second) e.versions.push_back(v);
      }
      CANDOR_TRY(visit(std::move(e)));
    }
    for (const StoredEntry& e : extra_) {
      StoredEntry copy = e;
      CANDOR_TRY(visit(std::move(copy)));
    }
    return OkStatus();
  }
  Result<StoredVersion> GetVersion(ByteView, uint32_t) override {
    return MakeError(Errc::kNotFound, "bench: not kept");
  }

 private:
  uint64_t standins_;
  uint64_t standin_entries_;
  uint64_t base_;
  uint64_t entry_ms_;
  std::map<uint64_t, std::vector<StoredVersion>> real_;
  std::vector<StoredEntry> extra_;
};

inline CipherSuite ParseSuite(const std::string& s) {
  if (s == "p256") return CipherSuite::KT_128_SHA256_P256;
  if (s == "ed25519") return CipherSuite::KT_128_SHA256_Ed25519;
  (void)std::fprintf(stderr, "suite must be p256 or ed25519\n");
  std::exit(2);
}

// benchmark_sink keeps the optimizer from dropping VRF evaluations whose results are unused.
inline volatile uint8_t benchmark_sink = 0;

// VrfBound is VrfEvaluate/s (proof and output) or, with `output_only`, VrfOutput/s (what the
// directory computes at publish) on `threads` threads (best of 3 runs of `per_thread` each).
inline double VrfBound(const Keys& k, int threads, int per_thread, bool output_only) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = SteadyClock::now();
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&k, t, per_thread, run, output_only] {
        for (int i = 0; i < per_thread; ++i) {
          const Bytes label = Label(
              "vrfb", static_cast<uint64_t>(run * 16 + t) * static_cast<uint64_t>(per_thread) +
                          static_cast<uint64_t>(i));
          if (output_only) {
            benchmark_sink = VrfOutput(k.vrf, label, 0)[0];
          } else {
            VrfResult r = VrfEvaluate(k.vrf, label, 0);
            CANDOR_CHECK(!r.proof.empty());
          }
        }
      });
    }
    for (std::thread& th : pool) th.join();
    best = std::max(best, threads * per_thread / SecondsSince(t0));
  }
  return best;
}

inline uint64_t FileBytes(const std::string& path) {
  std::error_code ec;
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto s = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += s;
  }
  return total;
}

// BestOf3 is the best of 3 runs of the mean time of `iterations` calls of f, in seconds.
template <class F>
double BestOf3(int iterations, F f) {
  double best = 1e30;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = SteadyClock::now();
    for (int i = 0; i < iterations; ++i) f();
    best = std::min(best, SecondsSince(t0) / iterations);
  }
  return best;
}

// ProofShape summarizes a combined-tree proof: encoded bytes, prefix lookups, prefix sibling
// values, log inclusion values, timestamps.
inline std::string ProofShape(const CombinedTreeProof& proof) {
  size_t results = 0, prefix_elements = 0;
  for (const PrefixProof& p : proof.prefix_proofs) {
    results += p.results.size();
    prefix_elements += p.elements.size();
  }
  char buf[200];
  (void)std::snprintf(
      buf, sizeof(buf),
      "combined-tree proof %zu B (%zu prefix lookups, %zu prefix sibling values, %zu "
      "log inclusion values, %zu timestamps)",
      tls::Encode(proof).size(), results, prefix_elements, proof.inclusion.elements.size(),
      proof.timestamps.size());
  return buf;
}

// The modes (one file each).
int RunPublish(CipherSuite suite, const std::string& kind, uint64_t labels, bool prove_at_publish);
int RunSearch(CipherSuite suite, uint64_t labels, uint64_t entries, uint64_t entry_ms);
int RunShape(uint64_t entry_ms, uint64_t from, uint64_t to, uint64_t step);
int RunMonitor(CipherSuite suite, uint64_t labels, uint64_t rmw_ms, bool audited);
int RunContention(CipherSuite suite, uint64_t labels, int seconds, int sink_ms, int batch);
int RunAuditedPublish(CipherSuite suite, const std::string& kind, uint64_t labels);

}  // namespace candor::kt::bench
