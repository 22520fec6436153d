// ratchet_tree_nodes.h: RFC 9420 §7.1 ParentNode, §12.4.3.3 Node and the `ratchet_tree`
// extension body, plus the §7.8/§7.9 tree-hash and parent-hash input structs. Encoding only.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// RFC 9420 §7.1: struct { HPKEPublicKey encryption_key; opaque parent_hash<V>;
//   uint32 unmerged_leaves<V>; } ParentNode;
struct ParentNode {
  HPKEPublicKey encryption_key;
  Bytes parent_hash;
  std::vector<uint32_t> unmerged_leaves;  // sorting is a tree-validity rule, not checked here

  // Decode reads a ParentNode; kMalformed names the field on bad input.
  static Result<ParentNode> Decode(tls::Reader& r);
  // Encode writes the ParentNode.
  void Encode(tls::Writer& w) const;
  bool operator==(const ParentNode&) const = default;
};

// RFC 9420 §7.8: enum { reserved(0), leaf(1), parent(2), (255) } NodeType.
enum class NodeType : uint8_t { leaf = 1, parent = 2 };

// RFC 9420 §12.4.3.3: struct { NodeType node_type; select (Node.node_type) {
//   case leaf: LeafNode leaf_node; case parent: ParentNode parent_node; }; } Node;
struct Node {
  std::variant<LeafNode, ParentNode> node;  // the alternative is the node_type

  // node_type is the NodeType the alternative stands for.
  NodeType node_type() const {
    return std::holds_alternative<LeafNode>(node) ? NodeType::leaf : NodeType::parent;
  }

  // Decode reads a Node; an unknown node_type is kMalformed.
  static Result<Node> Decode(tls::Reader& r);
  // Encode writes the Node.
  void Encode(tls::Writer& w) const;
  bool operator==(const Node&) const = default;
};

// RFC 9420 §12.4.3.3: optional<Node> ratchet_tree<V>; (the body of the ratchet_tree
// extension). Decode checks the encoding only; tree validity (§7.9.2, §12.4.3.1: a
// non-blank last node, leaves at even indices) is the tree layer's job.
// Memory: a blank node is 1 wire byte but one std::optional<Node> (about 340 bytes on x86-64)
// in memory, so callers must bound the size of untrusted input before decoding it.
struct RatchetTree {
  std::vector<std::optional<Node>> nodes;  // index = NodeIndex; nullopt = blank

  // Decode reads a ratchet_tree; an optional flag other than 0/1 is kMalformed.
  static Result<RatchetTree> Decode(tls::Reader& r);
  // Encode writes the ratchet_tree.
  void Encode(tls::Writer& w) const;
  bool operator==(const RatchetTree&) const = default;
};

// RFC 9420 §7.8: struct { uint32 leaf_index; optional<LeafNode> leaf_node; }
// LeafNodeHashInput;
struct LeafNodeHashInput {
  uint32_t leaf_index = 0;
  std::optional<LeafNode> leaf_node;

  // Decode reads a LeafNodeHashInput; kMalformed names the field on bad input.
  static Result<LeafNodeHashInput> Decode(tls::Reader& r);
  // Encode writes the LeafNodeHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const LeafNodeHashInput&) const = default;
};

// RFC 9420 §7.8: struct { optional<ParentNode> parent_node; opaque left_hash<V>;
//   opaque right_hash<V>; } ParentNodeHashInput;
struct ParentNodeHashInput {
  std::optional<ParentNode> parent_node;
  Bytes left_hash;
  Bytes right_hash;

  // Decode reads a ParentNodeHashInput; kMalformed names the field on bad input.
  static Result<ParentNodeHashInput> Decode(tls::Reader& r);
  // Encode writes the ParentNodeHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const ParentNodeHashInput&) const = default;
};

// RFC 9420 §7.8: struct { NodeType node_type; select (TreeHashInput.node_type) {
//   case leaf: LeafNodeHashInput leaf_node; case parent: ParentNodeHashInput parent_node; };
// } TreeHashInput;  The tree hash of a node is Hash(TreeHashInput).
struct TreeHashInput {
  std::variant<LeafNodeHashInput, ParentNodeHashInput> input;  // alternative = node_type

  // Decode reads a TreeHashInput; an unknown node_type is kMalformed.
  static Result<TreeHashInput> Decode(tls::Reader& r);
  // Encode writes the TreeHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const TreeHashInput&) const = default;
};

// RFC 9420 §7.9: struct { HPKEPublicKey encryption_key; opaque parent_hash<V>;
//   opaque original_sibling_tree_hash<V>; } ParentHashInput;
struct ParentHashInput {
  HPKEPublicKey encryption_key;
  Bytes parent_hash;
  Bytes original_sibling_tree_hash;

  // Decode reads a ParentHashInput; kMalformed names the field on bad input.
  static Result<ParentHashInput> Decode(tls::Reader& r);
  // Encode writes the ParentHashInput.
  void Encode(tls::Writer& w) const;
  bool operator==(const ParentHashInput&) const = default;
};

}  // namespace candor::mls
