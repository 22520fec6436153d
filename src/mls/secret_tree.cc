#include "candor/mls/secret_tree.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace candor::mls {
namespace {

constexpr uint64_t kGenerationLimit = uint64_t{1} << 32;  // generations are uint32

// Local array-tree math (RFC 9420 Appendix C), kept here so the secret tree does not depend on
// the wire-format layer's tree_math.h. The tree is padded to a power of two leaves, which does
// not change the secrets of the real leaves.

// NodeLevel is the number of trailing one bits of node `x` (leaves are level 0).
uint32_t NodeLevel(uint64_t x) {
  uint32_t k = 0;
  while (k < 64 && ((x >> k) & 1) == 1) ++k;
  return k;
}

// PaddedRoot is the root node of the tree padded to `padded` >= num_leaves leaves: node padded - 1.
uint64_t PaddedRoot(uint32_t num_leaves) {
  uint64_t padded = 1;
  while (padded < num_leaves) padded <<= 1;
  return padded - 1;
}

// LeftChild and RightChild are the children of parent node `x` (level > 0).
uint64_t LeftChild(uint64_t x) {
  const uint32_t k = NodeLevel(x);
  CANDOR_CHECK(k > 0 && k < 64);
  return x ^ (uint64_t{1} << (k - 1));
}
uint64_t RightChild(uint64_t x) {
  const uint32_t k = NodeLevel(x);
  CANDOR_CHECK(k > 0 && k < 63);
  return x ^ (uint64_t{3} << (k - 1));
}

}  // namespace

Result<SecretTree> SecretTree::Create(const CipherSuiteParams& cs, ByteView encryption_secret,
                                      uint32_t num_leaves, SecretTreeLimits limits) {
  if (encryption_secret.size() != cs.nh) {
    return MakeError(Errc::kInvalidArgument, "SecretTree: encryption_secret must be Nh bytes");
  }
  if (num_leaves == 0 || num_leaves > (uint32_t{1} << 31)) {
    return MakeError(Errc::kInvalidArgument, "SecretTree: num_leaves must be in [1, 2^31]");
  }
  SecretTree tree(cs, num_leaves, limits);
  tree.nodes_.emplace(PaddedRoot(num_leaves), SecretBytes(encryption_secret));
  return tree;
}

Result<SecretTree::LeafDerivation> SecretTree::DeriveLeaf(uint32_t leaf) const {
  // Walk down from the root to the first node on the leaf's path that still holds a secret.
  const uint64_t target = uint64_t{leaf} * 2;
  uint64_t x = PaddedRoot(num_leaves_);
  while (nodes_.find(x) == nodes_.end()) {
    // Unreachable while the invariant holds: every underived leaf has one ancestor in nodes_.
    CANDOR_CHECK(x != target);
    x = target < x ? LeftChild(x) : RightChild(x);
  }
  LeafDerivation d;
  d.start = x;

  // Derive down to the leaf, keeping each off-path child for later.
  SecretBytes secret = nodes_.at(x).Clone();
  while (x != target) {
    CANDOR_ASSIGN_OR_RETURN(SecretBytes left,
                            ExpandWithLabel(*cs_, secret.view(), "tree", AsBytes("left"), cs_->nh));
    CANDOR_ASSIGN_OR_RETURN(
        SecretBytes right, ExpandWithLabel(*cs_, secret.view(), "tree", AsBytes("right"), cs_->nh));
    if (target < x) {  // the target leaf lies in the left subtree
      d.siblings.emplace_back(RightChild(x), std::move(right));
      secret = std::move(left);
      x = LeftChild(x);
    } else {
      d.siblings.emplace_back(LeftChild(x), std::move(left));
      secret = std::move(right);
      x = RightChild(x);
    }
  }
  CANDOR_ASSIGN_OR_RETURN(d.ratchets.handshake.secret,
                          ExpandWithLabel(*cs_, secret.view(), "handshake", {}, cs_->nh));
  CANDOR_ASSIGN_OR_RETURN(d.ratchets.application.secret,
                          ExpandWithLabel(*cs_, secret.view(), "application", {}, cs_->nh));
  return d;
}

SecretTree::LeafRatchets& SecretTree::Commit(uint32_t leaf, LeafDerivation&& d) {
  nodes_.erase(d.start);  // the start node's secret is now held by its descendants
  for (auto& [index, s] : d.siblings) nodes_.emplace(index, std::move(s));
  auto [it, inserted] = leaves_.emplace(leaf, std::move(d.ratchets));
  CANDOR_CHECK(inserted);
  return it->second;
}

Result<KeyAndNonce> SecretTree::KeyNonceAt(ByteView secret, uint32_t generation) const {
  KeyAndNonce out;
  out.generation = generation;
  CANDOR_ASSIGN_OR_RETURN(out.key, DeriveTreeSecret(*cs_, secret, "key", generation, cs_->nk));
  CANDOR_ASSIGN_OR_RETURN(out.nonce, DeriveTreeSecret(*cs_, secret, "nonce", generation, cs_->nn));
  return out;
}

Result<KeyAndNonce> SecretTree::NextSendKey(uint32_t leaf, RatchetType type) {
  if (leaf >= num_leaves_) {
    return MakeError(Errc::kInvalidArgument, "SecretTree: leaf index out of range");
  }
  std::optional<LeafDerivation> derived;
  auto found = leaves_.find(leaf);
  if (found == leaves_.end()) {
    CANDOR_ASSIGN_OR_RETURN(derived, DeriveLeaf(leaf));
  }
  const LeafRatchets& current = derived ? derived->ratchets : found->second;
  const HashRatchet& r = Select(current, type);
  if (r.next_generation >= kGenerationLimit) {
    return MakeError(Errc::kInvalidArgument, "SecretTree: ratchet exhausted");
  }
  const auto g = static_cast<uint32_t>(r.next_generation);
  CANDOR_ASSIGN_OR_RETURN(KeyAndNonce out, KeyNonceAt(r.secret.view(), g));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes next,
                          DeriveTreeSecret(*cs_, r.secret.view(), "secret", g, cs_->nh));

  LeafRatchets& ratchets = derived ? Commit(leaf, std::move(*derived)) : found->second;
  HashRatchet& w = Select(ratchets, type);
  w.secret = std::move(next);
  w.next_generation = uint64_t{g} + 1;
  return out;
}

Result<SecretTree::ReceivePlan> SecretTree::PlanReceive(uint32_t leaf, RatchetType type,
                                                        uint32_t generation) const {
  if (leaf >= num_leaves_) {
    return MakeError(Errc::kInvalidArgument, "SecretTree: leaf index out of range");
  }
  ReceivePlan plan;
  auto found = leaves_.find(leaf);
  if (found == leaves_.end()) {
    CANDOR_ASSIGN_OR_RETURN(plan.derived, DeriveLeaf(leaf));
  }
  const HashRatchet& r = Select(plan.derived ? plan.derived->ratchets : found->second, type);

  if (generation < r.next_generation) {
    // A skipped key is handed out once; a used or evicted one is gone.
    auto it = r.retained.find(generation);
    if (it == r.retained.end()) return VerifyFailed();
    plan.out = KeyAndNonce{it->second.generation, it->second.key.Clone(), it->second.nonce.Clone()};
    plan.from_retained = true;
    return plan;
  }
  if (generation - r.next_generation > limits_.max_forward_distance) return VerifyFailed();

  // Ratchet forward on local copies, keeping only the skipped keys the window can hold.
  SecretBytes secret = r.secret.Clone();
  for (uint64_t j = r.next_generation; j < generation; ++j) {
    const auto gj = static_cast<uint32_t>(j);
    if (generation - j <= limits_.max_retained_keys) {
      CANDOR_ASSIGN_OR_RETURN(KeyAndNonce kn, KeyNonceAt(secret.view(), gj));
      plan.skipped.push_back(std::move(kn));
    }
    CANDOR_ASSIGN_OR_RETURN(secret, DeriveTreeSecret(*cs_, secret.view(), "secret", gj, cs_->nh));
  }
  CANDOR_ASSIGN_OR_RETURN(plan.out, KeyNonceAt(secret.view(), generation));
  CANDOR_ASSIGN_OR_RETURN(plan.next_secret,
                          DeriveTreeSecret(*cs_, secret.view(), "secret", generation, cs_->nh));
  return plan;
}

Result<KeyAndNonce> SecretTree::PeekReceiveKey(uint32_t leaf, RatchetType type,
                                               uint32_t generation) const {
  CANDOR_ASSIGN_OR_RETURN(ReceivePlan plan, PlanReceive(leaf, type, generation));
  return std::move(plan.out);
}

Result<KeyAndNonce> SecretTree::ReceiveKey(uint32_t leaf, RatchetType type, uint32_t generation) {
  CANDOR_ASSIGN_OR_RETURN(ReceivePlan plan, PlanReceive(leaf, type, generation));
  // Everything below cannot fail: the plan is applied as a whole.
  LeafRatchets& ratchets = plan.derived ? Commit(leaf, std::move(*plan.derived)) : leaves_.at(leaf);
  HashRatchet& r = Select(ratchets, type);
  if (plan.from_retained) {
    r.retained.erase(generation);
    return std::move(plan.out);
  }
  r.secret = std::move(plan.next_secret);
  r.next_generation = uint64_t{generation} + 1;
  for (KeyAndNonce& kn : plan.skipped) r.retained.emplace(kn.generation, std::move(kn));
  while (r.retained.size() > limits_.max_retained_keys) r.retained.erase(r.retained.begin());
  return std::move(plan.out);
}

size_t SecretTree::num_retained_keys(uint32_t leaf, RatchetType type) const {
  auto it = leaves_.find(leaf);
  if (it == leaves_.end()) return 0;
  const HashRatchet& r =
      type == RatchetType::kHandshake ? it->second.handshake : it->second.application;
  return r.retained.size();
}

Result<SecretBytes> SenderDataKey(const CipherSuiteParams& cs, ByteView sender_data_secret,
                                  ByteView ciphertext) {
  const ByteView sample = ciphertext.first(std::min<size_t>(ciphertext.size(), cs.nh));
  return ExpandWithLabel(cs, sender_data_secret, "key", sample, cs.nk);
}

Result<SecretBytes> SenderDataNonce(const CipherSuiteParams& cs, ByteView sender_data_secret,
                                    ByteView ciphertext) {
  const ByteView sample = ciphertext.first(std::min<size_t>(ciphertext.size(), cs.nh));
  return ExpandWithLabel(cs, sender_data_secret, "nonce", sample, cs.nn);
}

}  // namespace candor::mls
