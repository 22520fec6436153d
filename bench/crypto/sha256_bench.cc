// sha256_bench.cc: crypto::Sha256 on the two message sizes RFC 9162 tree hashing produces, and
// on a long stream (the per-block bound). Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "candor/crypto/sha256.h"

namespace candor::crypto {
namespace {

// BM_Sha256/<len>: one-shot Sha256 of a `len`-byte message. 33 bytes is a leaf hash input
// (0x00 || 32-byte entry, one compression block), 65 a node hash input (0x01 || l || r, two
// blocks). Each digest feeds the next input, as in a tree.
void BM_Sha256(benchmark::State& state) {
  const auto len = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> msg(len, 0x5a);
  msg[0] = len == 33 ? 0x00 : 0x01;
  for ([[maybe_unused]] auto _ : state) {
    const Hash32 d = Sha256(msg);
    msg[1] = d[0];
    benchmark::DoNotOptimize(msg.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(33)->Arg(65);

// BM_Sha256Stream/<len>: Sha256Hasher over a `len`-byte buffer; bytes/s here divided by 64 is
// the compression-function rate the one-shot benchmarks are measured against.
void BM_Sha256Stream(benchmark::State& state) {
  const auto len = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> buf(len);
  for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(i * 131u);
  for ([[maybe_unused]] auto _ : state) {
    Sha256Hasher h;
    h.Update(buf);
    const Hash32 d = h.Final();
    buf[0] = d[0];
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256Stream)->Arg(1 << 20);

}  // namespace
}  // namespace candor::crypto

BENCHMARK_MAIN();
