// schedule_bench.cc: the RFC 9420 key schedule and secret tree per cipher suite: one epoch of
// the key schedule, the first key of a leaf (a walk down the secret tree), the next key of a
// ratchet, and a 1000-generation jump. Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>

#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/secret_tree.h"

namespace candor::mls {
namespace {

const CipherSuiteParams& Suite(const benchmark::State& state) {
  auto cs = GetCipherSuiteParams(static_cast<uint16_t>(state.range(0)));
  if (!cs.ok()) std::abort();
  return **cs;
}

// BM_KeyScheduleEpoch/<suite>: KeyScheduleEpoch::Create (joiner, welcome, epoch and the nine
// derived secrets; no external key pair).
void BM_KeyScheduleEpoch(benchmark::State& state) {
  const CipherSuiteParams& cs = Suite(state);
  const Bytes secret(cs.nh, 0x11);
  const Bytes group_context(120, 0x22);
  for ([[maybe_unused]] auto _ : state) {
    auto e = KeyScheduleEpoch::Create(cs, secret, secret, secret, group_context);
    benchmark::DoNotOptimize(e.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyScheduleEpoch)->Arg(1)->Arg(7)->Arg(4);

// BM_SecretTreeFirstKey/<suite>: the first application key of each leaf of a 1024-leaf tree,
// in leaf order (amortised walk down the tree plus the two ratchet roots), per leaf.
void BM_SecretTreeFirstKey(benchmark::State& state) {
  const CipherSuiteParams& cs = Suite(state);
  const Bytes secret(cs.nh, 0x33);
  constexpr uint32_t kLeaves = 1024;
  for ([[maybe_unused]] auto _ : state) {
    auto tree = SecretTree::Create(cs, secret, kLeaves);
    if (!tree.ok()) std::abort();
    for (uint32_t leaf = 0; leaf < kLeaves; ++leaf) {
      auto k = tree->ReceiveKey(leaf, RatchetType::kApplication, 0);
      benchmark::DoNotOptimize(k.ok());
    }
  }
  state.SetItemsProcessed(state.iterations() * kLeaves);
}
BENCHMARK(BM_SecretTreeFirstKey)->Arg(1)->Arg(7)->Arg(4);

// BM_SecretTreeNextKey/<suite>: in-order receive on one ratchet (key, nonce, next secret).
void BM_SecretTreeNextKey(benchmark::State& state) {
  const CipherSuiteParams& cs = Suite(state);
  const Bytes secret(cs.nh, 0x44);
  auto tree = SecretTree::Create(cs, secret, 2);
  if (!tree.ok()) std::abort();
  uint32_t g = 0;
  for ([[maybe_unused]] auto _ : state) {
    auto k = tree->ReceiveKey(0, RatchetType::kApplication, g++);
    benchmark::DoNotOptimize(k.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SecretTreeNextKey)->Arg(1)->Arg(7)->Arg(4);

// BM_SecretTreeJump1000/<suite>: a message 1000 generations ahead (the default maximum), which
// keeps the 32 newest skipped keys.
void BM_SecretTreeJump1000(benchmark::State& state) {
  const CipherSuiteParams& cs = Suite(state);
  const Bytes secret(cs.nh, 0x55);
  auto tree = SecretTree::Create(cs, secret, 2);
  if (!tree.ok()) std::abort();
  uint32_t g = 1000;
  for ([[maybe_unused]] auto _ : state) {
    auto k = tree->ReceiveKey(0, RatchetType::kApplication, g);
    benchmark::DoNotOptimize(k.ok());
    g += 1001;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SecretTreeJump1000)->Arg(1)->Arg(7)->Arg(4);

}  // namespace
}  // namespace candor::mls

BENCHMARK_MAIN();
