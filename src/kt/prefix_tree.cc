#include "candor/kt/prefix_tree.h"

#include <algorithm>

#include "candor/crypto/sha256.h"

namespace candor::kt {
namespace {

constexpr HashValue kZeroHash{};

// SharesPrefix reports whether `a` and `b` agree on their first `bits` bits.
bool SharesPrefix(const Hash32& a, const Hash32& b, unsigned bits) {
  for (unsigned i = 0; i < bits; ++i) {
    if (PrefixKeyBit(a, i) != PrefixKeyBit(b, i)) return false;
  }
  return true;
}

bool KeyLess(const PrefixLeaf& a, const PrefixLeaf& b) { return a.vrf_output < b.vrf_output; }

}  // namespace

HashValue PrefixLeafHash(const Hash32& vrf_output, const HashValue& commitment) {
  return crypto::Sha256Hasher().Update(uint8_t{0x02}).Update(vrf_output).Update(commitment).Final();
}

HashValue PrefixParentHash(const HashValue& left, const HashValue& right) {
  return crypto::Sha256Hasher().Update(uint8_t{0x03}).Update(left).Update(right).Final();
}

PrefixNodeId MemoryPrefixNodeStore::AddLeaf(const PrefixLeafNode& leaf) {
  CANDOR_CHECK(leaves_.size() < kPrefixLeafBit - 1);
  leaves_.push_back(leaf);
  return kPrefixLeafBit | static_cast<PrefixNodeId>(leaves_.size() - 1);
}

PrefixNodeId MemoryPrefixNodeStore::AddParent(const PrefixParentNode& parent) {
  CANDOR_CHECK(parents_.size() < kPrefixLeafBit - 1);
  parents_.push_back(parent);
  return static_cast<PrefixNodeId>(parents_.size());  // ids 1.. (0 is kNoPrefixNode)
}

PrefixLeafNode MemoryPrefixNodeStore::GetLeaf(PrefixNodeId id) const {
  CANDOR_CHECK(IsPrefixLeaf(id));
  const size_t index = id & ~kPrefixLeafBit;
  CANDOR_CHECK(index < leaves_.size());
  return leaves_[index];
}

PrefixParentNode MemoryPrefixNodeStore::GetParent(PrefixNodeId id) const {
  CANDOR_CHECK(id != kNoPrefixNode && !IsPrefixLeaf(id) && id <= parents_.size());
  return parents_[id - 1];
}

PrefixTree::PrefixTree(std::unique_ptr<PrefixNodeStore> store) : store_(std::move(store)) {
  if (!store_) store_ = std::make_unique<MemoryPrefixNodeStore>();
  CANDOR_CHECK(store_->num_leaves() == 0 && store_->num_parents() == 0);
  // The root is always a parent node, also for the empty tree.
  roots_.push_back(MakeParent(kNoPrefixNode, kNoPrefixNode));
}

HashValue PrefixTree::ValueOf(PrefixNodeId id) const {
  if (id == kNoPrefixNode) return kZeroHash;
  if (IsPrefixLeaf(id)) {
    const PrefixLeafNode leaf = store_->GetLeaf(id);
    return PrefixLeafHash(leaf.vrf_output, leaf.commitment);
  }
  return store_->GetParent(id).value;
}

PrefixNodeId PrefixTree::MakeParent(PrefixNodeId left, PrefixNodeId right) {
  PrefixParentNode parent;
  parent.value = PrefixParentHash(ValueOf(left), ValueOf(right));
  parent.left = left;
  parent.right = right;
  return store_->AddParent(parent);
}

Result<uint64_t> PrefixTree::Insert(const std::vector<PrefixLeaf>& entries) {
  std::vector<PrefixLeaf> sorted = entries;
  std::sort(sorted.begin(), sorted.end(), KeyLess);
  const uint64_t latest = latest_version();
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Hash32& key = sorted[i].vrf_output;
    if (i > 0 && sorted[i - 1].vrf_output == key) {
      return MakeError(Errc::kInvalidArgument, "PrefixTree::Insert: duplicate key in batch");
    }
    if (Lookup(latest, key).has_value()) {
      return MakeError(Errc::kInvalidArgument, "PrefixTree::Insert: key already in the tree");
    }
  }
  const PrefixNodeId root =
      InsertAt(roots_.back(), 0, sorted.data(), sorted.data() + sorted.size());
  roots_.push_back(root);
  return latest_version();
}

PrefixNodeId PrefixTree::InsertAt(PrefixNodeId node, unsigned depth, const PrefixLeaf* begin,
                                  const PrefixLeaf* end) {
  if (begin == end) return node;
  if (node == kNoPrefixNode) return Build(depth, begin, end, kNoPrefixNode);
  if (IsPrefixLeaf(node)) {
    const PrefixLeafNode stored = store_->GetLeaf(node);
    std::vector<PrefixLeaf> all(begin, end);
    PrefixLeaf existing;
    existing.vrf_output = stored.vrf_output;
    existing.commitment = stored.commitment;
    all.insert(std::upper_bound(all.begin(), all.end(), existing, KeyLess), existing);
    return Build(depth, all.data(), all.data() + all.size(), node);
  }
  const PrefixParentNode parent = store_->GetParent(node);
  const PrefixLeaf* mid = std::partition_point(
      begin, end, [depth](const PrefixLeaf& e) { return !PrefixKeyBit(e.vrf_output, depth); });
  const PrefixNodeId left = InsertAt(parent.left, depth + 1, begin, mid);
  const PrefixNodeId right = InsertAt(parent.right, depth + 1, mid, end);
  if (left == parent.left && right == parent.right) return node;
  return MakeParent(left, right);
}

PrefixNodeId PrefixTree::Build(unsigned depth, const PrefixLeaf* begin, const PrefixLeaf* end,
                               PrefixNodeId existing) {
  if (begin == end) return kNoPrefixNode;
  if (end - begin == 1 && depth >= 1) {
    if (existing != kNoPrefixNode && store_->GetLeaf(existing).vrf_output == begin->vrf_output) {
      return existing;
    }
    PrefixLeafNode leaf;
    leaf.vrf_output = begin->vrf_output;
    leaf.commitment = begin->commitment;
    return store_->AddLeaf(leaf);
  }
  // Two distinct keys differ in some bit < 256, so they split by depth 255.
  CANDOR_CHECK(depth < 256);
  const PrefixLeaf* mid = std::partition_point(
      begin, end, [depth](const PrefixLeaf& e) { return !PrefixKeyBit(e.vrf_output, depth); });
  const PrefixNodeId left = Build(depth + 1, begin, mid, existing);
  const PrefixNodeId right = Build(depth + 1, mid, end, existing);
  return MakeParent(left, right);
}

HashValue PrefixTree::Root(uint64_t version) const {
  CANDOR_CHECK(version <= latest_version());
  return store_->GetParent(roots_[version]).value;
}

std::optional<HashValue> PrefixTree::Lookup(uint64_t version, const Hash32& key) const {
  CANDOR_CHECK(version <= latest_version());
  PrefixNodeId node = roots_[version];
  for (unsigned depth = 0;; ++depth) {
    const PrefixParentNode parent = store_->GetParent(node);
    const PrefixNodeId child = PrefixKeyBit(key, depth) ? parent.right : parent.left;
    if (child == kNoPrefixNode) return std::nullopt;
    if (IsPrefixLeaf(child)) {
      const PrefixLeafNode leaf = store_->GetLeaf(child);
      if (leaf.vrf_output != key) return std::nullopt;
      return leaf.commitment;
    }
    node = child;
  }
}

PrefixProof PrefixTree::Prove(uint64_t version, const std::vector<Hash32>& keys) const {
  CANDOR_CHECK(version <= latest_version());
  CANDOR_CHECK(keys.size() <= 0xff);
  PrefixProof proof;
  proof.results.resize(keys.size());
  if (keys.empty()) {
    proof.elements.push_back(Root(version));
    return proof;
  }
  // walk visits parent `node` at `depth` with the lookups `idx` passing through it, left before
  // right; a child no lookup enters is listed, a child that ends lookups sets their results.
  auto walk = [&](auto& self, PrefixNodeId node, unsigned depth,
                  const std::vector<size_t>& idx) -> void {
    const PrefixParentNode parent = store_->GetParent(node);
    std::vector<size_t> sides[2];
    for (const size_t i : idx) sides[PrefixKeyBit(keys[i], depth) ? 1 : 0].push_back(i);
    for (int side = 0; side < 2; ++side) {
      const PrefixNodeId child = side == 0 ? parent.left : parent.right;
      const std::vector<size_t>& here = sides[side];
      if (here.empty()) {
        proof.elements.push_back(ValueOf(child));
        continue;
      }
      // A terminal at depth 256 cannot be encoded (see prefix_tree.h).
      CANDOR_CHECK(depth + 1 <= kMaxPrefixDepth);
      const auto child_depth = static_cast<uint8_t>(depth + 1);
      if (child == kNoPrefixNode) {
        for (const size_t i : here) {
          proof.results[i].result_type = PrefixSearchResultType::nonInclusionParent;
          proof.results[i].depth = child_depth;
        }
      } else if (IsPrefixLeaf(child)) {
        const PrefixLeafNode leaf = store_->GetLeaf(child);
        for (const size_t i : here) {
          PrefixSearchResult& r = proof.results[i];
          r.depth = child_depth;
          if (leaf.vrf_output == keys[i]) {
            r.result_type = PrefixSearchResultType::inclusion;
          } else {
            r.result_type = PrefixSearchResultType::nonInclusionLeaf;
            r.leaf.vrf_output = leaf.vrf_output;
            r.leaf.commitment = leaf.commitment;
          }
        }
      } else {
        self(self, child, depth + 1, here);
      }
    }
  };
  std::vector<size_t> all(keys.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  walk(walk, roots_[version], 0, all);
  return proof;
}

Result<PrefixEvaluation> EvaluatePrefixProof(
    const PrefixProof& proof, const std::vector<Hash32>& keys,
    const std::vector<std::optional<HashValue>>& commitments) {
  if (commitments.size() != keys.size()) {
    return MakeError(Errc::kInvalidArgument,
                     "EvaluatePrefixProof: one commitment slot per key is required");
  }
  if (proof.results.size() != keys.size()) return VerifyFailed();
  PrefixEvaluation out;
  if (keys.empty()) {
    if (proof.elements.size() != 1) return VerifyFailed();
    out.root = proof.elements[0];
    return out;
  }

  // The terminal node of each lookup: its depth and value (32 zero bytes for a missing child).
  struct Terminal {
    unsigned depth;
    bool empty;
    HashValue value;
  };
  std::vector<Terminal> terminals;
  out.included.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const PrefixSearchResult& r = proof.results[i];
    if (r.depth == 0) return VerifyFailed();
    Terminal t{r.depth, false, {}};
    switch (r.result_type) {
      case PrefixSearchResultType::inclusion:
        if (!commitments[i].has_value()) return VerifyFailed();
        t.value = PrefixLeafHash(keys[i], *commitments[i]);
        out.included[i] = true;
        break;
      case PrefixSearchResultType::nonInclusionLeaf:
        if (r.leaf.vrf_output == keys[i] || !SharesPrefix(r.leaf.vrf_output, keys[i], r.depth)) {
          return VerifyFailed();
        }
        t.value = PrefixLeafHash(r.leaf.vrf_output, r.leaf.commitment);
        break;
      case PrefixSearchResultType::nonInclusionParent:
        t.empty = true;
        t.value = kZeroHash;
        break;
      default:
        return VerifyFailed();
    }
    terminals.push_back(t);
  }

  size_t next_element = 0;
  // eval returns the value of the node at `depth` on the path of the lookups `idx` (which share
  // their first `depth` bits), or nullopt if the proof is inconsistent.
  auto eval = [&](auto& self, unsigned depth,
                  const std::vector<size_t>& idx) -> std::optional<HashValue> {
    const Terminal* ends_here = nullptr;
    for (const size_t i : idx) {
      if (terminals[i].depth == depth) ends_here = &terminals[i];
    }
    if (ends_here != nullptr) {
      // Every lookup reaching a terminal node ends there and must describe the same node.
      for (const size_t i : idx) {
        const Terminal& t = terminals[i];
        if (t.depth != depth || t.empty != ends_here->empty || t.value != ends_here->value) {
          return std::nullopt;
        }
      }
      return ends_here->value;
    }
    // No terminal here, so depth < 255 (every terminal depth is at most 255).
    std::vector<size_t> sides[2];
    for (const size_t i : idx) sides[PrefixKeyBit(keys[i], depth) ? 1 : 0].push_back(i);
    HashValue values[2];
    for (int side = 0; side < 2; ++side) {
      if (sides[side].empty()) {
        if (next_element == proof.elements.size()) return std::nullopt;
        values[side] = proof.elements[next_element++];
        continue;
      }
      const std::optional<HashValue> v = self(self, depth + 1, sides[side]);
      if (!v) return std::nullopt;
      values[side] = *v;
    }
    return PrefixParentHash(values[0], values[1]);
  };
  std::vector<size_t> all(keys.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const std::optional<HashValue> root = eval(eval, 0, all);
  if (!root || next_element != proof.elements.size()) return VerifyFailed();
  out.root = *root;
  return out;
}

}  // namespace candor::kt
