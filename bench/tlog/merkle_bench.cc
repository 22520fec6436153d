// merkle_bench.cc: RFC 9162 tree hashing (MemoryTree, TileBuilder), proof generation and
// verification, and the raw SHA-256 bound of the same tree. bench/tlog/go/main.go measures Go's
// sumdb/tlog on identical entries and queries; bench/tlog/run_merkle_bench.sh runs both and
// prints the comparison recorded in docs/benchmarks.md.
//
// Google Benchmark's items_per_second is per CPU second of this (single) thread; the JSON also
// has real_time and cpu_time, from which the script derives wall-clock rates to compare with Go.
//
// Inputs shared with main.go (change both together):
//   entry i (32 bytes) = Mix64((4i + j + 1) * kGolden) for j = 0..3, each little-endian;
//   queries: a splitmix64 stream seeded with 1 (inclusion) or 2 (consistency), drawing
//   size = 1 + r % N, then index = r % size (or old = 1 + r % new), kNumQueries of them.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "candor/crypto/sha256.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/tile_builder.h"

namespace candor::tlog {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15;
constexpr size_t kNumQueries = 4096;  // a power of two
constexpr uint64_t kTakeEvery = 4096;

// Mix64 is the splitmix64 finalizer.
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// MakeEntry writes entry `i` into out[0..32).
void MakeEntry(uint64_t i, uint8_t* out) {
  for (uint64_t j = 0; j < 4; ++j) {
    const uint64_t w = Mix64((4 * i + j + 1) * kGolden);
    for (unsigned b = 0; b < 8; ++b) out[8 * j + b] = static_cast<uint8_t>(w >> (8 * b));
  }
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    s_ += kGolden;
    return Mix64(s_);
  }

 private:
  uint64_t s_;
};

struct Query {
  uint64_t small;  // leaf index, or old size
  uint64_t size;   // tree size, or new size
};

std::vector<Query> MakeQueries(uint64_t n, bool consistency) {
  SplitMix64 rng(consistency ? 2 : 1);
  std::vector<Query> qs(kNumQueries);
  for (Query& q : qs) {
    q.size = 1 + rng.Next() % n;
    q.small = consistency ? 1 + rng.Next() % q.size : rng.Next() % q.size;
  }
  return qs;
}

std::string Hex(const Hash32& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

uint64_t Leaves(const benchmark::State& state) { return static_cast<uint64_t>(state.range(0)); }

void BuildTree(uint64_t n, MemoryTree& tree) {
  std::array<uint8_t, 32> entry{};
  for (uint64_t i = 0; i < n; ++i) {
    MakeEntry(i, entry.data());
    tree.AppendLeafHash(HashLeaf(entry));
  }
}

// PrebuiltTree returns a MemoryTree of the first `n` entries, built on first use and kept.
MemoryTree& PrebuiltTree(uint64_t n) {
  static std::map<uint64_t, std::unique_ptr<MemoryTree>> trees;
  std::unique_ptr<MemoryTree>& t = trees[n];
  if (!t) {
    t = std::make_unique<MemoryTree>();
    BuildTree(n, *t);
  }
  return *t;
}

// BM_TreeHash/N: every stored hash of an N-leaf tree (N leaf hashes, N - 1 node hashes) through
// MemoryTree::AppendLeafHash(HashLeaf(entry)). Items are leaves. Freeing the tree is untimed.
void BM_TreeHash(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  Hash32 root{};
  for ([[maybe_unused]] auto _ : state) {
    auto tree = std::make_unique<MemoryTree>();
    BuildTree(n, *tree);
    state.PauseTiming();
    auto r = TreeRoot(n, *tree);
    tree.reset();
    state.ResumeTiming();
    if (!r.ok()) {
      state.SkipWithError("TreeRoot failed");
      break;
    }
    root = *r;
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("root=" + Hex(root));
}
BENCHMARK(BM_TreeHash)->Arg(1 << 20)->Arg(1 << 24)->Unit(benchmark::kMillisecond);

// BM_TileBuild/N: the log writer's path: TileBuilder::Append of N entries (leaf hashes, hash
// tiles, entry bundles), taking the changed tiles every kTakeEvery entries. Items are leaves.
void BM_TileBuild(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  std::array<uint8_t, 32> entry{};
  Hash32 root{};
  for ([[maybe_unused]] auto _ : state) {
    TileBuilder b;
    size_t num_files = 0;
    bool ok = true;
    for (uint64_t i = 0; i < n && ok; ++i) {
      MakeEntry(i, entry.data());
      ok = b.Append(entry).ok();
      if ((i + 1) % kTakeEvery == 0) num_files += b.TakeChanged().size();
    }
    if (!ok) {
      state.SkipWithError("Append failed");
      break;
    }
    num_files += b.TakeChanged().size();
    benchmark::DoNotOptimize(num_files);
    root = b.Root();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("root=" + Hex(root));
}
BENCHMARK(BM_TileBuild)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// BM_SequentialHashBound/N: the SHA-256 calls an N-leaf tree needs and nothing else: N one-shot
// hashes of 33 bytes and N - 1 of 65 bytes, each digest feeding the next input. Items are leaves.
void BM_SequentialHashBound(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  std::array<uint8_t, 33> leaf{};
  std::array<uint8_t, 65> node{};
  node[0] = 0x01;
  Hash32 d{};
  for ([[maybe_unused]] auto _ : state) {
    for (uint64_t i = 0; i < n; ++i) {
      MakeEntry(i, leaf.data() + 1);
      d = crypto::Sha256(leaf);
      if (i == 0) continue;
      std::copy(d.begin(), d.end(), node.begin() + 1);
      d = crypto::Sha256(node);
      std::copy(d.begin(), d.end(), node.begin() + 33);
    }
  }
  benchmark::DoNotOptimize(d);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SequentialHashBound)->Arg(1 << 20)->Arg(1 << 24)->Unit(benchmark::kMillisecond);

// BM_ProveInclusion/N: ProveInclusion(index, size) over a prebuilt N-leaf MemoryTree, for random
// sizes in [1, N] and indices below them. Items are proofs.
void BM_ProveInclusion(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  MemoryTree& tree = PrebuiltTree(n);
  const std::vector<Query> qs = MakeQueries(n, false);
  size_t i = 0;
  for ([[maybe_unused]] auto _ : state) {
    const Query& q = qs[i++ % kNumQueries];
    auto proof = ProveInclusion(q.small, q.size, tree);
    if (!proof.ok()) {
      state.SkipWithError("ProveInclusion failed");
      break;
    }
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusion)->Arg(1 << 20)->Arg(1 << 24);

// BM_ProveConsistency/N: ProveConsistency(old, new) over a prebuilt N-leaf MemoryTree, for random
// new sizes in [1, N] and old sizes in [1, new]. Items are proofs.
void BM_ProveConsistency(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  MemoryTree& tree = PrebuiltTree(n);
  const std::vector<Query> qs = MakeQueries(n, true);
  size_t i = 0;
  for ([[maybe_unused]] auto _ : state) {
    const Query& q = qs[i++ % kNumQueries];
    auto proof = ProveConsistency(q.small, q.size, tree);
    if (!proof.ok()) {
      state.SkipWithError("ProveConsistency failed");
      break;
    }
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveConsistency)->Arg(1 << 20)->Arg(1 << 24);

struct InclusionCase {
  uint64_t index;
  uint64_t size;
  Hash32 leaf_hash;
  std::vector<Hash32> proof;
  Hash32 root;
};

// BM_VerifyInclusion/N: VerifyInclusion of the BM_ProveInclusion queries' proofs (prepared
// untimed). Items are verifications.
void BM_VerifyInclusion(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  MemoryTree& tree = PrebuiltTree(n);
  std::vector<InclusionCase> cases;
  for (const Query& q : MakeQueries(n, false)) {
    auto leaf = tree.PerfectHash(0, q.small);
    auto proof = ProveInclusion(q.small, q.size, tree);
    auto root = TreeRoot(q.size, tree);
    if (!leaf.ok() || !proof.ok() || !root.ok()) {
      state.SkipWithError("preparing proofs failed");
      return;
    }
    cases.push_back({q.small, q.size, *leaf, std::move(*proof), *root});
  }
  size_t i = 0;
  for ([[maybe_unused]] auto _ : state) {
    const InclusionCase& c = cases[i++ % kNumQueries];
    if (!VerifyInclusion(c.index, c.size, c.leaf_hash, c.proof, c.root).ok()) {
      state.SkipWithError("VerifyInclusion failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion)->Arg(1 << 20)->Arg(1 << 24);

struct ConsistencyCase {
  uint64_t old_size;
  uint64_t new_size;
  Hash32 old_root;
  Hash32 new_root;
  std::vector<Hash32> proof;
};

// BM_VerifyConsistency/N: VerifyConsistency of the BM_ProveConsistency queries' proofs.
void BM_VerifyConsistency(benchmark::State& state) {
  const uint64_t n = Leaves(state);
  MemoryTree& tree = PrebuiltTree(n);
  std::vector<ConsistencyCase> cases;
  for (const Query& q : MakeQueries(n, true)) {
    auto old_root = TreeRoot(q.small, tree);
    auto new_root = TreeRoot(q.size, tree);
    auto proof = ProveConsistency(q.small, q.size, tree);
    if (!old_root.ok() || !new_root.ok() || !proof.ok()) {
      state.SkipWithError("preparing proofs failed");
      return;
    }
    cases.push_back({q.small, q.size, *old_root, *new_root, std::move(*proof)});
  }
  size_t i = 0;
  for ([[maybe_unused]] auto _ : state) {
    const ConsistencyCase& c = cases[i++ % kNumQueries];
    if (!VerifyConsistency(c.old_size, c.new_size, c.old_root, c.new_root, c.proof).ok()) {
      state.SkipWithError("VerifyConsistency failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyConsistency)->Arg(1 << 20)->Arg(1 << 24);

}  // namespace
}  // namespace candor::tlog

BENCHMARK_MAIN();
