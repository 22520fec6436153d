// directory_bench_search.cc: the `search` and `shape` modes of kt_directory_bench (proof time, size
// and where the bytes go).
#include "directory_bench_util.h"

namespace candor::kt::bench {
namespace {

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
  InclusionProof ProveLog(uint64_t, uint64_t, const std::vector<uint64_t>& l,
                          uint64_t) const override {
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

}  // namespace

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

  VerifierOptions verifier_options;
  verifier_options.executor = &BenchHelper();  // a client's VRF checks on two threads
  auto verifier = Verifier::Create(
      k.config, [&now] { return now; }, verifier_options);
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

}  // namespace candor::kt::bench
