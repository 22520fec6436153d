// auditor_fuzz: a Third-Party Auditor (auditor.h) fed untrusted AuditorUpdates must never crash.
// The input is a sequence of encoded AuditorUpdates (at most 16), processed in order by a fresh
// auditor at tree size 0. Per update: a decode failure is kMalformed and ends the input; a
// refusal is kVerifyFailed naming its step and leaves the state unchanged; an accepted update
// grows the log by one entry and returns a head that verifies over the auditor's root. The state
// encoding round-trips after every update.
//
// The seed in fuzz/corpus/auditor_fuzz/ is the first four entries of a real log, written by
// `CANDOR_AUDITOR_SEED_OUT=<file> tests/kt_auditor_test
// --gtest_filter='*FollowsHonestDirectory/Ed25519'`.
#include <string_view>

#include "candor/kt/auditor.h"
#include "candor/kt/messages.h"
#include "candor/kt/tree_head.h"
#include "fuzz/fuzz_target.h"

namespace candor::kt {
namespace {

constexpr auto kScheme = crypto::SignatureScheme::kEd25519;

crypto::SignaturePrivateKey FixedKey() {
  uint8_t seed[32];
  for (uint8_t i = 0; i < 32; ++i) seed[i] = static_cast<uint8_t>(0xa0 + i);
  auto key = crypto::SignaturePrivateKey::FromBytes(kScheme, ByteView(seed, sizeof(seed)));
  FUZZ_REQUIRE(key.ok());
  return std::move(*key);
}

Configuration FixedConfig(const Bytes& auditor_public_key) {
  Configuration c;
  c.ciphersuite = CipherSuite::KT_128_SHA256_Ed25519;
  c.mode = DeploymentMode::thirdPartyAuditing;
  c.signature_public_key = auditor_public_key;
  c.vrf_public_key = auditor_public_key;
  c.max_auditor_lag = 10'000;
  c.auditor_public_key = auditor_public_key;
  c.max_ahead = 5'000;
  c.max_behind = 60'000;
  c.reasonable_monitoring_window = 1'000;
  return c;
}

void Run(ByteView input) {
  crypto::SignaturePrivateKey key = FixedKey();
  const Configuration config = FixedConfig(key.public_key());
  auto auditor = Auditor::Create(config, std::move(key));
  FUZZ_REQUIRE(auditor.ok());
  tls::Reader r(input);
  for (int i = 0; i < 16 && !r.empty(); ++i) {
    Result<AuditorUpdate> update = AuditorUpdate::Decode(r);
    if (!update.ok()) {
      FUZZ_REQUIRE(update.error().code == Errc::kMalformed);
      return;
    }
    const AuditorState before = auditor->state();
    Result<AuditorTreeHead> head = auditor->Process(*update);
    if (!head.ok()) {
      FUZZ_REQUIRE(head.error().code == Errc::kVerifyFailed);
      FUZZ_REQUIRE(std::string_view(head.error().message).starts_with("auditor step "));
      FUZZ_REQUIRE(auditor->state() == before);
    } else {
      FUZZ_REQUIRE(auditor->size() == before.tree_size + 1);
      FUZZ_REQUIRE(head->tree_size == auditor->size() && head->timestamp == update->timestamp);
      FUZZ_REQUIRE(VerifyAuditorTreeHead(config, *head, auditor->root()).ok());
    }
    auto state = tls::DecodeExact<AuditorState>(tls::Encode(auditor->state()));
    FUZZ_REQUIRE(state.ok() && *state == auditor->state());
  }
}

}  // namespace
}  // namespace candor::kt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  candor::kt::Run(candor::ByteView(data, size));
  return 0;
}
