// hpke_bench.cc: RFC 9180 HPKE per KEM (sender setup = Encap + key schedule, receiver setup =
// Decap + key schedule) and per-message Seal/Open on an established context. Results and
// command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "candor/crypto/hpke.h"

namespace candor::crypto {
namespace {

constexpr KemId kKems[] = {KemId::kP256, KemId::kP384, KemId::kP521, KemId::kX25519, KemId::kX448};

HpkeSuite SuiteFor(int64_t index) { return {kKems[index], KdfId::kHkdfSha256, AeadId::kAes128Gcm}; }

void SetKemLabel(benchmark::State& state) {
  static const char* const kNames[] = {"P-256", "P-384", "P-521", "X25519", "X448"};
  state.SetLabel(kNames[state.range(0)]);
}

// BM_HpkeSetupS/<kem>: SetupBaseS (ephemeral key generation, one DH, key schedule).
void BM_HpkeSetupS(benchmark::State& state) {
  const HpkeSuite suite = SuiteFor(state.range(0));
  const HpkeKeyPair r = GenerateKeyPair(suite.kem);
  const HpkeSetup setup(suite);
  for ([[maybe_unused]] auto _ : state) {
    auto s = setup.SetupS(r.public_key, AsBytes("info"));
    benchmark::DoNotOptimize(s.ok());
  }
  SetKemLabel(state);
}
BENCHMARK(BM_HpkeSetupS)->DenseRange(0, 4);

// BM_HpkeSetupR/<kem>: SetupBaseR (public-key validation, one DH, pk(skR), key schedule).
void BM_HpkeSetupR(benchmark::State& state) {
  const HpkeSuite suite = SuiteFor(state.range(0));
  const HpkeKeyPair r = GenerateKeyPair(suite.kem);
  const HpkeSetup setup(suite);
  auto s = setup.SetupS(r.public_key, AsBytes("info"));
  for ([[maybe_unused]] auto _ : state) {
    auto ctx = setup.SetupR(s->enc, r.private_key.view(), AsBytes("info"));
    benchmark::DoNotOptimize(ctx.ok());
  }
  SetKemLabel(state);
}
BENCHMARK(BM_HpkeSetupR)->DenseRange(0, 4);

// BM_HpkeSealOpen/<len>: one Seal and one Open of a `len`-byte message (X25519, AES-128-GCM).
void BM_HpkeSealOpen(benchmark::State& state) {
  const HpkeSuite suite{KemId::kX25519, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  const HpkeKeyPair r = GenerateKeyPair(suite.kem);
  auto s = HpkeSetup(suite).SetupS(r.public_key, {});
  auto recv = HpkeSetup(suite).SetupR(s->enc, r.private_key.view(), {});
  const Bytes pt(static_cast<size_t>(state.range(0)), 0x5a);
  for ([[maybe_unused]] auto _ : state) {
    auto ct = s->context.Seal({}, pt);
    auto back = recv->Open({}, *ct);
    benchmark::DoNotOptimize(back.ok());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HpkeSealOpen)->Arg(64)->Arg(1024)->Arg(16384);

}  // namespace
}  // namespace candor::crypto
