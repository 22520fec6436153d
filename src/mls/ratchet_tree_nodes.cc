#include "candor/mls/ratchet_tree_nodes.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<ParentNode> ParentNode::Decode(tls::Reader& r) {
  ParentNode p;
  CANDOR_ASSIGN_OR_RETURN(p.encryption_key, ReadOpaqueV(r, "ParentNode.encryption_key"));
  CANDOR_ASSIGN_OR_RETURN(p.parent_hash, ReadOpaqueV(r, "ParentNode.parent_hash"));
  CANDOR_ASSIGN_OR_RETURN(
      p.unmerged_leaves,
      internal::DecodeList<uint32_t>(r, "ParentNode.unmerged_leaves", [](tls::Reader& body) {
        return body.U32("ParentNode.unmerged_leaves");
      }));
  return p;
}

void ParentNode::Encode(tls::Writer& w) const {
  w.OpaqueV(encryption_key);
  w.OpaqueV(parent_hash);
  internal::EncodeList(w, unmerged_leaves, [](tls::Writer& body, uint32_t v) { body.U32(v); });
}

Result<Node> Node::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("Node.node_type"));
  switch (type) {
    case static_cast<uint8_t>(NodeType::leaf): {
      CANDOR_ASSIGN_OR_RETURN(LeafNode leaf, LeafNode::Decode(r));
      return Node{std::move(leaf)};
    }
    case static_cast<uint8_t>(NodeType::parent): {
      CANDOR_ASSIGN_OR_RETURN(ParentNode parent, ParentNode::Decode(r));
      return Node{std::move(parent)};
    }
    default:
      return internal::UnknownValue("Node.node_type", type);
  }
}

void Node::Encode(tls::Writer& w) const {
  w.U8(static_cast<uint8_t>(node_type()));
  if (const auto* leaf = std::get_if<LeafNode>(&node)) {
    leaf->Encode(w);
  } else {
    std::get<ParentNode>(node).Encode(w);
  }
}

Result<RatchetTree> RatchetTree::Decode(tls::Reader& r) {
  RatchetTree t;
  CANDOR_ASSIGN_OR_RETURN(
      t.nodes, internal::DecodeList<std::optional<Node>>(
                   r, "ratchet_tree", [](tls::Reader& body) -> Result<std::optional<Node>> {
                     CANDOR_ASSIGN_OR_RETURN(bool present, body.Optional("ratchet_tree.node"));
                     if (!present) return std::optional<Node>();
                     CANDOR_ASSIGN_OR_RETURN(Node node, Node::Decode(body));
                     return std::optional<Node>(std::move(node));
                   }));
  return t;
}

void RatchetTree::Encode(tls::Writer& w) const {
  internal::EncodeList(w, nodes, [](tls::Writer& body, const std::optional<Node>& node) {
    body.U8(node ? 1 : 0);
    if (node) node->Encode(body);
  });
}

Result<LeafNodeHashInput> LeafNodeHashInput::Decode(tls::Reader& r) {
  LeafNodeHashInput in;
  CANDOR_ASSIGN_OR_RETURN(in.leaf_index, r.U32("LeafNodeHashInput.leaf_index"));
  CANDOR_ASSIGN_OR_RETURN(bool present, r.Optional("LeafNodeHashInput.leaf_node"));
  if (present) {
    CANDOR_ASSIGN_OR_RETURN(in.leaf_node, LeafNode::Decode(r));
  }
  return in;
}

void LeafNodeHashInput::Encode(tls::Writer& w) const {
  w.U32(leaf_index);
  w.U8(leaf_node ? 1 : 0);
  if (leaf_node) leaf_node->Encode(w);
}

Result<ParentNodeHashInput> ParentNodeHashInput::Decode(tls::Reader& r) {
  ParentNodeHashInput in;
  CANDOR_ASSIGN_OR_RETURN(bool present, r.Optional("ParentNodeHashInput.parent_node"));
  if (present) {
    CANDOR_ASSIGN_OR_RETURN(in.parent_node, ParentNode::Decode(r));
  }
  CANDOR_ASSIGN_OR_RETURN(in.left_hash, ReadOpaqueV(r, "ParentNodeHashInput.left_hash"));
  CANDOR_ASSIGN_OR_RETURN(in.right_hash, ReadOpaqueV(r, "ParentNodeHashInput.right_hash"));
  return in;
}

void ParentNodeHashInput::Encode(tls::Writer& w) const {
  w.U8(parent_node ? 1 : 0);
  if (parent_node) parent_node->Encode(w);
  w.OpaqueV(left_hash);
  w.OpaqueV(right_hash);
}

Result<TreeHashInput> TreeHashInput::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("TreeHashInput.node_type"));
  switch (type) {
    case static_cast<uint8_t>(NodeType::leaf): {
      CANDOR_ASSIGN_OR_RETURN(LeafNodeHashInput leaf, LeafNodeHashInput::Decode(r));
      return TreeHashInput{std::move(leaf)};
    }
    case static_cast<uint8_t>(NodeType::parent): {
      CANDOR_ASSIGN_OR_RETURN(ParentNodeHashInput parent, ParentNodeHashInput::Decode(r));
      return TreeHashInput{std::move(parent)};
    }
    default:
      return internal::UnknownValue("TreeHashInput.node_type", type);
  }
}

void TreeHashInput::Encode(tls::Writer& w) const {
  if (const auto* leaf = std::get_if<LeafNodeHashInput>(&input)) {
    w.U8(static_cast<uint8_t>(NodeType::leaf));
    leaf->Encode(w);
  } else {
    w.U8(static_cast<uint8_t>(NodeType::parent));
    std::get<ParentNodeHashInput>(input).Encode(w);
  }
}

Result<ParentHashInput> ParentHashInput::Decode(tls::Reader& r) {
  ParentHashInput in;
  CANDOR_ASSIGN_OR_RETURN(in.encryption_key, ReadOpaqueV(r, "ParentHashInput.encryption_key"));
  CANDOR_ASSIGN_OR_RETURN(in.parent_hash, ReadOpaqueV(r, "ParentHashInput.parent_hash"));
  CANDOR_ASSIGN_OR_RETURN(in.original_sibling_tree_hash,
                          ReadOpaqueV(r, "ParentHashInput.original_sibling_tree_hash"));
  return in;
}

void ParentHashInput::Encode(tls::Writer& w) const {
  w.OpaqueV(encryption_key);
  w.OpaqueV(parent_hash);
  w.OpaqueV(original_sibling_tree_hash);
}

}  // namespace candor::mls
