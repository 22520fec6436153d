// directory_bench_publish.cc: the `publish` mode of kt_directory_bench (updates/s beside the VRF
// bounds, bytes on disk).
#include "directory_bench_util.h"

namespace candor::kt::bench {

namespace {

// NewLabels makes `count` UpdateRequests that create labels newu<next_label...> with one random
// 64-byte value each, advancing next_label.
std::vector<UpdateRequest> NewLabels(uint64_t count, uint64_t& next_label, Rng& rng) {
  std::vector<UpdateRequest> requests;
  requests.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    UpdateRequest r;
    r.label = Label("newu", next_label++);
    Bytes value(kValueSize);
    rng.Fill(value.data(), value.size());
    r.values.push_back(LabelValue{value});
    requests.push_back(std::move(r));
  }
  return requests;
}

}  // namespace

int RunPublish(CipherSuite suite, const std::string& kind, uint64_t labels, bool prove_at_publish) {
  const Keys k = MakeKeys(suite);
  std::printf("# publish suite=%s store=%s labels=%llu proofs=%s load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519", kind.c_str(),
              static_cast<unsigned long long>(labels),
              prove_at_publish ? "at publish" : "on demand", LoadAverage().c_str());
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
  std::unique_ptr<Directory> dir = OpenDirectory(
      k, *store, &now, 2, [](ByteView, ByteView) { return OkStatus(); }, prove_at_publish);
  std::printf("Directory::Open (replay %llu labels): %.1f s, peak RSS %.0f MiB\n",
              static_cast<unsigned long long>(labels), SecondsSince(t0), PeakRssMiB());

  uint64_t next_label = 0;
  uint64_t published = 0;
  for (uint64_t batch : {uint64_t{1'000}, uint64_t{10'000}}) {
    double best = 0;
    double best_submit = 0;
    std::string best_load;
    for (int run = 0; run < 3; ++run) {
      const std::vector<UpdateRequest> requests = NewLabels(batch, next_label, rng);
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

// RunAuditedPublish measures a directory deployed with a Third-Party Auditor: every entry adds at
// most 255 versions (one AuditorUpdate's PrefixProof), so 10,000 updates take 40 entries. The
// directory's rate (SubmitUpdate + Publish) and the auditor's (AuditorUpdateFor on the
// directory, Process and SetAuditorTreeHead) are timed separately: they run on different
// machines in a deployment.
int RunAuditedPublish(CipherSuite suite, const std::string& kind, uint64_t labels) {
  const Keys k = MakeKeys(suite, kRmwMs, true);
  std::printf("# publish-audited suite=%s store=%s labels=%llu load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519", kind.c_str(),
              static_cast<unsigned long long>(labels), LoadAverage().c_str());
  const double bound = VrfBound(k, 2, 400, true);
  std::printf("VRF-output bound (VrfOutput, 2 threads): %.0f /s\n", bound);
  const std::string path = "/tmp/kt-bench-audited.db";
  std::unique_ptr<DirectoryStore> store;
  if (kind == "sqlite") {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto s = store::SqliteDirectoryStore::Open(path);
    CANDOR_CHECK(s.ok());
    store = std::move(*s);
  } else {
    store = std::make_unique<MemoryDirectoryStore>();
  }
  // Stand-in labels, 255 per entry, as an audited directory would have published them; the
  // first entry also holds one real label that is searched at the end.
  auto t0 = SteadyClock::now();
  Rng rng(9);
  const Bytes searched = Label("alice", 0);
  uint64_t position = 0;
  for (uint64_t first = 0; first < labels; first += 255, ++position) {
    StoredEntry e;
    e.position = position;
    e.timestamp = kStartMs + position * kEntryMs;
    for (uint64_t i = first; i < std::min(labels, first + (first == 0 ? 254 : 255)); ++i) {
      e.versions.push_back(StandIn(i, rng));
    }
    if (first == 0) e.versions.push_back(Real(k, searched, 0, rng));
    CANDOR_CHECK(store->AppendEntry(e).ok());
  }
  uint64_t now = kStartMs + position * kEntryMs;
  std::unique_ptr<Directory> dir = OpenDirectory(k, *store, &now, 2);
  std::printf("populate and open %llu labels in %llu entries: %.1f s\n",
              static_cast<unsigned long long>(labels), static_cast<unsigned long long>(position),
              SecondsSince(t0));
  std::unique_ptr<Auditor> auditor = MakeAuditor(k);
  t0 = SteadyClock::now();
  AuditNew(*auditor, *dir);
  const double catch_up = SecondsSince(t0);
  std::printf(
      "| auditor catch-up | %llu entries of 255 in %.1f s | %.0f entries/s | %.0f versions/s | "
      "load %s |\n",
      static_cast<unsigned long long>(position), catch_up, static_cast<double>(position) / catch_up,
      static_cast<double>(labels) / catch_up, LoadAverage().c_str());

  constexpr uint64_t kBatch = 10'000;
  uint64_t next_label = 0;
  for (int run = 0; run < 3; ++run) {
    const std::vector<UpdateRequest> requests = NewLabels(kBatch, next_label, rng);
    const uint64_t first_entry = dir->size();
    const auto start = SteadyClock::now();
    for (const UpdateRequest& r : requests) CANDOR_CHECK(dir->SubmitUpdate(r).ok());
    while (dir->queued_versions() > 0) {
      now += 25;  // 40 entries a second
      CANDOR_CHECK(dir->Publish().ok());
    }
    const double directory_s = SecondsSince(start);
    const uint64_t entries = dir->size() - first_entry;
    const auto audit_start = SteadyClock::now();
    AuditNew(*auditor, *dir);
    const double auditor_s = SecondsSince(audit_start);
    std::printf(
        "| %llu updates in %llu entries | directory %.0f updates/s (%.1f%% of VRF-output bound) "
        "| auditor (incl. AuditorUpdateFor) %.0f updates/s, %.1f ms/entry | both in turn %.0f "
        "updates/s | load %s |\n",
        static_cast<unsigned long long>(kBatch), static_cast<unsigned long long>(entries),
        static_cast<double>(kBatch) / directory_s,
        100.0 * static_cast<double>(kBatch) / directory_s / bound,
        static_cast<double>(kBatch) / auditor_s, 1e3 * auditor_s / static_cast<double>(entries),
        static_cast<double>(kBatch) / (directory_s + auditor_s), LoadAverage().c_str());
  }
  // A fresh user's search with the auditor caught up: the auditor tree head's share of the
  // response and of its verification.
  VerifierOptions verifier_options;
  verifier_options.executor = &BenchHelper();  // a client's VRF checks on two threads
  auto verifier = Verifier::Create(
      k.config, [&now] { return now; }, verifier_options);
  CANDOR_CHECK(verifier.ok());
  const SearchRequest req = verifier->MakeSearch(ClientState{}, searched, std::nullopt);
  auto resp = dir->Search(req);
  CANDOR_CHECK(resp.ok());
  const double verify =
      BestOf3(10, [&] { CANDOR_CHECK(verifier->VerifySearch(ClientState{}, req, *resp).ok()); });
  auto head = dir->Head();
  CANDOR_CHECK(head.ok());
  const AuditorTreeHead& audited = resp->full_tree_head.auditor_tree_head;
  const double auditor_check = BestOf3(
      50, [&] { CANDOR_CHECK(VerifyAuditorTreeHead(k.config, audited, head->second).ok()); });
  std::printf(
      "| fresh search, 1 version, log of %llu entries | %zu B (auditor tree head %zu B) | verify "
      "%.2f ms (auditor head signature %.3f ms) | %s |\n",
      static_cast<unsigned long long>(dir->size()), EncodeIn(*resp, verifier->wire()).size(),
      tls::Encode(audited).size(), verify * 1e3, auditor_check * 1e3,
      ProofShape(resp->search).c_str());
  dir.reset();
  store.reset();
  if (kind == "sqlite") {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  std::printf("peak RSS %.0f MiB\n", PeakRssMiB());
  return 0;
}

}  // namespace candor::kt::bench
