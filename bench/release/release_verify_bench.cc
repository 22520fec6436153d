// release_verify_bench: the cost of verifying a release proof offline (issue 14 §5: target at
// most 1 ms, the artifact's own hash aside) and the proof's size, for release logs of 1, 2^10
// and 2^20 entries, against the floor that no verifier avoids: the four Ed25519 verifications
// it needs (release key, log key, two witnesses), measured in the same run.
#include <benchmark/benchmark.h>

#include "candor/crypto/ed25519.h"
#include "candor/release/release_proof.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"

namespace candor::release {
namespace {

struct Fixture {
  ReleasePolicy policy;
  std::string proof;
  std::string entry;
};

Fixture Make(uint64_t log_size) {
  tlog::Ed25519NoteSigner release_key("release.candor.bench",
                                      crypto::Ed25519PrivateKey::Generate());
  tlog::Ed25519NoteSigner log_key("candor.bench/releases", crypto::Ed25519PrivateKey::Generate());
  tlog::Cosigner w1("w1.bench", crypto::Ed25519PrivateKey::Generate());
  tlog::Cosigner w2("w2.bench", crypto::Ed25519PrivateKey::Generate());
  ReleaseManifest m;
  m.product = "candor";
  m.version = "0.19.0-1";
  m.platform = "debian12-amd64";
  m.commit = std::string(40, 'c');
  m.recipe = "cmake-preset-release";
  m.artifacts = {{"candor_0.19.0-1_amd64.deb", {}}};
  Fixture f;
  f.entry = *SignManifest(m, release_key);
  // The release sits in the middle of the log.
  tlog::MemoryTree tree;
  const uint64_t index = log_size / 2;
  Hash32 other{};
  for (uint64_t i = 0; i < log_size; ++i) {
    if (i == index) {
      tree.AppendLeafHash(tlog::HashLeaf(AsBytes(f.entry)));
    } else {
      other[0] = static_cast<uint8_t>(i);
      other[1] = static_cast<uint8_t>(i >> 8);
      other[2] = static_cast<uint8_t>(i >> 16);
      tree.AppendLeafHash(other);
    }
  }
  tlog::Checkpoint cp{log_key.name(), tree.size(), *tlog::TreeRoot(tree.size(), tree), {}};
  tlog::Note note;
  note.text = cp.Text();
  note.signatures.push_back({log_key.name(), log_key.key_id(), log_key.Sign(note.text)});
  note.signatures.push_back(w1.Cosign(note.text, 1'700'000'000));
  note.signatures.push_back(w2.Cosign(note.text, 1'700'000'000));
  f.proof = MakeReleaseProof(f.entry, index, *tlog::ProveInclusion(index, tree.size(), tree),
                             note.Format());
  auto log_trust =
      tlog::ParseLogTrust(log_key.VerifierKey(), {w1.VerifierKey(), w2.VerifierKey()}, 2);
  auto key = tlog::ParseVerifierKey(release_key.VerifierKey());
  f.policy = {std::shared_ptr<const tlog::NoteVerifier>(std::move(*key)), std::move(*log_trust)};
  return f;
}

void BM_VerifyReleaseProof(benchmark::State& state) {
  const Fixture f = Make(static_cast<uint64_t>(state.range(0)));
  for (auto _ : state) {
    auto v = VerifyReleaseProof(f.proof, f.policy);
    if (!v.ok()) state.SkipWithError("the proof did not verify");
    benchmark::DoNotOptimize(v);
  }
  state.counters["proof_bytes"] = static_cast<double>(f.proof.size());
}
BENCHMARK(BM_VerifyReleaseProof)->Arg(1)->Arg(1 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

// The floor: four Ed25519 verifications of note-sized messages.
void BM_FourEd25519Verifications(benchmark::State& state) {
  const auto key = crypto::Ed25519PrivateKey::Generate();
  const std::string msg(400, 'm');
  const crypto::Ed25519Signature sig = key.Sign(AsBytes(msg));
  const auto pub = key.public_key();
  for (auto _ : state) {
    for (int i = 0; i < 4; ++i) {
      benchmark::DoNotOptimize(crypto::Ed25519Verify(pub, AsBytes(msg), sig));
    }
  }
}
BENCHMARK(BM_FourEd25519Verifications)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace candor::release

BENCHMARK_MAIN();
