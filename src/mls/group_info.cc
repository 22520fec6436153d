#include "candor/mls/group_info.h"

#include "codec_internal.h"

namespace candor::mls {

Result<GroupInfoTBS> GroupInfoTBS::Decode(tls::Reader& r) {
  GroupInfoTBS t;
  CANDOR_ASSIGN_OR_RETURN(t.group_context, GroupContext::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(t.extensions, DecodeExtensions(r, "GroupInfo.extensions"));
  CANDOR_ASSIGN_OR_RETURN(t.confirmation_tag,
                          internal::ReadOpaqueV(r, "GroupInfo.confirmation_tag"));
  CANDOR_ASSIGN_OR_RETURN(t.signer, r.U32("GroupInfo.signer"));
  return t;
}

void GroupInfoTBS::Encode(tls::Writer& w) const {
  group_context.Encode(w);
  EncodeExtensions(w, extensions);
  w.OpaqueV(confirmation_tag);
  w.U32(signer);
}

GroupInfoTBS GroupInfoTBS::Of(const GroupInfo& info) {
  return GroupInfoTBS{info.group_context, info.extensions, info.confirmation_tag, info.signer};
}

Result<GroupInfo> GroupInfo::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(GroupInfoTBS tbs, GroupInfoTBS::Decode(r));
  GroupInfo info{std::move(tbs.group_context),
                 std::move(tbs.extensions),
                 std::move(tbs.confirmation_tag),
                 tbs.signer,
                 {}};
  CANDOR_ASSIGN_OR_RETURN(info.signature, internal::ReadOpaqueV(r, "GroupInfo.signature"));
  return info;
}

void GroupInfo::Encode(tls::Writer& w) const {
  GroupInfoTBS::Of(*this).Encode(w);
  w.OpaqueV(signature);
}

}  // namespace candor::mls
