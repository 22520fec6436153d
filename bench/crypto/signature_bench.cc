// signature_bench.cc: Sign and SignatureVerify per scheme on a 100-byte message. Results and
// command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "candor/crypto/signature.h"

namespace candor::crypto {
namespace {

constexpr SignatureScheme kSchemes[] = {
    SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
    SignatureScheme::kEcdsaSecp521r1Sha512, SignatureScheme::kEd25519, SignatureScheme::kEd448};
const char* const kNames[] = {"ECDSA P-256", "ECDSA P-384", "ECDSA P-521", "Ed25519", "Ed448"};

// BM_Sign/<scheme>
void BM_Sign(benchmark::State& state) {
  const SignaturePrivateKey key = SignaturePrivateKey::Generate(kSchemes[state.range(0)]);
  const Bytes msg(100, 0x5a);
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(key.Sign(msg));
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_Sign)->DenseRange(0, 4);

// BM_Verify/<scheme>
void BM_Verify(benchmark::State& state) {
  const SignatureScheme scheme = kSchemes[state.range(0)];
  const SignaturePrivateKey key = SignaturePrivateKey::Generate(scheme);
  const Bytes msg(100, 0x5a);
  const Bytes sig = key.Sign(msg);
  for ([[maybe_unused]] auto _ : state) {
    benchmark::DoNotOptimize(SignatureVerify(scheme, key.public_key(), msg, sig).ok());
  }
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_Verify)->DenseRange(0, 4);

}  // namespace
}  // namespace candor::crypto
