// group_info.h: RFC 9420 §12.4.3 GroupInfo and the GroupInfoTBS signed over it. Encoding only.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/extensions.h"
#include "candor/mls/group_context.h"

namespace candor::mls {

// RFC 9420 §12.4.3: struct { GroupContext group_context; Extension extensions<V>;
//   MAC confirmation_tag; uint32 signer; opaque signature<V>; } GroupInfo;
// MAC is `opaque MAC<V>` (§6.1).
struct GroupInfo {
  GroupContext group_context;
  std::vector<Extension> extensions;
  Bytes confirmation_tag;
  uint32_t signer = 0;
  Bytes signature;

  // Decode reads a GroupInfo; kMalformed names the field on bad input.
  static Result<GroupInfo> Decode(tls::Reader& r);
  // Encode writes the GroupInfo.
  void Encode(tls::Writer& w) const;
  bool operator==(const GroupInfo&) const = default;
};

// RFC 9420 §12.4.3: struct { GroupContext group_context; Extension extensions<V>;
//   MAC confirmation_tag; uint32 signer; } GroupInfoTBS;
struct GroupInfoTBS {
  GroupContext group_context;
  std::vector<Extension> extensions;
  Bytes confirmation_tag;
  uint32_t signer = 0;

  // Of copies every field of `info` except the signature.
  static GroupInfoTBS Of(const GroupInfo& info);
  // Decode reads a GroupInfoTBS; kMalformed names the field on bad input.
  static Result<GroupInfoTBS> Decode(tls::Reader& r);
  // Encode writes the to-be-signed bytes for SignWithLabel(., "GroupInfoTBS", .).
  void Encode(tls::Writer& w) const;
  bool operator==(const GroupInfoTBS&) const = default;
};

}  // namespace candor::mls
