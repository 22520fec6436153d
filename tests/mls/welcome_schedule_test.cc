// welcome_ops.h and key_package_ops.h end to end against the official welcome.json vectors (all 7
// suites), joiner side: the KeyPackage validates (ValidateKeyPackage at its not_before) and gives
// the KeyPackageRef (MakeKeyPackageRef), DecryptGroupSecrets finds and opens our entry,
// DecryptGroupInfo opens the GroupInfo, the joiner's key schedule (FromJoinerSecret) reproduces
// the confirmation tag (VerifyGroupInfoConfirmationTag) and the signature verifies under
// signer_pub (VerifyGroupInfoSignature). Then the sender side re-encrypts the same GroupInfo and
// GroupSecrets (EncryptGroupInfo, EncryptGroupSecrets) and the joiner side opens them again.
// The passive-client files add 147 more real KeyPackages and Welcomes (ValidateKeyPackage,
// DecryptGroupSecrets).
// Messages are parsed with the codec structs (mls_message.h).
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/hpke.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/welcome_ops.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;

template <class T>
Result<T> MessageOf(const Bytes& wire) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage m, tls::DecodeExact<MLSMessage>(wire));
  if (!std::holds_alternative<T>(m.message)) {
    return MakeError(Errc::kMalformed, "unexpected wire_format");
  }
  return std::get<T>(std::move(m.message));
}

// CheckWelcome runs one case; returns false (with a gtest failure) on any mismatch.
bool CheckWelcome(const CipherSuiteParams& cs, const json& c) {
  const Bytes init_priv = Hex(c.at("init_priv"));
  const Bytes signer_pub = Hex(c.at("signer_pub"));
  auto key_package = MessageOf<KeyPackage>(Hex(c.at("key_package")));
  auto welcome = MessageOf<Welcome>(Hex(c.at("welcome")));
  EXPECT_TRUE(key_package.ok() && welcome.ok());
  if (!key_package.ok() || !welcome.ok()) return false;

  const Status kp_valid =
      ValidateKeyPackage(cs, *key_package, key_package->leaf_node.lifetime.not_before);
  EXPECT_TRUE(kp_valid.ok()) << kp_valid.error().ToString();
  const Bytes kp_ref = MakeKeyPackageRef(cs, *key_package);

  auto secrets = DecryptGroupSecrets(cs, *welcome, kp_ref, init_priv);
  EXPECT_TRUE(secrets.ok()) << secrets.error().ToString();
  if (!secrets.ok()) return false;
  EXPECT_TRUE(secrets->psks.empty()) << "the vectors carry no PSKs";
  const SecretBytes psk_secret(cs.nh);  // no PSKs: Nh zero bytes

  auto info = DecryptGroupInfo(cs, *welcome, secrets->joiner_secret.view(), psk_secret.view());
  EXPECT_TRUE(info.ok()) << info.error().ToString();
  if (!info.ok()) return false;

  auto epoch = KeyScheduleEpoch::FromJoinerSecret(
      cs, secrets->joiner_secret.view(), psk_secret.view(), tls::Encode(info->group_context));
  EXPECT_TRUE(epoch.ok());
  if (!epoch.ok()) return false;
  const bool tag_ok = VerifyGroupInfoConfirmationTag(*epoch, *info).ok();
  EXPECT_TRUE(tag_ok) << "confirmation_tag";
  const bool sig_ok = VerifyGroupInfoSignature(cs, *info, signer_pub).ok();
  EXPECT_TRUE(sig_ok) << "GroupInfo signature";
  GroupInfo tampered = *info;
  tampered.signer ^= 1;
  EXPECT_FALSE(VerifyGroupInfoSignature(cs, tampered, signer_pub).ok());

  // Sender side: encrypt the same GroupInfo and GroupSecrets again; the joiner opens them.
  auto egi = EncryptGroupInfo(cs, *info, epoch->welcome_secret());
  EXPECT_TRUE(egi.ok());
  if (!egi.ok()) return false;
  auto egs = EncryptGroupSecrets(cs, *key_package, *secrets, *egi);
  EXPECT_TRUE(egs.ok());
  if (!egs.ok()) return false;
  Welcome ours;
  ours.cipher_suite = cs.suite;
  ours.secrets.push_back(std::move(*egs));
  ours.encrypted_group_info = std::move(*egi);
  auto secrets2 = DecryptGroupSecrets(cs, ours, kp_ref, init_priv);
  EXPECT_TRUE(secrets2.ok());
  if (!secrets2.ok()) return false;
  auto info2 = DecryptGroupInfo(cs, ours, secrets2->joiner_secret.view(), psk_secret.view());
  const bool round_trip = info2.ok() && *info2 == *info;
  EXPECT_TRUE(round_trip) << "sender-side round trip";
  return kp_valid.ok() && tag_ok && sig_ok && round_trip;
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

// PrivateKey reads an HPKE private key field; the vectors write P-521 scalars as minimal
// integers (65 bytes when the top byte is zero), SerializePrivateKey is always 66 bytes.
Bytes PrivateKey(const CipherSuiteParams& cs, const json& field) {
  Bytes key = Hex(field);
  if (cs.suite == CipherSuite::MLS_256_DHKEMP521_AES256GCM_SHA512_P521 && key.size() < 66) {
    key.insert(key.begin(), 66 - key.size(), 0);
  }
  return key;
}

// Every KeyPackage of the passive-client vectors (real clients' KeyPackages, all 7 suites)
// validates at its not_before, its init key opens its GroupSecrets from the case's Welcome
// (DecryptGroupSecrets by MakeKeyPackageRef), and the given private keys match its public keys.
TEST(MlsWelcomeScheduleTest, PassiveClientKeyPackages) {
  for (const char* file : {"passive-client-welcome.json", "passive-client-handling-commit.json"}) {
    const json cases = testing::LoadVectors(file);
    testing::Tally tally(std::string(file) + " (KeyPackage, GroupSecrets)");
    for (const json& c : cases) {
      const CipherSuiteParams* cs = testing::Suite(c);
      ASSERT_NE(cs, nullptr);
      SCOPED_TRACE("suite " + std::to_string(static_cast<unsigned>(cs->suite)));
      auto kp = MessageOf<KeyPackage>(Hex(c.at("key_package")));
      auto welcome = MessageOf<Welcome>(Hex(c.at("welcome")));
      ASSERT_TRUE(kp.ok() && welcome.ok());
      const Bytes init_priv = PrivateKey(*cs, c.at("init_priv"));
      const Status valid = ValidateKeyPackage(*cs, *kp, kp->leaf_node.lifetime.not_before);
      EXPECT_TRUE(valid.ok()) << valid.error().ToString();
      auto secrets = DecryptGroupSecrets(*cs, *welcome, MakeKeyPackageRef(*cs, *kp), init_priv);
      EXPECT_TRUE(secrets.ok()) << secrets.error().ToString();
      auto init_pub = crypto::PublicKeyFromPrivate(cs->kem, init_priv);
      auto enc_pub =
          crypto::PublicKeyFromPrivate(cs->kem, PrivateKey(*cs, c.at("encryption_priv")));
      const bool keys_match = init_pub.ok() && *init_pub == kp->init_key && enc_pub.ok() &&
                              *enc_pub == kp->leaf_node.encryption_key;
      EXPECT_TRUE(keys_match);
      tally.Add(static_cast<uint16_t>(cs->suite), valid.ok() && secrets.ok() && keys_match);
    }
    tally.Report();
    ASSERT_GT(tally.run(), 0u);
  }
}

}  // namespace
}  // namespace candor::mls
