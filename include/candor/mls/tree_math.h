// tree_math.h: array-based ratchet tree index arithmetic (RFC 9420 §4.2, §7.1, Appendix C).
// Pure functions on indices; no allocation except the path vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace candor::mls {

// LeafIndex is the index of a leaf among the leaves (RFC 9420 "leaf index").
struct LeafIndex {
  uint32_t value = 0;
  bool operator==(const LeafIndex&) const = default;
  bool operator<(const LeafIndex& other) const { return value < other.value; }
};

// NodeIndex is the index of a node in the array representation (leaves at even indices).
struct NodeIndex {
  uint32_t value = 0;
  bool operator==(const NodeIndex&) const = default;
  bool operator<(const NodeIndex& other) const { return value < other.value; }
};

// kMaxLeaves is the largest leaf count whose node count fits a uint32 (2^31).
inline constexpr uint32_t kMaxLeaves = uint32_t{1} << 31;

// ToNodeIndex is the node index of leaf `leaf` (2 * leaf). Returns nullopt if `leaf` >= 2^31.
std::optional<NodeIndex> ToNodeIndex(LeafIndex leaf);

// ToLeafIndex is the leaf index of node `node`, or nullopt if `node` is not a leaf (odd index).
std::optional<LeafIndex> ToLeafIndex(NodeIndex node);

// Level is RFC 9420 Appendix C `level(x)`: 0 for leaves, the number of trailing one bits else.
uint32_t Level(NodeIndex x);

// NodeWidth is `node_width(n)`, the number of nodes of a tree with `num_leaves` leaves
// (0 for 0 leaves). Returns nullopt if `num_leaves` > kMaxLeaves.
std::optional<uint32_t> NodeWidth(uint32_t num_leaves);

// In every function below that takes `num_leaves`, the tree is the RFC 9420 §7.1 full tree:
// `num_leaves` must be a power of two no larger than kMaxLeaves and `x` must be a node of it;
// otherwise the result is nullopt (or an empty vector). Nothing aborts on bad arguments.

// Root is `root(n)`, the index of the root of a `num_leaves`-leaf tree.
std::optional<NodeIndex> Root(uint32_t num_leaves);

// Left is `left(x)`: the left child of `x`, or nullopt for a leaf.
std::optional<NodeIndex> Left(NodeIndex x);

// Right is `right(x)`: the right child of `x`, or nullopt for a leaf.
std::optional<NodeIndex> Right(NodeIndex x);

// Parent is `parent(x, n)`: the parent of `x`, or nullopt for the root.
std::optional<NodeIndex> Parent(NodeIndex x, uint32_t num_leaves);

// Sibling is `sibling(x, n)`: the other child of `x`'s parent, or nullopt for the root.
std::optional<NodeIndex> Sibling(NodeIndex x, uint32_t num_leaves);

// DirectPath is `direct_path(x, n)`: the parents of `x` from its parent up to the root
// (RFC 9420 §4.1); empty for the root.
std::vector<NodeIndex> DirectPath(NodeIndex x, uint32_t num_leaves);

// Copath is `copath(x, n)`: the siblings of `x` and of each node of its direct path below the
// root, ordered from `x` upwards; empty for the root.
std::vector<NodeIndex> Copath(NodeIndex x, uint32_t num_leaves);

// CommonAncestor is the lowest node in the direct paths (each including the node itself) of
// both `x` and `y` (RFC 9420 Appendix C `common_ancestor_direct`). Total: any two indices have
// one in the infinite complete tree.
NodeIndex CommonAncestor(NodeIndex x, NodeIndex y);

}  // namespace candor::mls
