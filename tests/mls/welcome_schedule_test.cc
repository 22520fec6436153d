// The joiner's side of the schedule end to end against the official welcome.json vectors (all 7
// suites): DecryptWithLabel of the GroupSecrets, WelcomeSecret / WelcomeKey / WelcomeNonce, the
// AEAD of the GroupInfo, FromJoinerSecret and its confirmation tag, VerifyWithLabel of the
// GroupInfo signature, and RefHash of the KeyPackage. The wire structs are read here by hand
// with tls::Reader (the struct codecs live with the wire format), quoting RFC 9420 for each.
#include <gtest/gtest.h>

#include <string>

#include "candor/base/tls.h"
#include "candor/crypto/aead.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_schedule.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;

// Offset returns how many bytes of `all` the reader `r` has consumed.
size_t Offset(ByteView all, const tls::Reader& r) { return all.size() - r.remaining(); }

// CheckWelcome runs one case; returns false (with a gtest failure) on any mismatch.
bool CheckWelcome(const CipherSuiteParams& cs, const json& c) {
  const Bytes init_priv = Hex(c.at("init_priv"));
  const Bytes signer_pub = Hex(c.at("signer_pub"));
  const Bytes welcome_msg = Hex(c.at("welcome"));
  const Bytes key_package_msg = Hex(c.at("key_package"));

  // MLSMessage { ProtocolVersion version; WireFormat wire_format; KeyPackage key_package; }
  // (wire_format mls_key_package = 5); KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference").
  EXPECT_GT(key_package_msg.size(), 4u);
  if (key_package_msg.size() <= 4) return false;
  const Bytes kp_ref =
      RefHash(cs, "MLS 1.0 KeyPackage Reference", ByteView(key_package_msg).subspan(4));

  // MLSMessage { version; wire_format = mls_welcome (3); Welcome { CipherSuite cipher_suite;
  //   EncryptedGroupSecrets secrets<V>; opaque encrypted_group_info<V>; } }
  tls::Reader msg(welcome_msg);
  auto version = msg.U16();
  auto wire_format = msg.U16();
  auto suite = msg.U16();
  auto secrets = msg.VectorV();
  auto encrypted_group_info = msg.OpaqueV();
  EXPECT_TRUE(version.ok() && *version == 1 && wire_format.ok() && *wire_format == 3 &&
              suite.ok() && *suite == static_cast<uint16_t>(cs.suite) && secrets.ok() &&
              encrypted_group_info.ok() && msg.ExpectEnd().ok());
  if (!secrets.ok() || !encrypted_group_info.ok()) return false;

  // EncryptedGroupSecrets { KeyPackageRef new_member<V>; HPKECiphertext encrypted_group_secrets
  //   { opaque kem_output<V>; opaque ciphertext<V>; } }: find ours.
  Result<SecretBytes> group_secrets = MakeError(Errc::kNotFound, "no entry for our KeyPackage");
  while (!secrets->empty()) {
    auto new_member = secrets->OpaqueV();
    auto kem_output = secrets->OpaqueV();
    auto ciphertext = secrets->OpaqueV();
    EXPECT_TRUE(new_member.ok() && kem_output.ok() && ciphertext.ok());
    if (!ciphertext.ok()) return false;
    if (Bytes(new_member->begin(), new_member->end()) != kp_ref) continue;
    group_secrets =
        DecryptWithLabel(cs, init_priv, "Welcome", *encrypted_group_info, *kem_output, *ciphertext);
  }
  EXPECT_TRUE(group_secrets.ok()) << group_secrets.error().ToString();
  if (!group_secrets.ok()) return false;

  // GroupSecrets { opaque joiner_secret<V>; optional<PathSecret> path_secret;
  //   PreSharedKeyID psks<V>; }
  tls::Reader gs(group_secrets->view());
  auto joiner_secret = gs.OpaqueV();
  auto has_path_secret = gs.Optional();
  EXPECT_TRUE(joiner_secret.ok() && has_path_secret.ok());
  if (!joiner_secret.ok() || !has_path_secret.ok()) return false;
  if (*has_path_secret) EXPECT_TRUE(gs.OpaqueV().ok());
  auto psks = gs.VectorV();
  EXPECT_TRUE(psks.ok() && psks->empty() && gs.ExpectEnd().ok()) << "vectors carry no PSKs";
  if (!psks.ok() || !psks->empty()) return false;
  const SecretBytes psk_secret(cs.nh);  // no PSKs: Nh zero bytes

  // welcome_secret -> welcome_key / welcome_nonce -> GroupInfo.
  auto welcome_secret = WelcomeSecret(cs, *joiner_secret, psk_secret.view());
  EXPECT_TRUE(welcome_secret.ok());
  if (!welcome_secret.ok()) return false;
  auto key = WelcomeKey(cs, welcome_secret->view());
  auto nonce = WelcomeNonce(cs, welcome_secret->view());
  EXPECT_TRUE(key.ok() && nonce.ok());
  if (!key.ok() || !nonce.ok()) return false;
  auto group_info =
      crypto::AeadOpen(cs.aead, key->view(), nonce->view(), {}, *encrypted_group_info);
  EXPECT_TRUE(group_info.ok()) << "GroupInfo AEAD";
  if (!group_info.ok()) return false;

  // GroupInfo { GroupContext group_context; Extension extensions<V>; MAC confirmation_tag;
  //   uint32 signer; opaque signature<V>; }, GroupContext { version; cipher_suite;
  //   opaque group_id<V>; uint64 epoch; opaque tree_hash<V>;
  //   opaque confirmed_transcript_hash<V>; Extension extensions<V>; }
  const ByteView gi = group_info->view();
  tls::Reader r(gi);
  const bool context_ok =
      r.U16().ok() && r.U16().ok() && r.OpaqueV().ok() && r.U64().ok() && r.OpaqueV().ok();
  auto confirmed_transcript_hash = r.OpaqueV();
  const bool extensions_ok = r.VectorV().ok();
  const ByteView group_context = gi.first(Offset(gi, r));
  const bool gi_extensions_ok = r.VectorV().ok();
  auto confirmation_tag = r.OpaqueV();
  const bool signer_ok = r.U32().ok();
  const ByteView tbs = gi.first(Offset(gi, r));
  auto signature = r.OpaqueV();
  EXPECT_TRUE(context_ok && confirmed_transcript_hash.ok() && extensions_ok && gi_extensions_ok &&
              confirmation_tag.ok() && signer_ok && signature.ok() && r.ExpectEnd().ok());
  if (!confirmed_transcript_hash.ok() || !confirmation_tag.ok() || !signature.ok()) return false;

  // The joiner's key schedule must reproduce the GroupInfo's confirmation tag.
  auto epoch =
      KeyScheduleEpoch::FromJoinerSecret(cs, *joiner_secret, psk_secret.view(), group_context);
  EXPECT_TRUE(epoch.ok());
  if (!epoch.ok()) return false;
  EXPECT_EQ(Bytes(epoch->welcome_secret().begin(), epoch->welcome_secret().end()),
            Bytes(welcome_secret->view().begin(), welcome_secret->view().end()));
  const bool tag_ok = VerifyConfirmationTag(cs, epoch->confirmation_key(),
                                            *confirmed_transcript_hash, *confirmation_tag)
                          .ok();
  EXPECT_TRUE(tag_ok) << "confirmation_tag";
  const bool sig_ok = VerifyWithLabel(cs, signer_pub, "GroupInfoTBS", tbs, *signature).ok();
  EXPECT_TRUE(sig_ok) << "GroupInfo signature";
  return tag_ok && sig_ok;
}

TEST(MlsWelcomeScheduleTest, OfficialVectors) {
  const json cases = testing::LoadVectors("welcome.json");
  testing::Tally tally("welcome.json");
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    SCOPED_TRACE("suite " + std::to_string(static_cast<unsigned>(cs->suite)));
    tally.Add(static_cast<uint16_t>(cs->suite), CheckWelcome(*cs, c));
  }
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

}  // namespace
}  // namespace candor::mls
