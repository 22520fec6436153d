// welcome_ops.h: a Welcome made by the sender-side helpers is opened by the joiner-side ones
// (suite 1 and suite 2), and every tampered part is rejected with the documented code.
#include "candor/mls/welcome_ops.h"

#include <gtest/gtest.h>

#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/key_schedule.h"

namespace candor::mls {
namespace {

class WelcomeOpsTest : public ::testing::TestWithParam<CipherSuite> {
 protected:
  WelcomeOpsTest()
      : cs_(**GetCipherSuiteParams(GetParam())),
        committer_(crypto::SignaturePrivateKey::Generate(cs_.signature)),
        joiner_key_(crypto::SignaturePrivateKey::Generate(cs_.signature)) {
    Credential cred;
    cred.identity = {'b', 'o', 'b'};
    auto kp = CreateKeyPackage(cs_, joiner_key_, cred, Lifetime{0, ~uint64_t{0}});
    EXPECT_TRUE(kp.ok());
    joiner_ = std::move(*kp);
  }

  // Build makes a Welcome for the joiner as a committer would, and returns the epoch.
  Welcome Build() {
    GroupContext gc;
    gc.cipher_suite = cs_.suite;
    gc.group_id = {'g'};
    gc.epoch = 1;
    gc.tree_hash = Bytes(cs_.nh, 1);
    gc.confirmed_transcript_hash = Bytes(cs_.nh, 2);
    joiner_secret_ = SecretBytes(Bytes(cs_.nh, 3));
    const SecretBytes psk(cs_.nh);
    auto epoch =
        KeyScheduleEpoch::FromJoinerSecret(cs_, joiner_secret_.view(), psk.view(), tls::Encode(gc));
    EXPECT_TRUE(epoch.ok());
    GroupInfoTBS tbs;
    tbs.group_context = gc;
    tbs.confirmation_tag =
        ConfirmationTag(cs_, epoch->confirmation_key(), gc.confirmed_transcript_hash);
    tbs.signer = 0;
    auto info = SignGroupInfo(cs_, tbs, committer_);
    EXPECT_TRUE(info.ok());
    Welcome w;
    w.cipher_suite = cs_.suite;
    auto egi = EncryptGroupInfo(cs_, *info, epoch->welcome_secret());
    EXPECT_TRUE(egi.ok());
    w.encrypted_group_info = std::move(*egi);
    GroupSecrets secrets;
    secrets.joiner_secret = joiner_secret_.Clone();
    auto egs = EncryptGroupSecrets(cs_, joiner_.key_package, secrets, w.encrypted_group_info);
    EXPECT_TRUE(egs.ok());
    // Someone else's entry first: the joiner must find its own.
    EncryptedGroupSecrets other = *egs;
    other.new_member.back() ^= 1;
    w.secrets.push_back(std::move(other));
    w.secrets.push_back(std::move(*egs));
    return w;
  }

  Bytes Ref() const { return MakeKeyPackageRef(cs_, joiner_.key_package); }

  const CipherSuiteParams& cs_;
  crypto::SignaturePrivateKey committer_;
  crypto::SignaturePrivateKey joiner_key_;
  KeyPackageWithKeys joiner_;
  SecretBytes joiner_secret_;
};

TEST_P(WelcomeOpsTest, JoinerOpensWhatTheSenderMade) {
  const Welcome w = Build();
  auto secrets = DecryptGroupSecrets(cs_, w, Ref(), joiner_.init_private_key.view());
  ASSERT_TRUE(secrets.ok()) << secrets.error().ToString();
  const SecretBytes psk(cs_.nh);
  auto info = DecryptGroupInfo(cs_, w, secrets->joiner_secret.view(), psk.view());
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_TRUE(VerifyGroupInfoSignature(cs_, *info, committer_.public_key()).ok());
  EXPECT_EQ(VerifyGroupInfoSignature(cs_, *info, joiner_key_.public_key()).error().code,
            Errc::kVerifyFailed);
  auto epoch = KeyScheduleEpoch::FromJoinerSecret(cs_, secrets->joiner_secret.view(), psk.view(),
                                                  tls::Encode(info->group_context));
  ASSERT_TRUE(epoch.ok());
  EXPECT_TRUE(VerifyGroupInfoConfirmationTag(*epoch, *info).ok());
  GroupInfo bad = *info;
  bad.confirmation_tag.back() ^= 1;
  EXPECT_EQ(VerifyGroupInfoConfirmationTag(*epoch, bad).error().code, Errc::kVerifyFailed);
}

TEST_P(WelcomeOpsTest, TamperingIsRejected) {
  const Welcome good = Build();
  const Bytes init_priv(joiner_.init_private_key.view().begin(),
                        joiner_.init_private_key.view().end());
  Welcome w = good;
  w.secrets.pop_back();
  EXPECT_EQ(DecryptGroupSecrets(cs_, w, Ref(), init_priv).error().code, Errc::kNotFound);
  w = good;
  w.secrets.back().encrypted_group_secrets.ciphertext.back() ^= 1;
  EXPECT_EQ(DecryptGroupSecrets(cs_, w, Ref(), init_priv).error().code, Errc::kVerifyFailed);
  w = good;
  w.encrypted_group_info.back() ^= 1;  // the HPKE context binds encrypted_group_info
  EXPECT_EQ(DecryptGroupSecrets(cs_, w, Ref(), init_priv).error().code, Errc::kVerifyFailed);
  const SecretBytes psk(cs_.nh);
  EXPECT_EQ(DecryptGroupInfo(cs_, w, joiner_secret_.view(), psk.view()).error().code,
            Errc::kVerifyFailed);
  const Bytes wrong_joiner(cs_.nh, 4);
  EXPECT_EQ(DecryptGroupInfo(cs_, good, wrong_joiner, psk.view()).error().code,
            Errc::kVerifyFailed);
  w = good;
  w.cipher_suite = w.cipher_suite == CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256
                       ? CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
                       : CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256;
  EXPECT_EQ(DecryptGroupSecrets(cs_, w, Ref(), init_priv).error().code, Errc::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Suites, WelcomeOpsTest,
    ::testing::Values(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519,
                      CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256));

}  // namespace
}  // namespace candor::mls
