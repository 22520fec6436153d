#include "candor/mls/tree_kem.h"

#include <algorithm>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "candor/crypto/hpke.h"
#include "candor/crypto/random.h"
#include "candor/mls/leaf_node_signature.h"

namespace candor::mls {

// TreeKEMAccess reaches the maps of TreeKEMPrivateKey for the functions of this file.
struct TreeKEMAccess {
  static std::map<uint32_t, SecretBytes>& keys(TreeKEMPrivateKey& k) { return k.private_keys_; }
  static std::map<uint32_t, SecretBytes>& secrets(TreeKEMPrivateKey& k) { return k.path_secrets_; }
};

namespace {

constexpr std::string_view kUpdatePathNodeLabel = "UpdatePathNode";
// Above this many HPKE encryptions EncryptUpdatePath uses a second thread.
constexpr size_t kParallelThreshold = 64;

// NodeKeyPair derives a node's HPKE key pair from its path secret (RFC 9420 §7.4).
Result<crypto::HpkeKeyPair> NodeKeyPair(const CipherSuiteParams& cs, ByteView path_secret) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes node_secret, DeriveSecret(cs, path_secret, "node"));
  return crypto::DeriveKeyPair(cs.kem, node_secret.view());
}

Result<SecretBytes> NextPathSecret(const CipherSuiteParams& cs, ByteView path_secret) {
  return DeriveSecret(cs, path_secret, "path");
}

// PathPosition is the position of `x` in `path`, or path.size() if absent.
size_t PathPosition(const std::vector<FilteredPathNode>& path, NodeIndex x) {
  size_t i = 0;
  while (i < path.size() && path[i].node != x) ++i;
  return i;
}

bool Contains(std::span<const LeafIndex> leaves, NodeIndex x) {
  return (x.value & 1U) == 0 &&
         std::find(leaves.begin(), leaves.end(), LeafIndex{x.value / 2}) != leaves.end();
}

std::vector<NodeIndex> ResolutionExcluding(const PublicTree& tree, NodeIndex x,
                                           std::span<const LeafIndex> excluded) {
  std::vector<NodeIndex> res = tree.Resolution(x);
  std::erase_if(res, [&](NodeIndex n) { return Contains(excluded, n); });
  return res;
}

const HPKEPublicKey* PublicKeyOf(const PublicTree& tree, NodeIndex x) {
  if ((x.value & 1U) == 0) {
    const LeafNode* leaf = tree.leaf_node(LeafIndex{x.value / 2});
    return leaf ? &leaf->encryption_key : nullptr;
  }
  const ParentNode* parent = tree.parent_node(x);
  return parent ? &parent->encryption_key : nullptr;
}

bool LessBytes(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// CheckCommitterLeaf makes the RFC 9420 §7.3 and §12.4.2 checks on an UpdatePath that need no
// external policy: the new leaf's capabilities list its credential type and its
// non-RFC-9420 extensions, every other member supports its credential type, its signature_key
// is no other member's, its encryption_key differs from the current one, and no public key of
// the path appears in the tree or twice in the path. kMalformed otherwise.
Status CheckCommitterLeaf(const PublicTree& tree, LeafIndex sender, const UpdatePath& path) {
  const LeafNode& leaf = path.leaf_node;
  const Capabilities& caps = leaf.capabilities;
  const auto cred = static_cast<uint16_t>(leaf.credential.credential_type);
  auto listed = [](const auto& list, auto value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (!listed(caps.credentials, cred)) {
    return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.capabilities: own credential type");
  }
  for (const Extension& ext : leaf.extensions) {
    if (ext.extension_type > kExternalSenders && !listed(caps.extensions, ext.extension_type)) {
      return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.extensions: unlisted type");
    }
  }
  for (uint32_t l = 0; l < tree.num_leaves(); ++l) {
    const LeafNode* other = tree.leaf_node(LeafIndex{l});
    if (other == nullptr || l == sender.value) continue;
    if (other->signature_key == leaf.signature_key) {
      return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.signature_key: not unique");
    }
    if (!listed(other->capabilities.credentials, cred)) {
      return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.credential: type unsupported");
    }
  }
  // The path's keys (a few dozen at most) against every node of the tree.
  std::set<ByteView, decltype(&LessBytes)> path_keys(&LessBytes);
  path_keys.insert(leaf.encryption_key);
  for (const UpdatePathNode& node : path.nodes) {
    if (!path_keys.insert(node.encryption_key).second) {
      return MakeError(Errc::kMalformed, "UpdatePathNode.encryption_key: repeated");
    }
  }
  if (path_keys.size() != path.nodes.size() + 1) {
    return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.encryption_key: repeated");
  }
  // A sender leaf equal to path.leaf_node was put there for an external commit (AddLeaf then
  // MergeUpdatePath); it is not a current leaf whose key is reused.
  const LeafNode* current = tree.leaf_node(sender);
  const bool preadded = current != nullptr && *current == leaf;
  for (uint32_t i = 0; i < tree.num_nodes(); ++i) {
    if (preadded && i == sender.value * 2) continue;
    const HPKEPublicKey* key = PublicKeyOf(tree, NodeIndex{i});
    if (key != nullptr && path_keys.count(*key) != 0) {
      return MakeError(Errc::kMalformed, "UpdatePath: encryption_key already in the tree");
    }
  }
  return OkStatus();
}

}  // namespace

TreeKEMPrivateKey::TreeKEMPrivateKey(LeafIndex index, SecretBytes leaf_private_key)
    : index_(index) {
  private_keys_.emplace(index.value * 2, std::move(leaf_private_key));
}

TreeKEMPrivateKey TreeKEMPrivateKey::Clone() const {
  TreeKEMPrivateKey out(index_, SecretBytes());
  out.private_keys_.clear();
  for (const auto& [node, key] : private_keys_) out.private_keys_.emplace(node, key.Clone());
  for (const auto& [node, secret] : path_secrets_) out.path_secrets_.emplace(node, secret.Clone());
  return out;
}

const SecretBytes* TreeKEMPrivateKey::private_key(NodeIndex x) const {
  auto it = private_keys_.find(x.value);
  return it == private_keys_.end() ? nullptr : &it->second;
}

const SecretBytes* TreeKEMPrivateKey::path_secret(NodeIndex x) const {
  auto it = path_secrets_.find(x.value);
  return it == path_secrets_.end() ? nullptr : &it->second;
}

Status TreeKEMPrivateKey::SetNodePathSecret(const PublicTree& tree, NodeIndex x,
                                            SecretBytes path_secret) {
  const CipherSuiteParams& cs = tree.cipher_suite();
  const auto path = tree.FilteredDirectPath(index_);
  if (PathPosition(path, x) == path.size()) {
    return MakeError(Errc::kInvalidArgument, "SetNodePathSecret: node not on the filtered path");
  }
  CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair kp, NodeKeyPair(cs, path_secret.view()));
  const HPKEPublicKey* pub = PublicKeyOf(tree, x);
  if (pub == nullptr || *pub != kp.public_key) return VerifyFailed();
  private_keys_.insert_or_assign(x.value, std::move(kp.private_key));
  path_secrets_.insert_or_assign(x.value, std::move(path_secret));
  return OkStatus();
}

Status TreeKEMPrivateKey::SetPathSecret(const PublicTree& tree, NodeIndex x,
                                        SecretBytes path_secret) {
  const CipherSuiteParams& cs = tree.cipher_suite();
  const auto path = tree.FilteredDirectPath(index_);
  const size_t start = PathPosition(path, x);
  if (start == path.size()) {
    return MakeError(Errc::kInvalidArgument, "SetPathSecret: node not on the filtered path");
  }
  std::vector<std::pair<uint32_t, SecretBytes>> keys;
  std::vector<std::pair<uint32_t, SecretBytes>> secrets;
  SecretBytes secret = std::move(path_secret);
  for (size_t i = start; i < path.size(); ++i) {
    CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair kp, NodeKeyPair(cs, secret.view()));
    const HPKEPublicKey* pub = PublicKeyOf(tree, path[i].node);
    if (pub == nullptr || *pub != kp.public_key) return VerifyFailed();
    CANDOR_ASSIGN_OR_RETURN(SecretBytes next, NextPathSecret(cs, secret.view()));
    keys.emplace_back(path[i].node.value, std::move(kp.private_key));
    secrets.emplace_back(path[i].node.value, std::move(secret));
    secret = std::move(next);
  }
  for (NodeIndex p : DirectPath(NodeIndex{index_.value * 2}, tree.num_leaves())) {
    if (Level(p) >= Level(x)) {  // x and the nodes above it get the new secrets
      private_keys_.erase(p.value);
      path_secrets_.erase(p.value);
    }
  }
  for (auto& [node, key] : keys) private_keys_.insert_or_assign(node, std::move(key));
  for (auto& [node, s] : secrets) path_secrets_.insert_or_assign(node, std::move(s));
  return OkStatus();
}

Status TreeKEMPrivateKey::ConsistentWith(const PublicTree& tree) const {
  const CipherSuiteParams& cs = tree.cipher_suite();
  for (const auto& [node, key] : private_keys_) {
    const HPKEPublicKey* pub = PublicKeyOf(tree, NodeIndex{node});
    if (pub == nullptr) return VerifyFailed();
    Result<Bytes> derived = crypto::PublicKeyFromPrivate(cs.kem, key.view());
    if (!derived.ok() || *derived != *pub) return VerifyFailed();
  }
  return OkStatus();
}

Result<PendingUpdatePath> CreateUpdatePath(const PublicTree& tree, LeafIndex sender,
                                           const crypto::SignaturePrivateKey& signature_key,
                                           ByteView group_id, LeafNode leaf_template) {
  const CipherSuiteParams& cs = tree.cipher_suite();
  if (tree.leaf_node(sender) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "CreateUpdatePath: sender leaf is blank");
  }
  if (signature_key.public_key() != leaf_template.signature_key) {
    return MakeError(Errc::kInvalidArgument, "CreateUpdatePath: signature key mismatch");
  }
  const auto path = tree.FilteredDirectPath(sender);
  crypto::HpkeKeyPair leaf_kp = crypto::GenerateKeyPair(cs.kem);

  TreeKEMPrivateKey priv(sender, std::move(leaf_kp.private_key));
  std::vector<HPKEPublicKey> path_keys;
  path_keys.reserve(path.size());
  SecretBytes secret(cs.nh);
  crypto::FillRandom(secret.data(), secret.size());
  for (const FilteredPathNode& step : path) {
    CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair kp, NodeKeyPair(cs, secret.view()));
    CANDOR_ASSIGN_OR_RETURN(SecretBytes next, NextPathSecret(cs, secret.view()));
    path_keys.push_back(std::move(kp.public_key));
    TreeKEMAccess::keys(priv).emplace(step.node.value, std::move(kp.private_key));
    TreeKEMAccess::secrets(priv).emplace(step.node.value, std::move(secret));
    secret = std::move(next);
  }
  SecretBytes commit_secret(cs.nh);  // all zeros when the filtered path is empty
  if (!path.empty()) commit_secret = std::move(secret);

  PublicTree new_tree = tree;
  CANDOR_ASSIGN_OR_RETURN(Bytes parent_hash, new_tree.SetPathKeys(sender, path_keys));
  LeafNode leaf = std::move(leaf_template);
  leaf.encryption_key = std::move(leaf_kp.public_key);
  leaf.leaf_node_source = LeafNodeSource::commit;
  leaf.lifetime = {};
  leaf.parent_hash = std::move(parent_hash);
  CANDOR_TRY(SignLeafNode(cs, signature_key, group_id, sender.value, leaf));
  CANDOR_TRY(new_tree.SetLeaf(sender, leaf));
  return PendingUpdatePath{std::move(new_tree), std::move(priv), std::move(leaf),
                           std::move(path_keys), std::move(commit_secret)};
}

Result<UpdatePath> EncryptUpdatePath(const PendingUpdatePath& pending, ByteView group_context,
                                     std::span<const LeafIndex> excluded, Executor* executor) {
  const PublicTree& tree = pending.tree;
  const CipherSuiteParams& cs = tree.cipher_suite();
  const LeafIndex sender = pending.private_key.index();
  const auto path = tree.FilteredDirectPath(sender);
  if (path.size() != pending.path_keys.size()) {
    return MakeError(Errc::kInvalidArgument, "EncryptUpdatePath: pending path is inconsistent");
  }
  struct Job {
    size_t step;
    const HPKEPublicKey* key;
    const SecretBytes* secret;
  };
  std::vector<Job> jobs;
  UpdatePath out;
  out.leaf_node = pending.leaf_node;
  out.nodes.resize(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    out.nodes[i].encryption_key = pending.path_keys[i];
    const SecretBytes* secret = pending.private_key.path_secret(path[i].node);
    if (secret == nullptr) {
      return MakeError(Errc::kInvalidArgument, "EncryptUpdatePath: missing path secret");
    }
    for (NodeIndex n : ResolutionExcluding(tree, path[i].copath_child, excluded)) {
      const HPKEPublicKey* key = PublicKeyOf(tree, n);
      if (key == nullptr) return MakeError(Errc::kInternal, "EncryptUpdatePath: blank node");
      jobs.push_back({i, key, secret});
    }
  }
  // Every encryption is EncryptWithLabel(key, "UpdatePathNode", group_context, secret): the
  // prepared encryptor hashes the context once for all of them.
  CANDOR_ASSIGN_OR_RETURN(LabeledEncryptor encryptor,
                          LabeledEncryptor::Create(cs, kUpdatePathNodeLabel, group_context));
  std::vector<HPKECiphertext> cts(jobs.size());
  std::vector<Status> status(jobs.size());
  auto run = [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) {
      auto ct = encryptor.Encrypt(*jobs[j].key, jobs[j].secret->view());
      if (!ct.ok()) {
        status[j] = std::move(ct).error();
        continue;
      }
      cts[j] = {std::move(ct->kem_output), std::move(ct->ciphertext)};
    }
  };
  ParallelFor(executor, jobs.size(), kParallelThreshold + 1, run);
  for (size_t j = 0; j < jobs.size(); ++j) {
    CANDOR_TRY(status[j]);
    out.nodes[jobs[j].step].encrypted_path_secret.push_back(std::move(cts[j]));
  }
  return out;
}

namespace {

// MergeChecked merges `path` from `sender` into `merged`, a copy of `tree` that holds a leaf
// at `sender`, after the checks of MergeUpdatePath against `tree`.
Result<PublicTree> MergeChecked(const PublicTree& tree, PublicTree merged, LeafIndex sender,
                                const UpdatePath& path, ByteView group_id) {
  const CipherSuiteParams& cs = tree.cipher_suite();
  if (path.leaf_node.leaf_node_source != LeafNodeSource::commit) {
    return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.leaf_node_source: not commit");
  }
  if (!crypto::ValidatePublicKey(cs.kem, path.leaf_node.encryption_key).ok()) {
    return MakeError(Errc::kMalformed, "UpdatePath.leaf_node.encryption_key: invalid");
  }
  std::vector<HPKEPublicKey> keys;
  keys.reserve(path.nodes.size());
  for (const UpdatePathNode& node : path.nodes) {
    if (!crypto::ValidatePublicKey(cs.kem, node.encryption_key).ok()) {
      return MakeError(Errc::kMalformed, "UpdatePathNode.encryption_key: invalid");
    }
    keys.push_back(node.encryption_key);
  }
  CANDOR_TRY(CheckCommitterLeaf(tree, sender, path));
  CANDOR_ASSIGN_OR_RETURN(Bytes parent_hash, merged.SetPathKeys(sender, keys));
  if (parent_hash != path.leaf_node.parent_hash) return VerifyFailed();
  if (!VerifyLeafNode(cs, path.leaf_node, group_id, sender.value).ok()) return VerifyFailed();
  CANDOR_TRY(merged.SetLeaf(sender, path.leaf_node));
  return merged;
}

}  // namespace

Result<PublicTree> MergeUpdatePath(const PublicTree& tree, LeafIndex sender, const UpdatePath& path,
                                   ByteView group_id) {
  if (tree.leaf_node(sender) == nullptr) {
    return MakeError(Errc::kInvalidArgument, "MergeUpdatePath: sender leaf is blank");
  }
  return MergeChecked(tree, tree, sender, path, group_id);
}

Result<ExternalMerge> MergeExternalUpdatePath(const PublicTree& tree, const UpdatePath& path,
                                              ByteView group_id) {
  PublicTree merged = tree;
  CANDOR_ASSIGN_OR_RETURN(LeafIndex sender, merged.AddLeaf(path.leaf_node));
  CANDOR_ASSIGN_OR_RETURN(merged, MergeChecked(tree, std::move(merged), sender, path, group_id));
  return ExternalMerge{std::move(merged), sender};
}

Result<ProcessedUpdatePath> DecryptUpdatePath(const PublicTree& merged_tree,
                                              const TreeKEMPrivateKey& private_key,
                                              LeafIndex sender, const UpdatePath& path,
                                              ByteView group_context,
                                              std::span<const LeafIndex> excluded) {
  const CipherSuiteParams& cs = merged_tree.cipher_suite();
  const LeafIndex receiver = private_key.index();
  if (receiver == sender) {
    return MakeError(Errc::kInvalidArgument, "DecryptUpdatePath: receiver is the sender");
  }
  if (std::find(excluded.begin(), excluded.end(), receiver) != excluded.end()) {
    return MakeError(Errc::kInvalidArgument, "DecryptUpdatePath: receiver is excluded");
  }
  const auto fdp = merged_tree.FilteredDirectPath(sender);
  if (fdp.size() != path.nodes.size()) {
    return MakeError(Errc::kMalformed, "UpdatePath.nodes: length does not match the tree");
  }
  const NodeIndex ancestor =
      CommonAncestor(NodeIndex{sender.value * 2}, NodeIndex{receiver.value * 2});
  const size_t start = PathPosition(fdp, ancestor);
  if (start == fdp.size()) {
    return MakeError(Errc::kInvalidArgument, "DecryptUpdatePath: receiver not in the tree");
  }
  const auto res = ResolutionExcluding(merged_tree, fdp[start].copath_child, excluded);
  const auto& cts = path.nodes[start].encrypted_path_secret;
  if (cts.size() != res.size()) {
    return MakeError(Errc::kMalformed,
                     "UpdatePathNode.encrypted_path_secret: length does not match resolution");
  }
  size_t j = 0;
  while (j < res.size() && private_key.private_key(res[j]) == nullptr) ++j;
  if (j == res.size()) {
    return MakeError(Errc::kInvalidArgument, "DecryptUpdatePath: no private key in resolution");
  }
  Result<SecretBytes> decrypted =
      DecryptWithLabel(cs, private_key.private_key(res[j])->view(), kUpdatePathNodeLabel,
                       group_context, cts[j].kem_output, cts[j].ciphertext);
  if (!decrypted.ok()) return VerifyFailed();

  TreeKEMPrivateKey next = private_key.Clone();
  for (NodeIndex p : DirectPath(NodeIndex{sender.value * 2}, merged_tree.num_leaves())) {
    TreeKEMAccess::keys(next).erase(p.value);
    TreeKEMAccess::secrets(next).erase(p.value);
  }
  SecretBytes secret = std::move(decrypted).value();
  for (size_t i = start; i < fdp.size(); ++i) {
    CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair kp, NodeKeyPair(cs, secret.view()));
    if (kp.public_key != path.nodes[i].encryption_key) return VerifyFailed();
    CANDOR_ASSIGN_OR_RETURN(SecretBytes following, NextPathSecret(cs, secret.view()));
    TreeKEMAccess::keys(next).insert_or_assign(fdp[i].node.value, std::move(kp.private_key));
    TreeKEMAccess::secrets(next).insert_or_assign(fdp[i].node.value, std::move(secret));
    secret = std::move(following);
  }
  return ProcessedUpdatePath{std::move(next), std::move(secret)};
}

}  // namespace candor::mls
