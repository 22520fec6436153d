// HPKE and signatures against the MLS working group's crypto-basics.json (see
// tests/vectors/mls/README.md): DecryptWithLabel and SignWithLabel /
// VerifyWithLabel for all seven MLS cipher suites, which reach X448, P-384, Ed448 and ECDSA
// P-384/P-521 (not in RFC 9180 Appendix A). The RFC 9420 §5.1.2/§5.1.3 label structs are built
// here by hand; the MLS layer owns the real encoders.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/signature.h"

namespace candor::crypto {
namespace {

using nlohmann::json;

const std::string kVectors =
    std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/mls/crypto-basics.json";

struct MlsSuite {
  HpkeSuite hpke;
  SignatureScheme signature;
};

// SuiteOf maps an RFC 9420 §17.1 cipher suite to its HPKE suite and signature scheme.
bool SuiteOf(uint16_t cs, MlsSuite& out) {
  switch (cs) {
    case 1:
      out = {{KemId::kX25519, KdfId::kHkdfSha256, AeadId::kAes128Gcm}, SignatureScheme::kEd25519};
      return true;
    case 2:
      out = {{KemId::kP256, KdfId::kHkdfSha256, AeadId::kAes128Gcm},
             SignatureScheme::kEcdsaSecp256r1Sha256};
      return true;
    case 3:
      out = {{KemId::kX25519, KdfId::kHkdfSha256, AeadId::kChaCha20Poly1305},
             SignatureScheme::kEd25519};
      return true;
    case 4:
      out = {{KemId::kX448, KdfId::kHkdfSha512, AeadId::kAes256Gcm}, SignatureScheme::kEd448};
      return true;
    case 5:
      out = {{KemId::kP521, KdfId::kHkdfSha512, AeadId::kAes256Gcm},
             SignatureScheme::kEcdsaSecp521r1Sha512};
      return true;
    case 6:
      out = {{KemId::kX448, KdfId::kHkdfSha512, AeadId::kChaCha20Poly1305},
             SignatureScheme::kEd448};
      return true;
    case 7:
      out = {{KemId::kP384, KdfId::kHkdfSha384, AeadId::kAes256Gcm},
             SignatureScheme::kEcdsaSecp384r1Sha384};
      return true;
    default:
      return false;
  }
}

Bytes Hex(const json& j, const char* field) {
  auto b = HexDecode(j.at(field).get<std::string>());
  EXPECT_TRUE(b.ok()) << field;
  return b.ok() ? *b : Bytes();
}

// AppendOpaqueV appends an RFC 9420 §2.1.2 variable-length vector (varint length prefix).
void AppendOpaqueV(Bytes& out, ByteView v) {
  const size_t n = v.size();
  if (n < 64) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 16384) {
    out.push_back(static_cast<uint8_t>(0x40 | (n >> 8)));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(static_cast<uint8_t>(0x80 | (n >> 24)));
    out.push_back(static_cast<uint8_t>(n >> 16));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
  out.insert(out.end(), v.begin(), v.end());
}

// LabeledStruct is `struct { opaque label<V> = "MLS 1.0 " + Label; opaque x<V>; }`, the shape
// of both EncryptContext (§5.1.3) and SignContent (§5.1.2).
Bytes LabeledStruct(const std::string& label, ByteView x) {
  Bytes out;
  const std::string full = "MLS 1.0 " + label;
  AppendOpaqueV(out, AsBytes(full));
  AppendOpaqueV(out, x);
  return out;
}

TEST(MlsCryptoBasicsTest, DecryptWithLabel) {
  auto data = ReadFile(kVectors);
  ASSERT_TRUE(data.ok()) << kVectors;
  size_t num_cases = 0, num_passed = 0;
  for (const json& v : json::parse(AsStringView(*data))) {
    ++num_cases;
    MlsSuite suite;
    ASSERT_TRUE(SuiteOf(v.at("cipher_suite").get<uint16_t>(), suite));
    const json& e = v.at("encrypt_with_label");
    const std::string where = "suite " + v.at("cipher_suite").dump();
    const Bytes priv = Hex(e, "priv");
    auto pub = PublicKeyFromPrivate(suite.hpke.kem, priv);
    EXPECT_TRUE(pub.ok() && HexEncode(*pub) == e.at("pub")) << where << ": pub";
    const Bytes info = LabeledStruct(e.at("label").get<std::string>(), Hex(e, "context"));
    auto pt = HpkeOpenBase(suite.hpke, Hex(e, "kem_output"), priv, info, {}, Hex(e, "ciphertext"));
    EXPECT_TRUE(pt.ok()) << where << ": OpenBase";
    const bool ok = pt.ok() && pub.ok() && HexEncode(pt->view()) == e.at("plaintext") &&
                    HexEncode(*pub) == e.at("pub");
    EXPECT_TRUE(ok) << where;
    // Our own SealBase output must open with the same key.
    auto sealed = HpkeSealBase(suite.hpke, Hex(e, "pub"), info, {}, Hex(e, "plaintext"));
    ASSERT_TRUE(sealed.ok());
    auto again = HpkeOpenBase(suite.hpke, sealed->kem_output, priv, info, {}, sealed->ciphertext);
    EXPECT_TRUE(again.ok() && HexEncode(again->view()) == e.at("plaintext")) << where;
    if (ok && again.ok()) ++num_passed;
  }
  std::printf("mls crypto-basics.json encrypt_with_label: %zu cases run / %zu passed\n", num_cases,
              num_passed);
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_passed, num_cases);
}

TEST(MlsCryptoBasicsTest, SignWithLabel) {
  auto data = ReadFile(kVectors);
  ASSERT_TRUE(data.ok()) << kVectors;
  size_t num_cases = 0, num_passed = 0;
  for (const json& v : json::parse(AsStringView(*data))) {
    ++num_cases;
    MlsSuite suite;
    ASSERT_TRUE(SuiteOf(v.at("cipher_suite").get<uint16_t>(), suite));
    const json& s = v.at("sign_with_label");
    const std::string where = "suite " + v.at("cipher_suite").dump();
    const Bytes tbs = LabeledStruct(s.at("label").get<std::string>(), Hex(s, "content"));
    const Bytes pub = Hex(s, "pub");
    const Bytes sig = Hex(s, "signature");
    bool ok = SignatureVerify(suite.signature, pub, tbs, sig).ok();
    EXPECT_TRUE(ok) << where << ": verify";
    auto key = SignaturePrivateKey::FromBytes(suite.signature, Hex(s, "priv"));
    ASSERT_TRUE(key.ok()) << where;
    ok = ok && HexEncode(key->public_key()) == s.at("pub");
    EXPECT_EQ(HexEncode(key->public_key()), s.at("pub").get<std::string>()) << where;
    const Bytes ours = key->Sign(tbs);
    if (suite.signature == SignatureScheme::kEd25519 ||
        suite.signature == SignatureScheme::kEd448) {
      // EdDSA is deterministic: the same bytes.
      ok = ok && HexEncode(ours) == s.at("signature");
      EXPECT_EQ(HexEncode(ours), s.at("signature").get<std::string>()) << where;
    }
    const bool ours_ok = SignatureVerify(suite.signature, pub, tbs, ours).ok();
    EXPECT_TRUE(ours_ok) << where;
    Bytes other = tbs;
    other.back() ^= 1;
    const bool rejects = !SignatureVerify(suite.signature, pub, other, sig).ok();
    EXPECT_TRUE(rejects) << where;
    if (ok && ours_ok && rejects) ++num_passed;
  }
  std::printf("mls crypto-basics.json sign_with_label: %zu cases run / %zu passed\n", num_cases,
              num_passed);
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_passed, num_cases);
}

}  // namespace
}  // namespace candor::crypto
