#include "candor/mls/ratchet_tree.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "candor/crypto/hpke.h"
#include "candor/mls/leaf_node_signature.h"

namespace candor::mls {
namespace {

// Above this many leaves Validate checks the leaf signatures on two threads.
constexpr size_t kParallelSignatureThreshold = 64;

bool IsLeafNode(NodeIndex x) { return (x.value & 1U) == 0; }

// LeafRange is the half-open range of leaf indices under node `x`.
struct LeafRange {
  uint64_t begin;
  uint64_t end;
  bool Contains(uint64_t leaf) const { return leaf >= begin && leaf < end; }
};

LeafRange LeavesUnder(NodeIndex x) {
  const uint64_t half = (uint64_t{1} << Level(x)) - 1;  // nodes on each side of x
  const uint64_t first = x.value - half;
  const uint64_t last = x.value + half;
  return {first / 2, last / 2 + 1};
}

// ChildOnPath is the child of `parent` whose subtree holds `leaf`.
NodeIndex ChildOnPath(NodeIndex parent, uint32_t leaf) {
  const uint32_t k = Level(parent);
  const uint32_t half = uint32_t{1} << (k - 1);  // node-index distance to each child
  return (uint64_t{leaf} * 2 < parent.value) ? NodeIndex{parent.value - half}
                                             : NodeIndex{parent.value + half};
}

NodeIndex OtherChild(NodeIndex parent, NodeIndex child) {
  const uint32_t half = uint32_t{1} << (Level(parent) - 1);
  return child.value < parent.value ? NodeIndex{parent.value + half}
                                    : NodeIndex{parent.value - half};
}

void InsertSorted(std::vector<uint32_t>& v, uint32_t value) {
  auto it = std::lower_bound(v.begin(), v.end(), value);
  if (it == v.end() || *it != value) v.insert(it, value);
}

const Bytes& EncryptionKeyOf(const Node& n) {
  if (const auto* leaf = std::get_if<LeafNode>(&n.node)) return leaf->encryption_key;
  return std::get<ParentNode>(n.node).encryption_key;
}

}  // namespace

PublicTree::PublicTree(const CipherSuiteParams& cs) : cs_(&cs) {}

PublicTree::PublicTree(const PublicTree& other)
    : cs_(other.cs_), num_leaves_(other.num_leaves_), hashes_(other.hashes_), dirty_(other.dirty_) {
  nodes_.reserve(other.nodes_.size());
  for (const auto& slot : other.nodes_) {
    nodes_.push_back(slot ? std::make_unique<Node>(*slot) : nullptr);
  }
}

PublicTree& PublicTree::operator=(const PublicTree& other) {
  if (this != &other) {
    PublicTree copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Result<PublicTree> PublicTree::FromRatchetTree(const CipherSuiteParams& cs,
                                               RatchetTree ratchet_tree) {
  auto& in = ratchet_tree.nodes;
  if (in.empty()) return MakeError(Errc::kMalformed, "ratchet_tree: no nodes");
  if (in.size() % 2 == 0) return MakeError(Errc::kMalformed, "ratchet_tree: even node count");
  if (!in.back().has_value()) return MakeError(Errc::kMalformed, "ratchet_tree: blank last node");
  const uint64_t used_leaves = (in.size() + 1) / 2;
  if (used_leaves > kMaxLeaves) return MakeError(Errc::kMalformed, "ratchet_tree: too many nodes");
  uint32_t width = 1;
  while (width < used_leaves) width *= 2;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i]) continue;
    const bool leaf_slot = i % 2 == 0;
    if (leaf_slot != (in[i]->node_type() == NodeType::leaf)) {
      return MakeError(Errc::kMalformed, "ratchet_tree: node " + std::to_string(i) +
                                             (leaf_slot ? " must be a leaf" : " must be a parent"));
    }
  }
  PublicTree tree(cs);
  tree.Resize(width);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i]) tree.nodes_[i] = std::make_unique<Node>(std::move(*in[i]));
  }
  tree.RehashDirty();
  return tree;
}

RatchetTree PublicTree::ToRatchetTree() const {
  RatchetTree out;
  size_t end = nodes_.size();
  while (end > 0 && !nodes_[end - 1]) --end;
  out.nodes.reserve(end);
  for (size_t i = 0; i < end; ++i) {
    if (nodes_[i]) {
      out.nodes.emplace_back(*nodes_[i]);
    } else {
      out.nodes.emplace_back(std::nullopt);
    }
  }
  return out;
}

bool PublicTree::IsBlank(NodeIndex x) const { return x.value >= nodes_.size() || !nodes_[x.value]; }

const LeafNode* PublicTree::leaf_node(LeafIndex leaf) const {
  const uint64_t i = uint64_t{leaf.value} * 2;
  if (i >= nodes_.size() || !nodes_[i]) return nullptr;
  return std::get_if<LeafNode>(&nodes_[i]->node);
}

const ParentNode* PublicTree::parent_node(NodeIndex x) const {
  if (x.value >= nodes_.size() || !nodes_[x.value]) return nullptr;
  return std::get_if<ParentNode>(&nodes_[x.value]->node);
}

void PublicTree::Resize(uint32_t num_leaves) {
  const uint32_t width = num_leaves == 0 ? 0 : 2 * num_leaves - 1;
  const size_t old = nodes_.size();
  nodes_.resize(width);
  hashes_.resize(size_t{width} * cs_->nh);
  dirty_.resize(width, 1);
  num_leaves_ = num_leaves;
  if (width > old && num_leaves > 0) {
    for (size_t i = old; i < width; ++i) dirty_[i] = 1;
    MarkDirty(*Root(num_leaves));
  }
}

void PublicTree::MarkDirty(NodeIndex x) {
  dirty_[x.value] = 1;
  for (NodeIndex p : DirectPath(x, num_leaves_)) dirty_[p.value] = 1;
}

void PublicTree::RehashDirty() {
  if (num_leaves_ == 0) return;
  HashNode(*Root(num_leaves_));
}

void PublicTree::HashNode(NodeIndex x) {
  if (!dirty_[x.value]) return;
  tls::Writer w;
  const Node* node = nodes_[x.value].get();
  if (IsLeafNode(x)) {
    w.U8(static_cast<uint8_t>(NodeType::leaf));
    w.U32(x.value / 2);
    w.U8(node ? 1 : 0);
    if (node) std::get<LeafNode>(node->node).Encode(w);
  } else {
    const NodeIndex left = *Left(x);
    const NodeIndex right = *Right(x);
    HashNode(left);
    HashNode(right);
    w.U8(static_cast<uint8_t>(NodeType::parent));
    w.U8(node ? 1 : 0);
    if (node) std::get<ParentNode>(node->node).Encode(w);
    w.OpaqueV(ByteView(hashes_).subspan(size_t{left.value} * cs_->nh, cs_->nh));
    w.OpaqueV(ByteView(hashes_).subspan(size_t{right.value} * cs_->nh, cs_->nh));
  }
  Bytes h = Hash(*cs_, w.bytes());
  std::copy(h.begin(), h.end(), hashes_.begin() + static_cast<ptrdiff_t>(x.value) * cs_->nh);
  dirty_[x.value] = 0;
}

Bytes PublicTree::TreeHash() const {
  if (num_leaves_ == 0) return {};
  return NodeTreeHash(*Root(num_leaves_));
}

Bytes PublicTree::NodeTreeHash(NodeIndex x) const {
  if (x.value >= nodes_.size()) return {};
  const auto begin = hashes_.begin() + static_cast<ptrdiff_t>(x.value) * cs_->nh;
  return {begin, begin + cs_->nh};
}

Bytes PublicTree::HashExcluding(NodeIndex x, std::span<const uint32_t> excluded) const {
  const LeafRange range = LeavesUnder(x);
  const bool touched =
      std::any_of(excluded.begin(), excluded.end(), [&](uint32_t l) { return range.Contains(l); });
  if (!touched) return NodeTreeHash(x);
  tls::Writer w;
  const Node* node = nodes_[x.value].get();
  if (IsLeafNode(x)) {
    w.U8(static_cast<uint8_t>(NodeType::leaf));
    w.U32(x.value / 2);
    w.U8(0);  // an excluded leaf hashes as blank
  } else {
    w.U8(static_cast<uint8_t>(NodeType::parent));
    w.U8(node ? 1 : 0);
    if (node) {
      ParentNode copy = std::get<ParentNode>(node->node);
      std::erase_if(copy.unmerged_leaves, [&](uint32_t l) {
        return std::find(excluded.begin(), excluded.end(), l) != excluded.end();
      });
      copy.Encode(w);
    }
    w.OpaqueV(HashExcluding(*Left(x), excluded));
    w.OpaqueV(HashExcluding(*Right(x), excluded));
  }
  return Hash(*cs_, w.bytes());
}

Result<Bytes> PublicTree::ParentHash(NodeIndex parent, NodeIndex copath_child) const {
  const ParentNode* p = parent_node(parent);
  if (p == nullptr) return MakeError(Errc::kInvalidArgument, "ParentHash: parent is blank");
  if (copath_child != *Left(parent) && copath_child != *Right(parent)) {
    return MakeError(Errc::kInvalidArgument, "ParentHash: not a child of parent");
  }
  tls::Writer w;
  w.OpaqueV(p->encryption_key);
  w.OpaqueV(p->parent_hash);
  w.OpaqueV(HashExcluding(copath_child, p->unmerged_leaves));
  return Hash(*cs_, w.bytes());
}

Result<LeafIndex> PublicTree::AddLeaf(LeafNode leaf_node) {
  uint32_t index = num_leaves_;
  for (uint32_t l = 0; l < num_leaves_; ++l) {
    if (!nodes_[size_t{l} * 2]) {
      index = l;
      break;
    }
  }
  if (index == num_leaves_) {
    if (num_leaves_ >= kMaxLeaves) return MakeError(Errc::kInvalidArgument, "AddLeaf: tree full");
    Resize(num_leaves_ == 0 ? 1 : num_leaves_ * 2);
  }
  const NodeIndex x{index * 2};
  nodes_[x.value] = std::make_unique<Node>(Node{std::move(leaf_node)});
  for (NodeIndex p : DirectPath(x, num_leaves_)) {
    if (nodes_[p.value]) {
      InsertSorted(std::get<ParentNode>(nodes_[p.value]->node).unmerged_leaves, index);
    }
  }
  MarkDirty(x);
  RehashDirty();
  return LeafIndex{index};
}

Status PublicTree::UpdateLeaf(LeafIndex leaf, LeafNode leaf_node) {
  if (this->leaf_node(leaf) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "UpdateLeaf: leaf is blank");
  }
  const NodeIndex x{leaf.value * 2};
  nodes_[x.value] = std::make_unique<Node>(Node{std::move(leaf_node)});
  for (NodeIndex p : DirectPath(x, num_leaves_)) nodes_[p.value].reset();
  MarkDirty(x);
  RehashDirty();
  return OkStatus();
}

Status PublicTree::SetLeaf(LeafIndex leaf, LeafNode leaf_node) {
  if (this->leaf_node(leaf) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "SetLeaf: leaf is blank");
  }
  const NodeIndex x{leaf.value * 2};
  nodes_[x.value] = std::make_unique<Node>(Node{std::move(leaf_node)});
  MarkDirty(x);
  RehashDirty();
  return OkStatus();
}

Status PublicTree::RemoveLeaf(LeafIndex leaf) {
  if (leaf_node(leaf) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "RemoveLeaf: leaf is blank");
  }
  const NodeIndex x{leaf.value * 2};
  nodes_[x.value].reset();
  for (NodeIndex p : DirectPath(x, num_leaves_)) nodes_[p.value].reset();
  MarkDirty(x);
  Truncate();
  RehashDirty();
  return OkStatus();
}

void PublicTree::Truncate() {
  while (num_leaves_ > 1) {
    bool right_blank = true;
    for (uint32_t l = num_leaves_ / 2; l < num_leaves_ && right_blank; ++l) {
      right_blank = !nodes_[size_t{l} * 2];
    }
    if (!right_blank) break;
    Resize(num_leaves_ / 2);
  }
  RehashDirty();
}

std::vector<NodeIndex> PublicTree::Resolution(NodeIndex x) const {
  std::vector<NodeIndex> out;
  if (x.value >= nodes_.size()) return out;
  std::vector<NodeIndex> stack{x};
  while (!stack.empty()) {
    const NodeIndex n = stack.back();
    stack.pop_back();
    if (nodes_[n.value]) {
      out.push_back(n);
      if (const auto* p = std::get_if<ParentNode>(&nodes_[n.value]->node)) {
        for (uint32_t l : p->unmerged_leaves) {
          if (l < num_leaves_) out.push_back(NodeIndex{l * 2});  // others fail Validate
        }
      }
    } else if (!IsLeafNode(n)) {
      stack.push_back(*Right(n));  // left is popped first
      stack.push_back(*Left(n));
    }
  }
  return out;
}

std::vector<FilteredPathNode> PublicTree::FilteredDirectPath(LeafIndex leaf) const {
  std::vector<FilteredPathNode> out;
  if (leaf.value >= num_leaves_) return out;
  for (NodeIndex p : DirectPath(NodeIndex{leaf.value * 2}, num_leaves_)) {
    const NodeIndex copath = OtherChild(p, ChildOnPath(p, leaf.value));
    // The resolution of a subtree is empty exactly when all its nodes are blank.
    const LeafRange range = LeavesUnder(copath);
    bool empty = true;
    for (uint64_t i = range.begin * 2; i < range.end * 2 - 1 && empty; ++i) empty = !nodes_[i];
    if (!empty) out.push_back({p, copath});
  }
  return out;
}

Result<Bytes> PublicTree::SetPathKeys(LeafIndex sender, std::span<const HPKEPublicKey> path_keys) {
  if (leaf_node(sender) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "SetPathKeys: sender leaf is blank");
  }
  const std::vector<FilteredPathNode> path = FilteredDirectPath(sender);
  if (path.size() != path_keys.size()) {
    return MakeError(Errc::kMalformed, "UpdatePath.nodes: length " +
                                           std::to_string(path_keys.size()) + " != filtered path " +
                                           std::to_string(path.size()));
  }
  const NodeIndex x{sender.value * 2};
  for (NodeIndex p : DirectPath(x, num_leaves_)) nodes_[p.value].reset();
  for (size_t i = 0; i < path.size(); ++i) {
    ParentNode node;
    node.encryption_key = path_keys[i];
    nodes_[path[i].node.value] = std::make_unique<Node>(Node{std::move(node)});
  }
  // Parent hashes top-down: each node carries the parent hash of the next node above it. The
  // copath subtrees are untouched, so their cached hashes are current.
  Bytes above;
  for (size_t i = path.size(); i-- > 0;) {
    std::get<ParentNode>(nodes_[path[i].node.value]->node).parent_hash = above;
    CANDOR_ASSIGN_OR_RETURN(above, ParentHash(path[i].node, path[i].copath_child));
  }
  MarkDirty(x);
  RehashDirty();
  return above;
}

void PublicTree::ParentHashValid(NodeIndex p, NodeIndex child, int& num_valid) const {
  const ParentNode& parent = std::get<ParentNode>(nodes_[p.value]->node);
  const NodeIndex sibling = OtherChild(p, child);
  Result<Bytes> ph = ParentHash(p, sibling);
  if (!ph.ok()) return;
  const LeafRange range = LeavesUnder(child);
  std::vector<uint32_t> unmerged_below;
  for (uint32_t l : parent.unmerged_leaves) {
    if (range.Contains(l)) unmerged_below.push_back(l);
  }
  const std::vector<NodeIndex> res = Resolution(child);
  for (NodeIndex d : res) {
    if (!nodes_[d.value]) continue;  // a blank unmerged leaf (Validate rejects the tree)
    const Node& dn = *nodes_[d.value];
    const Bytes* d_hash = nullptr;
    if (const auto* leaf = std::get_if<LeafNode>(&dn.node)) {
      if (leaf->leaf_node_source == LeafNodeSource::commit) d_hash = &leaf->parent_hash;
    } else {
      d_hash = &std::get<ParentNode>(dn.node).parent_hash;
    }
    if (d_hash == nullptr || *d_hash != *ph) continue;
    // The rest of the resolution must be exactly P's unmerged leaves under `child`.
    std::vector<uint32_t> rest;
    bool all_leaves = true;
    for (NodeIndex o : res) {
      if (o == d) continue;
      if (!IsLeafNode(o)) all_leaves = false;
      rest.push_back(o.value / 2);
    }
    std::sort(rest.begin(), rest.end());
    std::vector<uint32_t> expected = unmerged_below;
    std::sort(expected.begin(), expected.end());
    if (all_leaves && rest == expected) ++num_valid;
  }
}

Status PublicTree::VerifyParentHashes() const {
  for (uint32_t i = 1; i < nodes_.size(); i += 2) {
    if (!nodes_[i]) continue;
    const NodeIndex p{i};
    int num_valid = 0;
    ParentHashValid(p, *Left(p), num_valid);
    ParentHashValid(p, *Right(p), num_valid);
    if (num_valid != 1) return VerifyFailed();
  }
  return OkStatus();
}

Status PublicTree::VerifyLeafSignatures(ByteView group_id, Executor* executor) const {
  std::vector<uint32_t> leaves;
  for (uint32_t l = 0; l < num_leaves_; ++l) {
    if (leaf_node(LeafIndex{l}) != nullptr) leaves.push_back(l);
  }
  // Each range clears `all_ok` when one of its signatures fails; VerifyLeafNode is thread-safe.
  std::atomic<bool> all_ok{true};
  ParallelFor(
      executor, leaves.size(), kParallelSignatureThreshold + 1, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end && all_ok.load(std::memory_order_relaxed); ++i) {
          if (!VerifyLeafNode(*cs_, *leaf_node(LeafIndex{leaves[i]}), group_id, leaves[i]).ok()) {
            all_ok.store(false, std::memory_order_relaxed);
          }
        }
      });
  if (!all_ok.load()) return VerifyFailed();
  return OkStatus();
}

Status PublicTree::Validate(ByteView group_id, Executor* executor) const {
  // unmerged_leaves (RFC 9420 §12.4.3.1, §7.1).
  for (uint32_t i = 1; i < nodes_.size(); i += 2) {
    if (!nodes_[i]) continue;
    const NodeIndex p{i};
    const auto& unmerged = std::get<ParentNode>(nodes_[i]->node).unmerged_leaves;
    const LeafRange range = LeavesUnder(p);
    for (size_t k = 0; k < unmerged.size(); ++k) {
      const uint32_t l = unmerged[k];
      if (k > 0 && unmerged[k - 1] >= l) {
        return MakeError(Errc::kMalformed,
                         "ParentNode.unmerged_leaves: not sorted at node " + std::to_string(i));
      }
      if (!range.Contains(l) || leaf_node(LeafIndex{l}) == nullptr) {
        return MakeError(Errc::kMalformed, "ParentNode.unmerged_leaves: leaf " + std::to_string(l) +
                                               " is blank or not below node " + std::to_string(i));
      }
      for (NodeIndex q : DirectPath(NodeIndex{l * 2}, num_leaves_)) {
        if (q == p) break;
        const ParentNode* mid = parent_node(q);
        if (mid != nullptr &&
            !std::binary_search(mid->unmerged_leaves.begin(), mid->unmerged_leaves.end(), l)) {
          return MakeError(Errc::kMalformed, "ParentNode.unmerged_leaves: leaf " +
                                                 std::to_string(l) + " missing at node " +
                                                 std::to_string(q.value));
        }
      }
    }
  }
  // Leaves: capabilities, lifetime, signatures (RFC 9420 §7.3 as far as no policy is needed).
  std::set<Bytes> encryption_keys;
  std::set<Bytes> signature_keys;
  std::set<uint16_t> credential_types;
  for (uint32_t l = 0; l < num_leaves_; ++l) {
    if (const LeafNode* leaf = leaf_node(LeafIndex{l})) {
      credential_types.insert(static_cast<uint16_t>(leaf->credential.credential_type));
    }
  }
  for (uint32_t l = 0; l < num_leaves_; ++l) {
    const LeafNode* leaf = leaf_node(LeafIndex{l});
    if (leaf == nullptr) continue;
    const auto& caps = leaf->capabilities;
    for (uint16_t cred : credential_types) {  // every type in use, its own included
      if (std::find(caps.credentials.begin(), caps.credentials.end(), cred) ==
          caps.credentials.end()) {
        return MakeError(Errc::kMalformed, "LeafNode.capabilities: leaf " + std::to_string(l) +
                                               " lacks credential type " + std::to_string(cred));
      }
    }
    for (const Extension& ext : leaf->extensions) {
      // Extensions of RFC 9420 itself (types 1 to 5) need not be listed (§7.2).
      if (ext.extension_type > kExternalSenders &&
          std::find(caps.extensions.begin(), caps.extensions.end(), ext.extension_type) ==
              caps.extensions.end()) {
        return MakeError(Errc::kMalformed, "LeafNode.extensions: leaf " + std::to_string(l) +
                                               " uses unlisted type " +
                                               std::to_string(ext.extension_type));
      }
    }
    if (leaf->leaf_node_source == LeafNodeSource::key_package &&
        leaf->lifetime.not_before > leaf->lifetime.not_after) {
      return MakeError(Errc::kMalformed,
                       "LeafNode.lifetime: not_before > not_after at leaf " + std::to_string(l));
    }
    if (!signature_keys.insert(leaf->signature_key).second) {
      return MakeError(Errc::kMalformed,
                       "LeafNode.signature_key: duplicate at leaf " + std::to_string(l));
    }
  }
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i]) continue;
    const Bytes& key = EncryptionKeyOf(*nodes_[i]);
    if (!encryption_keys.insert(key).second) {
      return MakeError(Errc::kMalformed, "encryption_key: duplicate at node " + std::to_string(i));
    }
    if (!crypto::ValidatePublicKey(cs_->kem, key).ok()) {
      return MakeError(Errc::kMalformed, "encryption_key: invalid at node " + std::to_string(i));
    }
  }
  CANDOR_TRY(VerifyLeafSignatures(group_id, executor));
  return VerifyParentHashes();
}

}  // namespace candor::mls
