// ratchet_tree.h: the public ratchet tree of RFC 9420 §7 (class PublicTree): conversion from
// and to the `ratchet_tree` extension (§12.4.3.3), the Add/Update/Remove edits (§7.7,
// §12.1), resolutions and filtered direct paths (§4.1), tree hashes (§7.8), parent hashes
// (§7.9) and the joiner's validation (§12.4.3.1).
//
// The class is named PublicTree because `RatchetTree` (ratchet_tree_nodes.h) is the wire struct
// of the extension body. Memory: a blank node costs one null pointer plus its cached tree hash
// (Nh bytes in one flat buffer); non-blank nodes are heap-allocated.
//
// Threading: const member functions may run concurrently; mutation needs exclusive access.
// Tree hashes are kept up to date by every mutation (O(log n) hashes per leaf edit).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/leaf_node.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "candor/mls/tree_math.h"

namespace candor::mls {

// FilteredPathNode is one step of a filtered direct path (RFC 9420 §4.1.2): `node` is a node of
// the leaf's direct path and `copath_child` its child that is not on the path, whose resolution
// is non-empty.
struct FilteredPathNode {
  NodeIndex node;
  NodeIndex copath_child;
  bool operator==(const FilteredPathNode&) const = default;
};

// PublicTree is the public state of a ratchet tree: a full binary tree whose leaf count is a
// power of two (or zero), each node blank or holding a LeafNode / ParentNode. Copyable (deep
// copy) and movable; a copy is how callers keep the old state while building a new one.
class PublicTree {
 public:
  // PublicTree builds an empty tree (no leaves) for cipher suite `cs`, which must outlive it.
  explicit PublicTree(const CipherSuiteParams& cs);
  PublicTree(const PublicTree& other);
  PublicTree& operator=(const PublicTree& other);
  PublicTree(PublicTree&&) noexcept = default;
  PublicTree& operator=(PublicTree&&) noexcept = default;
  ~PublicTree() = default;

  // FromRatchetTree builds the tree of a `ratchet_tree` extension body (RFC 9420 §12.4.3.3)
  // and computes its tree hashes. Structural errors are kMalformed: an even node count, a
  // blank last node, a ParentNode at a leaf index or a LeafNode at a parent index. No
  // signature, parent hash or unmerged_leaves check is made here (see Validate).
  static Result<PublicTree> FromRatchetTree(const CipherSuiteParams& cs, RatchetTree ratchet_tree);

  // ToRatchetTree returns the `ratchet_tree` extension body: the nodes with trailing blank
  // nodes removed (RFC 9420 §12.4.3.3).
  RatchetTree ToRatchetTree() const;

  // cipher_suite returns the suite the tree hashes with.
  const CipherSuiteParams& cipher_suite() const { return *cs_; }
  // num_leaves is the leaf width of the tree (a power of two, or 0), blank leaves included.
  uint32_t num_leaves() const { return num_leaves_; }
  // num_nodes is 2 * num_leaves - 1 (0 for an empty tree).
  uint32_t num_nodes() const { return static_cast<uint32_t>(nodes_.size()); }

  // IsBlank reports whether node `x` is blank; nodes outside the tree are blank.
  bool IsBlank(NodeIndex x) const;
  // leaf_node returns leaf `leaf`, or nullptr if it is blank or outside the tree. The pointer
  // is valid until the next mutation.
  const LeafNode* leaf_node(LeafIndex leaf) const;
  // parent_node returns parent node `x`, or nullptr if it is blank, a leaf or outside the tree.
  // The pointer is valid until the next mutation.
  const ParentNode* parent_node(NodeIndex x) const;

  // AddLeaf puts `leaf_node` at the leftmost blank leaf, extending the tree to the right when
  // there is none, and adds its index to the unmerged_leaves of every non-blank parent on its
  // direct path (RFC 9420 §7.7). Returns the new leaf's index; kInvalidArgument if the tree
  // would exceed kMaxLeaves leaves (tree unchanged).
  Result<LeafIndex> AddLeaf(LeafNode leaf_node);

  // UpdateLeaf replaces leaf `leaf` with `leaf_node` and blanks its direct path (RFC 9420
  // §12.1.2). kInvalidArgument if the leaf is blank or outside the tree (tree unchanged).
  Status UpdateLeaf(LeafIndex leaf, LeafNode leaf_node);

  // RemoveLeaf blanks leaf `leaf` and its direct path, then truncates (RFC 9420 §12.1.3).
  // kInvalidArgument if the leaf is blank or outside the tree (tree unchanged).
  Status RemoveLeaf(LeafIndex leaf);

  // Truncate halves the tree while its right half is all blank (RFC 9420 §7.7).
  void Truncate();

  // Resolution is the RFC 9420 §4.1.1 resolution of node `x`, in left-to-right order; empty
  // for a node outside the tree. Unmerged leaves outside the tree (which Validate rejects)
  // are left out.
  std::vector<NodeIndex> Resolution(NodeIndex x) const;

  // FilteredDirectPath is the RFC 9420 §4.1.2 filtered direct path of `leaf`, from the bottom
  // up, each node with its copath child. Empty for a leaf outside the tree.
  std::vector<FilteredPathNode> FilteredDirectPath(LeafIndex leaf) const;

  // TreeHash is the tree hash of the root (RFC 9420 §7.8); empty for an empty tree.
  Bytes TreeHash() const;
  // NodeTreeHash is the tree hash of the subtree under `x`; empty for a node outside the tree.
  Bytes NodeTreeHash(NodeIndex x) const;

  // ParentHash is the parent hash of non-blank parent `parent` with copath child
  // `copath_child` (RFC 9420 §7.9): Hash(ParentHashInput{encryption_key, parent_hash,
  // original_sibling_tree_hash}), the last computed with parent's unmerged_leaves blanked.
  // kInvalidArgument if `parent` is blank or `copath_child` is not its child.
  Result<Bytes> ParentHash(NodeIndex parent, NodeIndex copath_child) const;

  // VerifyParentHashes checks that every non-blank parent node is parent-hash valid, with
  // exactly one descendant authenticating it (RFC 9420 §7.9.2). kVerifyFailed otherwise.
  Status VerifyParentHashes() const;

  // Validate runs the checks a joiner makes on a received tree (RFC 9420 §12.4.3.1) that need
  // no external policy: unmerged_leaves sorted, naming non-blank leaves below the node, and
  // each such leaf in the unmerged_leaves of every non-blank node between (kMalformed);
  // every leaf signature valid for its leaf_node_source with `group_id` and the leaf's index,
  // every credential type in use listed in its capabilities, its non-RFC-9420 extension
  // types listed in its capabilities, and not_before <=
  // not_after for key_package leaves (kVerifyFailed for signatures, kMalformed else); all
  // encryption keys (leaves and parents) distinct and all signature keys distinct
  // (kMalformed); parent hashes valid (kVerifyFailed). Lifetime against the clock and
  // credential trust are the caller's policy. Above 64 leaves the signatures are checked on
  // the threads of `executor`, if one is given.
  Status Validate(ByteView group_id, Executor* executor = nullptr) const;

  // VerifyLeafSignatures checks the signature of every non-blank leaf over its LeafNodeTBS
  // with `group_id` and its index (RFC 9420 §7.2), on the threads of `executor` (if given)
  // above 64 leaves. kVerifyFailed if any fails.
  Status VerifyLeafSignatures(ByteView group_id, Executor* executor = nullptr) const;

  // SetPathKeys is the public half of merging an UpdatePath from `sender` (RFC 9420 §7.5,
  // §7.9): it blanks the sender's direct path, puts a fresh ParentNode with
  // `path_keys[i]` (and no unmerged leaves) at the i-th node of the filtered direct path,
  // sets their parent_hash fields top-down, and returns the parent hash the sender's new
  // LeafNode must carry (empty if the filtered direct path is empty). The leaf itself is not
  // touched: follow with SetLeaf. kMalformed if path_keys.size() differs from the filtered
  // direct path length; kInvalidArgument if `sender` is blank; tree unchanged on failure.
  Result<Bytes> SetPathKeys(LeafIndex sender, std::span<const HPKEPublicKey> path_keys);

  // SetLeaf replaces the non-blank leaf `leaf` without touching its direct path (for the
  // committer's new LeafNode after SetPathKeys). kInvalidArgument if `leaf` is blank or
  // outside the tree.
  Status SetLeaf(LeafIndex leaf, LeafNode leaf_node);

 private:
  // NodeSlot owns one node (nullptr = blank).
  using NodeSlot = std::unique_ptr<Node>;

  void Resize(uint32_t num_leaves);
  void MarkDirty(NodeIndex x);
  void RehashDirty();
  void HashNode(NodeIndex x);
  Bytes HashExcluding(NodeIndex x, std::span<const uint32_t> excluded) const;
  void ParentHashValid(NodeIndex p, NodeIndex child, int& num_valid) const;

  const CipherSuiteParams* cs_;
  uint32_t num_leaves_ = 0;
  std::vector<NodeSlot> nodes_;
  Bytes hashes_;                // nodes_.size() * nh bytes, the tree hash of each node
  std::vector<uint8_t> dirty_;  // 1 where hashes_ is stale
};

}  // namespace candor::mls
