// vrf_bench.cc: ECVRF (RFC 9381) prove, verify and proof_to_hash for both TAI suites, on a
// 32-byte alpha (the size of a KEYTRANS VRF input's hash). Results and command:
// docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "candor/crypto/vrf.h"

namespace candor::crypto {
namespace {

VrfSuite SuiteOf(const benchmark::State& state) {
  return state.range(0) == 1 ? VrfSuite::kEcvrfP256Sha256Tai
                             : VrfSuite::kEcvrfEdwards25519Sha512Tai;
}

// BM_VrfProve/<suite_string>: VrfPrivateKey::Prove; alpha changes every iteration, so the
// try-and-increment loop runs its average number of rounds.
void BM_VrfProve(benchmark::State& state) {
  const VrfPrivateKey key = VrfPrivateKey::Generate(SuiteOf(state));
  Bytes alpha(32, 0x5a);
  for ([[maybe_unused]] auto _ : state) {
    Bytes pi = key.Prove(alpha);
    alpha[0] = pi[1];
    alpha[1] = pi[2];
    benchmark::DoNotOptimize(pi.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VrfProve)->Arg(1)->Arg(3);

// BM_VrfVerify/<suite_string>: VrfVerify of a valid proof (full key validation included), over
// 64 different alphas.
void BM_VrfVerify(benchmark::State& state) {
  const VrfSuite suite = SuiteOf(state);
  const VrfPrivateKey key = VrfPrivateKey::Generate(suite);
  constexpr size_t kNumAlphas = 64;
  std::vector<Bytes> alphas;
  std::vector<Bytes> proofs;
  for (size_t i = 0; i < kNumAlphas; ++i) {
    alphas.emplace_back(32, static_cast<uint8_t>(i));
    proofs.push_back(key.Prove(alphas.back()));
  }
  size_t i = 0;
  for ([[maybe_unused]] auto _ : state) {
    auto beta = VrfVerify(suite, key.public_key(), alphas[i], proofs[i]);
    if (!beta.ok()) state.SkipWithError("valid proof rejected");
    benchmark::DoNotOptimize(beta);
    i = (i + 1) % kNumAlphas;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VrfVerify)->Arg(1)->Arg(3);

// BM_VrfProofToHash/<suite_string>: VrfProofToHash (decode Gamma, cofactor, hash).
void BM_VrfProofToHash(benchmark::State& state) {
  const VrfSuite suite = SuiteOf(state);
  const VrfPrivateKey key = VrfPrivateKey::Generate(suite);
  const Bytes pi = key.Prove(Bytes(32, 1));
  for ([[maybe_unused]] auto _ : state) {
    auto beta = VrfProofToHash(suite, pi);
    benchmark::DoNotOptimize(beta);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VrfProofToHash)->Arg(1)->Arg(3);

}  // namespace
}  // namespace candor::crypto
BENCHMARK_MAIN();
