#include "candor/kt/auditor.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "candor/crypto/sha256.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"
#include "codec_internal.h"

namespace candor::kt {
namespace {

constexpr HashValue kZeroHash{};

// Refuse is the auditor's refusal of an update: kVerifyFailed naming the draft's step.
Error Refuse(int step, std::string_view what) {
  return MakeError(Errc::kVerifyFailed,
                   "auditor step " + std::to_string(step) + ": " + std::string(what));
}

size_t NumFullSubtrees(uint64_t n) { return static_cast<size_t>(std::popcount(n)); }

// AppendLogLeaf returns the full-subtree heads of a size old_size + 1 log from those of size
// old_size (`heads`) and the new leaf value: the new leaf merges with the trailing subtrees of
// equal size, one per low one bit of old_size.
std::vector<HashValue> AppendLogLeaf(std::vector<HashValue> heads, uint64_t old_size,
                                     const HashValue& leaf) {
  HashValue carry = leaf;
  bool carry_is_leaf = true;
  for (uint64_t s = old_size; (s & 1) != 0; s >>= 1) {
    const HashValue left = heads.back();
    heads.pop_back();
    carry = LogParentHash(left, carry_is_leaf, carry, carry_is_leaf);
    carry_is_leaf = false;
  }
  heads.push_back(carry);
  return heads;
}

// PartialPrefixTree is the part of a prefix tree a PrefixProof reveals: the paths of its
// lookups down to their terminal nodes, every other subtree kept as an opaque value. New leaves
// whose lookups the proof covers can be inserted into it, giving the new root.
class PartialPrefixTree {
 public:
  // FromProof builds the tree of a proof EvaluatePrefixProof accepted for `keys` (with
  // `commitments` for inclusion results). nullopt if the proof is inconsistent (never, after
  // EvaluatePrefixProof succeeded; kept as a value so no input can reach a CHECK).
  static std::optional<PartialPrefixTree> FromProof(
      const PrefixProof& proof, const std::vector<Hash32>& keys,
      const std::vector<std::optional<HashValue>>& commitments) {
    PartialPrefixTree tree;
    if (keys.empty()) {
      if (proof.elements.size() != 1) return std::nullopt;
      tree.nodes_.push_back(Node{Kind::kOpaque, proof.elements[0], {}, {}, 0, 0});
      return tree;
    }
    if (proof.results.size() != keys.size()) return std::nullopt;
    size_t next_element = 0;
    tree.nodes_.push_back(Node{});  // the root, filled by build
    // build fills node `at` (depth `depth`) with the lookups `idx` passing through it.
    auto build = [&](auto& self, size_t at, unsigned depth, const std::vector<size_t>& idx) {
      for (const size_t i : idx) {
        const PrefixSearchResult& r = proof.results[i];
        if (r.depth != depth) continue;
        // A terminal node (EvaluatePrefixProof checked that all lookups here agree on it).
        Node n;
        switch (r.result_type) {
          case PrefixSearchResultType::inclusion:
            if (!commitments[i].has_value()) return false;
            n = Leaf(keys[i], *commitments[i]);
            break;
          case PrefixSearchResultType::nonInclusionLeaf:
            n = Leaf(r.leaf.vrf_output, r.leaf.commitment);
            break;
          default:
            n.kind = Kind::kEmpty;
            break;
        }
        tree.nodes_[at] = n;
        return true;
      }
      if (depth >= kMaxPrefixDepth) return false;
      std::vector<size_t> sides[2];
      for (const size_t i : idx) sides[PrefixKeyBit(keys[i], depth) ? 1 : 0].push_back(i);
      size_t children[2];
      for (int side = 0; side < 2; ++side) {
        children[side] = tree.nodes_.size();
        if (sides[side].empty()) {
          if (next_element == proof.elements.size()) return false;
          tree.nodes_.push_back(Node{Kind::kOpaque, proof.elements[next_element++], {}, {}, 0, 0});
          continue;
        }
        tree.nodes_.push_back(Node{});
        if (!self(self, children[side], depth + 1, sides[side])) return false;
      }
      tree.nodes_[at] = Node{Kind::kParent, {}, {}, {}, children[0], children[1]};
      return true;
    };
    std::vector<size_t> all(keys.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    if (!build(build, 0, 0, all) || next_element != proof.elements.size()) return std::nullopt;
    return tree;
  }

  // Insert adds `leaf`, whose lookup the proof covered and found absent: it fills a missing
  // child, or splits a leaf for another key until the two keys' bits differ. Refuses (step 7) a
  // key already present, a path the proof did not reveal, or two keys sharing their first 255
  // bits (their leaves would sit at depth 256, which no PrefixSearchResult can name).
  Status Insert(const PrefixLeaf& leaf) {
    const Hash32& key = leaf.vrf_output;
    size_t at = 0;
    for (unsigned depth = 0;; ++depth) {
      if (nodes_[at].kind != Kind::kParent || depth >= kMaxPrefixDepth) {
        return Refuse(7, "the proof does not reveal the path of an added key");
      }
      const size_t child = PrefixKeyBit(key, depth) ? nodes_[at].right : nodes_[at].left;
      switch (nodes_[child].kind) {
        case Kind::kParent:
          at = child;
          continue;
        case Kind::kEmpty:
          nodes_[child] = Leaf(key, leaf.commitment);
          return OkStatus();
        case Kind::kOpaque:
          return Refuse(7, "the proof does not reveal the path of an added key");
        case Kind::kLeaf:
          return Split(child, depth + 1, leaf);
      }
    }
  }

  // Root returns the root value.
  HashValue Root() const { return ValueOf(0); }

 private:
  enum class Kind : uint8_t { kOpaque, kEmpty, kLeaf, kParent };
  struct Node {
    Kind kind = Kind::kEmpty;
    HashValue value{};  // kOpaque: the listed value; kLeaf: the leaf value
    Hash32 key{};       // kLeaf only
    HashValue commitment{};
    size_t left = 0;  // kParent only
    size_t right = 0;
  };

  static Node Leaf(const Hash32& key, const HashValue& commitment) {
    return Node{Kind::kLeaf, PrefixLeafHash(key, commitment), key, commitment, 0, 0};
  }

  // Split replaces the leaf `at` (at `depth`) by parents down to the first bit where its key and
  // the new key differ, with both leaves below the last parent.
  Status Split(size_t at, unsigned depth, const PrefixLeaf& leaf) {
    const Node old = nodes_[at];
    const Hash32& key = leaf.vrf_output;
    if (old.key == key) return Refuse(7, "an added key is already in the prefix tree");
    unsigned differ = depth;
    while (PrefixKeyBit(old.key, differ) == PrefixKeyBit(key, differ))
      ++differ;  // keys differ: terminates
    if (differ + 1 > kMaxPrefixDepth) {
      return Refuse(7, "two keys share their first 255 bits");
    }
    for (size_t cur = at;; ++depth) {
      const size_t left = nodes_.size();
      nodes_.push_back(Node{});
      nodes_.push_back(Node{});
      nodes_[cur] = Node{Kind::kParent, {}, {}, {}, left, left + 1};
      const bool old_bit = PrefixKeyBit(old.key, depth);
      if (depth == differ) {
        nodes_[left + (old_bit ? 1 : 0)] = old;
        nodes_[left + (old_bit ? 0 : 1)] = Leaf(key, leaf.commitment);
        return OkStatus();
      }
      cur = left + (old_bit ? 1 : 0);
    }
  }

  HashValue ValueOf(size_t at) const {
    const Node& n = nodes_[at];
    switch (n.kind) {
      case Kind::kOpaque:
      case Kind::kLeaf:
        return n.value;
      case Kind::kEmpty:
        return kZeroHash;
      case Kind::kParent:
        return PrefixParentHash(ValueOf(n.left), ValueOf(n.right));
    }
    return kZeroHash;
  }

  std::vector<Node> nodes_;  // nodes_[0] is the root
};

bool SortedStrictly(const std::vector<PrefixLeaf>& leaves) {
  for (size_t i = 1; i < leaves.size(); ++i) {
    if (!(leaves[i - 1].vrf_output < leaves[i].vrf_output)) return false;
  }
  return true;
}

// FindLeaf returns the leaf of `sorted` with `key`, if any.
const PrefixLeaf* FindLeaf(const std::vector<PrefixLeaf>& sorted, const Hash32& key) {
  auto it =
      std::lower_bound(sorted.begin(), sorted.end(), key,
                       [](const PrefixLeaf& leaf, const Hash32& k) { return leaf.vrf_output < k; });
  if (it == sorted.end() || it->vrf_output != key) return nullptr;
  return &*it;
}

Status CheckAuditorSetup(const Configuration& config, const crypto::SignaturePrivateKey& key) {
  CANDOR_TRY(ValidateConfiguration(config));
  if (config.mode != DeploymentMode::thirdPartyAuditing) {
    return MakeError(Errc::kInvalidArgument,
                     "Auditor: the configuration is not in thirdPartyAuditing mode");
  }
  CANDOR_ASSIGN_OR_RETURN(CipherSuiteParams suite,
                          GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)));
  if (key.scheme() != suite.signature || key.public_key() != config.auditor_public_key) {
    return MakeError(Errc::kInvalidArgument,
                     "Auditor: the signing key does not match config.auditor_public_key");
  }
  return OkStatus();
}

}  // namespace

HashValue EmptyPrefixRoot() { return PrefixParentHash(kZeroHash, kZeroHash); }

// AuditorState: struct { uint64 tree_size; uint64 timestamp; HashValue prefix_root;
//                        HashValue full_subtrees<0..2^8-1>; } (docs/formats/auditor_state.md)
Result<AuditorState> AuditorState::Decode(tls::Reader& r) {
  AuditorState s;
  CANDOR_ASSIGN_OR_RETURN(s.tree_size, r.U64("AuditorState.tree_size"));
  CANDOR_ASSIGN_OR_RETURN(s.timestamp, r.U64("AuditorState.timestamp"));
  CANDOR_ASSIGN_OR_RETURN(s.prefix_root, internal::ReadHash(r, "AuditorState.prefix_root"));
  CANDOR_ASSIGN_OR_RETURN(s.full_subtrees,
                          internal::DecodeHashes(r, 1, "AuditorState.full_subtrees"));
  if (s.full_subtrees.size() != NumFullSubtrees(s.tree_size)) {
    return MakeError(Errc::kMalformed,
                     "AuditorState.full_subtrees: " + std::to_string(s.full_subtrees.size()) +
                         " heads for tree_size " + std::to_string(s.tree_size));
  }
  return s;
}

void AuditorState::Encode(tls::Writer& w) const {
  w.U64(tree_size);
  w.U64(timestamp);
  w.Raw(prefix_root);
  internal::EncodeHashes(w, 1, full_subtrees);
}

Auditor::Auditor(Configuration config, crypto::SignaturePrivateKey key, AuditorState state)
    : config_(std::move(config)), key_(std::move(key)), state_(std::move(state)) {}

Result<Auditor> Auditor::Create(Configuration config, crypto::SignaturePrivateKey key) {
  CANDOR_TRY(CheckAuditorSetup(config, key));
  if (config.auditor_start_pos != 0) {
    return MakeError(Errc::kInvalidArgument,
                     "Auditor::Create: auditor_start_pos is not 0 (use Restore with the state at "
                     "that position)");
  }
  return Auditor(std::move(config), std::move(key), AuditorState{});
}

Result<Auditor> Auditor::Restore(Configuration config, crypto::SignaturePrivateKey key,
                                 AuditorState state) {
  CANDOR_TRY(CheckAuditorSetup(config, key));
  if (state.tree_size < config.auditor_start_pos) {
    return MakeError(Errc::kInvalidArgument,
                     "Auditor::Restore: the state is before config.auditor_start_pos");
  }
  if (state.full_subtrees.size() != NumFullSubtrees(state.tree_size)) {
    return MakeError(Errc::kInvalidArgument,
                     "Auditor::Restore: full_subtrees does not match tree_size");
  }
  return Auditor(std::move(config), std::move(key), std::move(state));
}

HashValue Auditor::root() const {
  return LogRootFromFullSubtrees(state_.full_subtrees, state_.tree_size);
}

Result<AuditorTreeHead> Auditor::Process(const AuditorUpdate& update) {
  // Step 1: timestamps never go back.
  if (update.timestamp < state_.timestamp) {
    return Refuse(1, "timestamp " + std::to_string(update.timestamp) +
                         " is below the previous entry's " + std::to_string(state_.timestamp));
  }
  // Step 2: strictly ascending (sorted, no duplicates).
  if (!SortedStrictly(update.added)) {
    return Refuse(2, "`added` is not sorted strictly ascending by vrf_output");
  }
  if (!SortedStrictly(update.removed)) {
    return Refuse(2, "`removed` is not sorted strictly ascending by vrf_output");
  }
  if (state_.tree_size == UINT64_MAX) return Refuse(7, "the log is full");
  // Steps 3 and 4: the result types.
  const size_t num_added = update.added.size();
  std::vector<Hash32> keys;
  std::vector<std::optional<HashValue>> commitments;
  for (const PrefixLeaf& leaf : update.added) {
    keys.push_back(leaf.vrf_output);
    const PrefixLeaf* removed = FindLeaf(update.removed, leaf.vrf_output);
    commitments.push_back(removed != nullptr ? std::optional(removed->commitment) : std::nullopt);
  }
  for (const PrefixLeaf& leaf : update.removed) {
    keys.push_back(leaf.vrf_output);
    commitments.emplace_back(leaf.commitment);
  }
  if (update.proof.results.size() != keys.size()) {
    return Refuse(3, "the proof has " + std::to_string(update.proof.results.size()) +
                         " results for " + std::to_string(keys.size()) + " keys");
  }
  for (size_t i = 0; i < num_added; ++i) {
    if (!commitments[i].has_value() &&
        update.proof.results[i].result_type == PrefixSearchResultType::inclusion) {
      return Refuse(3, "added key #" + std::to_string(i) + " is already in the prefix tree");
    }
  }
  for (size_t i = num_added; i < keys.size(); ++i) {
    if (update.proof.results[i].result_type != PrefixSearchResultType::inclusion) {
      return Refuse(4,
                    "removed key #" + std::to_string(i - num_added) + " is not in the prefix tree");
    }
  }
  // Step 5: removal needs the distinguished entries, which this auditor does not track.
  if (!update.removed.empty()) {
    return Refuse(5,
                  "removal (pruning) is not supported: this auditor cannot check that a "
                  "removed leaf was published in a distinguished log entry");
  }
  // Step 6: the proof evaluates to the previous entry's prefix root.
  Result<PrefixEvaluation> evaluation = EvaluatePrefixProof(update.proof, keys, commitments);
  if (!evaluation.ok()) return Refuse(6, "the proof is inconsistent");
  if (evaluation->root != state_.prefix_root) {
    return Refuse(6, "the proof does not evaluate to the previous entry's prefix root");
  }
  // Step 7: the new prefix root, then the new log entry.
  std::optional<PartialPrefixTree> partial =
      PartialPrefixTree::FromProof(update.proof, keys, commitments);
  if (!partial) return Refuse(6, "the proof is inconsistent");
  for (const PrefixLeaf& leaf : update.added) CANDOR_TRY(partial->Insert(leaf));
  AuditorState next;
  next.tree_size = state_.tree_size + 1;
  next.timestamp = update.timestamp;
  next.prefix_root = partial->Root();
  next.full_subtrees = AppendLogLeaf(state_.full_subtrees, state_.tree_size,
                                     LogEntryHash(update.timestamp, next.prefix_root));
  const HashValue log_root = LogRootFromFullSubtrees(next.full_subtrees, next.tree_size);
  // Step 8: sign the new view.
  AuditorTreeHead head;
  head.timestamp = update.timestamp;
  head.tree_size = next.tree_size;
  head.signature = SignAuditorTreeHead(key_, config_, head.timestamp, head.tree_size, log_root);
  state_ = std::move(next);
  return head;
}

}  // namespace candor::kt
