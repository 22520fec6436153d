// group_fuzz: a stateful target. Each input is delivered to a member of a real 3-member group
// (suite 1, built fresh per input) as an MLSMessage: through HandleProposal, HandleCommit and
// Unprotect. Byte 0 picks the mode: 0 decodes the rest as an MLSMessage; 1-3 take a genuine
// message of the group (a public commit, a private commit, an application message) and XOR the
// rest of the input into its encoding from the offset given by bytes 1-2, so the fuzzer reaches
// the checks behind decoding. Nothing may crash; a rejected commit must leave the epoch as it
// was. The group's keys are random, so a run is reproducible in its control flow up to the
// cryptographic checks (which every mutated message fails).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Bytes;
using candor::ByteView;
namespace mls = candor::mls;

struct Member {
  mls::KeyPackage key_package;
  mls::KeyPackagePrivateKeys keys;
};

std::optional<Member> MakeMember(const mls::CipherSuiteParams& cs, const char* name) {
  auto signer = candor::crypto::SignaturePrivateKey::Generate(cs.signature);
  mls::Credential credential;
  credential.identity.assign(name, name + std::char_traits<char>::length(name));
  auto kp = mls::CreateKeyPackage(cs, signer, credential,
                                  mls::Lifetime{0, std::numeric_limits<uint64_t>::max()});
  if (!kp.ok()) return std::nullopt;
  return Member{kp->key_package,
                {std::move(kp->init_private_key), std::move(kp->encryption_private_key),
                 candor::SecretBytes(signer.private_key())}};
}

// Fixture is the group (a, b, c) at epoch 2 and three genuine messages from a to b.
struct Fixture {
  std::optional<mls::GroupState> b;
  std::vector<Bytes> templates;
};

std::optional<Fixture> Build() {
  const auto* cs =
      *mls::GetCipherSuiteParams(mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  auto ma = MakeMember(*cs, "a");
  auto mb = MakeMember(*cs, "b");
  auto mc = MakeMember(*cs, "c");
  if (!ma || !mb || !mc) return std::nullopt;
  auto a = mls::GroupState::CreateGroup(ma->key_package, ma->keys, Bytes{'f', 'u', 'z', 'z'});
  if (!a.ok()) return std::nullopt;
  auto added = a->Commit(
      {mls::Proposal{mls::Add{mb->key_package}}, mls::Proposal{mls::Add{mc->key_package}}});
  if (!added.ok() || !added->welcome) return std::nullopt;
  auto b = mls::GroupState::JoinFromWelcome(
      mb->key_package, mb->keys, std::get<mls::Welcome>(added->welcome->message), std::nullopt, {});
  if (!b.ok()) return std::nullopt;
  mls::GroupState& a1 = added->next;
  Fixture f;
  auto public_commit = a1.Commit({});
  mls::CommitOptions private_options;
  private_options.private_message = true;
  auto private_commit = a1.Commit({}, private_options);
  auto app = a1.Protect(candor::AsBytes("fuzz"));
  if (!public_commit.ok() || !private_commit.ok() || !app.ok()) return std::nullopt;
  f.templates.push_back(candor::tls::Encode(public_commit->commit));
  f.templates.push_back(candor::tls::Encode(private_commit->commit));
  f.templates.push_back(candor::tls::Encode(*app));
  f.b.emplace(std::move(b).value());
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::optional<Fixture> f = Build();
  FUZZ_REQUIRE(f.has_value());
  Bytes wire;
  const uint8_t mode = data[0] % 4;
  if (mode == 0) {
    wire.assign(data + 1, data + size);
  } else {
    wire = f->templates[mode - 1];
    if (size >= 3 && !wire.empty()) {
      size_t pos = (static_cast<size_t>(data[1]) << 8 | data[2]) % wire.size();
      for (size_t i = 3; i < size; ++i) wire[(pos + i - 3) % wire.size()] ^= data[i];
    }
  }
  auto message = candor::tls::DecodeExact<mls::MLSMessage>(wire);
  if (!message.ok()) return 0;
  mls::GroupState& b = *f->b;
  const uint64_t epoch = b.epoch();
  (void)b.HandleProposal(*message);
  auto next = b.HandleCommit(*message);
  if (next.ok()) {
    FUZZ_REQUIRE(next->epoch() == epoch + 1);
  } else {
    FUZZ_REQUIRE(b.epoch() == epoch);
  }
  (void)b.Unprotect(*message);
  return 0;
}
