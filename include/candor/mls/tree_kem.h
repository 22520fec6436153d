// tree_kem.h: TreeKEM (RFC 9420 §7.4-§7.6): a member's private view of the ratchet tree,
// creating an UpdatePath as committer and processing one as receiver. Every operation returns
// new state and leaves its inputs untouched; secrets live in SecretBytes.
#pragma once

#include <cstdint>
#include <map>
#include <span>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/commit.h"
#include "candor/mls/leaf_node.h"
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/tree_math.h"

namespace candor::mls {

// TreeKEMPrivateKey is a member's private view: the HPKE private key of its leaf and the path
// secrets and private keys of the nodes of its direct path it knows. Move-only (Clone copies).
class TreeKEMPrivateKey {
 public:
  // TreeKEMPrivateKey holds only the leaf private key `leaf_private_key` of leaf `index` (a
  // new member's view before any path secret).
  TreeKEMPrivateKey(LeafIndex index, SecretBytes leaf_private_key);
  TreeKEMPrivateKey(TreeKEMPrivateKey&&) noexcept = default;
  TreeKEMPrivateKey& operator=(TreeKEMPrivateKey&&) noexcept = default;
  TreeKEMPrivateKey(const TreeKEMPrivateKey&) = delete;
  TreeKEMPrivateKey& operator=(const TreeKEMPrivateKey&) = delete;
  ~TreeKEMPrivateKey() = default;

  // Clone makes an explicit copy.
  TreeKEMPrivateKey Clone() const;

  // index is the member's leaf.
  LeafIndex index() const { return index_; }
  // private_key returns the HPKE private key of node `x`, or nullptr if not held. The pointer
  // is valid until the object changes.
  const SecretBytes* private_key(NodeIndex x) const;
  // path_secret returns the path secret of node `x`, or nullptr if not held (never for the
  // leaf). The pointer is valid until the object changes.
  const SecretBytes* path_secret(NodeIndex x) const;

  // SetPathSecret stores `path_secret` at node `x` of `tree`'s direct path of this member and
  // derives up to the root (node_secret = DeriveSecret(path_secret, "node"), DeriveKeyPair;
  // next path_secret = DeriveSecret(path_secret, "path") for the next node of the filtered
  // direct path), replacing what was held for those nodes. Used by a joiner with
  // GroupSecrets.path_secret (RFC 9420 §12.4.3.1). Each derived public key must equal the
  // tree's (kVerifyFailed otherwise); kInvalidArgument if `x` is not on the filtered direct
  // path. Unchanged on failure.
  Status SetPathSecret(const PublicTree& tree, NodeIndex x, SecretBytes path_secret);

  // SetNodePathSecret stores `path_secret` for node `x` of this member's filtered direct path
  // in `tree` and the private key derived from it, without deriving further up. The derived
  // public key must equal the tree's (kVerifyFailed otherwise); kInvalidArgument if `x` is not
  // on the filtered direct path. Unchanged on failure.
  Status SetNodePathSecret(const PublicTree& tree, NodeIndex x, SecretBytes path_secret);

  // ConsistentWith checks that every private key held matches the public key of its node in
  // `tree` (kVerifyFailed otherwise).
  Status ConsistentWith(const PublicTree& tree) const;

  // Encode writes the index and every private key and path secret (use a secrets writer).
  // Decode reads them back; kMalformed names the field. Check ConsistentWith afterwards.
  void Encode(tls::Writer& w) const;
  static Result<TreeKEMPrivateKey> Decode(tls::Reader& r);

 private:
  friend struct TreeKEMAccess;
  LeafIndex index_;
  std::map<uint32_t, SecretBytes> private_keys_;  // NodeIndex -> HPKE private key
  std::map<uint32_t, SecretBytes> path_secrets_;  // NodeIndex -> path secret
};

// PendingUpdatePath is the committer's state between building the new tree and encrypting
// the path secrets: the caller computes the provisional GroupContext from `tree` (its tree
// hash) and then calls EncryptUpdatePath.
struct PendingUpdatePath {
  PublicTree tree;                       // the tree with the sender's new path merged
  TreeKEMPrivateKey private_key;         // the sender's view of `tree`
  LeafNode leaf_node;                    // the sender's new, signed LeafNode (also in `tree`)
  std::vector<HPKEPublicKey> path_keys;  // public keys of the filtered direct path, bottom up
  SecretBytes commit_secret;             // DeriveSecret(last path_secret, "path"); Nh zeros if none
};

// CreateUpdatePath generates a new leaf HPKE key and path secrets for the filtered direct path
// of `sender` in `tree` (the tree after the commit's proposals), merges the new public keys
// and parent hashes into a copy of `tree` (RFC 9420 §7.5, §7.9), and makes the new LeafNode
// from `leaf_template` (its credential, capabilities, extensions and signature_key are kept;
// encryption_key, leaf_node_source = commit, parent_hash and signature are set) signed with
// `signature_key` over `group_id` and the sender's index. kInvalidArgument if the sender leaf
// is blank or `signature_key` does not match `leaf_template.signature_key`. Randomized.
Result<PendingUpdatePath> CreateUpdatePath(const PublicTree& tree, LeafIndex sender,
                                           const crypto::SignaturePrivateKey& signature_key,
                                           ByteView group_id, LeafNode leaf_template);

// EncryptUpdatePath encrypts each path secret of `pending` to the resolution of its copath
// child with EncryptWithLabel(., "UpdatePathNode", group_context, .) (RFC 9420 §7.6),
// leaving out the leaves in `excluded` (the members added by this commit). `group_context` is
// the encoded provisional GroupContext. With more than 64 HPKE encryptions and an `executor`, they
// are split over its threads. Randomized.
Result<UpdatePath> EncryptUpdatePath(const PendingUpdatePath& pending, ByteView group_context,
                                     std::span<const LeafIndex> excluded,
                                     Executor* executor = nullptr);

// MergeUpdatePath is the receiver's public step: a copy of `tree` (after the commit's
// proposals) with the UpdatePath of `sender` merged (RFC 9420 §7.5). Checks that the path has
// one node per filtered direct path node (kMalformed), that path.leaf_node is a commit-source
// leaf signed over `group_id` and the sender index and carries the recomputed parent hash
// (kVerifyFailed), and that the encryption keys are valid (kMalformed). Also the RFC 9420
// §7.3 / §12.4.2 checks that need no external policy, each kMalformed: the leaf's capabilities
// list its credential type and its non-RFC-9420 extensions; every other member
// supports its credential type; its signature_key is no other member's; and no public key of
// the path (the leaf's included) is already in `tree` or repeated in the path. A sender leaf
// exactly equal to path.leaf_node counts as added for an external commit (AddLeaf, then this
// call) and is left out of the last check; MergeExternalUpdatePath does both steps.
Result<PublicTree> MergeUpdatePath(const PublicTree& tree, LeafIndex sender, const UpdatePath& path,
                                   ByteView group_id);

// ExternalMerge is the result of MergeExternalUpdatePath: the merged tree and the leaf the
// external joiner was given.
struct ExternalMerge {
  PublicTree tree;
  LeafIndex sender;
};

// MergeExternalUpdatePath is MergeUpdatePath for an external commit (RFC 9420 §12.4.2): the
// joiner's path.leaf_node goes to the leftmost blank leaf (the tree is extended if there is
// none), that leaf is the sender, and the path is merged with the same checks (the key
// freshness checks run against `tree`, which has no leaf of the joiner). The joiner builds
// its path the same way: AddLeaf of its LeafNode to its copy of the tree, then
// CreateUpdatePath from that leaf. Failures as MergeUpdatePath, plus kInvalidArgument if the
// tree is full.
Result<ExternalMerge> MergeExternalUpdatePath(const PublicTree& tree, const UpdatePath& path,
                                              ByteView group_id);

// ProcessedUpdatePath is what a receiver learns from an UpdatePath.
struct ProcessedUpdatePath {
  TreeKEMPrivateKey private_key;  // the receiver's view of the merged tree
  SecretBytes commit_secret;
};

// DecryptUpdatePath is the receiver's private step, with `merged_tree` from MergeUpdatePath
// and `group_context` the encoded provisional GroupContext: it finds the common ancestor of
// the receiver and `sender`, decrypts the path secret from the resolution node it holds a
// private key for with DecryptWithLabel(., "UpdatePathNode", group_context, .), derives up to
// the root and checks every derived public key against the path (RFC 9420 §7.5, §7.6).
// `excluded` is as for EncryptUpdatePath. Every decryption or key mismatch is kVerifyFailed;
// kInvalidArgument if the receiver is the sender or is in `excluded`; kMalformed if the
// ciphertext count does not match the resolution.
Result<ProcessedUpdatePath> DecryptUpdatePath(const PublicTree& merged_tree,
                                              const TreeKEMPrivateKey& private_key,
                                              LeafIndex sender, const UpdatePath& path,
                                              ByteView group_context,
                                              std::span<const LeafIndex> excluded);

}  // namespace candor::mls
