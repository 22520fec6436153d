// tree_bench.cc: the ratchet tree and TreeKEM at group scale (suite 1, X25519/Ed25519): the
// tree hash of a 10,000-leaf tree from scratch and after one leaf edit, and creating and
// processing an UpdatePath in a tree built by bulk Add (all parents blank, so the path secret
// goes to every other member). Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"
#include "candor/mls/leaf_node_signature.h"
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/tree_kem.h"
#include "candor/net/worker_pool.h"

namespace candor::mls {
namespace {

const CipherSuiteParams& Suite1() {
  auto cs = GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  if (!cs.ok()) std::abort();
  return **cs;
}

// Group is a tree of `n` key_package leaves added one by one, with the first and last
// members' keys kept.
struct Group {
  PublicTree tree{Suite1()};
  std::unique_ptr<crypto::SignaturePrivateKey> first_signature_key;
  LeafNode first_leaf;
  SecretBytes last_leaf_private_key;
  Bytes group_id = {1, 2, 3, 4};
};

const Group& GetGroup(uint32_t n) {
  static std::map<uint32_t, std::unique_ptr<Group>> groups;
  auto& g = groups[n];
  if (g) return *g;
  g = std::make_unique<Group>();
  const CipherSuiteParams& cs = Suite1();
  for (uint32_t i = 0; i < n; ++i) {
    auto sig = crypto::SignaturePrivateKey::Generate(cs.signature);
    crypto::HpkeKeyPair kp = crypto::GenerateKeyPair(cs.kem);
    LeafNode leaf;
    leaf.encryption_key = kp.public_key;
    leaf.signature_key = sig.public_key();
    leaf.credential.identity = {static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    leaf.capabilities.versions = {ProtocolVersion::mls10};
    leaf.capabilities.cipher_suites = {cs.suite};
    leaf.capabilities.credentials = {1};
    leaf.lifetime = {0, ~uint64_t{0}};
    if (!SignLeafNode(cs, sig, {}, 0, leaf).ok()) std::abort();
    if (i == 0) {
      g->first_leaf = leaf;
      g->first_signature_key = std::make_unique<crypto::SignaturePrivateKey>(std::move(sig));
    }
    if (i == n - 1) g->last_leaf_private_key = std::move(kp.private_key);
    if (!g->tree.AddLeaf(std::move(leaf)).ok()) std::abort();
  }
  return *g;
}

// BM_TreeHashFromScratch/<n>: PublicTree::FromRatchetTree (every node hashed once).
void BM_TreeHashFromScratch(benchmark::State& state) {
  const Group& g = GetGroup(static_cast<uint32_t>(state.range(0)));
  const RatchetTree wire = g.tree.ToRatchetTree();
  for ([[maybe_unused]] auto _ : state) {
    state.PauseTiming();
    RatchetTree copy = wire;
    state.ResumeTiming();
    auto tree = PublicTree::FromRatchetTree(Suite1(), std::move(copy));
    benchmark::DoNotOptimize(tree->TreeHash());
  }
}
BENCHMARK(BM_TreeHashFromScratch)->Arg(10000)->Unit(benchmark::kMillisecond);

// BM_TreeHashAfterLeafUpdate/<n>: UpdateLeaf on one leaf, then the root hash (O(log n)).
void BM_TreeHashAfterLeafUpdate(benchmark::State& state) {
  const Group& g = GetGroup(static_cast<uint32_t>(state.range(0)));
  PublicTree tree = g.tree;
  for ([[maybe_unused]] auto _ : state) {
    if (!tree.UpdateLeaf(LeafIndex{0}, g.first_leaf).ok()) std::abort();
    benchmark::DoNotOptimize(tree.TreeHash());
  }
}
BENCHMARK(BM_TreeHashAfterLeafUpdate)->Arg(10000)->Unit(benchmark::kMicrosecond);

// Helper is the one extra thread the parallel steps borrow (the caller is the other).
candor::net::WorkerPool& Helper() {
  static candor::net::WorkerPool pool(1);
  return pool;
}

// BM_ValidateTree/<n>: PublicTree::Validate as a joiner runs it (n Ed25519 leaf signatures on
// two threads: this one and a pool's, key uniqueness, unmerged leaves and parent hashes).
void BM_ValidateTree(benchmark::State& state) {
  const Group& g = GetGroup(static_cast<uint32_t>(state.range(0)));
  for ([[maybe_unused]] auto _ : state) {
    if (!g.tree.Validate({}, &Helper()).ok()) std::abort();
  }
}
BENCHMARK(BM_ValidateTree)->Arg(10000)->Unit(benchmark::kMillisecond);

// BM_CreateUpdatePath/<n>: CreateUpdatePath + EncryptUpdatePath by leaf 0 (n - 1 HPKE
// encryptions, on two threads: this one and a pool's).
void BM_CreateUpdatePath(benchmark::State& state) {
  const Group& g = GetGroup(static_cast<uint32_t>(state.range(0)));
  const Bytes group_context(120, 0x42);
  for ([[maybe_unused]] auto _ : state) {
    auto pending =
        CreateUpdatePath(g.tree, LeafIndex{0}, *g.first_signature_key, g.group_id, g.first_leaf);
    auto path = EncryptUpdatePath(*pending, group_context, {}, &Helper());
    benchmark::DoNotOptimize(path.ok());
  }
}
BENCHMARK(BM_CreateUpdatePath)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// BM_ProcessUpdatePath/<n>: MergeUpdatePath + DecryptUpdatePath by the last member.
void BM_ProcessUpdatePath(benchmark::State& state) {
  const uint32_t n = static_cast<uint32_t>(state.range(0));
  const Group& g = GetGroup(n);
  const Bytes group_context(120, 0x42);
  auto pending =
      CreateUpdatePath(g.tree, LeafIndex{0}, *g.first_signature_key, g.group_id, g.first_leaf);
  auto path = EncryptUpdatePath(*pending, group_context, {});
  if (!path.ok()) std::abort();
  TreeKEMPrivateKey receiver(LeafIndex{n - 1}, g.last_leaf_private_key.Clone());
  for ([[maybe_unused]] auto _ : state) {
    auto merged = MergeUpdatePath(g.tree, LeafIndex{0}, *path, g.group_id);
    auto processed = DecryptUpdatePath(*merged, receiver, LeafIndex{0}, *path, group_context, {});
    if (!processed.ok()) std::abort();
    benchmark::DoNotOptimize(processed->commit_secret.size());
  }
}
BENCHMARK(BM_ProcessUpdatePath)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor::mls
