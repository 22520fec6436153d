// log_tree.h: the KEYTRANS log tree (draft-ietf-keytrans-protocol §"Log Tree" under Tree
// Construction, Cryptographic Computations and Tree Proofs): a left-balanced binary tree of
// LogEntry hashes, an in-memory append-only store of it, and the batch InclusionProof that
// combines inclusion proofs of several leaves with a consistency proof from a previous size.
//
// Hashing (decision 3 of the KT context): leaf value = SHA-256(uint64 timestamp || prefix_root);
// parent value = SHA-256(hashContent(left) || hashContent(right)) with hashContent(leaf) =
// 0x00 || value and hashContent(parent) = 0x01 || value. The left child of a size-s node holds
// the largest power of two strictly less than s leaves.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "candor/base/result.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// LogEntryHash returns the log-tree leaf value SHA-256(LogEntry) of
// `struct { uint64 timestamp; opaque prefix_tree[Hash.Nh]; } LogEntry`.
HashValue LogEntryHash(uint64_t timestamp, const HashValue& prefix_root);

// LogParentHash returns parent.value = SHA-256(hashContent(left) || hashContent(right)), with
// hashContent(leaf) = 0x00 || value and hashContent(parent) = 0x01 || value.
HashValue LogParentHash(const HashValue& left, bool left_is_leaf, const HashValue& right,
                        bool right_is_leaf);

// SubtreeRange is the leaf range [start, start+size) of a subtree.
struct SubtreeRange {
  uint64_t start;
  uint64_t size;
  bool operator==(const SubtreeRange&) const = default;
};

// FullSubtrees returns the full subtrees of a size-n tree (the balanced subtrees given by the
// binary decomposition of n), left to right; empty for n = 0.
std::vector<SubtreeRange> FullSubtrees(uint64_t n);

// LogRootFromFullSubtrees returns the root of a size-n tree (n >= 1) from the head values of
// FullSubtrees(n), left to right (one per one bit of n; CANDOR_CHECK): the left-balanced shape
// hangs each off the right spine, so the root folds them from the right.
HashValue LogRootFromFullSubtrees(const std::vector<HashValue>& heads, uint64_t n);

// LogTree is an append-only in-memory log tree. It keeps the leaves and every complete level of
// balanced subtree heads (about 2n hashes), so the value of any balanced subtree is a lookup
// and the root of any size is O(log n) hashes. Not thread-safe for concurrent Append; const
// members may run concurrently with each other.
class LogTree {
 public:
  // Append adds a leaf value (normally a LogEntryHash) at index size().
  void Append(const HashValue& leaf_value);
  // size returns the number of leaves.
  uint64_t size() const;
  // Root returns the root of the current tree; size() must be >= 1 (CANDOR_CHECK).
  HashValue Root() const;
  // RootAt returns the root of the tree of the first `n` leaves; 1 <= n <= size() (CANDOR_CHECK).
  HashValue RootAt(uint64_t n) const;
  // Leaf returns leaf value `i`; i < size() (CANDOR_CHECK).
  HashValue Leaf(uint64_t i) const;
  // FullSubtreeHeads returns the head values of FullSubtrees(n), left to right; n <= size()
  // (CANDOR_CHECK).
  std::vector<HashValue> FullSubtreeHeads(uint64_t n) const;
  // Prove returns the batch InclusionProof (draft §"Tree Proofs" / §"Log Tree") for tree size
  // `n`, a user who retained the full subtrees of `old_size` (0 = none), and the requested
  // `leaves` (any order, duplicates allowed). Elements are listed by a left-to-right recursion
  // from the root: a node [start, start+size) with start < auditor_size < start+size is split
  // (the user also needs the root at `auditor_size`, the tree size of an AuditorTreeHead: the
  // heads of FullSubtrees(auditor_size) must each be an element or computed; 0 = no auditor
  // head); otherwise a balanced node containing no requested leaf and no retained full subtree
  // is one element; a retained full subtree containing no requested leaf is omitted (the user
  // has it); any other node is split (a requested leaf's value is known to the user). Requires
  // old_size <= n <= size(), auditor_size <= n and every leaf < n (CANDOR_CHECK: the caller
  // validates requests).
  InclusionProof Prove(uint64_t n, uint64_t old_size, const std::vector<uint64_t>& leaves,
                       uint64_t auditor_size = 0) const;

 private:
  // NodeValue returns the value of the node covering [start, start+size) of a tree of at least
  // start+size leaves (a node of every such tree, by left-balancing).
  HashValue NodeValue(uint64_t start, uint64_t size) const;

  // levels_[k][j] is the head of the balanced subtree [j*2^k, (j+1)*2^k); levels_[0] = leaves.
  std::vector<std::vector<HashValue>> levels_;
};

// LogTreeView is what a verifier learns from a batch proof: the root of the new tree, the head
// values of its full subtrees (to retain for the next proof) and, when an auditor size was
// given, the root of the tree at that size.
struct LogTreeView {
  HashValue root;
  std::vector<HashValue> full_subtrees;
  std::optional<HashValue> auditor_root;
};

// VerifyLogInclusion recomputes the root of a size-n tree from `leaves` (index -> value), the
// `retained` heads of FullSubtrees(old_size) (empty if old_size == 0) and `proof.elements`,
// following the recursion of LogTree::Prove. A retained full subtree that contains requested
// leaves is recomputed and must equal its retained value (draft §"Tree Proofs" / §"Log Tree").
// Returns kInvalidArgument if n == 0, old_size > n or `retained` has the wrong length;
// kVerifyFailed on a leaf index >= n, a wrong element count or a retained head mismatch. It does
// not compare the root with anything: the caller checks it against a signed tree head. On
// success returns the root and the head values of FullSubtrees(n), and for 1 <= auditor_size
// <= n also the root at auditor_size (computed from the same proof, see LogTree::Prove;
// auditor_size > n is kInvalidArgument).
Result<LogTreeView> VerifyLogInclusion(uint64_t n, uint64_t old_size,
                                       const std::vector<HashValue>& retained,
                                       const std::map<uint64_t, HashValue>& leaves,
                                       const InclusionProof& proof, uint64_t auditor_size = 0);

}  // namespace candor::kt
