// message_bench.cc: RFC 9420 §6 message protection of 100-byte application messages in suite 1
// (X25519/AES-128-GCM/SHA-256/Ed25519): the whole send path (SignFramedContent + ProtectPrivate)
// and receive path (UnprotectPrivate: sender data, content AEAD, signature check, key deletion),
// next to the bare Ed25519 sign and verify (crypto::SignaturePrivateKey, libsodium) of a
// FramedContentTBS-sized message that bound them. Results and command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/secret_tree.h"

namespace candor::mls {
namespace {

constexpr size_t kMessageLen = 100;
constexpr uint32_t kNumLeaves = 8;
constexpr uint32_t kSender = 3;
constexpr size_t kBatch = 4096;  // messages pre-made for the receive benchmark
// FramedContentTBS of a 100-byte application message with a 5-byte group id and the
// GroupContext below: about 2 + 2 + 100 + 20 + 75 bytes.
constexpr size_t kTbsLen = 200;

struct Fixture {
  const CipherSuiteParams& cs;
  crypto::SignaturePrivateKey key;
  GroupContext context;
  Bytes encryption_secret;
  Bytes sender_data_secret;

  Fixture()
      : cs(Suite1()),
        key(crypto::SignaturePrivateKey::Generate(cs.signature)),
        encryption_secret(cs.nh, 0x11),
        sender_data_secret(cs.nh, 0x22) {
    context.cipher_suite = cs.suite;
    context.group_id = {'g', 'r', 'o', 'u', 'p'};
    context.epoch = 42;
    context.tree_hash = Bytes(cs.nh, 0x33);
    context.confirmed_transcript_hash = Bytes(cs.nh, 0x44);
  }

  static const CipherSuiteParams& Suite1() {
    auto cs = GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
    if (!cs.ok()) std::abort();
    return **cs;
  }

  SecretTree Tree() const {
    auto t = SecretTree::Create(cs, encryption_secret, kNumLeaves);
    if (!t.ok()) std::abort();
    return std::move(*t);
  }

  FramedContent Content() const {
    FramedContent fc;
    fc.group_id = context.group_id;
    fc.epoch = context.epoch;
    fc.sender = Sender{SenderType::member, kSender, 0};
    fc.content = Bytes(kMessageLen, 0x61);
    return fc;
  }

  PrivateMessage Protect(SecretTree& tree) const {
    auto ac = SignFramedContent(cs, WireFormat::mls_private_message, Content(), context, key);
    if (!ac.ok()) std::abort();
    auto m = ProtectPrivate(cs, *ac, context, tree, sender_data_secret);
    if (!m.ok()) std::abort();
    return std::move(*m);
  }
};

// BM_ProtectPrivate: SignFramedContent + ProtectPrivate of one 100-byte application message.
void BM_ProtectPrivate(benchmark::State& state) {
  const Fixture f;
  SecretTree tree = f.Tree();
  for ([[maybe_unused]] auto _ : state) {
    PrivateMessage m = f.Protect(tree);
    benchmark::DoNotOptimize(m.ciphertext.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProtectPrivate);

// BM_UnprotectPrivate: UnprotectPrivate of in-order 100-byte application messages (a fresh
// receiving tree, untimed, every kBatch messages).
void BM_UnprotectPrivate(benchmark::State& state) {
  const Fixture f;
  SecretTree send = f.Tree();
  std::vector<PrivateMessage> batch;
  batch.reserve(kBatch);
  for (size_t i = 0; i < kBatch; ++i) batch.push_back(f.Protect(send));
  const Bytes pub = f.key.public_key();
  const SignatureKeyLookup lookup = [&pub](const Sender&) -> Result<Bytes> { return pub; };
  SecretTree recv = f.Tree();
  size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      recv = f.Tree();
      next = 0;
      state.ResumeTiming();
    }
    auto ac = UnprotectPrivate(f.cs, batch[next++], f.context, recv, f.sender_data_secret, lookup);
    if (!ac.ok()) std::abort();
    benchmark::DoNotOptimize(ac->auth.signature.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UnprotectPrivate);

// BM_Ed25519Sign / BM_Ed25519Verify: the signature alone (crypto::Signature*, libsodium), on a
// FramedContentTBS-sized message: the bound on the two paths above.
void BM_Ed25519Sign(benchmark::State& state) {
  const auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  const Bytes msg(kTbsLen, 0x5a);
  for ([[maybe_unused]] auto _ : state) benchmark::DoNotOptimize(key.Sign(msg).data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  const auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  const Bytes msg(kTbsLen, 0x5a);
  const Bytes sig = key.Sign(msg);
  for ([[maybe_unused]] auto _ : state) {
    auto ok =
        crypto::SignatureVerify(crypto::SignatureScheme::kEd25519, key.public_key(), msg, sig);
    benchmark::DoNotOptimize(ok.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify);

}  // namespace
}  // namespace candor::mls
