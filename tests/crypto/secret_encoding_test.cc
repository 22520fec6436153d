#include "candor/crypto/secret_encoding.h"

#include <gtest/gtest.h>

#include "candor/base/encoding.h"
#include "candor/crypto/random.h"

namespace candor::crypto {
namespace {

std::string Text(const SecretBytes& s) { return std::string(AsStringView(s.view())); }

TEST(SecretEncodingTest, EncodesAsBase64EncodeDoesAndDecodesBack) {
  for (size_t len = 0; len < 70; ++len) {
    const Bytes data = RandomBytes(len);
    const SecretBytes encoded = Base64EncodeSecret(data);
    ASSERT_EQ(Text(encoded), Base64Encode(data)) << len;
    auto decoded = Base64DecodeSecret(Text(encoded));
    ASSERT_TRUE(decoded.ok()) << len << ": " << decoded.error().message;
    EXPECT_EQ(Bytes(decoded->view().begin(), decoded->view().end()), data) << len;
  }
}

TEST(SecretEncodingTest, RefusesWhatBase64DecodeRefuses) {
  for (const char* bad : {"QR==",                // unused bits set: not canonical
                          "QQ=",                 // length not a multiple of 4
                          "QQ",                  // unpadded
                          "Q Q=",                // whitespace
                          "QQ==\n", "QUJD-A==",  // URL-safe alphabet
                          "=QQQ", "QQ=A"}) {
    auto got = Base64DecodeSecret(bad);
    EXPECT_FALSE(got.ok()) << bad;
    if (!got.ok()) {
      EXPECT_EQ(got.error().code, Errc::kMalformed) << bad;
      EXPECT_EQ(got.error().message.find(bad), std::string::npos) << "the input leaks: " << bad;
    }
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;  // the two codecs agree
  }
}

}  // namespace
}  // namespace candor::crypto
