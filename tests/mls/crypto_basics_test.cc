// RFC 9420 §5 labeled crypto against the official crypto-basics.json vectors (all 7 suites),
// plus unit tests of the suite lookup and of every failure path.
#include <gtest/gtest.h>

#include <string>

#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

std::string Label(const json& j) { return j.at("label").get<std::string>(); }

uint16_t Length(const json& j) { return j.at("length").get<uint16_t>(); }

bool IsEdDsa(crypto::SignatureScheme s) {
  return s == crypto::SignatureScheme::kEd25519 || s == crypto::SignatureScheme::kEd448;
}

bool CheckSignWithLabel(const CipherSuiteParams& cs, const json& v) {
  bool ok = true;
  const Bytes pub = Hex(v.at("pub"));
  const Bytes content = Hex(v.at("content"));
  const Bytes signature = Hex(v.at("signature"));
  const std::string label = Label(v);
  // The vector's signature verifies; a flipped bit, other content or other label do not.
  Status st = VerifyWithLabel(cs, pub, label, content, signature);
  EXPECT_TRUE(st.ok()) << "VerifyWithLabel(vector signature)";
  ok = ok && st.ok();
  Bytes bad = signature;
  bad[bad.size() / 2] ^= 0x01;
  st = VerifyWithLabel(cs, pub, label, content, bad);
  EXPECT_FALSE(st.ok());
  ok = ok && !st.ok() && st.error().code == Errc::kVerifyFailed;
  ok = ok && !VerifyWithLabel(cs, pub, label + "x", content, signature).ok();
  // Our own signature from the vector's key verifies (and equals it for deterministic EdDSA).
  auto key = crypto::SignaturePrivateKey::FromBytes(cs.signature, Hex(v.at("priv")));
  EXPECT_TRUE(key.ok());
  if (!key.ok()) return false;
  ok = Same(key->public_key(), v.at("pub"), "signature public key") && ok;
  auto sig = SignWithLabel(cs, *key, label, content);
  EXPECT_TRUE(sig.ok());
  if (!sig.ok()) return false;
  const bool verifies = VerifyWithLabel(cs, pub, label, content, *sig).ok();
  EXPECT_TRUE(verifies) << "VerifyWithLabel(SignWithLabel(...))";
  ok = ok && verifies;
  if (IsEdDsa(cs.signature)) ok = Same(*sig, v.at("signature"), "EdDSA signature") && ok;
  return ok;
}

bool CheckEncryptWithLabel(const CipherSuiteParams& cs, const json& v) {
  bool ok = true;
  const Bytes priv = Hex(v.at("priv"));
  const Bytes pub = Hex(v.at("pub"));
  const Bytes context = Hex(v.at("context"));
  const Bytes kem_output = Hex(v.at("kem_output"));
  const Bytes ciphertext = Hex(v.at("ciphertext"));
  const std::string label = Label(v);
  auto pt = DecryptWithLabel(cs, priv, label, context, kem_output, ciphertext);
  EXPECT_TRUE(pt.ok()) << "DecryptWithLabel(vector ciphertext)";
  if (!pt.ok()) return false;
  ok = Same(pt->view(), v.at("plaintext"), "DecryptWithLabel plaintext") && ok;
  // A wrong label or context is a decryption failure.
  auto wrong = DecryptWithLabel(cs, priv, label + "x", context, kem_output, ciphertext);
  ok = ok && !wrong.ok() && wrong.error().code == Errc::kVerifyFailed;
  // Round trip through our randomized EncryptWithLabel.
  const Bytes plaintext = Hex(v.at("plaintext"));
  auto ct = EncryptWithLabel(cs, pub, label, context, plaintext);
  EXPECT_TRUE(ct.ok());
  if (!ct.ok()) return false;
  auto back = DecryptWithLabel(cs, priv, label, context, ct->kem_output, ct->ciphertext);
  EXPECT_TRUE(back.ok()) << "round trip";
  if (!back.ok()) return false;
  return Same(back->view(), v.at("plaintext"), "round trip plaintext") && ok;
}

TEST(MlsCryptoBasicsTest, OfficialVectors) {
  const json cases = testing::LoadVectors("crypto-basics.json");
  testing::Tally tally("crypto-basics.json");
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    if (cs == nullptr) {
      tally.Add(c.at("cipher_suite").get<uint16_t>(), false);
      continue;
    }
    SCOPED_TRACE("cipher_suite " + std::to_string(static_cast<unsigned>(cs->suite)));
    bool ok = true;

    const json& rh = c.at("ref_hash");
    ok = Same(RefHash(*cs, Label(rh), Hex(rh.at("value"))), rh.at("out"), "RefHash") && ok;

    const json& ewl = c.at("expand_with_label");
    auto e = ExpandWithLabel(*cs, Hex(ewl.at("secret")), Label(ewl), Hex(ewl.at("context")),
                             Length(ewl));
    ok = e.ok() && Same(e->view(), ewl.at("out"), "ExpandWithLabel") && ok;

    const json& ds = c.at("derive_secret");
    auto d = DeriveSecret(*cs, Hex(ds.at("secret")), Label(ds));
    ok = d.ok() && Same(d->view(), ds.at("out"), "DeriveSecret") && ok;

    const json& dts = c.at("derive_tree_secret");
    auto t = DeriveTreeSecret(*cs, Hex(dts.at("secret")), Label(dts),
                              dts.at("generation").get<uint32_t>(), Length(dts));
    ok = t.ok() && Same(t->view(), dts.at("out"), "DeriveTreeSecret") && ok;

    ok = CheckSignWithLabel(*cs, c.at("sign_with_label")) && ok;
    ok = CheckEncryptWithLabel(*cs, c.at("encrypt_with_label")) && ok;
    tally.Add(static_cast<uint16_t>(cs->suite), ok);
  }
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

TEST(MlsCipherSuiteTest, LookupKnownAndUnknown) {
  for (uint16_t code = 1; code <= 7; ++code) {
    auto cs = GetCipherSuiteParams(code);
    ASSERT_TRUE(cs.ok()) << code;
    EXPECT_EQ(static_cast<uint16_t>((*cs)->suite), code);
    EXPECT_EQ((*cs)->nh, crypto::HashSize((*cs)->hash));
    EXPECT_EQ((*cs)->nk, crypto::AeadKeySize((*cs)->aead));
    EXPECT_EQ((*cs)->nn, crypto::kAeadNonceSize);
  }
  for (int code : {0x0000, 0x0008, 0x0A0A, 0xFFFF}) {
    auto cs = GetCipherSuiteParams(static_cast<uint16_t>(code));
    ASSERT_FALSE(cs.ok());
    EXPECT_EQ(cs.error().code, Errc::kInvalidArgument);
  }
  auto p384 = GetCipherSuiteParams(CipherSuite::MLS_256_DHKEMP384_AES256GCM_SHA384_P384);
  ASSERT_TRUE(p384.ok());
  EXPECT_EQ((*p384)->nh, 48);
  EXPECT_EQ((*p384)->kem, crypto::KemId::kP384);
}

TEST(MlsCipherSuiteTest, ExpandWithLabelRejectsMisuse) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes secret(32, 0x11);
  auto too_long = ExpandWithLabel(cs, secret, "x", {}, 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, Errc::kInvalidArgument);
  auto short_secret = DeriveSecret(cs, Bytes(16, 0x11), "x");
  ASSERT_FALSE(short_secret.ok());
  EXPECT_EQ(short_secret.error().code, Errc::kInvalidArgument);
}

TEST(MlsCipherSuiteTest, SignWithLabelRejectsKeyOfOtherScheme) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(2);  // P-256
  auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  auto sig = SignWithLabel(cs, key, "x", {});
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.error().code, Errc::kInvalidArgument);
}

TEST(MlsCipherSuiteTest, VerifyWithLabelBadKeyIsVerifyFailed) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(2);
  Status st = VerifyWithLabel(cs, Bytes(3, 0x04), "x", {}, Bytes(64, 0));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
}

}  // namespace
}  // namespace candor::mls
