// The code is a secret: characters are mapped to and from 5-bit values by scanning the whole
// alphabet with masks, so no branch or table index depends on it (house rule).
#include "link_code.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "candor/base/encoding.h"
#include "candor/crypto/hash.h"

namespace candor::client {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";  // no I, L, O, U

// EqMask is 0xFF when a == b, else 0, without a branch.
uint8_t EqMask(uint32_t a, uint32_t b) {
  const uint32_t x = a ^ b;
  return static_cast<uint8_t>(((x | (0U - x)) >> 31) - 1U);
}

char CharOf(uint32_t value) {
  uint8_t out = 0;
  for (uint32_t i = 0; i < 32; ++i) {
    out |= static_cast<uint8_t>(static_cast<uint8_t>(kAlphabet[i]) & EqMask(i, value));
  }
  return static_cast<char>(out);
}

// ValueOf maps a character (either case) to its 5-bit value; `found` is 0xFF if it is one.
uint32_t ValueOf(char c, uint8_t* found) {
  uint32_t u = static_cast<uint8_t>(c);
  const int32_t d = static_cast<int32_t>(u) - 'a';
  const uint32_t is_lower = static_cast<uint32_t>(~d & (d - 26)) >> 31;  // 0 <= d < 26
  u -= is_lower * 32U;
  uint32_t value = 0;
  uint8_t hit = 0;
  for (uint32_t i = 0; i < 32; ++i) {
    const uint8_t m = EqMask(u, static_cast<uint8_t>(kAlphabet[i]));
    value |= i & m;
    hit |= m;
  }
  *found = hit;
  return value;
}

}  // namespace

std::string FormatLinkCode(ByteView secret) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : secret) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      if (!out.empty() && (out.size() + 1) % 5 == 0) out += '-';
      out += CharOf((buffer >> bits) & 31U);
    }
  }
  SecureZero(&buffer, sizeof(buffer));
  return out;
}

Result<SecretBytes> ParseLinkCode(const std::string& code) {
  SecretBytes out(kLinkCodeBytes);
  uint32_t buffer = 0;
  int bits = 0;
  size_t n = 0;
  uint8_t all_found = 0xFF;
  // The text of the QR code is the code behind a fixed prefix (its length is not secret).
  std::string_view text(code);
  const std::string_view prefix = kLinkUriPrefix;
  if (text.size() >= prefix.size() &&
      std::equal(prefix.begin(), prefix.end(), text.begin(),
                 [](char a, char b) { return a == std::toupper(static_cast<unsigned char>(b)); })) {
    text.remove_prefix(prefix.size());
  }
  for (char c : text) {
    if (c == '-' || c == ' ') continue;  // separators are not secret
    uint8_t found = 0;
    buffer = (buffer << 5) | ValueOf(c, &found);
    all_found &= found;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (n >= kLinkCodeBytes)
        return MakeError(Errc::kInvalidArgument, "the link code is too long");
      out.data()[n++] = static_cast<uint8_t>(buffer >> bits);
    }
  }
  SecureZero(&buffer, sizeof(buffer));
  if (all_found != 0xFF) {
    return MakeError(Errc::kInvalidArgument,
                     "the link code has a character it cannot have (it uses A-Z without I, L, O, "
                     "U, and 0-9)");
  }
  if (n != kLinkCodeBytes) return MakeError(Errc::kInvalidArgument, "the link code is too short");
  return out;
}

Result<LinkKeys> DeriveLinkKeys(const std::string& code) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes secret, ParseLinkCode(code));
  const SecretBytes prk =
      crypto::HkdfExtract(crypto::HashId::kSha256, AsBytes("candor link v1"), secret.view());
  CANDOR_ASSIGN_OR_RETURN(
      SecretBytes id, crypto::HkdfExpand(crypto::HashId::kSha256, prk.view(), AsBytes("id"), 16));
  CANDOR_ASSIGN_OR_RETURN(
      SecretBytes key, crypto::HkdfExpand(crypto::HashId::kSha256, prk.view(), AsBytes("key"), 32));
  return LinkKeys{HexEncode(id.view()), std::move(key)};
}

}  // namespace candor::client
