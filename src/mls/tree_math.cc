#include "candor/mls/tree_math.h"

#include <bit>

namespace candor::mls {
namespace {

bool IsValidTree(uint32_t num_leaves) {
  return num_leaves != 0 && num_leaves <= kMaxLeaves && std::has_single_bit(num_leaves);
}

bool InTree(NodeIndex x, uint32_t num_leaves) {
  if (!IsValidTree(num_leaves)) return false;
  return uint64_t{x.value} < 2 * uint64_t{num_leaves} - 1;
}

}  // namespace

std::optional<NodeIndex> ToNodeIndex(LeafIndex leaf) {
  if (leaf.value >= kMaxLeaves) return std::nullopt;
  return NodeIndex{2 * leaf.value};
}

std::optional<LeafIndex> ToLeafIndex(NodeIndex node) {
  if ((node.value & 1) != 0) return std::nullopt;
  return LeafIndex{node.value / 2};
}

uint32_t Level(NodeIndex x) { return static_cast<uint32_t>(std::countr_one(x.value)); }

std::optional<uint32_t> NodeWidth(uint32_t num_leaves) {
  if (num_leaves > kMaxLeaves) return std::nullopt;
  if (num_leaves == 0) return 0;
  return 2 * (num_leaves - 1) + 1;
}

std::optional<NodeIndex> Root(uint32_t num_leaves) {
  if (!IsValidTree(num_leaves)) return std::nullopt;
  // For a full tree node_width is 2n - 1, and (1 << log2(2n - 1)) - 1 = n - 1.
  return NodeIndex{num_leaves - 1};
}

std::optional<NodeIndex> Left(NodeIndex x) {
  const uint32_t k = Level(x);
  if (k == 0 || k >= 32) return std::nullopt;
  return NodeIndex{x.value ^ (uint32_t{1} << (k - 1))};
}

std::optional<NodeIndex> Right(NodeIndex x) {
  const uint32_t k = Level(x);
  if (k == 0 || k >= 32) return std::nullopt;
  return NodeIndex{x.value ^ (uint32_t{3} << (k - 1))};
}

std::optional<NodeIndex> Parent(NodeIndex x, uint32_t num_leaves) {
  if (!InTree(x, num_leaves) || x == *Root(num_leaves)) return std::nullopt;
  // Inside a tree of at most 2^31 leaves a non-root node has level <= 30, so k + 1 <= 31.
  const uint32_t k = Level(x);
  const uint32_t b = (x.value >> (k + 1)) & 1;
  return NodeIndex{(x.value | (uint32_t{1} << k)) ^ (b << (k + 1))};
}

std::optional<NodeIndex> Sibling(NodeIndex x, uint32_t num_leaves) {
  const std::optional<NodeIndex> p = Parent(x, num_leaves);
  if (!p) return std::nullopt;
  return x < *p ? Right(*p) : Left(*p);
}

std::vector<NodeIndex> DirectPath(NodeIndex x, uint32_t num_leaves) {
  std::vector<NodeIndex> path;
  for (std::optional<NodeIndex> p = Parent(x, num_leaves); p; p = Parent(*p, num_leaves)) {
    path.push_back(*p);
  }
  return path;
}

std::vector<NodeIndex> Copath(NodeIndex x, uint32_t num_leaves) {
  std::vector<NodeIndex> path;
  for (std::optional<NodeIndex> s = Sibling(x, num_leaves); s;) {
    path.push_back(*s);
    x = *Parent(x, num_leaves);
    s = Sibling(x, num_leaves);
  }
  return path;
}

NodeIndex CommonAncestor(NodeIndex x, NodeIndex y) {
  // Work in 64 bits so that the shifts below never reach the width of the type.
  const uint64_t a = x.value;
  const uint64_t b = y.value;
  const uint64_t lx = uint64_t{Level(x)} + 1;
  const uint64_t ly = uint64_t{Level(y)} + 1;
  if (lx <= ly && (a >> ly) == (b >> ly)) return y;
  if (ly <= lx && (a >> lx) == (b >> lx)) return x;
  uint64_t xn = a;
  uint64_t yn = b;
  uint64_t k = 0;
  while (xn != yn) {
    xn >>= 1;
    yn >>= 1;
    ++k;
  }
  // x == y returned above, so k >= 1 here; the guard keeps the shift below defined regardless.
  if (k == 0) return x;
  return NodeIndex{static_cast<uint32_t>((xn << k) + (uint64_t{1} << (k - 1)) - 1)};
}

}  // namespace candor::mls
