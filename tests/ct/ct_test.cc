// ct_test: constant-time validation (house style H6) of HPKE and the MLS key schedule, run under
// valgrind's memcheck (tests/ct/CMakeLists.txt). Every secret input is marked with
// CANDOR_CT_SECRET, so memcheck reports any branch or memory index that depends on it, in our
// code and in the OpenSSL/libsodium code we call. `ct_test --control` branches on a secret on
// purpose; ctest expects valgrind to fail it, which shows the markers work.
//
// Covered: HPKE sender (ephemeral key derivation, X25519 DH, key schedule, AEAD seal with
// AES-128-GCM and ChaCha20-Poly1305, export) and receiver (decapsulation, key schedule, export)
// for DHKEM(X25519); the MLS key schedule of RFC 9420 §8 (epoch secrets, exporter, external key
// pair) and the secret tree's key and nonce derivation for suites 1, 3 and 4. Not covered, each
// because memcheck reports a branch inside OpenSSL that we cannot mark from outside: HPKE Open
// and AEAD decryption (OpenSSL branches on its own tag comparison, a public verdict), DHKEM(X448)
// (OpenSSL's X448 derive branches on its all-zero-output verdict, public too), and the NIST-curve
// KEMs (OpenSSL 3.0's big-number code).
#include "candor/base/ct.h"

#include <cstdint>
#include <cstdio>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/random.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/secret_tree.h"

namespace candor {
namespace {

int num_failures = 0;

void Expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++num_failures;
  }
}

// Secret returns `len` random bytes marked secret.
SecretBytes Secret(size_t len) {
  SecretBytes s(len);
  crypto::FillRandom(s.data(), s.size());
  CANDOR_CT_SECRET(s.data(), s.size());
  return s;
}

void Hpke(const crypto::HpkeSuite& suite, size_t nsk) {
  using crypto::HpkeSetup;
  crypto::HpkeKeyPair recipient = crypto::GenerateKeyPair(suite.kem);
  const Bytes info = {'c', 't'};

  // Sender: the ephemeral key's ikm and the plaintext are secret.
  const SecretBytes ikm_e = Secret(nsk);
  const SecretBytes plaintext = Secret(64);
  auto sender = HpkeSetup(suite).SetupSDeterministic(recipient.public_key, info, ikm_e.view());
  Expect(sender.ok(), "SetupSDeterministic");
  if (!sender.ok()) return;
  Expect(sender->context.Seal(AsBytes("aad"), plaintext.view()).ok(), "Seal");
  Expect(sender->context.Export(AsBytes("exporter"), 32).ok(), "Export (sender)");

  // Receiver: the recipient's private key is secret.
  CANDOR_CT_SECRET(recipient.private_key.data(), recipient.private_key.size());
  auto receiver = HpkeSetup(suite).SetupR(sender->enc, recipient.private_key.view(), info);
  Expect(receiver.ok(), "SetupR");
  if (receiver.ok()) Expect(receiver->Export(AsBytes("exporter"), 32).ok(), "Export (receiver)");
}

void KeySchedule(mls::CipherSuite suite) {
  auto cs = mls::GetCipherSuiteParams(suite);
  Expect(cs.ok(), "GetCipherSuiteParams");
  if (!cs.ok()) return;
  const size_t nh = (*cs)->nh;
  const SecretBytes init_secret = Secret(nh);
  const SecretBytes commit_secret = Secret(nh);
  const SecretBytes psk_secret = Secret(nh);
  const Bytes group_context(100, 0x47);
  auto epoch = mls::KeyScheduleEpoch::Create(**cs, init_secret.view(), commit_secret.view(),
                                             psk_secret.view(), group_context);
  Expect(epoch.ok(), "KeyScheduleEpoch::Create");
  if (!epoch.ok()) return;
  Expect(epoch->MlsExporter(AsBytes("label"), AsBytes("context"), 32).ok(), "MlsExporter");
  Expect(epoch->ExternalKeyPair().ok(), "ExternalKeyPair");

  auto tree = mls::SecretTree::Create(**cs, epoch->encryption_secret(), 5);
  Expect(tree.ok(), "SecretTree::Create");
  if (!tree.ok()) return;
  for (uint32_t leaf = 0; leaf < 5; ++leaf) {
    Expect(tree->NextSendKey(leaf, mls::RatchetType::kApplication).ok(), "NextSendKey");
    Expect(tree->NextSendKey(leaf, mls::RatchetType::kHandshake).ok(), "NextSendKey");
  }
}

// Control branches on a secret byte: valgrind must report it.
int Control() {
  const SecretBytes s = Secret(1);
  volatile int sink = 0;
  if (s.view()[0] & 1) sink = 1;
  return sink;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  using candor::crypto::AeadId;
  using candor::crypto::KdfId;
  using candor::crypto::KemId;
  if (argc > 1 && std::string_view(argv[1]) == "--control") {
    candor::Control();
    return 0;
  }
  candor::Hpke({KemId::kX25519, KdfId::kHkdfSha256, AeadId::kAes128Gcm}, 32);
  candor::Hpke({KemId::kX25519, KdfId::kHkdfSha256, AeadId::kChaCha20Poly1305}, 32);
  using candor::mls::CipherSuite;
  candor::KeySchedule(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  candor::KeySchedule(CipherSuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519);
  candor::KeySchedule(CipherSuite::MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448);
  std::printf("ct_test: %s\n", candor::num_failures == 0 ? "all operations ran" : "failures");
  return candor::num_failures == 0 ? 0 : 1;
}
