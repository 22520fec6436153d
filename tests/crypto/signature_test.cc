#include "candor/crypto/signature.h"

#include <gtest/gtest.h>

#include <string>

#include "candor/base/encoding.h"

namespace candor::crypto {
namespace {

constexpr SignatureScheme kAll[] = {
    SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
    SignatureScheme::kEcdsaSecp521r1Sha512, SignatureScheme::kEd25519, SignatureScheme::kEd448};

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

// RFC 8032 §7.1 TEST 1 (empty message).
TEST(SignatureTest, Ed25519Rfc8032Test1) {
  auto key = SignaturePrivateKey::FromBytes(
      SignatureScheme::kEd25519,
      Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
      "1cf9b46bd25bf5f0595bbe24655141438e7a100b";
  EXPECT_EQ(HexEncode(key->Sign({})), sig);
  EXPECT_TRUE(SignatureVerify(SignatureScheme::kEd25519, key->public_key(), {}, Hex(sig)).ok());
}

// RFC 8032 §7.4 "Blank" (Ed448, empty message, empty context).
TEST(SignatureTest, Ed448Rfc8032Blank) {
  auto key = SignaturePrivateKey::FromBytes(
      SignatureScheme::kEd448,
      Hex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc"
          "5b94492f8f032e7549a20098f95b"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->public_key()),
            "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd678"
            "3df1e50f6cd1fa1abeafe8256180");
  const std::string sig =
      "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22"
      "ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cd"
      "da8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600";
  EXPECT_EQ(HexEncode(key->Sign({})), sig);
  EXPECT_TRUE(SignatureVerify(SignatureScheme::kEd448, key->public_key(), {}, Hex(sig)).ok());
}

// RFC 6979 §A.2.5: P-256 key, SHA-256 signature of "sample" (r, s DER-encoded).
TEST(SignatureTest, EcdsaP256Rfc6979Sample) {
  auto key = SignaturePrivateKey::FromBytes(
      SignatureScheme::kEcdsaSecp256r1Sha256,
      Hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->public_key()),
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41a"
            "e9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  const Bytes sig = Hex(
      "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d"
      "657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  EXPECT_TRUE(SignatureVerify(SignatureScheme::kEcdsaSecp256r1Sha256, key->public_key(),
                              AsBytes("sample"), sig)
                  .ok());
  EXPECT_EQ(SignatureVerify(SignatureScheme::kEcdsaSecp256r1Sha256, key->public_key(),
                            AsBytes("samplf"), sig)
                .error()
                .code,
            Errc::kVerifyFailed);
  // Non-DER variants of the same (r, s) are refused: trailing byte, long-form length.
  Bytes trailing = sig;
  trailing.push_back(0);
  EXPECT_FALSE(SignatureVerify(SignatureScheme::kEcdsaSecp256r1Sha256, key->public_key(),
                               AsBytes("sample"), trailing)
                   .ok());
  Bytes long_form = {0x30, 0x81, 0x46};
  long_form.insert(long_form.end(), sig.begin() + 2, sig.end());
  EXPECT_FALSE(SignatureVerify(SignatureScheme::kEcdsaSecp256r1Sha256, key->public_key(),
                               AsBytes("sample"), long_form)
                   .ok());
}

// RFC 8032 §5.1.7 requires 0 <= S < L: the same signature with L added to S (still 32 bytes)
// must be refused, or signatures would be malleable.
TEST(SignatureTest, Ed25519RejectsNonCanonicalS) {
  SignaturePrivateKey key = SignaturePrivateKey::Generate(SignatureScheme::kEd25519);
  Bytes sig = key.Sign(AsBytes("m"));
  ASSERT_TRUE(SignatureVerify(SignatureScheme::kEd25519, key.public_key(), AsBytes("m"), sig).ok());
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  const Bytes l = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned sum = unsigned{sig[32 + i]} + unsigned{l[i]} + carry;
    sig[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);
  EXPECT_EQ(
      SignatureVerify(SignatureScheme::kEd25519, key.public_key(), AsBytes("m"), sig).error().code,
      Errc::kVerifyFailed);
}

// ECDSA signatures with r = 0 or s = 0, or r, s >= n, never verify.
TEST(SignatureTest, EcdsaRejectsDegenerateSignatures) {
  SignaturePrivateKey key = SignaturePrivateKey::Generate(SignatureScheme::kEcdsaSecp256r1Sha256);
  const std::string n = "00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
  const std::string sigs[] = {
      "3006020100020101",                     // r = 0
      "3006020101020100",                     // s = 0
      "3026020101022100" + n.substr(2),       // s = n (DER needs the leading 00: high bit set)
      "3026022100" + n.substr(2) + "020101",  // r = n
      "3000",                                 // empty SEQUENCE
      "",                                     // nothing
  };
  for (const std::string& hex : sigs) {
    EXPECT_EQ(SignatureVerify(SignatureScheme::kEcdsaSecp256r1Sha256, key.public_key(),
                              AsBytes("m"), Hex(hex))
                  .error()
                  .code,
              Errc::kVerifyFailed)
        << hex;
  }
}

TEST(SignatureTest, SignVerifyAllSchemes) {
  for (SignatureScheme scheme : kAll) {
    SignaturePrivateKey key = SignaturePrivateKey::Generate(scheme);
    EXPECT_EQ(key.scheme(), scheme);
    const Bytes sig = key.Sign(AsBytes("message"));
    EXPECT_TRUE(SignatureVerify(scheme, key.public_key(), AsBytes("message"), sig).ok());
    // Round trip of the private key format.
    auto again = SignaturePrivateKey::FromBytes(scheme, key.private_key());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(HexEncode(again->public_key()), HexEncode(key.public_key()));
    EXPECT_TRUE(SignatureVerify(scheme, key.public_key(), {}, again->Sign({})).ok());
    // Every failure is kVerifyFailed.
    auto expect_fail = [&](ByteView pk, ByteView msg, ByteView s) {
      auto r = SignatureVerify(scheme, pk, msg, s);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
      EXPECT_EQ(r.error().message, VerifyFailed().message);
    };
    expect_fail(key.public_key(), AsBytes("massage"), sig);
    for (size_t i = 0; i < sig.size(); i += 5) {
      Bytes bad = sig;
      bad[i] ^= 0x10;
      expect_fail(key.public_key(), AsBytes("message"), bad);
    }
    for (size_t n = 0; n < sig.size(); ++n) {
      expect_fail(key.public_key(), AsBytes("message"), ByteView(sig).first(n));
    }
    Bytes bad_pk = key.public_key();
    bad_pk.back() ^= 1;
    expect_fail(bad_pk, AsBytes("message"), sig);
    expect_fail(ByteView(key.public_key()).first(key.public_key().size() - 1), AsBytes("message"),
                sig);
    expect_fail({}, AsBytes("message"), sig);
    SignaturePrivateKey other = SignaturePrivateKey::Generate(scheme);
    expect_fail(other.public_key(), AsBytes("message"), sig);
  }
}

TEST(SignatureTest, PrivateKeyFormat) {
  for (SignatureScheme scheme : kAll) {
    SignaturePrivateKey key = SignaturePrivateKey::Generate(scheme);
    const size_t len = key.private_key().size();
    EXPECT_EQ(SignaturePrivateKey::FromBytes(scheme, Bytes(len + 1, 1)).error().code,
              Errc::kMalformed);
    EXPECT_EQ(SignaturePrivateKey::FromBytes(scheme, Bytes(len - 1, 1)).error().code,
              Errc::kMalformed);
  }
  // ECDSA scalars: zero and values >= the order are refused.
  for (SignatureScheme scheme :
       {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
        SignatureScheme::kEcdsaSecp521r1Sha512}) {
    const size_t len = SignaturePrivateKey::Generate(scheme).private_key().size();
    EXPECT_EQ(SignaturePrivateKey::FromBytes(scheme, Bytes(len, 0)).error().code, Errc::kMalformed);
    EXPECT_EQ(SignaturePrivateKey::FromBytes(scheme, Bytes(len, 0xff)).error().code,
              Errc::kMalformed);
  }
  EXPECT_EQ(SignaturePrivateKey::FromBytes(static_cast<SignatureScheme>(1), Bytes(32)).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(SignatureVerify(static_cast<SignatureScheme>(1), Bytes(32), {}, Bytes(64)).error().code,
            Errc::kVerifyFailed);
}

TEST(SignatureTest, MovedKeyStillSigns) {
  SignaturePrivateKey key = SignaturePrivateKey::Generate(SignatureScheme::kEd25519);
  const Bytes pk = key.public_key();
  SignaturePrivateKey moved = std::move(key);
  EXPECT_TRUE(
      SignatureVerify(SignatureScheme::kEd25519, pk, AsBytes("m"), moved.Sign(AsBytes("m"))).ok());
}

// The RFC 6979 A.2.5 P-256/SHA-256 "sample" signature in DER and in r||s form.
TEST(SignatureTest, EcdsaRawConversionKnownAnswer) {
  const Bytes der = Hex(
      "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d"
      "657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  const Bytes raw = Hex(
      "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6"
      "e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  auto to_raw = EcdsaSignatureToRaw(SignatureScheme::kEcdsaSecp256r1Sha256, der);
  ASSERT_TRUE(to_raw.ok());
  EXPECT_EQ(*to_raw, raw);
  auto to_der = EcdsaSignatureFromRaw(SignatureScheme::kEcdsaSecp256r1Sha256, raw);
  ASSERT_TRUE(to_der.ok());
  EXPECT_EQ(*to_der, der);
}

TEST(SignatureTest, EcdsaRawConversionRoundTripsFreshSignatures) {
  for (SignatureScheme scheme :
       {SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEcdsaSecp384r1Sha384,
        SignatureScheme::kEcdsaSecp521r1Sha512}) {
    const auto key = SignaturePrivateKey::Generate(scheme);
    for (int i = 0; i < 8; ++i) {  // some signatures have short r or s: padding is exercised
      const Bytes der = key.Sign(AsBytes("m"));
      auto raw = EcdsaSignatureToRaw(scheme, der);
      ASSERT_TRUE(raw.ok());
      EXPECT_EQ(raw->size(), 2 * key.private_key().size());
      auto back = EcdsaSignatureFromRaw(scheme, *raw);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, der);
      EXPECT_TRUE(SignatureVerify(scheme, key.public_key(), AsBytes("m"), *back).ok());
    }
  }
}

TEST(SignatureTest, EcdsaRawConversionRejectsBadInput) {
  const auto p256 = SignatureScheme::kEcdsaSecp256r1Sha256;
  const Bytes der = Hex(
      "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d"
      "657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(EcdsaSignatureToRaw(p256, trailing).error().code, Errc::kMalformed);
  Bytes long_form = {0x30, 0x81, 0x46};
  long_form.insert(long_form.end(), der.begin() + 2, der.end());
  EXPECT_EQ(EcdsaSignatureToRaw(p256, long_form).error().code, Errc::kMalformed);
  for (size_t cut = 0; cut < der.size(); ++cut) {
    EXPECT_EQ(EcdsaSignatureToRaw(p256, ByteView(der).first(cut)).error().code, Errc::kMalformed)
        << cut;
  }
  // A 33-byte r (valid DER, too large for P-256) is refused.
  const Bytes big_r =
      Hex("30270222010000000000000000000000000000000000000000000000000000000000000000010201"
          "01");
  EXPECT_EQ(EcdsaSignatureToRaw(p256, big_r).error().code, Errc::kMalformed);
  EXPECT_EQ(EcdsaSignatureFromRaw(p256, Bytes(63)).error().code, Errc::kMalformed);
  EXPECT_EQ(EcdsaSignatureFromRaw(p256, Bytes(65)).error().code, Errc::kMalformed);
  EXPECT_EQ(EcdsaSignatureFromRaw(SignatureScheme::kEd25519, Bytes(64)).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(EcdsaSignatureToRaw(SignatureScheme::kEd25519, der).error().code,
            Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
