#include "candor/mls/leaf_node.h"

#include "codec_internal.h"

namespace candor::mls {
namespace {

using internal::ReadOpaqueV;

// DecodeLeafContent reads every LeafNode field before `signature`.
Status DecodeLeafContent(tls::Reader& r, LeafNode& n) {
  CANDOR_ASSIGN_OR_RETURN(n.encryption_key, ReadOpaqueV(r, "LeafNode.encryption_key"));
  CANDOR_ASSIGN_OR_RETURN(n.signature_key, ReadOpaqueV(r, "LeafNode.signature_key"));
  CANDOR_ASSIGN_OR_RETURN(n.credential, Credential::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(n.capabilities, Capabilities::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(uint8_t source, r.U8("LeafNode.leaf_node_source"));
  switch (source) {
    case static_cast<uint8_t>(LeafNodeSource::key_package): {
      n.leaf_node_source = LeafNodeSource::key_package;
      CANDOR_ASSIGN_OR_RETURN(n.lifetime, Lifetime::Decode(r));
      break;
    }
    case static_cast<uint8_t>(LeafNodeSource::update):
      n.leaf_node_source = LeafNodeSource::update;
      break;
    case static_cast<uint8_t>(LeafNodeSource::commit): {
      n.leaf_node_source = LeafNodeSource::commit;
      CANDOR_ASSIGN_OR_RETURN(n.parent_hash, ReadOpaqueV(r, "LeafNode.parent_hash"));
      break;
    }
    default:
      return internal::UnknownValue("LeafNode.leaf_node_source", source);
  }
  CANDOR_ASSIGN_OR_RETURN(n.extensions, DecodeExtensions(r, "LeafNode.extensions"));
  return OkStatus();
}

// EncodeLeafContent writes every LeafNode field before `signature`.
void EncodeLeafContent(tls::Writer& w, const LeafNode& n) {
  w.OpaqueV(n.encryption_key);
  w.OpaqueV(n.signature_key);
  n.credential.Encode(w);
  n.capabilities.Encode(w);
  w.U8(static_cast<uint8_t>(n.leaf_node_source));
  if (n.leaf_node_source == LeafNodeSource::key_package) n.lifetime.Encode(w);
  if (n.leaf_node_source == LeafNodeSource::commit) w.OpaqueV(n.parent_hash);
  EncodeExtensions(w, n.extensions);
}

}  // namespace

Result<Capabilities> Capabilities::Decode(tls::Reader& r) {
  Capabilities c;
  CANDOR_ASSIGN_OR_RETURN(c.versions,
                          internal::DecodeU16List<ProtocolVersion>(r, "Capabilities.versions"));
  CANDOR_ASSIGN_OR_RETURN(c.cipher_suites,
                          internal::DecodeU16List<CipherSuite>(r, "Capabilities.cipher_suites"));
  CANDOR_ASSIGN_OR_RETURN(c.extensions,
                          internal::DecodeU16List<ExtensionType>(r, "Capabilities.extensions"));
  CANDOR_ASSIGN_OR_RETURN(c.proposals,
                          internal::DecodeU16List<uint16_t>(r, "Capabilities.proposals"));
  CANDOR_ASSIGN_OR_RETURN(c.credentials,
                          internal::DecodeU16List<uint16_t>(r, "Capabilities.credentials"));
  return c;
}

void Capabilities::Encode(tls::Writer& w) const {
  internal::EncodeU16List(w, versions);
  internal::EncodeU16List(w, cipher_suites);
  internal::EncodeU16List(w, extensions);
  internal::EncodeU16List(w, proposals);
  internal::EncodeU16List(w, credentials);
}

Result<Lifetime> Lifetime::Decode(tls::Reader& r) {
  Lifetime l;
  CANDOR_ASSIGN_OR_RETURN(l.not_before, r.U64("Lifetime.not_before"));
  CANDOR_ASSIGN_OR_RETURN(l.not_after, r.U64("Lifetime.not_after"));
  return l;
}

void Lifetime::Encode(tls::Writer& w) const {
  w.U64(not_before);
  w.U64(not_after);
}

Result<LeafNode> LeafNode::Decode(tls::Reader& r) {
  LeafNode n;
  CANDOR_TRY(DecodeLeafContent(r, n));
  CANDOR_ASSIGN_OR_RETURN(n.signature, ReadOpaqueV(r, "LeafNode.signature"));
  return n;
}

void LeafNode::Encode(tls::Writer& w) const {
  EncodeLeafContent(w, *this);
  w.OpaqueV(signature);
}

Result<LeafNodeTBS> LeafNodeTBS::Decode(tls::Reader& r) {
  LeafNodeTBS t;
  CANDOR_TRY(DecodeLeafContent(r, t.leaf_node));
  if (t.leaf_node.leaf_node_source != LeafNodeSource::key_package) {
    CANDOR_ASSIGN_OR_RETURN(t.group_id, ReadOpaqueV(r, "LeafNodeTBS.group_id"));
    CANDOR_ASSIGN_OR_RETURN(t.leaf_index, r.U32("LeafNodeTBS.leaf_index"));
  }
  return t;
}

void LeafNodeTBS::Encode(tls::Writer& w) const {
  EncodeLeafContent(w, leaf_node);
  if (leaf_node.leaf_node_source != LeafNodeSource::key_package) {
    w.OpaqueV(group_id);
    w.U32(leaf_index);
  }
}

}  // namespace candor::mls
