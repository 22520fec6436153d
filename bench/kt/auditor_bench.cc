// auditor_bench.cc: the Third-Party Auditor's cost per log entry: Auditor::Process (steps 1-8:
// proof evaluation, partial-tree insertion, log append, signing the AuditorTreeHead) for entries
// adding 0 (heartbeat), 1, 16 and 255 keys to a prefix tree of 100,000 keys, per suite. Results
// and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "candor/kt/auditor.h"
#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"

namespace candor::kt {
namespace {

constexpr CipherSuite kSuites[] = {CipherSuite::KT_128_SHA256_P256,
                                   CipherSuite::KT_128_SHA256_Ed25519};
constexpr int kTreeKeys = 100'000;

Hash32 RandomKey(uint64_t& rng) {
  Hash32 k{};
  for (uint8_t& b : k) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    b = static_cast<uint8_t>(rng >> 24);
  }
  return k;
}

// BM_AuditorProcess/<suite>/<keys added>: one Process on an auditor whose prefix tree holds
// 100,000 keys (the auditor is restored from the same state before every iteration, untimed).
void BM_AuditorProcess(benchmark::State& state) {
  const CipherSuite suite = kSuites[state.range(0)];
  const auto num_added = static_cast<size_t>(state.range(1));
  const auto params = *GetCipherSuite(static_cast<uint16_t>(suite));
  const auto key = crypto::SignaturePrivateKey::Generate(params.signature);
  Configuration config;
  config.ciphersuite = suite;
  config.mode = DeploymentMode::thirdPartyAuditing;
  config.signature_public_key = key.public_key();
  config.vrf_public_key = suite == CipherSuite::KT_128_SHA256_P256
                              ? Bytes(33, 0x02)
                              : Bytes(key.public_key().begin(), key.public_key().end());
  config.max_auditor_lag = 60'000;
  config.auditor_public_key = key.public_key();
  config.reasonable_monitoring_window = 604'800'000;

  uint64_t rng = 0x0123456789abcdefull;
  PrefixTree tree;
  std::vector<PrefixLeaf> initial(kTreeKeys);
  for (PrefixLeaf& leaf : initial) leaf.vrf_output = RandomKey(rng);
  if (!tree.Insert(initial).ok()) state.SkipWithError("initial insert failed");
  AuditorState base;
  base.tree_size = 1;
  base.timestamp = 1'000;
  base.prefix_root = tree.Root(tree.latest_version());
  base.full_subtrees = {LogEntryHash(base.timestamp, base.prefix_root)};

  AuditorUpdate update;
  update.timestamp = 2'000;
  std::vector<Hash32> keys;
  for (size_t i = 0; i < num_added; ++i) update.added.push_back(PrefixLeaf{RandomKey(rng), {}});
  std::sort(update.added.begin(), update.added.end(),
            [](const PrefixLeaf& a, const PrefixLeaf& b) { return a.vrf_output < b.vrf_output; });
  for (const PrefixLeaf& leaf : update.added) keys.push_back(leaf.vrf_output);
  update.proof = tree.Prove(tree.latest_version(), keys);

  for (auto _ : state) {
    state.PauseTiming();
    auto k = crypto::SignaturePrivateKey::FromBytes(key.scheme(), key.private_key());
    auto auditor = Auditor::Restore(config, std::move(*k), base);
    if (!auditor.ok()) state.SkipWithError(auditor.error().message.c_str());
    state.ResumeTiming();
    auto head = auditor->Process(update);
    if (!head.ok()) state.SkipWithError(head.error().message.c_str());
    benchmark::DoNotOptimize(head);
  }
  state.SetLabel(suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519");
}
BENCHMARK(BM_AuditorProcess)->ArgsProduct({{0, 1}, {0, 1, 16, 255}})->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace candor::kt

BENCHMARK_MAIN();
