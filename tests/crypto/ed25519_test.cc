#include "candor/crypto/ed25519.h"

#include <gtest/gtest.h>

#include "candor/base/encoding.h"

namespace candor::crypto {
namespace {

// RFC 8032 §7.1 TEST 1 and TEST 2.
TEST(Ed25519Test, Rfc8032Vectors) {
  struct Case {
    const char* seed;
    const char* pub;
    const char* msg;
    const char* sig;
  } cases[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
       "9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f"
       "11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const Case& c : cases) {
    auto key = Ed25519PrivateKey::FromSeed(*HexDecode(c.seed));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(HexEncode(key->public_key()), c.pub);
    const Bytes msg = *HexDecode(c.msg);
    Ed25519Signature sig = key->Sign(msg);
    EXPECT_EQ(HexEncode(sig), c.sig);
    EXPECT_TRUE(Ed25519Verify(key->public_key(), msg, sig).ok());
    sig[0] ^= 1;
    auto bad = Ed25519Verify(key->public_key(), msg, sig);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::kVerifyFailed);
  }
}

TEST(Ed25519Test, RejectsWrongLengths) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  const Bytes msg = {1};
  Ed25519Signature sig = key.Sign(msg);
  EXPECT_FALSE(Ed25519Verify(ByteView(key.public_key()).first(31), msg, sig).ok());
  EXPECT_FALSE(Ed25519Verify(key.public_key(), msg, ByteView(sig).first(63)).ok());
  EXPECT_EQ(Ed25519PrivateKey::FromSeed(Bytes(31)).error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
