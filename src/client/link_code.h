// link_code.h: the one-time code that links a device (docs/formats/messaging-api.md §2.1): 10
// random bytes shown as 16 characters of a 32-letter alphabet in groups of four, and the
// rendezvous id and key both devices derive from it.
#pragma once

#include <string>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/client/link_uri.h"

namespace candor::client {

inline constexpr size_t kLinkCodeBytes = 10;  // 80 bits

// FormatLinkCode renders kLinkCodeBytes as "XXXX-XXXX-XXXX-XXXX".
std::string FormatLinkCode(ByteView secret);
// ParseLinkCode reads a code back, with or without kLinkUriPrefix: case-insensitive, '-' and
// spaces ignored; kInvalidArgument for a character outside the alphabet or a wrong length.
Result<SecretBytes> ParseLinkCode(const std::string& code);

// LinkKeys are what both devices derive from a code.
struct LinkKeys {
  std::string id_hex;  // the mailbox id, 16 bytes in hex
  SecretBytes key;     // the sealing key, 32 bytes
};
// DeriveLinkKeys parses `code` and derives its keys (HKDF-SHA256, salt "candor link v1").
Result<LinkKeys> DeriveLinkKeys(const std::string& code);

}  // namespace candor::client
