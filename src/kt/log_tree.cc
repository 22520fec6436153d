#include "candor/kt/log_tree.h"

#include <algorithm>
#include <bit>
#include <optional>

#include "candor/crypto/sha256.h"

namespace candor::kt {
namespace {

bool IsBalanced(uint64_t size) { return std::has_single_bit(size); }

// SplitPoint is the left child's size of a size-s node (s >= 2): the largest power of two
// strictly less than s.
uint64_t SplitPoint(uint64_t size) { return std::bit_floor(size - 1); }

// NodeKind is how the batch proof treats one node (decision 3 of the KT context).
enum class NodeKind {
  kElement,        // listed in proof.elements
  kRetained,       // a retained full subtree without requested leaves: the user has its value
  kRequestedLeaf,  // a requested leaf: the user has its value
  kSplit,          // computed from its two children
};

// ProofShape is the shared description of a batch proof that LogTree::Prove and
// VerifyLogInclusion walk identically.
class ProofShape {
 public:
  ProofShape(uint64_t old_size, std::vector<uint64_t> sorted_leaves, uint64_t auditor_size)
      : retained_(FullSubtrees(old_size)),
        leaves_(std::move(sorted_leaves)),
        auditor_size_(auditor_size) {}

  NodeKind Classify(uint64_t start, uint64_t size) const {
    if (HasLeaf(start, size)) return size == 1 ? NodeKind::kRequestedLeaf : NodeKind::kSplit;
    // The root at auditor_size needs the heads of FullSubtrees(auditor_size); a node that
    // straddles that size contains some of them strictly, so its own value does not give them.
    if (start < auditor_size_ && auditor_size_ - start < size) return NodeKind::kSplit;
    if (RetainedIndex(start, size).has_value()) return NodeKind::kRetained;
    if (IsBalanced(size) && !ContainsRetained(start, size)) return NodeKind::kElement;
    return NodeKind::kSplit;
  }

  // RetainedIndex returns the index of [start, start+size) among the retained full subtrees.
  std::optional<size_t> RetainedIndex(uint64_t start, uint64_t size) const {
    for (size_t i = 0; i < retained_.size(); ++i) {
      if (retained_[i].start == start && retained_[i].size == size) return i;
    }
    return std::nullopt;
  }

 private:
  bool HasLeaf(uint64_t start, uint64_t size) const {
    auto it = std::lower_bound(leaves_.begin(), leaves_.end(), start);
    return it != leaves_.end() && *it - start < size;
  }
  bool ContainsRetained(uint64_t start, uint64_t size) const {
    return std::any_of(retained_.begin(), retained_.end(), [&](const SubtreeRange& r) {
      return r.start >= start && r.start - start + r.size <= size;
    });
  }

  std::vector<SubtreeRange> retained_;
  std::vector<uint64_t> leaves_;
  uint64_t auditor_size_;
};

std::vector<uint64_t> SortedUnique(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

HashValue LogParentHash(const HashValue& left, bool left_is_leaf, const HashValue& right,
                        bool right_is_leaf) {
  crypto::Sha256Hasher h;
  h.Update(static_cast<uint8_t>(left_is_leaf ? 0x00 : 0x01)).Update(left);
  h.Update(static_cast<uint8_t>(right_is_leaf ? 0x00 : 0x01)).Update(right);
  return h.Final();
}

HashValue LogRootFromFullSubtrees(const std::vector<HashValue>& heads, uint64_t n) {
  CANDOR_CHECK(n >= 1 && heads.size() == static_cast<size_t>(std::popcount(n)));
  HashValue acc = heads.back();
  bool acc_is_leaf = (n & 1) != 0;
  for (size_t i = heads.size() - 1; i-- > 0;) {
    acc = LogParentHash(heads[i], false, acc, acc_is_leaf);
    acc_is_leaf = false;
  }
  return acc;
}

HashValue LogEntryHash(uint64_t timestamp, const HashValue& prefix_root) {
  uint8_t ts[8];
  for (size_t i = 0; i < 8; ++i) ts[i] = static_cast<uint8_t>(timestamp >> (56 - 8 * i));
  return crypto::Sha256Hasher().Update(ByteView(ts, sizeof(ts))).Update(prefix_root).Final();
}

std::vector<SubtreeRange> FullSubtrees(uint64_t n) {
  std::vector<SubtreeRange> out;
  uint64_t start = 0;
  for (int bit = 63; bit >= 0; --bit) {
    const uint64_t size = uint64_t{1} << bit;
    if ((n & size) == 0) continue;
    out.push_back({start, size});
    start += size;
  }
  return out;
}

void LogTree::Append(const HashValue& leaf_value) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_value);
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const std::vector<HashValue>& cur = levels_[level];
    const HashValue parent =
        LogParentHash(cur[cur.size() - 2], level == 0, cur[cur.size() - 1], level == 0);
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
  }
}

uint64_t LogTree::size() const { return levels_.empty() ? 0 : levels_[0].size(); }

HashValue LogTree::Root() const { return RootAt(size()); }

HashValue LogTree::RootAt(uint64_t n) const {
  CANDOR_CHECK(n >= 1 && n <= size());
  return NodeValue(0, n);
}

HashValue LogTree::Leaf(uint64_t i) const {
  CANDOR_CHECK(i < size());
  return levels_[0][i];
}

std::vector<HashValue> LogTree::FullSubtreeHeads(uint64_t n) const {
  CANDOR_CHECK(n <= size());
  std::vector<HashValue> out;
  for (const SubtreeRange& r : FullSubtrees(n)) out.push_back(NodeValue(r.start, r.size));
  return out;
}

HashValue LogTree::NodeValue(uint64_t start, uint64_t size) const {
  CANDOR_CHECK(size >= 1 && start + size <= this->size());
  if (IsBalanced(size)) {
    const auto k = static_cast<size_t>(std::countr_zero(size));
    return levels_[k][start >> k];
  }
  const uint64_t k = SplitPoint(size);
  return LogParentHash(NodeValue(start, k), k == 1, NodeValue(start + k, size - k), size - k == 1);
}

InclusionProof LogTree::Prove(uint64_t n, uint64_t old_size, const std::vector<uint64_t>& leaves,
                              uint64_t auditor_size) const {
  CANDOR_CHECK(n >= 1 && n <= size() && old_size <= n && auditor_size <= n);
  for (const uint64_t leaf : leaves) CANDOR_CHECK(leaf < n);
  const ProofShape shape(old_size, SortedUnique(leaves), auditor_size);
  InclusionProof proof;
  auto walk = [&](auto& self, uint64_t start, uint64_t size) -> void {
    switch (shape.Classify(start, size)) {
      case NodeKind::kElement:
        proof.elements.push_back(NodeValue(start, size));
        return;
      case NodeKind::kRetained:
      case NodeKind::kRequestedLeaf:
        return;
      case NodeKind::kSplit: {
        const uint64_t k = SplitPoint(size);
        self(self, start, k);
        self(self, start + k, size - k);
        return;
      }
    }
  };
  walk(walk, 0, n);
  CANDOR_CHECK(proof.elements.size() <= 0xffff);
  return proof;
}

Result<LogTreeView> VerifyLogInclusion(uint64_t n, uint64_t old_size,
                                       const std::vector<HashValue>& retained,
                                       const std::map<uint64_t, HashValue>& leaves,
                                       const InclusionProof& proof, uint64_t auditor_size) {
  if (n == 0 || old_size > n || auditor_size > n) {
    return MakeError(Errc::kInvalidArgument,
                     "VerifyLogInclusion: need old_size <= n, auditor_size <= n, n >= 1");
  }
  if (retained.size() != FullSubtrees(old_size).size()) {
    return MakeError(Errc::kInvalidArgument,
                     "VerifyLogInclusion: retained does not match FullSubtrees(old_size)");
  }
  std::vector<uint64_t> indices;
  for (const auto& [index, value] : leaves) {
    if (index >= n) return VerifyFailed();
    indices.push_back(index);
  }
  const ProofShape shape(old_size, std::move(indices), auditor_size);
  const std::vector<SubtreeRange> full = FullSubtrees(n);
  std::vector<HashValue> full_values(full.size());
  const std::vector<SubtreeRange> audited = FullSubtrees(auditor_size);
  std::vector<HashValue> audited_values(audited.size());
  size_t next_element = 0;

  auto walk = [&](auto& self, uint64_t start, uint64_t size) -> std::optional<HashValue> {
    std::optional<HashValue> value;
    switch (shape.Classify(start, size)) {
      case NodeKind::kElement:
        if (next_element == proof.elements.size()) return std::nullopt;
        value = proof.elements[next_element++];
        break;
      case NodeKind::kRetained:
        value = retained[*shape.RetainedIndex(start, size)];
        break;
      case NodeKind::kRequestedLeaf:
      case NodeKind::kSplit: {
        if (size == 1) {
          value = leaves.at(start);
        } else {
          const uint64_t k = SplitPoint(size);
          const std::optional<HashValue> left = self(self, start, k);
          if (!left) return std::nullopt;
          const std::optional<HashValue> right = self(self, start + k, size - k);
          if (!right) return std::nullopt;
          value = LogParentHash(*left, k == 1, *right, size - k == 1);
        }
        // A retained full subtree recomputed from requested leaves must match what was retained.
        const std::optional<size_t> r = shape.RetainedIndex(start, size);
        if (r.has_value() && *value != retained[*r]) return std::nullopt;
        break;
      }
    }
    for (size_t i = 0; i < full.size(); ++i) {
      if (full[i] == SubtreeRange{start, size}) full_values[i] = *value;
    }
    // Every head of FullSubtrees(auditor_size) is visited: Classify splits whatever contains one.
    for (size_t i = 0; i < audited.size(); ++i) {
      if (audited[i] == SubtreeRange{start, size}) audited_values[i] = *value;
    }
    return value;
  };
  const std::optional<HashValue> root = walk(walk, 0, n);
  if (!root || next_element != proof.elements.size()) return VerifyFailed();
  LogTreeView out{*root, std::move(full_values), std::nullopt};
  if (auditor_size > 0) out.auditor_root = LogRootFromFullSubtrees(audited_values, auditor_size);
  return out;
}

}  // namespace candor::kt
