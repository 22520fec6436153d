// prefix_tree.h: the KEYTRANS prefix tree (draft-ietf-keytrans-protocol §"Prefix Tree" under Tree
// Construction, Cryptographic Computations and Tree Proofs): a persistent, versioned binary
// prefix tree from 32-byte VRF outputs to commitments, batch lookup proofs (PrefixProof) and
// their evaluation.
//
// Decision 2 of the KT context: bit i of a key is bit (7 - i%8) of byte i/8. The root is always
// a parent node at depth 0; every leaf sits at the shallowest depth >= 1 where no other key
// shares its prefix. leaf.value = SHA-256(0x02 || vrf_output || commitment); parent.value =
// SHA-256(0x03 || left.value || right.value), a missing child counting as 32 zero bytes.
// Leaves may sit at depth 256 (two keys equal in their first 255 bits; decision 2: max depth
// 256), but PrefixSearchResult.depth is one byte, so a lookup ending at depth 256 cannot be
// encoded: Prove refuses it (CANDOR_CHECK). With VRF outputs as keys this needs a 255-bit
// near-collision; the Python model agrees (it lists such keys as `unencodable_keys`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "candor/base/result.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// kMaxPrefixDepth is the deepest terminal node a PrefixSearchResult can name.
inline constexpr unsigned kMaxPrefixDepth = 255;

// PrefixLeafHash returns leaf.value = SHA-256(0x02 || vrf_output || commitment).
HashValue PrefixLeafHash(const Hash32& vrf_output, const HashValue& commitment);

// PrefixParentHash returns parent.value = SHA-256(0x03 || left.value || right.value) (a missing
// child is passed as 32 zero bytes).
HashValue PrefixParentHash(const HashValue& left, const HashValue& right);

// PrefixKeyBit is bit `i` (< 256) of a search key, the most significant bit of byte 0 first.
inline bool PrefixKeyBit(const Hash32& key, unsigned i) {
  return ((key[i / 8] >> (7 - i % 8)) & 1) != 0;
}

// PrefixNodeId names a node in a PrefixNodeStore: kNoPrefixNode (a missing child), a leaf (top
// bit set) or a parent.
using PrefixNodeId = uint32_t;
inline constexpr PrefixNodeId kNoPrefixNode = 0;
inline constexpr PrefixNodeId kPrefixLeafBit = 0x80000000u;

// IsPrefixLeaf reports whether `id` names a leaf (false for kNoPrefixNode).
inline bool IsPrefixLeaf(PrefixNodeId id) { return (id & kPrefixLeafBit) != 0; }

// PrefixLeafNode is a stored leaf: its key and commitment (64 bytes). Its value is recomputed
// when needed (one hash: only for a sibling leaf on a proof or insert path).
struct PrefixLeafNode {
  Hash32 vrf_output{};
  HashValue commitment{};
};

// PrefixParentNode is a stored parent: its value and children (40 bytes). Nodes are immutable
// once added, so versions share every unchanged subtree.
struct PrefixParentNode {
  HashValue value{};
  PrefixNodeId left = kNoPrefixNode;
  PrefixNodeId right = kNoPrefixNode;
};

// PrefixNodeStore holds immutable prefix-tree nodes. Ids come from Add*; an id is valid for the
// store's lifetime. A disk-backed store may implement the same interface.
class PrefixNodeStore {
 public:
  virtual ~PrefixNodeStore() = default;
  // AddLeaf stores a leaf and returns its id (IsPrefixLeaf(id) holds).
  virtual PrefixNodeId AddLeaf(const PrefixLeafNode& leaf) = 0;
  // AddParent stores a parent and returns its id (neither kNoPrefixNode nor a leaf id).
  virtual PrefixNodeId AddParent(const PrefixParentNode& parent) = 0;
  // GetLeaf / GetParent return a node by an id this store returned (CANDOR_CHECK otherwise).
  virtual PrefixLeafNode GetLeaf(PrefixNodeId id) const = 0;
  virtual PrefixParentNode GetParent(PrefixNodeId id) const = 0;
  // num_leaves / num_parents count the stored nodes (for memory accounting).
  virtual uint64_t num_leaves() const = 0;
  virtual uint64_t num_parents() const = 0;
};

// MemoryPrefixNodeStore keeps nodes in two flat vectors (64 bytes per leaf, 40 per parent, plus
// vector slack). Up to 2^31-1 leaves and 2^31-1 parents.
class MemoryPrefixNodeStore final : public PrefixNodeStore {
 public:
  PrefixNodeId AddLeaf(const PrefixLeafNode& leaf) override;
  PrefixNodeId AddParent(const PrefixParentNode& parent) override;
  PrefixLeafNode GetLeaf(PrefixNodeId id) const override;
  PrefixParentNode GetParent(PrefixNodeId id) const override;
  uint64_t num_leaves() const override { return leaves_.size(); }
  uint64_t num_parents() const override { return parents_.size(); }

 private:
  std::vector<PrefixLeafNode> leaves_;
  std::vector<PrefixParentNode> parents_;
};

// PrefixTree is a persistent (copy-on-write) prefix tree: every Insert batch makes a new version
// whose nodes share unchanged subtrees with older versions; every version stays queryable.
// Version 0 is the empty tree. Not thread-safe for concurrent Insert; const members may run
// concurrently with each other if the store allows it (MemoryPrefixNodeStore does).
class PrefixTree {
 public:
  // PrefixTree uses `store` (a MemoryPrefixNodeStore when null), which must be empty.
  explicit PrefixTree(std::unique_ptr<PrefixNodeStore> store = nullptr);

  // Insert adds (vrf_output, commitment) pairs in one new version and returns its id. The keys
  // must be distinct and absent from the latest version; otherwise kInvalidArgument and nothing
  // changes. An empty batch also makes a new version (with the same root).
  Result<uint64_t> Insert(const std::vector<PrefixLeaf>& entries);

  // latest_version returns the id of the newest version (0 before any Insert).
  uint64_t latest_version() const { return roots_.size() - 1; }

  // Root returns the root value of `version` (<= latest_version(), CANDOR_CHECK).
  HashValue Root(uint64_t version) const;

  // Prove answers lookups of `keys` (in order; duplicates allowed) in `version`
  // (<= latest_version(), CANDOR_CHECK): one PrefixSearchResult per key and the sibling values
  // needed, left to right, a missing sibling as 32 zero bytes, nodes on shared paths never
  // listed. For no keys the proof is the root value alone (the fewest values giving the root).
  // At most 255 keys, and no lookup may end at depth 256 (CANDOR_CHECK, see the file comment).
  PrefixProof Prove(uint64_t version, const std::vector<Hash32>& keys) const;

  // Lookup returns the commitment of `key` in `version` (CANDOR_CHECK on the version), nullopt
  // when absent.
  std::optional<HashValue> Lookup(uint64_t version, const Hash32& key) const;

  // store gives read access to the node store (memory accounting, tests).
  const PrefixNodeStore& store() const { return *store_; }

 private:
  // Build returns a subtree at `depth` holding `entries` (sorted, distinct, sharing their
  // first `depth` bits). `existing` is a stored leaf among them, reused rather than copied.
  PrefixNodeId Build(unsigned depth, const PrefixLeaf* begin, const PrefixLeaf* end,
                     PrefixNodeId existing);
  // InsertAt returns `node` (at `depth`) with the sorted batch [begin, end) added.
  PrefixNodeId InsertAt(PrefixNodeId node, unsigned depth, const PrefixLeaf* begin,
                        const PrefixLeaf* end);
  HashValue ValueOf(PrefixNodeId id) const;
  PrefixNodeId MakeParent(PrefixNodeId left, PrefixNodeId right);

  std::unique_ptr<PrefixNodeStore> store_;
  std::vector<PrefixNodeId> roots_;  // roots_[v] is the root parent of version v
};

// PrefixEvaluation is what a verifier learns from a PrefixProof: the root it implies and, per
// key, whether the key is included.
struct PrefixEvaluation {
  HashValue root;
  std::vector<bool> included;
};

// EvaluatePrefixProof checks `proof` for `keys` (same order as proof.results) and returns the
// root it implies (the caller compares it with a trusted root) and, per key, inclusion.
// `commitments[i]` must be set for every key whose result is `inclusion`. kVerifyFailed on: a
// results count other than keys.size(), a missing commitment, depth 0, a nonInclusionLeaf whose
// leaf equals the key or does not share the key's first `depth` bits, lookups that end at the
// same node but describe it differently (or one lookup ending above another's path), or a wrong
// element count. kInvalidArgument if commitments.size() != keys.size(). With no keys the proof
// must be exactly one element, the root.
Result<PrefixEvaluation> EvaluatePrefixProof(
    const PrefixProof& proof, const std::vector<Hash32>& keys,
    const std::vector<std::optional<HashValue>>& commitments);

}  // namespace candor::kt
