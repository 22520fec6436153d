// tree_bench.cc: the KEYTRANS tree machinery at directory scale: PrefixTree batch inserts and
// 6-key Prove + EvaluatePrefixProof against a tree of 1M entries, LogTree appends and batch
// proofs at 1M leaves. Keys are splitmix64-derived (uniform, like VRF outputs). The insert
// benchmark reports the node store's bytes per node and per entry as counters.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"

namespace candor::kt {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15;
constexpr uint64_t kMillion = 1000000;

uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// MakeHash returns the 32-byte value number `i` of stream `stream`.
Hash32 MakeHash(uint64_t stream, uint64_t i) {
  Hash32 h;
  for (uint64_t j = 0; j < 4; ++j) {
    const uint64_t v = Mix64((stream * (uint64_t{1} << 40) + 4 * i + j + 1) * kGolden);
    for (uint64_t b = 0; b < 8; ++b) h[8 * j + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return h;
}

PrefixLeaf MakeEntry(uint64_t i) { return PrefixLeaf{MakeHash(1, i), MakeHash(2, i)}; }

// StoreBytes is the payload size of the nodes in `store` (without vector slack).
double StoreBytes(const PrefixNodeStore& store) {
  return static_cast<double>(store.num_leaves() * sizeof(PrefixLeafNode) +
                             store.num_parents() * sizeof(PrefixParentNode));
}

// MillionTree is a prefix tree of 1M entries (keys 0..1M-1), built once in one batch;
// million_nodes / million_bytes record its store right after the build.
double million_nodes = 0;
double million_bytes = 0;
PrefixTree& MillionTree() {
  static PrefixTree* tree = [] {
    auto* t = new PrefixTree();
    std::vector<PrefixLeaf> entries;
    entries.reserve(kMillion);
    for (uint64_t i = 0; i < kMillion; ++i) entries.push_back(MakeEntry(i));
    if (!t->Insert(entries).ok()) std::abort();
    million_nodes = static_cast<double>(t->store().num_leaves() + t->store().num_parents());
    million_bytes = StoreBytes(t->store());
    return t;
  }();
  return *tree;
}

void BM_PrefixInsertBatch(benchmark::State& state) {
  PrefixTree& tree = MillionTree();
  const auto batch_size = static_cast<uint64_t>(state.range(0));
  static uint64_t next = kMillion;  // fresh keys for every batch (the tree keeps growing)
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<PrefixLeaf> batch;
    for (uint64_t i = 0; i < batch_size; ++i) batch.push_back(MakeEntry(next++));
    state.ResumeTiming();
    auto version = tree.Insert(batch);
    benchmark::DoNotOptimize(version);
  }
  const PrefixNodeStore& store = tree.store();
  const double nodes = static_cast<double>(store.num_leaves() + store.num_parents());
  // The 1M-entry version alone, then the whole store including every batch's new versions.
  state.counters["1M_bytes_per_entry"] = million_bytes / static_cast<double>(kMillion);
  state.counters["1M_bytes_per_node"] = million_bytes / million_nodes;
  state.counters["all_bytes_per_node"] = StoreBytes(store) / nodes;
  state.counters["new_nodes_per_entry"] =
      (nodes - million_nodes) / static_cast<double>(store.num_leaves() - kMillion);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch_size));
}
BENCHMARK(BM_PrefixInsertBatch)->Arg(1000)->Unit(benchmark::kMillisecond);

// A 6-key lookup (3 present, 3 absent) in the 1M-entry version: Prove, then Evaluate.
void BM_PrefixProveEvaluate(benchmark::State& state) {
  const PrefixTree& tree = MillionTree();
  const uint64_t version = 1;
  uint64_t q = 0;
  for (auto _ : state) {
    std::vector<Hash32> keys;
    std::vector<std::optional<HashValue>> commitments;
    for (uint64_t i = 0; i < 3; ++i) {
      const PrefixLeaf e = MakeEntry(Mix64(q * 8 + i) % kMillion);
      keys.push_back(e.vrf_output);
      commitments.emplace_back(e.commitment);
      keys.push_back(MakeHash(3, q * 8 + i));
      commitments.emplace_back(std::nullopt);
    }
    ++q;
    const PrefixProof proof = tree.Prove(version, keys);
    auto eval = EvaluatePrefixProof(proof, keys, commitments);
    if (!eval.ok() || eval->root != tree.Root(version)) state.SkipWithError("bad proof");
    benchmark::DoNotOptimize(eval);
  }
}
BENCHMARK(BM_PrefixProveEvaluate);

LogTree& MillionLog() {
  static LogTree* log = [] {
    auto* l = new LogTree();
    for (uint64_t i = 0; i < kMillion; ++i) l->Append(MakeHash(4, i));
    return l;
  }();
  return *log;
}

void BM_LogTreeAppend(benchmark::State& state) {
  LogTree& log = MillionLog();
  uint64_t i = log.size();
  for (auto _ : state) log.Append(MakeHash(4, i++));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogTreeAppend);

// A batch proof at 1M leaves: 3 requested leaves (like a search's frontier entries) for a user
// who retained an older size, then VerifyLogInclusion.
void BM_LogTreeProveVerify(benchmark::State& state) {
  const LogTree& log = MillionLog();
  const uint64_t n = kMillion;
  const uint64_t old_size = n - 12345;
  const std::vector<HashValue> retained = log.FullSubtreeHeads(old_size);
  uint64_t q = 0;
  for (auto _ : state) {
    const std::vector<uint64_t> leaves{Mix64(q) % n, n - 1 - Mix64(q + 1) % 1000, n - 1};
    ++q;
    const InclusionProof proof = log.Prove(n, old_size, leaves);
    std::map<uint64_t, HashValue> known;
    for (const uint64_t l : leaves) known[l] = log.Leaf(l);
    auto view = VerifyLogInclusion(n, old_size, retained, known, proof);
    if (!view.ok()) state.SkipWithError("bad proof");
    benchmark::DoNotOptimize(view);
  }
}
BENCHMARK(BM_LogTreeProveVerify);

void BM_LogTreeProve(benchmark::State& state) {
  const LogTree& log = MillionLog();
  const uint64_t n = kMillion;
  uint64_t q = 0;
  for (auto _ : state) {
    const InclusionProof proof = log.Prove(n, n - 12345, {Mix64(q++) % n, n - 1});
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_LogTreeProve);

}  // namespace
}  // namespace candor::kt
BENCHMARK_MAIN();
