// link_uri.h: the text of the QR code a linking device shows (docs/formats/messaging-api.md
// §2.1): kLinkUriPrefix, then the link code as `candor device link` prints it. Upper case, so
// that a QR reader's alphanumeric text and the code's own alphabet agree.
#pragma once

namespace candor::client {

inline constexpr char kLinkUriPrefix[] = "CANDOR-LINK:";

}  // namespace candor::client
