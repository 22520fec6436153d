#include "candor/crypto/aead.h"

#include <gtest/gtest.h>

#include "candor/base/encoding.h"

namespace candor::crypto {
namespace {

constexpr AeadId kAll[] = {AeadId::kAes128Gcm, AeadId::kAes256Gcm, AeadId::kChaCha20Poly1305};

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

// RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 example.
TEST(AeadTest, ChaCha20Poly1305Rfc8439) {
  const Bytes key = Hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const Bytes nonce = Hex("070000004041424344454647");
  const Bytes aad = Hex("50515253c0c1c2c3c4c5c6c7");
  const std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  auto ct = AeadSeal(AeadId::kChaCha20Poly1305, key, nonce, aad, AsBytes(pt));
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(
      HexEncode(*ct),
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69"
      "da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad67594"
      "5585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
      "1ae10b594f09e26a7e902ecbd0600691");
  auto back = AeadOpen(AeadId::kChaCha20Poly1305, key, nonce, aad, *ct);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(AsStringView(back->view()), pt);
}

// McGrew-Viega GCM test case 3 (AES-128, 96-bit IV, no AAD), tag appended.
TEST(AeadTest, Aes128GcmTestCase3) {
  const Bytes key = Hex("feffe9928665731c6d6a8f9467308308");
  const Bytes nonce = Hex("cafebabefacedbaddecaf888");
  const Bytes pt =
      Hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
          "49a6b525b16aedf5aa0de657ba637b391aafd255");
  auto ct = AeadSeal(AeadId::kAes128Gcm, key, nonce, {}, pt);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(
      HexEncode(*ct),
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5a"
      "ac84aa051ba30b396a0aac973d58e091473f5985"
      "4d5c2af327cd64a62cf35abd2ba6fab4");
}

TEST(AeadTest, RoundTripAndTamper) {
  for (AeadId id : kAll) {
    const Bytes key(AeadKeySize(id), 0x42);
    const Bytes nonce(kAeadNonceSize, 0x24);
    const Bytes aad = {1, 2, 3};
    for (size_t len : {0u, 1u, 15u, 16u, 17u, 1000u}) {
      const Bytes pt(len, 0x5a);
      auto ct = AeadSeal(id, key, nonce, aad, pt);
      ASSERT_TRUE(ct.ok());
      ASSERT_EQ(ct->size(), len + kAeadTagSize);
      auto back = AeadOpen(id, key, nonce, aad, *ct);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(HexEncode(back->view()), HexEncode(pt));
      // Every single-bit flip, in body or tag, is rejected.
      for (size_t i = 0; i < ct->size(); i += 7) {
        Bytes bad = *ct;
        bad[i] ^= 0x01;
        auto r = AeadOpen(id, key, nonce, aad, bad);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
      }
      Bytes other_key = key;
      other_key[0] ^= 1;
      EXPECT_EQ(AeadOpen(id, other_key, nonce, aad, *ct).error().code, Errc::kVerifyFailed);
      Bytes other_nonce = nonce;
      other_nonce[11] ^= 1;
      EXPECT_EQ(AeadOpen(id, key, other_nonce, aad, *ct).error().code, Errc::kVerifyFailed);
      EXPECT_EQ(AeadOpen(id, key, nonce, {}, *ct).error().code, Errc::kVerifyFailed);
      // Truncation at every prefix.
      for (size_t n = 0; n < ct->size(); ++n) {
        auto r = AeadOpen(id, key, nonce, aad, ByteView(*ct).first(n));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
      }
    }
  }
}

TEST(AeadTest, Misuse) {
  EXPECT_EQ(AeadKeySize(AeadId::kAes128Gcm), 16u);
  EXPECT_EQ(AeadKeySize(AeadId::kAes256Gcm), 32u);
  EXPECT_EQ(AeadKeySize(AeadId::kChaCha20Poly1305), 32u);
  EXPECT_EQ(AeadKeySize(AeadId::kExportOnly), 0u);
  const Bytes key16(16), key32(32), nonce(12), short_nonce(8);
  EXPECT_EQ(AeadSeal(AeadId::kExportOnly, key16, nonce, {}, {}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(AeadSeal(AeadId::kAes128Gcm, key32, nonce, {}, {}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(AeadSeal(AeadId::kAes256Gcm, key16, nonce, {}, {}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(AeadSeal(AeadId::kChaCha20Poly1305, key32, short_nonce, {}, {}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(AeadOpen(AeadId::kAes128Gcm, key16, short_nonce, {}, Bytes(16)).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(AeadOpen(static_cast<AeadId>(7), key16, nonce, {}, Bytes(16)).error().code,
            Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
