// The link code a person types or a camera reads from the QR code: both forms give the same
// secret; anything else is refused.
#include "src/client/link_code.h"

#include <gtest/gtest.h>

namespace candor::client {
namespace {

TEST(LinkCodeTest, TheQrTextAndTheTypedCodeGiveTheSameSecret) {
  const Bytes secret = {0xd7, 0xf1, 0x07, 0x7b, 0xd1, 0x04, 0x19, 0x13, 0xa0, 0x94};
  const std::string code = FormatLinkCode(secret);
  ASSERT_EQ(code.size(), 19u);
  for (const std::string& form :
       {code, std::string(kLinkUriPrefix) + code, "candor-link:" + code}) {
    auto parsed = ParseLinkCode(form);
    ASSERT_TRUE(parsed.ok()) << form << ": " << parsed.error().ToString();
    EXPECT_EQ(Bytes(parsed->view().begin(), parsed->view().end()), secret) << form;
    auto keys = DeriveLinkKeys(form);
    auto typed = DeriveLinkKeys(code);
    ASSERT_TRUE(keys.ok() && typed.ok());
    EXPECT_EQ(keys->id_hex, typed->id_hex);
  }
  // Another prefix is not the QR text: its letters are not in the code's alphabet or too many.
  EXPECT_FALSE(ParseLinkCode("CANDOR-LINX:" + code).ok());
  EXPECT_FALSE(ParseLinkCode("http://x/" + code).ok());
}

}  // namespace
}  // namespace candor::client
