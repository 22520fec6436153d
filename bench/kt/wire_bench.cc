// wire_bench.cc: the per-response costs of the KEYTRANS wire layer: tree-head signing and
// verification per suite, commitments, VRF proof verification with truncation, and decoding a
// typical SearchResponse. Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <string>

#include "candor/kt/messages.h"
#include "candor/kt/tree_head.h"
#include "candor/kt/update_value.h"

namespace candor::kt {
namespace {

constexpr CipherSuite kSuites[] = {CipherSuite::KT_128_SHA256_P256,
                                   CipherSuite::KT_128_SHA256_Ed25519};
const char* const kNames[] = {"KT_128_SHA256_P256", "KT_128_SHA256_Ed25519"};

CipherSuiteParams Params(int64_t i) { return *GetCipherSuite(static_cast<uint16_t>(kSuites[i])); }

Configuration MakeConfig(CipherSuite suite, const crypto::SignaturePrivateKey& key,
                         const crypto::VrfPrivateKey& vrf) {
  Configuration c;
  c.ciphersuite = suite;
  c.mode = DeploymentMode::contactMonitoring;
  c.signature_public_key = key.public_key();
  c.vrf_public_key = vrf.public_key();
  c.max_ahead = 10000;
  c.max_behind = 86400000;
  c.reasonable_monitoring_window = 604800000;
  return c;
}

// BM_SignTreeHead/<suite>
void BM_SignTreeHead(benchmark::State& state) {
  const CipherSuiteParams p = Params(state.range(0));
  const auto key = crypto::SignaturePrivateKey::Generate(p.signature);
  const auto vrf = crypto::VrfPrivateKey::Generate(p.vrf);
  const Configuration config = MakeConfig(p.suite, key, vrf);
  const HashValue root{};
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(SignTreeHead(key, config, 1000000, root));
  }
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_SignTreeHead)->DenseRange(0, 1);

// BM_VerifyTreeHead/<suite>
void BM_VerifyTreeHead(benchmark::State& state) {
  const CipherSuiteParams p = Params(state.range(0));
  const auto key = crypto::SignaturePrivateKey::Generate(p.signature);
  const auto vrf = crypto::VrfPrivateKey::Generate(p.vrf);
  const Configuration config = MakeConfig(p.suite, key, vrf);
  const HashValue root{};
  const TreeHead head{1000000, SignTreeHead(key, config, 1000000, root)};
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(VerifyTreeHead(config, head, root).ok());
  }
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_VerifyTreeHead)->DenseRange(0, 1);

// BM_VrfVerifyOutput/<suite>: one binary-ladder step.
void BM_VrfVerifyOutput(benchmark::State& state) {
  const CipherSuiteParams p = Params(state.range(0));
  const auto vrf = crypto::VrfPrivateKey::Generate(p.vrf);
  const Bytes label = {'a', 'l', 'i', 'c', 'e'};
  const VrfResult r = VrfEvaluate(vrf, label, 5);
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(VrfVerifyOutput(p, vrf.public_key(), label, 5, r.proof).ok());
  }
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_VrfVerifyOutput)->DenseRange(0, 1);

// BM_Commit/<value bytes>
void BM_Commit(benchmark::State& state) {
  const Opening opening{};
  const Bytes label = {'a', 'l', 'i', 'c', 'e'};
  UpdateValue update;
  update.value.assign(static_cast<size_t>(state.range(0)), 0x5a);
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(Commit(opening, label, 5, update, DeploymentMode::contactMonitoring));
  }
}
BENCHMARK(BM_Commit)->Arg(32)->Arg(1024);

// BM_DecodeSearchResponse: a greatest-version search response of a 2^20-entry log: 21 ladder
// steps, 20 prefix proofs of 20 elements each, 40 timestamps, a 20-element inclusion proof.
void BM_DecodeSearchResponse(benchmark::State& state) {
  const WireContext ctx{DeploymentMode::contactMonitoring, 81};
  SearchResponse resp;
  resp.full_tree_head.head_type = FullTreeHeadType::updated;
  resp.full_tree_head.tree_head = TreeHead{1 << 20, Bytes(64, 1)};
  resp.version = 20;
  resp.value.value.assign(200, 2);
  for (int i = 0; i < 21; ++i) {
    BinaryLadderStep step;
    step.proof.assign(81, 3);
    if (i % 2 == 0) step.commitment = HashValue{};
    resp.binary_ladder.push_back(step);
  }
  for (int i = 0; i < 40; ++i) resp.search.timestamps.push_back(static_cast<uint64_t>(i));
  for (int i = 0; i < 20; ++i) {
    PrefixProof proof;
    proof.results.resize(2);
    proof.results[0].depth = 20;
    proof.results[1].depth = 21;
    proof.elements.resize(20);
    resp.search.prefix_proofs.push_back(proof);
  }
  resp.search.inclusion.elements.resize(20);
  const Bytes wire = EncodeIn(resp, ctx);
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(DecodeExactIn<SearchResponse>(wire, ctx, false).ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(wire.size()));
  state.SetLabel(std::to_string(wire.size()) + " bytes");
}
BENCHMARK(BM_DecodeSearchResponse);

}  // namespace
}  // namespace candor::kt

BENCHMARK_MAIN();
