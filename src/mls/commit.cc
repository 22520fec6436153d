#include "candor/mls/commit.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<HPKECiphertext> HPKECiphertext::Decode(tls::Reader& r) {
  HPKECiphertext c;
  CANDOR_ASSIGN_OR_RETURN(c.kem_output, ReadOpaqueV(r, "HPKECiphertext.kem_output"));
  CANDOR_ASSIGN_OR_RETURN(c.ciphertext, ReadOpaqueV(r, "HPKECiphertext.ciphertext"));
  return c;
}

void HPKECiphertext::Encode(tls::Writer& w) const {
  w.OpaqueV(kem_output);
  w.OpaqueV(ciphertext);
}

Result<UpdatePathNode> UpdatePathNode::Decode(tls::Reader& r) {
  UpdatePathNode n;
  CANDOR_ASSIGN_OR_RETURN(n.encryption_key, ReadOpaqueV(r, "UpdatePathNode.encryption_key"));
  CANDOR_ASSIGN_OR_RETURN(n.encrypted_path_secret, internal::DecodeStructList<HPKECiphertext>(
                                                       r, "UpdatePathNode.encrypted_path_secret"));
  return n;
}

void UpdatePathNode::Encode(tls::Writer& w) const {
  w.OpaqueV(encryption_key);
  internal::EncodeStructList(w, encrypted_path_secret);
}

Result<UpdatePath> UpdatePath::Decode(tls::Reader& r) {
  UpdatePath p;
  CANDOR_ASSIGN_OR_RETURN(p.leaf_node, LeafNode::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(p.nodes,
                          internal::DecodeStructList<UpdatePathNode>(r, "UpdatePath.nodes"));
  return p;
}

void UpdatePath::Encode(tls::Writer& w) const {
  leaf_node.Encode(w);
  internal::EncodeStructList(w, nodes);
}

Result<ProposalOrRef> ProposalOrRef::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("ProposalOrRef.type"));
  switch (type) {
    case static_cast<uint8_t>(ProposalOrRefType::proposal): {
      CANDOR_ASSIGN_OR_RETURN(Proposal proposal, Proposal::Decode(r));
      return ProposalOrRef{std::move(proposal)};
    }
    case static_cast<uint8_t>(ProposalOrRefType::reference): {
      CANDOR_ASSIGN_OR_RETURN(Bytes ref, ReadOpaqueV(r, "ProposalOrRef.reference"));
      return ProposalOrRef{ProposalRef{std::move(ref)}};
    }
    default:
      return internal::UnknownValue("ProposalOrRef.type", type);
  }
}

void ProposalOrRef::Encode(tls::Writer& w) const {
  w.U8(static_cast<uint8_t>(type()));
  if (const auto* proposal = std::get_if<Proposal>(&value)) {
    proposal->Encode(w);
  } else {
    w.OpaqueV(std::get<ProposalRef>(value).value);
  }
}

Result<Commit> Commit::Decode(tls::Reader& r) {
  Commit c;
  CANDOR_ASSIGN_OR_RETURN(c.proposals,
                          internal::DecodeStructList<ProposalOrRef>(r, "Commit.proposals"));
  CANDOR_ASSIGN_OR_RETURN(bool has_path, r.Optional("Commit.path"));
  if (has_path) {
    CANDOR_ASSIGN_OR_RETURN(c.path, UpdatePath::Decode(r));
  }
  return c;
}

void Commit::Encode(tls::Writer& w) const {
  internal::EncodeStructList(w, proposals);
  w.U8(path ? 1 : 0);
  if (path) path->Encode(w);
}

}  // namespace candor::mls
