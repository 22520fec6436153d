// key_package_ops.h: CreateKeyPackage output validates and survives the wire; every rule of
// ValidateKeyPackage (RFC 9420 §10.1) rejects a KeyPackage that breaks it; hash references.
#include "candor/mls/key_package_ops.h"

#include <gtest/gtest.h>

#include <string>

#include "candor/base/tls.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"

namespace candor::mls {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

Credential Basic(const std::string& name) {
  Credential c;
  c.credential_type = CredentialType::basic;
  c.identity = Bytes(name.begin(), name.end());
  return c;
}

class KeyPackageOpsTest : public ::testing::TestWithParam<CipherSuite> {
 protected:
  KeyPackageOpsTest()
      : cs_(**GetCipherSuiteParams(GetParam())),
        key_(crypto::SignaturePrivateKey::Generate(cs_.signature)) {}

  KeyPackageWithKeys Make() {
    auto kp = CreateKeyPackage(cs_, key_, Basic("alice"), Lifetime{kNow - 10, kNow + 10},
                               {Extension{0xff01, {1}}}, {Extension{0xff02, {2}}});
    EXPECT_TRUE(kp.ok()) << kp.error().ToString();
    return std::move(*kp);
  }

  // Resign re-signs `kp` after a change, so only the changed rule can fail.
  void Resign(KeyPackage& kp) {
    LeafNodeTBS tbs;
    tbs.leaf_node = kp.leaf_node;
    kp.leaf_node.signature = *SignWithLabel(cs_, key_, "LeafNodeTBS", tls::Encode(tbs));
    kp.signature = *SignWithLabel(cs_, key_, "KeyPackageTBS", tls::Encode(KeyPackageTBS::Of(kp)));
  }

  void ExpectRejected(const KeyPackage& kp, Errc code, uint64_t now = kNow) {
    Status s = ValidateKeyPackage(cs_, kp, now);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, code) << s.error().ToString();
  }

  const CipherSuiteParams& cs_;
  crypto::SignaturePrivateKey key_;
};

TEST_P(KeyPackageOpsTest, CreatedKeyPackageValidates) {
  KeyPackageWithKeys kp = Make();
  Status s = ValidateKeyPackage(cs_, kp.key_package, kNow);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto back = tls::DecodeExact<KeyPackage>(tls::Encode(kp.key_package));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, kp.key_package);
  // The private keys match the public ones.
  EXPECT_EQ(*crypto::PublicKeyFromPrivate(cs_.kem, kp.init_private_key.view()),
            kp.key_package.init_key);
  EXPECT_EQ(*crypto::PublicKeyFromPrivate(cs_.kem, kp.encryption_private_key.view()),
            kp.key_package.leaf_node.encryption_key);
  const Capabilities& caps = kp.key_package.leaf_node.capabilities;
  EXPECT_EQ(caps.cipher_suites, std::vector<CipherSuite>{cs_.suite});
  EXPECT_EQ(caps.extensions, std::vector<ExtensionType>{0xff02});
  EXPECT_TRUE(caps.proposals.empty());  // defaults are not listed (§7.2)
  // References: Nh bytes, distinct for distinct KeyPackages.
  const Bytes ref = MakeKeyPackageRef(cs_, kp.key_package);
  EXPECT_EQ(ref.size(), cs_.nh);
  EXPECT_NE(ref, MakeKeyPackageRef(cs_, Make().key_package));
}

TEST_P(KeyPackageOpsTest, EachRuleRejects) {
  const KeyPackage good = Make().key_package;
  KeyPackage kp = good;
  kp.signature.back() ^= 1;
  ExpectRejected(kp, Errc::kVerifyFailed);
  kp = good;
  kp.leaf_node.signature.back() ^= 1;
  ExpectRejected(kp, Errc::kVerifyFailed);
  kp = good;
  kp.extensions.clear();  // not re-signed
  ExpectRejected(kp, Errc::kVerifyFailed);

  ExpectRejected(good, Errc::kMalformed, kNow + 11);  // expired
  ExpectRejected(good, Errc::kMalformed, kNow - 11);  // not yet valid
  kp = good;
  kp.init_key = kp.leaf_node.encryption_key;
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
  kp = good;
  kp.leaf_node.leaf_node_source = LeafNodeSource::update;
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
  kp = good;
  kp.cipher_suite = cs_.suite == CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519
                        ? CipherSuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519
                        : CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
  kp = good;
  kp.init_key.back() ^= 0xff;
  kp.init_key.pop_back();
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
  kp = good;
  kp.leaf_node.capabilities.credentials.clear();
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
  kp = good;
  kp.leaf_node.capabilities.extensions.clear();
  Resign(kp);
  ExpectRejected(kp, Errc::kMalformed);
}

TEST_P(KeyPackageOpsTest, CreateRejectsMisuse) {
  const auto other = cs_.signature == crypto::SignatureScheme::kEd25519
                         ? crypto::SignatureScheme::kEcdsaSecp256r1Sha256
                         : crypto::SignatureScheme::kEd25519;
  auto wrong_key = crypto::SignaturePrivateKey::Generate(other);
  EXPECT_EQ(CreateKeyPackage(cs_, wrong_key, Basic("a"), Lifetime{0, 1}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(CreateKeyPackage(cs_, key_, Basic("a"), Lifetime{2, 1}).error().code,
            Errc::kInvalidArgument);
}

TEST_P(KeyPackageOpsTest, ProposalRefIsRefHashOfAuthenticatedContent) {
  AuthenticatedContent ac;
  ac.content.group_id = {1};
  Proposal p;
  p.proposal = Remove{3};
  ac.content.content = p;
  ac.auth.signature = {9, 9};
  EXPECT_EQ(MakeProposalRef(cs_, ac), RefHash(cs_, "MLS 1.0 Proposal Reference", tls::Encode(ac)));
  EXPECT_EQ(MakeProposalRef(cs_, ac).size(), cs_.nh);
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, KeyPackageOpsTest,
    ::testing::Values(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519,
                      CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256,
                      CipherSuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519,
                      CipherSuite::MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448,
                      CipherSuite::MLS_256_DHKEMP521_AES256GCM_SHA512_P521,
                      CipherSuite::MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448,
                      CipherSuite::MLS_256_DHKEMP384_AES256GCM_SHA384_P384));

}  // namespace
}  // namespace candor::mls
