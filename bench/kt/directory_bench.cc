// directory_bench.cc: the KEYTRANS directory at scale (issue 4's performance list), a driver that
// prints table rows rather than a benchmark loop:
//   publish <suite> <memory|sqlite> [labels]  SubmitUpdate + Publish of 1,000 / 10,000-label
//                                             batches into a directory of `labels` labels, beside
//                                             the VRF-prove bound (VrfEvaluate/s on 2 threads);
//                                             for sqlite also bytes on disk per label and update.
//   search <suite> [labels] [entries]         proof generation, verification (split VRF / tree
//                                             head / rest) and encoded SearchResponse size.
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
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/directory.h"
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
  std::snprintf(buf, sizeof(buf), "%s%08llu@example.org", prefix,
                static_cast<unsigned long long>(i));
  return Bytes(buf, buf + std::char_traits<char>::length(buf));
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
    std::fprintf(stderr, "Directory::Open: %s\n", d.error().message.c_str());
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
// real versions sit at their positions, every other entry is a heartbeat. Entries appended later
// (Publish) are kept in memory. GetVersion is not used by Directory and answers kNotFound.
class GeneratedStore final : public DirectoryStore {
 public:
  GeneratedStore(uint64_t standins, uint64_t standin_entries, uint64_t base,
                 std::map<uint64_t, std::vector<StoredVersion>> real)
      : standins_(standins),
        standin_entries_(standin_entries),
        base_(base),
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
      e.timestamp = kStartMs + p * kEntryMs;
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
  std::map<uint64_t, std::vector<StoredVersion>> real_;
  std::vector<StoredEntry> extra_;
};

CipherSuite ParseSuite(const std::string& s) {
  if (s == "p256") return CipherSuite::KT_128_SHA256_P256;
  if (s == "ed25519") return CipherSuite::KT_128_SHA256_Ed25519;
  std::fprintf(stderr, "suite must be p256 or ed25519\n");
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
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&k, t, per_thread, run, output_only] {
        for (int i = 0; i < per_thread; ++i) {
          const Bytes label = Label("vrfb", static_cast<uint64_t>((run * 16 + t) * per_thread + i));
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
  std::snprintf(buf, sizeof(buf),
                "combined-tree proof %zu B (%zu prefix lookups, %zu prefix sibling values, %zu "
                "log inclusion values, %zu timestamps)",
                tls::Encode(proof).size(), results, prefix_elements,
                proof.inclusion.elements.size(), proof.timestamps.size());
  return buf;
}

int RunSearch(CipherSuite suite, uint64_t labels, uint64_t entries) {
  const Keys k = MakeKeys(suite);
  std::printf("# search suite=%s labels=%llu entries=%llu load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519",
              static_cast<unsigned long long>(labels), static_cast<unsigned long long>(entries),
              LoadAverage().c_str());
  constexpr uint64_t kStandinEntries = 10;
  const Bytes one = Label("alice", 1);
  const Bytes sixteen = Label("bobby", 16);
  Rng rng(11);
  std::map<uint64_t, std::vector<StoredVersion>> real;
  real[kStandinEntries].push_back(Real(k, one, 0, rng));
  const uint64_t spacing = (entries - kStandinEntries - 1) / 16;
  for (uint32_t v = 0; v < 16; ++v) {
    real[kStandinEntries + v * spacing].push_back(Real(k, sixteen, v, rng));
  }
  GeneratedStore store(labels, kStandinEntries, entries, std::move(real));
  uint64_t now = kStartMs + (entries - 1) * kEntryMs + 500;
  auto t0 = SteadyClock::now();
  std::unique_ptr<Directory> dir = OpenDirectory(k, store, &now, 2);
  std::printf("Directory::Open (replay): %.1f s, peak RSS %.0f MiB, load %s\n", SecondsSince(t0),
              PeakRssMiB(), LoadAverage().c_str());

  auto verifier = Verifier::Create(k.config, [&now] { return now; });
  CANDOR_CHECK(verifier.ok());
  const auto head = dir->Head();
  CANDOR_CHECK(head.ok());
  const double head_verify =
      BestOf3(50, [&] { CANDOR_CHECK(VerifyTreeHead(k.config, head->first, head->second).ok()); });

  struct Case {
    const char* name;
    const Bytes* label;
    std::optional<uint32_t> version;
  };
  const Case cases[] = {{"1 version, greatest", &one, std::nullopt},
                        {"16 versions, greatest", &sixteen, std::nullopt},
                        {"16 versions, fixed v0", &sixteen, 0}};
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
      std::fprintf(stderr, "Search: %s\n", first.error().message.c_str());
      return 1;
    }
    const double warm = BestOf3(10, [&] { CANDOR_CHECK(dir->Search(req).ok()); });
    const Bytes wire = EncodeIn(*first, verifier->wire());
    tls::Reader r(wire);
    auto decoded = SearchResponse::Decode(r, verifier->wire(), c.version.has_value());
    CANDOR_CHECK(decoded.ok() && r.empty());
    auto check = verifier->VerifySearch(fresh, req, *decoded);
    if (!check.ok()) {
      std::fprintf(stderr, "VerifySearch: %s\n", check.error().message.c_str());
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
    // Where the bytes go: the combined-tree proof and the binary ladder.
    size_t ladder_commitments = 0;
    for (const BinaryLadderStep& st : decoded->binary_ladder) {
      if (st.commitment) ++ladder_commitments;
    }
    std::printf("  bytes: %s; ladder VRF proofs %zu x %zu B, %zu commitments\n",
                ProofShape(decoded->search).c_str(), decoded->binary_ladder.size(),
                verifier->wire().vrf_proof_size, ladder_commitments);
    returning.push_back(check->state);
  }
  // A returning client: the same searches one RMW (3,600 entries) later, from the state each
  // fresh search left (its `last` is the old tree size).
  for (uint64_t i = 0; i < kRmwMs / kEntryMs; ++i) {
    now += kEntryMs;
    CANDOR_CHECK(dir->Publish().ok());
  }
  std::printf(
      "| returning client, 1 RMW later (log %llu entries) | prove (warm) | verify | bytes "
      "| shape | load |\n",
      static_cast<unsigned long long>(dir->size()));
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    const SearchRequest req = verifier->MakeSearch(returning[i], *c.label, c.version);
    auto resp = dir->Search(req);
    CANDOR_CHECK(resp.ok());
    const double warm = BestOf3(10, [&] { CANDOR_CHECK(dir->Search(req).ok()); });
    const Bytes wire = EncodeIn(*resp, verifier->wire());
    tls::Reader r(wire);
    auto decoded = SearchResponse::Decode(r, verifier->wire(), c.version.has_value());
    CANDOR_CHECK(decoded.ok() && r.empty());
    auto check = verifier->VerifySearch(returning[i], req, *decoded);
    if (!check.ok()) {
      std::fprintf(stderr, "VerifySearch (returning): %s\n", check.error().message.c_str());
      return 1;
    }
    const double verify = BestOf3(
        10, [&] { CANDOR_CHECK(verifier->VerifySearch(returning[i], req, *decoded).ok()); });
    std::printf("| %s | %.3f ms | %.3f ms | %zu | %s | %s |\n", c.name, warm * 1e3, verify * 1e3,
                wire.size(), ProofShape(decoded->search).c_str(), LoadAverage().c_str());
  }
  std::printf("peak RSS %.0f MiB\n", PeakRssMiB());
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
                  static_cast<unsigned long long>(owner_requests + 1),
                  EncodeIn(*oresp, wire).size(), ProofShape(oresp->monitor).c_str());
    }
    ++owner_requests;
    auto oout = verifier->VerifyOwnerMonitor(st, oreq, *oresp);
    if (!oout.ok()) {
      std::fprintf(stderr, "VerifyOwnerMonitor: %s\n", oout.error().message.c_str());
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
        std::fprintf(stderr, "VerifyContactMonitor: %s\n", next.error().message.c_str());
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

}  // namespace
}  // namespace candor::kt

int main(int argc, char** argv) {
  using candor::kt::ParseSuite;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "publish" && argc >= 4) {
    const uint64_t labels = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1'000'000;
    return candor::kt::RunPublish(ParseSuite(argv[2]), argv[3], labels);
  }
  if (mode == "search" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    const uint64_t entries = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 86'400;
    return candor::kt::RunSearch(ParseSuite(argv[2]), labels, entries);
  }
  if (mode == "monitor" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    return candor::kt::RunMonitor(ParseSuite(argv[2]), labels);
  }
  std::fprintf(stderr,
               "usage: kt_directory_bench publish <p256|ed25519> <memory|sqlite> [labels]\n"
               "       kt_directory_bench search <p256|ed25519> [labels] [entries]\n"
               "       kt_directory_bench monitor <p256|ed25519> [labels]\n");
  return 2;
}
