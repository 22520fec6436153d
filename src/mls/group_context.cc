#include "candor/mls/group_context.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<GroupContext> GroupContext::Decode(tls::Reader& r) {
  GroupContext gc;
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("GroupContext.version"));
  if (version != static_cast<uint16_t>(ProtocolVersion::mls10)) {
    return internal::UnknownValue("GroupContext.version", version);
  }
  CANDOR_ASSIGN_OR_RETURN(uint16_t suite, r.U16("GroupContext.cipher_suite"));
  gc.cipher_suite = static_cast<CipherSuite>(suite);
  CANDOR_ASSIGN_OR_RETURN(gc.group_id, ReadOpaqueV(r, "GroupContext.group_id"));
  CANDOR_ASSIGN_OR_RETURN(gc.epoch, r.U64("GroupContext.epoch"));
  CANDOR_ASSIGN_OR_RETURN(gc.tree_hash, ReadOpaqueV(r, "GroupContext.tree_hash"));
  CANDOR_ASSIGN_OR_RETURN(gc.confirmed_transcript_hash,
                          ReadOpaqueV(r, "GroupContext.confirmed_transcript_hash"));
  CANDOR_ASSIGN_OR_RETURN(gc.extensions, DecodeExtensions(r, "GroupContext.extensions"));
  return gc;
}

void GroupContext::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(version));
  w.U16(static_cast<uint16_t>(cipher_suite));
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.OpaqueV(tree_hash);
  w.OpaqueV(confirmed_transcript_hash);
  EncodeExtensions(w, extensions);
}

}  // namespace candor::mls
