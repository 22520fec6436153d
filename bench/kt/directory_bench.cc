// directory_bench.cc: the KEYTRANS directory at scale (issue 4's performance list), a driver that
// prints table rows rather than a benchmark loop:
//   publish <suite> <memory|sqlite> [labels]  SubmitUpdate + Publish of 1,000 / 10,000-label
//                                             batches into a directory of `labels` labels, beside
//                                             the VRF-prove bound (VrfEvaluate/s on 2 threads);
//                                             for sqlite also bytes on disk per label and update.
//   search <suite> [labels] [entries] [entry_ms]
//                                             proof generation, verification (split VRF / tree
//                                             head / rest) and encoded SearchResponse size, with
//                                             where the bytes go (fresh and returning client);
//                                             log entries entry_ms apart (default 1,000).
//   shape <entry_ms> <from> <to> [step]       no directory: the proof's counts (lookups,
//                                             timestamps, prefix_roots, minimal log inclusion)
//                                             for tree sizes in [from, to), fresh and returning.
//   monitor <suite> [labels]                  bytes a client downloads in a day (one entry per
//                                             second) to monitor its own label and 100 contacts.
// <suite> is p256 or ed25519. Results and commands: docs/benchmarks.md ("KEYTRANS directory").
//
// Stand-in labels: the bulk of the directory is written straight into a store with random 32-byte
// "VRF outputs" instead of proving 1M-10M VRFs first. VRF outputs are pseudorandom, so the prefix
// tree has the same shape; the commitments are real (kt::Commit) because Directory::Open checks
// that every stored commitment opens. Labels that are searched or monitored are real: their VRF
// outputs come from VrfEvaluate under the directory's key, so their proofs verify.
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
#include "candor/kt/binary_ladder.h"
#include "candor/kt/combined_tree.h"
#include "candor/kt/directory.h"
#include "candor/kt/tree_algorithms.h"
#include "candor/kt/update_value.h"
#include "candor/kt/verifier.h"
#include "candor/store/sqlite_directory_store.h"

namespace candor::kt {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr uint64_t kStartMs = 1'800'000'000'000;  // timestamp of entry 0
constexpr uint64_t kEntryMs = 1'000;              // one log entry per second
constexpr uint64_t kRmwMs = 3'600'000;            // reasonable monitoring window: 1 hour
constexpr size_t kValueSize = 64;                 // as bench/store: 64-byte values

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double PeakRssMiB() {
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

Bytes Label(const char* prefix, uint64_t i) {
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
};

Keys MakeKeys(CipherSuite suite) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  CANDOR_CHECK(params.ok());
  Keys k{*params, crypto::SignaturePrivateKey::Generate(params->signature),
         crypto::VrfPrivateKey::Generate(params->vrf), Configuration{}};
  k.config.ciphersuite = suite;
  k.config.mode = DeploymentMode::contactMonitoring;
  k.config.signature_public_key = k.signature.public_key();
  k.config.vrf_public_key = k.vrf.public_key();
  k.config.max_ahead = 5'000;
  k.config.max_behind = 60'000;
  k.config.reasonable_monitoring_window = kRmwMs;
  return k;
}

std::unique_ptr<Directory> OpenDirectory(const Keys& k, DirectoryStore& store, const uint64_t* now,
                                         int threads) {
  auto sig =
      crypto::SignaturePrivateKey::FromBytes(k.signature.scheme(), k.signature.private_key());
  auto vrf = crypto::VrfPrivateKey::FromBytes(k.vrf.suite(), k.vrf.private_key());
  CANDOR_CHECK(sig.ok() && vrf.ok());
  DirectoryOptions options;
  options.threads = threads;
  auto d = Directory::Open(
      k.config, std::move(*sig), std::move(*vrf), store, [now] { return *now; },
      [](ByteView, ByteView) { return OkStatus(); }, options);
  if (!d.ok()) {
    (void)std::fprintf(stderr, "Directory::Open: %s\n", d.error().message.c_str());
    std::exit(1);
  }
  return std::move(*d);
}

// StandIn is stand-in label `i`: random VRF output, opening and value; real commitment.
StoredVersion StandIn(uint64_t i, Rng& rng) {
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
StoredVersion Real(const Keys& k, const Bytes& label, uint32_t version, Rng& rng) {
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

CipherSuite ParseSuite(const std::string& s) {
  if (s == "p256") return CipherSuite::KT_128_SHA256_P256;
  if (s == "ed25519") return CipherSuite::KT_128_SHA256_Ed25519;
  (void)std::fprintf(stderr, "suite must be p256 or ed25519\n");
  std::exit(2);
}

// benchmark_sink keeps the optimizer from dropping VRF evaluations whose results are unused.
volatile uint8_t benchmark_sink = 0;

// VrfBound is VrfEvaluate/s (proof and output) or, with `output_only`, VrfOutput/s (what the
// directory computes at publish) on `threads` threads (best of 3 runs of `per_thread` each).
double VrfBound(const Keys& k, int threads, int per_thread, bool output_only) {
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

uint64_t FileBytes(const std::string& path) {
  std::error_code ec;
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto s = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += s;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// publish

int RunPublish(CipherSuite suite, const std::string& kind, uint64_t labels) {
  const Keys k = MakeKeys(suite);
  std::printf("# publish suite=%s store=%s labels=%llu load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519", kind.c_str(),
              static_cast<unsigned long long>(labels), LoadAverage().c_str());
  const double prove_bound = VrfBound(k, 2, 400, false);
  const double bound = VrfBound(k, 2, 400, true);
  std::printf("VRF-prove bound (VrfEvaluate: proof + output, 2 threads, best of 3): %.0f /s\n",
              prove_bound);
  std::printf("VRF-output bound (VrfOutput, what publish computes, 2 threads): %.0f /s  load=%s\n",
              bound, LoadAverage().c_str());

  const std::string path = "/tmp/kt-bench-" + std::to_string(static_cast<int>(suite)) + ".db";
  std::unique_ptr<DirectoryStore> store;
  auto open_sqlite = [&] {
    auto s = store::SqliteDirectoryStore::Open(path);
    CANDOR_CHECK(s.ok());
    store = std::move(*s);
  };
  if (kind == "sqlite") {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    open_sqlite();
  } else {
    store = std::make_unique<MemoryDirectoryStore>();
  }

  // Populate: entries of 100,000 stand-in labels each.
  constexpr uint64_t kChunk = 100'000;
  auto t0 = SteadyClock::now();
  uint64_t position = 0;
  Rng rng(7);
  for (uint64_t first = 0; first < labels; first += kChunk, ++position) {
    StoredEntry e;
    e.position = position;
    e.timestamp = kStartMs + position * kEntryMs;
    for (uint64_t i = first; i < std::min(labels, first + kChunk); ++i) {
      e.versions.push_back(StandIn(i, rng));
    }
    CANDOR_CHECK(store->AppendEntry(e).ok());
  }
  std::printf("populate %llu stand-in labels in %llu entries: %.1f s\n",
              static_cast<unsigned long long>(labels), static_cast<unsigned long long>(position),
              SecondsSince(t0));
  uint64_t disk_before = 0;
  if (kind == "sqlite") {
    store.reset();  // closing checkpoints the WAL
    disk_before = FileBytes(path);
    std::printf("on disk after %llu labels: %llu bytes = %.1f B/label\n",
                static_cast<unsigned long long>(labels),
                static_cast<unsigned long long>(disk_before),
                static_cast<double>(disk_before) / static_cast<double>(labels));
    open_sqlite();
  }

  uint64_t now = kStartMs + position * kEntryMs;
  t0 = SteadyClock::now();
  std::unique_ptr<Directory> dir = OpenDirectory(k, *store, &now, 2);
  std::printf("Directory::Open (replay %llu labels): %.1f s, peak RSS %.0f MiB\n",
              static_cast<unsigned long long>(labels), SecondsSince(t0), PeakRssMiB());

  uint64_t next_label = 0;
  uint64_t published = 0;
  for (uint64_t batch : {uint64_t{1'000}, uint64_t{10'000}}) {
    double best = 0;
    double best_submit = 0;
    std::string best_load;
    for (int run = 0; run < 3; ++run) {
      std::vector<UpdateRequest> requests;
      for (uint64_t i = 0; i < batch; ++i) {
        UpdateRequest r;
        r.label = Label("newu", next_label++);
        Bytes value(kValueSize);
        rng.Fill(value.data(), value.size());
        r.values.push_back(LabelValue{value});
        requests.push_back(std::move(r));
      }
      now += kEntryMs;
      const auto start = SteadyClock::now();
      for (const UpdateRequest& r : requests) CANDOR_CHECK(dir->SubmitUpdate(r).ok());
      const double submit = SecondsSince(start);
      auto p = dir->Publish();
      CANDOR_CHECK(p.ok());
      const double total = SecondsSince(start);
      published += batch;
      const double rate = static_cast<double>(batch) / total;
      if (rate > best) {
        best = rate;
        best_submit = submit;
        best_load = LoadAverage();
      }
    }
    std::printf(
        "| %llu labels/entry | %.0f updates/s | %.1f%% of VRF-output bound | %.1f%% of VRF-prove "
        "bound | submit %.1f ms | load %s |\n",
        static_cast<unsigned long long>(batch), best, 100.0 * best / bound,
        100.0 * best / prove_bound, best_submit * 1e3, best_load.c_str());
  }
  if (kind == "sqlite") {
    dir.reset();
    store.reset();
    const uint64_t disk_after = FileBytes(path);
    std::printf("on disk after %llu more updates: %llu bytes, +%.1f B/update\n",
                static_cast<unsigned long long>(published),
                static_cast<unsigned long long>(disk_after),
                static_cast<double>(disk_after - disk_before) / static_cast<double>(published));
    std::filesystem::remove(path);
  }
  std::printf("peak RSS %.0f MiB\n", PeakRssMiB());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// search

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
std::string ProofShape(const CombinedTreeProof& proof) {
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

// Where the bytes of a SearchResponse go (docs/benchmarks.md, "Search response size").

// RetainedBoundary says whether x is a boundary between the full subtrees of a log of m leaves
// (0, m, or m with its low bits cleared).
bool RetainedBoundary(uint64_t x, uint64_t m) {
  for (int j = 0; j < 64; ++j) {
    if (((m >> j) << j) == x) return true;
  }
  return x == 0;
}

// MinimalLogValues is the draft's minimum size of `inclusion` (§"Tree Proofs", Log Tree) for the
// subtree [lo, hi) of the left-balanced log tree: the fewest balanced-subtree head values that let
// a user compute the root from the leaves in `leaves` and the full subtrees it retained of the
// tree of m leaves (m = 0: none). Retained subtrees are used, never replaced by a covering value
// (a consistency proof must involve them). Computed independently of the prover.
size_t MinimalLogValues(uint64_t lo, uint64_t hi, uint64_t m, const std::set<uint64_t>& leaves) {
  const auto first = leaves.lower_bound(lo);
  const bool has_leaf = first != leaves.end() && *first < hi;
  if (!has_leaf) {
    if (hi <= m && RetainedBoundary(lo, m) && RetainedBoundary(hi, m)) return 0;
    if (lo >= m || hi <= m) return 1;
  } else if (hi - lo == 1) {
    return 0;
  }
  const uint64_t k = std::bit_floor(hi - lo - 1);  // the left subtree: largest power of 2 < size
  return MinimalLogValues(lo, lo + k, m, leaves) + MinimalLogValues(lo + k, hi, m, leaves);
}

// ShadowSource answers a prover ProofSession the way the directory does for one label whose
// version v was created at log entry created[v], with the bench's timestamps (entries at or
// beyond `base` were published one `entry_ms` apart, 500 ms after the generated grid), and
// records which log entry is behind each element of the CombinedTreeProof. Its prefix proofs
// and log proof are empty: it records the shape only, the real response has the bytes.
class ShadowSource final : public CombinedTreeSource {
 public:
  ShadowSource(std::vector<uint64_t> created, uint64_t base, uint64_t entry_ms)
      : created_(std::move(created)), base_(base), entry_ms_(entry_ms) {}

  uint64_t Timestamp(uint64_t position) const override {
    if (recording) timestamps.push_back(position);
    return kStartMs + position * entry_ms_ + (position >= base_ ? 500 : 0);
  }
  HashValue PrefixRoot(uint64_t position) const override {
    if (finishing) roots.push_back(position);
    HashValue h{};
    for (size_t i = 0; i < 8; ++i) h[i] = static_cast<uint8_t>(position >> (8 * i));
    return h;
  }
  bool Contains(uint64_t position, const Hash32& key) const override {
    const uint32_t v = VersionOf(key);
    return v < created_.size() && created_[v] <= position;
  }
  PrefixProof ProvePrefix(uint64_t position, const std::vector<Hash32>& keys) const override {
    ladders.emplace_back(position, keys.size());
    PrefixProof out;
    out.results.resize(keys.size());
    return out;
  }
  InclusionProof ProveLog(uint64_t, uint64_t, const std::vector<uint64_t>& l) const override {
    leaves = l;
    return {};
  }

  static Hash32 KeyOf(uint32_t version) {
    Hash32 k{};
    for (size_t i = 0; i < 4; ++i) k[i] = static_cast<uint8_t>(version >> (8 * i));
    return k;
  }
  static uint32_t VersionOf(const Hash32& key) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(key[i]) << (8 * i);
    return v;
  }

  mutable bool recording = false;
  mutable bool finishing = false;
  mutable std::vector<uint64_t> timestamps;                  // entries, in `timestamps` order
  mutable std::vector<std::pair<uint64_t, size_t>> ladders;  // entry, lookups per PrefixProof
  mutable std::vector<uint64_t> roots;                       // entries, in `prefix_roots` order
  mutable std::vector<uint64_t> leaves;                      // leaves of `inclusion`

 private:
  std::vector<uint64_t> created_;
  uint64_t base_;
  uint64_t entry_ms_;
};

// Shape is the log entries behind each field of a search's CombinedTreeProof.
struct Shape {
  std::vector<uint64_t> timestamps;
  std::vector<std::pair<uint64_t, size_t>> ladders;
  std::vector<uint64_t> roots;
  std::vector<uint64_t> leaves;
  size_t min_inclusion = 0;  // MinimalLogValues for `leaves`
  size_t lookups() const {
    size_t l = 0;
    for (const auto& [p, k] : ladders) l += k;
    return l;
  }
};

// ShadowSearch runs UpdateView and the search algorithm (the same code the directory and the
// verifier run) over a ShadowSource: a tree of n entries, a user who retained size `old`.
Shape ShadowSearch(const std::vector<uint64_t>& created, uint64_t base, uint64_t entry_ms,
                   uint64_t n, uint64_t old, std::optional<uint32_t> version) {
  ShadowSource src(created, base, entry_ms);
  ProofSession s = ProofSession::Prover(src, n, old);
  src.recording = true;
  LabelVersions versions([](uint32_t v) { return ShadowSource::KeyOf(v); });
  const TreeParams params{kRmwMs, std::nullopt};
  CANDOR_CHECK(UpdateView(s).ok());
  const auto target = version.value_or(static_cast<uint32_t>(created.size() - 1));
  if (version) {
    CANDOR_CHECK(FixedVersionSearch(s, params, target, versions).ok());
  } else {
    CANDOR_CHECK(GreatestVersionSearch(s, params, target, versions).ok());
  }
  src.finishing = true;
  (void)s.FinishProof();
  Shape out{src.timestamps, src.ladders, src.roots, src.leaves, 0};
  out.min_inclusion = MinimalLogValues(0, n, old, {out.leaves.begin(), out.leaves.end()});
  return out;
}

std::string List(const std::vector<uint64_t>& v) {
  std::string s;
  for (uint64_t x : v) s += (s.empty() ? "" : " ") + std::to_string(x);
  return s;
}

// PrintBreakdown prints one table row: where the bytes of an encoded SearchResponse go, and
// (indented below it) the log entries behind the proof's fields, from ShadowSearch. Returns
// false when the shadow run does not match the response field for field.
bool PrintBreakdown(const char* label_case, const char* client, uint64_t n, uint64_t old,
                    const SearchResponse& resp, const WireContext& ctx, size_t total,
                    const Shape& shape) {
  tls::Writer head_w;
  resp.full_tree_head.Encode(head_w, ctx.mode);
  const size_t head_b = head_w.Take().size();
  tls::Writer value_w;
  resp.value.Encode(value_w, ctx.mode);
  const size_t vov_b = (resp.version ? 4 : 0) + resp.opening.size() + value_w.Take().size();
  size_t commitments = 0;
  for (const BinaryLadderStep& st : resp.binary_ladder) commitments += st.commitment ? 1 : 0;
  const size_t vrf_b = resp.binary_ladder.size() * ctx.vrf_proof_size;
  const CombinedTreeProof& p = resp.search;
  size_t lookups = 0, siblings = 0, results_b = 0;
  for (const PrefixProof& pp : p.prefix_proofs) {
    lookups += pp.results.size();
    siblings += pp.elements.size();
    for (const PrefixSearchResult& r : pp.results) {
      results_b += r.result_type == PrefixSearchResultType::nonInclusionLeaf ? 66 : 2;
    }
  }
  const size_t ts_b = 8 * p.timestamps.size();
  const size_t sib_b = 32 * siblings;
  const size_t roots_b = 32 * p.prefix_roots.size();
  const size_t incl_b = 32 * p.inclusion.elements.size();
  const size_t framing = total - head_b - vov_b - vrf_b - 32 * commitments - ts_b - sib_b -
                         results_b - roots_b - incl_b;
  std::printf(
      "| %s | %s | %llu (%llu) | **%zu** | %zu | %zu | %zu x %zu = %zu | %zu | %zu (%zu B) | %zu, "
      "%zu, %zu (%zu B + results %zu B) | %zu (%zu B) | %zu (%zu B; draft min %zu) | %zu | %s |\n",
      label_case, client, static_cast<unsigned long long>(n), static_cast<unsigned long long>(old),
      total, head_b, vov_b, resp.binary_ladder.size(), ctx.vrf_proof_size, vrf_b, commitments,
      p.timestamps.size(), ts_b, p.prefix_proofs.size(), lookups, siblings, sib_b, results_b,
      p.prefix_roots.size(), roots_b, p.inclusion.elements.size(), incl_b, shape.min_inclusion,
      framing, LoadAverage().c_str());
  std::string ladders;
  for (const auto& [pos, k] : shape.ladders) {
    ladders += (ladders.empty() ? "" : " ") + std::to_string(pos) + "(" + std::to_string(k) + ")";
  }
  std::printf(
      "    entries: timestamps [%s]; ladders entry(lookups) [%s]; prefix_roots [%s]; "
      "inclusion leaves [%s]\n",
      List(shape.timestamps).c_str(), ladders.c_str(), List(shape.roots).c_str(),
      List(shape.leaves).c_str());
  bool same = shape.timestamps.size() == p.timestamps.size() &&
              shape.ladders.size() == p.prefix_proofs.size() &&
              shape.roots.size() == p.prefix_roots.size() && shape.lookups() == lookups;
  if (!same) std::printf("    SHADOW MISMATCH: the shadow run differs from the response\n");
  return same;
}

const char* kBreakdownHeader =
    "| case | client | log n (retained) | total B | FullTreeHead B | version+opening+value B | VRF "
    "proofs | commitments | timestamps | prefix proofs, lookups, sibling values | prefix_roots | "
    "inclusion values | framing B | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    "---|\n";

int RunSearch(CipherSuite suite, uint64_t labels, uint64_t entries, uint64_t entry_ms) {
  const Keys k = MakeKeys(suite);
  // `labels` counts every label: labels - 2 stand-ins, the 1-version label and the 16-version
  // label (so the prefix tree holds labels - 2 + 1 + 16 label versions).
  const uint64_t standins = labels > 2 ? labels - 2 : 0;
  std::printf(
      "# search suite=%s labels=%llu (%llu stand-ins + 2 real) entries=%llu entry_ms=%llu "
      "load=%s\n",
      suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519",
      static_cast<unsigned long long>(labels), static_cast<unsigned long long>(standins),
      static_cast<unsigned long long>(entries), static_cast<unsigned long long>(entry_ms),
      LoadAverage().c_str());
  constexpr uint64_t kStandinEntries = 10;
  const Bytes one = Label("alice", 1);
  const Bytes sixteen = Label("bobby", 16);
  Rng rng(11);
  std::map<uint64_t, std::vector<StoredVersion>> real;
  const std::vector<uint64_t> one_created{kStandinEntries};
  std::vector<uint64_t> sixteen_created;
  real[kStandinEntries].push_back(Real(k, one, 0, rng));
  const uint64_t spacing = (entries - kStandinEntries - 1) / 16;
  for (uint32_t v = 0; v < 16; ++v) {
    sixteen_created.push_back(kStandinEntries + v * spacing);
    real[sixteen_created.back()].push_back(Real(k, sixteen, v, rng));
  }
  GeneratedStore store(standins, kStandinEntries, entries, std::move(real), entry_ms);
  uint64_t now = kStartMs + (entries - 1) * entry_ms + 500;
  auto t0 = SteadyClock::now();
  std::unique_ptr<Directory> dir = OpenDirectory(k, store, &now, 2);
  std::printf("Directory::Open (replay): %.1f s, peak RSS %.0f MiB, load %s\n", SecondsSince(t0),
              PeakRssMiB(), LoadAverage().c_str());

  auto verifier = Verifier::Create(k.config, [&now] { return now; });
  CANDOR_CHECK(verifier.ok());
  const WireContext& ctx = verifier->wire();
  const auto head = dir->Head();
  CANDOR_CHECK(head.ok());
  const double head_verify =
      BestOf3(50, [&] { CANDOR_CHECK(VerifyTreeHead(k.config, head->first, head->second).ok()); });

  struct Case {
    const char* name;
    const Bytes* label;
    const std::vector<uint64_t>* created;
    std::optional<uint32_t> version;
  };
  const Case cases[] = {{"1 version, greatest", &one, &one_created, std::nullopt},
                        {"16 versions, greatest", &sixteen, &sixteen_created, std::nullopt},
                        {"16 versions, fixed v0", &sixteen, &sixteen_created, 0}};
  bool shapes_match = true;
  // Search runs one search and prints its breakdown; returns the verified state.
  auto search = [&](const Case& c, const ClientState& state, const char* client) {
    const SearchRequest req = verifier->MakeSearch(state, *c.label, c.version);
    auto resp = dir->Search(req);
    if (!resp.ok()) {
      (void)std::fprintf(stderr, "Search: %s\n", resp.error().message.c_str());
      std::exit(1);
    }
    const Bytes wire = EncodeIn(*resp, ctx);
    tls::Reader r(wire);
    auto decoded = SearchResponse::Decode(r, ctx, c.version.has_value());
    CANDOR_CHECK(decoded.ok() && r.empty());
    auto check = verifier->VerifySearch(state, req, *decoded);
    if (!check.ok()) {
      (void)std::fprintf(stderr, "VerifySearch: %s\n", check.error().message.c_str());
      std::exit(1);
    }
    const Shape shape =
        ShadowSearch(*c.created, entries, entry_ms, dir->size(), state.view.size, c.version);
    shapes_match = PrintBreakdown(c.name, client, dir->size(), state.view.size, *decoded, ctx,
                                  wire.size(), shape) &&
                   shapes_match;
    return check->state;
  };

  std::printf(
      "| case | prove (first, VRF proving) | prove (warm) | verify | of which VRF | tree head sig "
      "| rest | response bytes | ladder steps | prefix proofs | load |\n");
  std::vector<ClientState> returning;
  for (const Case& c : cases) {
    const ClientState fresh;
    const SearchRequest req = verifier->MakeSearch(fresh, *c.label, c.version);
    auto start = SteadyClock::now();
    auto first = dir->Search(req);
    const double cold = SecondsSince(start);
    if (!first.ok()) {
      (void)std::fprintf(stderr, "Search: %s\n", first.error().message.c_str());
      return 1;
    }
    const double warm = BestOf3(10, [&] { CANDOR_CHECK(dir->Search(req).ok()); });
    const Bytes wire = EncodeIn(*first, ctx);
    tls::Reader r(wire);
    auto decoded = SearchResponse::Decode(r, ctx, c.version.has_value());
    CANDOR_CHECK(decoded.ok() && r.empty());
    auto check = verifier->VerifySearch(fresh, req, *decoded);
    if (!check.ok()) {
      (void)std::fprintf(stderr, "VerifySearch: %s\n", check.error().message.c_str());
      return 1;
    }
    const double verify =
        BestOf3(10, [&] { CANDOR_CHECK(verifier->VerifySearch(fresh, req, *decoded).ok()); });
    const uint32_t target = c.version.value_or(check->version);
    const std::vector<uint32_t> ladder = BaseBinaryLadder(target);
    CANDOR_CHECK(ladder.size() == decoded->binary_ladder.size());
    const double vrf = BestOf3(10, [&] {
      for (size_t i = 0; i < ladder.size(); ++i) {
        CANDOR_CHECK(VrfVerifyOutput(k.suite, k.config.vrf_public_key, *c.label, ladder[i],
                                     decoded->binary_ladder[i].proof)
                         .ok());
      }
    });
    std::printf(
        "| %s | %.2f ms | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %zu | %zu | %zu | %s "
        "|\n",
        c.name, cold * 1e3, warm * 1e3, verify * 1e3, vrf * 1e3, head_verify * 1e3,
        (verify - vrf - head_verify) * 1e3, wire.size(), ladder.size(),
        decoded->search.prefix_proofs.size(), LoadAverage().c_str());
  }
  std::printf("%s", kBreakdownHeader);
  for (const Case& c : cases) returning.push_back(search(c, ClientState{}, "fresh"));

  // A returning client: the same searches one RMW later, from the state each fresh search left
  // (its `last` is the old tree size); beside it a fresh client at the new size.
  const uint64_t rmw_entries = kRmwMs / entry_ms;
  for (uint64_t i = 0; i < rmw_entries; ++i) {
    now += entry_ms;
    CANDOR_CHECK(dir->Publish().ok());
  }
  std::printf(
      "| returning client, 1 RMW later (log %llu entries) | prove (warm) | verify | bytes "
      "| load |\n",
      static_cast<unsigned long long>(dir->size()));
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    const SearchRequest req = verifier->MakeSearch(returning[i], *c.label, c.version);
    auto resp = dir->Search(req);
    CANDOR_CHECK(resp.ok());
    const double warm = BestOf3(10, [&] { CANDOR_CHECK(dir->Search(req).ok()); });
    const Bytes wire = EncodeIn(*resp, ctx);
    tls::Reader r(wire);
    auto decoded = SearchResponse::Decode(r, ctx, c.version.has_value());
    CANDOR_CHECK(decoded.ok() && r.empty());
    CANDOR_CHECK(verifier->VerifySearch(returning[i], req, *decoded).ok());
    const double verify = BestOf3(
        10, [&] { CANDOR_CHECK(verifier->VerifySearch(returning[i], req, *decoded).ok()); });
    std::printf("| %s | %.3f ms | %.3f ms | %zu | %s |\n", c.name, warm * 1e3, verify * 1e3,
                wire.size(), LoadAverage().c_str());
  }
  std::printf("%s", kBreakdownHeader);
  for (size_t i = 0; i < std::size(cases); ++i) {
    (void)search(cases[i], returning[i], "returning");
    (void)search(cases[i], ClientState{}, "fresh");
  }
  std::printf("peak RSS %.0f MiB\n", PeakRssMiB());
  if (!shapes_match) {
    (void)std::fprintf(stderr, "shadow runs did not match the responses\n");
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// shape: how the proof's counts vary with the log size (no directory; ShadowSearch only)

// RunShape sweeps the tree size n over [from, to) in `step`s, for a fresh client at n and a
// returning client that retained n - (one RMW of entries), and prints the distribution of the
// counts that set the response size of a greatest-version search: prefix-tree lookups, ladders
// (log entries with a PrefixProof), timestamps, prefix_roots and minimal log inclusion values.
int RunShape(uint64_t entry_ms, uint64_t from, uint64_t to, uint64_t step) {
  const uint64_t rmw_entries = kRmwMs / entry_ms;
  std::vector<uint64_t> sixteen;
  for (uint64_t v = 0; v < 16; ++v) sixteen.push_back(10 + v * ((from - 11) / 16));
  const std::vector<uint64_t>& sixteen_created = sixteen;
  const std::vector<uint64_t> one{10};
  std::printf("# shape entry_ms=%llu n in [%llu, %llu) step %llu, RMW %llu entries\n",
              static_cast<unsigned long long>(entry_ms), static_cast<unsigned long long>(from),
              static_cast<unsigned long long>(to), static_cast<unsigned long long>(step),
              static_cast<unsigned long long>(rmw_entries));
  std::printf(
      "| label | client | sizes | lookups min/median/mean/max | ladders | timestamps | "
      "prefix_roots | inclusion values (draft min) | 32-byte values besides prefix "
      "siblings (roots + inclusion) |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const std::vector<uint64_t>* created : {&one, &sixteen_created}) {
    for (bool returning : {false, true}) {
      std::vector<double> lookups, ladders, timestamps, roots, inclusion, values;
      for (uint64_t n = from; n < to; n += step) {
        const uint64_t old = returning ? n - rmw_entries : 0;
        const Shape s = ShadowSearch(*created, 0, entry_ms, n, old, std::nullopt);
        lookups.push_back(static_cast<double>(s.lookups()));
        ladders.push_back(static_cast<double>(s.ladders.size()));
        timestamps.push_back(static_cast<double>(s.timestamps.size()));
        roots.push_back(static_cast<double>(s.roots.size()));
        inclusion.push_back(static_cast<double>(s.min_inclusion));
        values.push_back(static_cast<double>(s.roots.size() + s.min_inclusion));
      }
      auto stats = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        double sum = 0;
        for (double x : v) sum += x;
        char buf[80];
        (void)std::snprintf(buf, sizeof(buf), "%.0f / %.0f / %.1f / %.0f", v.front(),
                            v[v.size() / 2], sum / static_cast<double>(v.size()), v.back());
        return std::string(buf);
      };
      std::printf("| %s | %s | %zu | %s | %s | %s | %s | %s | %s |\n",
                  created == &one ? "1 version" : "16 versions", returning ? "returning" : "fresh",
                  lookups.size(), stats(lookups).c_str(), stats(ladders).c_str(),
                  stats(timestamps).c_str(), stats(roots).c_str(), stats(inclusion).c_str(),
                  stats(values).c_str());
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// monitor

int RunMonitor(CipherSuite suite, uint64_t labels) {
  const Keys k = MakeKeys(suite);
  std::printf("# monitor suite=%s labels=%llu load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519",
              static_cast<unsigned long long>(labels), LoadAverage().c_str());
  constexpr uint64_t kStandinEntries = 10;
  constexpr int kContacts = 100;
  constexpr uint64_t kDay = 86'400;
  constexpr uint64_t kRmwEntries = kRmwMs / kEntryMs;
  const Bytes owner_label = Label("owner", 0);
  Rng rng(13);
  std::map<uint64_t, std::vector<StoredVersion>> real;
  std::vector<Bytes> contacts;
  for (int i = 0; i < kContacts; ++i) {
    contacts.push_back(Label("peer", static_cast<uint64_t>(i)));
    real[kStandinEntries].push_back(Real(k, contacts.back(), 0, rng));
  }
  GeneratedStore store(labels, kStandinEntries, kStandinEntries + 1, std::move(real));
  uint64_t now = kStartMs + kStandinEntries * kEntryMs + 500;
  std::unique_ptr<Directory> dir = OpenDirectory(k, store, &now, 2);
  auto verifier = Verifier::Create(k.config, [&now] { return now; });
  CANDOR_CHECK(verifier.ok());
  const WireContext& wire = verifier->wire();

  ClientState st;
  uint64_t setup_bytes = 0;
  // Owner: walk the distinguished entries, then OwnerInit from the rightmost.
  {
    const DistinguishedRequest req = verifier->MakeDistinguished(st);
    auto resp = dir->Distinguished(req);
    CANDOR_CHECK(resp.ok());
    setup_bytes += EncodeIn(*resp, wire).size();
    auto walked = verifier->VerifyDistinguished(st, req, *resp);
    CANDOR_CHECK(walked.ok() && !walked->second.empty());
    st = walked->first;
    const OwnerInitRequest init = verifier->MakeOwnerInit(st, owner_label, walked->second.back());
    auto init_resp = dir->OwnerInit(init);
    CANDOR_CHECK(init_resp.ok());
    setup_bytes += EncodeIn(*init_resp, wire).size();
    auto next = verifier->VerifyOwnerInit(st, init, *init_resp);
    CANDOR_CHECK(next.ok());
    st = std::move(*next);
    // The owner then creates version 0 of its label (a real SubmitUpdate + Publish).
    const UpdateRequest up = verifier->MakeUpdate(st, owner_label, {Bytes(kValueSize, 0x42)});
    auto ticket = dir->SubmitUpdate(up);
    CANDOR_CHECK(ticket.ok());
    now += kEntryMs;
    CANDOR_CHECK(dir->Publish().ok());
    auto up_resp = dir->UpdateResult(*ticket, up.last);
    CANDOR_CHECK(up_resp.ok());
    setup_bytes += EncodeIn(*up_resp, wire).size();
    auto updated = verifier->VerifyUpdate(st, up, *up_resp);
    CANDOR_CHECK(updated.ok());
    st = std::move(updated->state);
  }
  uint64_t search_bytes = 0;
  for (const Bytes& c : contacts) {
    const SearchRequest req = verifier->MakeSearch(st, c, std::nullopt);
    auto resp = dir->Search(req);
    CANDOR_CHECK(resp.ok());
    search_bytes += EncodeIn(*resp, wire).size();
    auto out = verifier->VerifySearch(st, req, *resp);
    CANDOR_CHECK(out.ok());
    st = std::move(out->state);
  }
  uint64_t owner_bytes = 0, contact_bytes = 0, owner_requests = 0, contact_requests = 0;
  uint64_t request_bytes = 0;
  std::vector<uint64_t> contact_bytes_by_hour;
  const auto t0 = SteadyClock::now();
  for (uint64_t i = 1; i <= kDay; ++i) {
    now += kEntryMs;
    CANDOR_CHECK(dir->Publish().ok());
    if (i % kRmwEntries != 0) continue;
    const OwnerMonitorRequest oreq = verifier->MakeOwnerMonitor(st, owner_label);
    request_bytes += tls::Encode(oreq).size();
    auto oresp = dir->OwnerMonitor(oreq);
    CANDOR_CHECK(oresp.ok());
    owner_bytes += EncodeIn(*oresp, wire).size();
    if (owner_requests == 0 || owner_requests == 12) {
      std::printf("  OwnerMonitor #%llu: %zu B, %s\n",
                  static_cast<unsigned long long>(owner_requests) + 1,
                  EncodeIn(*oresp, wire).size(), ProofShape(oresp->monitor).c_str());
    }
    ++owner_requests;
    auto oout = verifier->VerifyOwnerMonitor(st, oreq, *oresp);
    if (!oout.ok()) {
      (void)std::fprintf(stderr, "VerifyOwnerMonitor: %s\n", oout.error().message.c_str());
      return 1;
    }
    CANDOR_CHECK(oout->caught_up);
    st = std::move(oout->state);
    uint64_t hour = 0;
    for (const Bytes& c : contacts) {
      if (st.contacts[c].monitor.empty()) continue;
      const ContactMonitorRequest creq = verifier->MakeContactMonitor(st, c);
      request_bytes += tls::Encode(creq).size();
      auto cresp = dir->ContactMonitor(creq);
      CANDOR_CHECK(cresp.ok());
      hour += EncodeIn(*cresp, wire).size();
      ++contact_requests;
      auto next = verifier->VerifyContactMonitor(st, creq, *cresp);
      if (!next.ok()) {
        (void)std::fprintf(stderr, "VerifyContactMonitor: %s\n", next.error().message.c_str());
        return 1;
      }
      st = std::move(*next);
    }
    contact_bytes += hour;
    contact_bytes_by_hour.push_back(hour);
  }
  std::printf("simulated %llu entries (RMW %llu entries) in %.1f s, load %s\n",
              static_cast<unsigned long long>(kDay), static_cast<unsigned long long>(kRmwEntries),
              SecondsSince(t0), LoadAverage().c_str());
  std::printf("| owner setup (Distinguished + OwnerInit + UpdateResponse of its v0) | %llu B |\n",
              static_cast<unsigned long long>(setup_bytes));
  std::printf("| 100 contact searches (once) | %llu B |\n",
              static_cast<unsigned long long>(search_bytes));
  std::printf("| owner monitoring, %llu OwnerMonitor responses | %llu B/day |\n",
              static_cast<unsigned long long>(owner_requests),
              static_cast<unsigned long long>(owner_bytes));
  std::printf("| contact monitoring, %llu ContactMonitor responses | %llu B/day |\n",
              static_cast<unsigned long long>(contact_requests),
              static_cast<unsigned long long>(contact_bytes));
  std::printf("| all monitoring requests (uploaded) | %llu B/day |\n",
              static_cast<unsigned long long>(request_bytes));
  std::printf("contact bytes by hour:");
  for (uint64_t h : contact_bytes_by_hour) std::printf(" %llu", static_cast<unsigned long long>(h));
  std::printf("\nclient state %zu B\n", tls::Encode(st).size());
  return 0;
}

// Main dispatches on the mode (see the file comment).
int Main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "publish" && argc >= 4) {
    const uint64_t labels = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1'000'000;
    return RunPublish(ParseSuite(argv[2]), argv[3], labels);
  }
  if (mode == "search" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    const uint64_t entries = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 86'400;
    const uint64_t entry_ms = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1'000;
    if (entries < 100 || entry_ms == 0 || entry_ms > 3'600'000) {
      (void)std::fprintf(stderr, "search: entries >= 100, 0 < entry_ms <= 3600000\n");
      return 2;
    }
    return RunSearch(ParseSuite(argv[2]), labels, entries, entry_ms);
  }
  if (mode == "shape" && argc >= 5) {
    const uint64_t entry_ms = std::strtoull(argv[2], nullptr, 10);
    const uint64_t from = std::strtoull(argv[3], nullptr, 10);
    const uint64_t to = std::strtoull(argv[4], nullptr, 10);
    const uint64_t step = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
    if (entry_ms == 0 || entry_ms > 3'600'000 || step == 0 || to <= from ||
        from < 100 + 3'600'000 / entry_ms) {
      (void)std::fprintf(stderr,
                         "shape: 0 < entry_ms <= 3600000, from >= 100 + one RMW, to > from\n");
      return 2;
    }
    return RunShape(entry_ms, from, to, step);
  }
  if (mode == "monitor" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    return RunMonitor(ParseSuite(argv[2]), labels);
  }
  (void)std::fprintf(
      stderr,
      "usage: kt_directory_bench publish <p256|ed25519> <memory|sqlite> [labels]\n"
      "       kt_directory_bench search <p256|ed25519> [labels] [entries] [entry_ms]\n"
      "       kt_directory_bench shape <entry_ms> <from> <to> [step]\n"
      "       kt_directory_bench monitor <p256|ed25519> [labels]\n");
  return 2;
}

}  // namespace
}  // namespace candor::kt

int main(int argc, char** argv) { return candor::RunMain(argc, argv, candor::kt::Main); }
