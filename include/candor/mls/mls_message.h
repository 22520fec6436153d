// mls_message.h: RFC 9420 §6 MLSMessage, the envelope of every MLS wire format.
#pragma once

#include <variant>

#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/group_info.h"
#include "candor/mls/key_package.h"
#include "candor/mls/welcome.h"

namespace candor::mls {

// RFC 9420 §6: struct { ProtocolVersion version = mls10; WireFormat wire_format;
//   select (MLSMessage.wire_format) { case mls_public_message: PublicMessage public_message;
//     case mls_private_message: PrivateMessage private_message; case mls_welcome: Welcome welcome;
//     case mls_group_info: GroupInfo group_info; case mls_key_package: KeyPackage key_package; };
// } MLSMessage;
// Decoding never reads past its input and never reserves from an untrusted count, but the
// decoded value can take a few hundred times the input's size (see RatchetTree, Commit):
// bound the message size (e.g. the transport's body limit) before calling Decode.
struct MLSMessage {
  ProtocolVersion version = ProtocolVersion::mls10;
  // The alternative is the wire_format, in WireFormat order.
  std::variant<PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage> message;

  // wire_format is the WireFormat the alternative stands for.
  WireFormat wire_format() const;

  // Decode reads an MLSMessage; a version other than mls10 or an unknown wire_format is
  // kMalformed.
  static Result<MLSMessage> Decode(tls::Reader& r);
  // Encode writes the MLSMessage.
  void Encode(tls::Writer& w) const;
  bool operator==(const MLSMessage&) const = default;
};

}  // namespace candor::mls
