#include "candor/crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "candor/base/encoding.h"

namespace candor::crypto {
namespace {

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

TEST(HashTest, Sizes) {
  EXPECT_EQ(HashSize(HashId::kSha256), 32u);
  EXPECT_EQ(HashSize(HashId::kSha384), 48u);
  EXPECT_EQ(HashSize(HashId::kSha512), 64u);
}

// FIPS 180-4 examples ("abc").
TEST(HashTest, KnownAnswers) {
  EXPECT_EQ(HexEncode(Hash(HashId::kSha256, AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      HexEncode(Hash(HashId::kSha384, AsBytes("abc"))),
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
      "34c825a7");
  EXPECT_EQ(
      HexEncode(Hash(HashId::kSha512, AsBytes("abc"))),
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
      "a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(HexEncode(Hash(HashId::kSha256, ByteView())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231 test case 1: key = 0x0b * 20, data = "Hi There".
TEST(HmacTest, Rfc4231Case1) {
  const Bytes key(20, 0x0b);
  EXPECT_EQ(HexEncode(Hmac(HashId::kSha256, key, AsBytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(
      HexEncode(Hmac(HashId::kSha384, key, AsBytes("Hi There"))),
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8"
      "b2fa9cb6");
  EXPECT_EQ(
      HexEncode(Hmac(HashId::kSha512, key, AsBytes("Hi There"))),
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274e"
      "aea3f4e4be9d914eeb61f1702e696c203a126854");
}

// RFC 5869 Appendix A.1 (basic case with SHA-256).
TEST(HkdfTest, Rfc5869Case1) {
  const Bytes ikm(22, 0x0b);
  const Bytes salt = Hex("000102030405060708090a0b0c");
  const Bytes info = Hex("f0f1f2f3f4f5f6f7f8f9");
  SecretBytes prk = HkdfExtract(HashId::kSha256, salt, ikm);
  EXPECT_EQ(HexEncode(prk.view()),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  auto okm = HkdfExpand(HashId::kSha256, prk.view(), info, 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(HexEncode(okm->view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 Appendix A.3: empty salt and info.
TEST(HkdfTest, Rfc5869Case3EmptySaltAndInfo) {
  const Bytes ikm(22, 0x0b);
  SecretBytes prk = HkdfExtract(HashId::kSha256, {}, ikm);
  EXPECT_EQ(HexEncode(prk.view()),
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  auto okm = HkdfExpand(HashId::kSha256, prk.view(), {}, 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(HexEncode(okm->view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

// HKDF-Extract is HMAC(salt, ikm); an empty salt equals HashLen zero bytes; empty ikm works.
TEST(HkdfTest, ExtractIsHmac) {
  for (HashId id : {HashId::kSha256, HashId::kSha384, HashId::kSha512}) {
    const Bytes ikm = {1, 2, 3};
    EXPECT_EQ(HexEncode(HkdfExtract(id, {}, ikm).view()),
              HexEncode(Hmac(id, Bytes(HashSize(id), 0), ikm)));
    EXPECT_EQ(HexEncode(HkdfExtract(id, AsBytes("salt"), {}).view()),
              HexEncode(Hmac(id, AsBytes("salt"), {})));
  }
}

TEST(HkdfTest, ExpandLimits) {
  for (HashId id : {HashId::kSha256, HashId::kSha384, HashId::kSha512}) {
    const Bytes prk(HashSize(id), 7);
    auto max = HkdfExpand(id, prk, {}, 255 * HashSize(id));
    ASSERT_TRUE(max.ok());
    EXPECT_EQ(max->size(), 255 * HashSize(id));
    auto too_long = HkdfExpand(id, prk, {}, 255 * HashSize(id) + 1);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().code, Errc::kInvalidArgument);
    auto short_prk = HkdfExpand(id, ByteView(prk).first(HashSize(id) - 1), {}, 16);
    ASSERT_FALSE(short_prk.ok());
    EXPECT_EQ(short_prk.error().code, Errc::kInvalidArgument);
    auto empty = HkdfExpand(id, prk, {}, 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
    // A shorter output is a prefix of a longer one (T(1) || T(2) || ...).
    auto a = HkdfExpand(id, prk, AsBytes("x"), 10);
    auto b = HkdfExpand(id, prk, AsBytes("x"), 100);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(HexEncode(a->view()), HexEncode(b->view().first(10)));
  }
}

}  // namespace
}  // namespace candor::crypto
