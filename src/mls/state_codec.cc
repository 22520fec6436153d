// The encodings of a member's saved state: the key schedule epoch, the secret tree, the TreeKEM
// private view and the GroupState that holds them. Strict like every decoder: sizes, counts and
// orders are checked, trailing bytes are refused by the callers' DecodeExact, and nothing
// decoded is used before the whole state checks out.
#include <limits>

#include "candor/base/tls.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/secret_tree.h"
#include "candor/mls/tree_kem.h"

namespace candor::mls {
namespace {

constexpr uint16_t kGroupStateVersion = 1;
// Bounds on what a saved state may hold (far above anything RFC 9420 limits produce).
constexpr uint32_t kMaxEntries = 1u << 20;

Error Bad(std::string_view field, std::string_view why) {
  return MakeError(Errc::kMalformed, std::string(field) + ": " + std::string(why));
}

void PutSecret(tls::Writer& w, const SecretBytes& s) { w.OpaqueV(s.view()); }

Result<SecretBytes> GetSecret(tls::Reader& r, std::string_view field, size_t size,
                              bool may_be_empty = false) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, r.OpaqueV(field));
  if (b.size() != size && !(may_be_empty && b.empty())) {
    return Bad(field, "length " + std::to_string(b.size()) + ", want " + std::to_string(size));
  }
  return SecretBytes(b);
}

Result<uint32_t> GetCount(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t n, r.U32(field));
  if (n > kMaxEntries || n > r.remaining()) return Bad(field, "count too large");
  return n;
}

}  // namespace

// struct { opaque secret<V>; ... } in the order below: joiner, welcome, epoch, sender_data,
// encryption (or empty), exporter, external, confirmation_key, membership_key, resumption_psk,
// epoch_authenticator, init.
void KeyScheduleEpoch::Encode(tls::Writer& w) const {
  for (const SecretBytes* s :
       {&joiner_secret_, &welcome_secret_, &epoch_secret_, &sender_data_secret_,
        &encryption_secret_, &exporter_secret_, &external_secret_, &confirmation_key_,
        &membership_key_, &resumption_psk_, &epoch_authenticator_, &init_secret_}) {
    PutSecret(w, *s);
  }
}

Result<KeyScheduleEpoch> KeyScheduleEpoch::Decode(const CipherSuiteParams& cs, tls::Reader& r) {
  KeyScheduleEpoch e(cs);
  const size_t nh = cs.nh;
  CANDOR_ASSIGN_OR_RETURN(e.joiner_secret_, GetSecret(r, "KeySchedule.joiner_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.welcome_secret_, GetSecret(r, "KeySchedule.welcome_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.epoch_secret_, GetSecret(r, "KeySchedule.epoch_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.sender_data_secret_,
                          GetSecret(r, "KeySchedule.sender_data_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.encryption_secret_,
                          GetSecret(r, "KeySchedule.encryption_secret", nh, true));
  CANDOR_ASSIGN_OR_RETURN(e.exporter_secret_, GetSecret(r, "KeySchedule.exporter_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.external_secret_, GetSecret(r, "KeySchedule.external_secret", nh));
  CANDOR_ASSIGN_OR_RETURN(e.confirmation_key_, GetSecret(r, "KeySchedule.confirmation_key", nh));
  CANDOR_ASSIGN_OR_RETURN(e.membership_key_, GetSecret(r, "KeySchedule.membership_key", nh));
  CANDOR_ASSIGN_OR_RETURN(e.resumption_psk_, GetSecret(r, "KeySchedule.resumption_psk", nh));
  CANDOR_ASSIGN_OR_RETURN(e.epoch_authenticator_,
                          GetSecret(r, "KeySchedule.epoch_authenticator", nh));
  CANDOR_ASSIGN_OR_RETURN(e.init_secret_, GetSecret(r, "KeySchedule.init_secret", nh));
  return e;
}

// struct { uint32 num_leaves; uint32 max_forward_distance; uint32 max_retained_keys;
//   uint32 num_nodes; { uint32 node; opaque secret<V>; } nodes[num_nodes];
//   uint32 num_leaf_ratchets; { uint32 leaf; HashRatchet handshake; HashRatchet application; } }
// HashRatchet: struct { opaque secret<V>; uint64 next_generation; uint32 num_retained;
//   { uint32 generation; opaque key<V>; opaque nonce<V>; } retained[num_retained]; }
void SecretTree::Encode(tls::Writer& w) const {
  w.U32(num_leaves_);
  w.U32(limits_.max_forward_distance);
  w.U32(limits_.max_retained_keys);
  w.U32(static_cast<uint32_t>(nodes_.size()));
  for (const auto& [node, secret] : nodes_) {
    w.U32(static_cast<uint32_t>(node));
    PutSecret(w, secret);
  }
  w.U32(static_cast<uint32_t>(leaves_.size()));
  const auto put_ratchet = [&w](const HashRatchet& h) {
    PutSecret(w, h.secret);
    w.U64(h.next_generation);
    w.U32(static_cast<uint32_t>(h.retained.size()));
    for (const auto& [generation, kn] : h.retained) {
      w.U32(generation);
      PutSecret(w, kn.key);
      PutSecret(w, kn.nonce);
    }
  };
  for (const auto& [leaf, ratchets] : leaves_) {
    w.U32(leaf);
    put_ratchet(ratchets.handshake);
    put_ratchet(ratchets.application);
  }
}

Result<SecretTree> SecretTree::Decode(const CipherSuiteParams& cs, tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t num_leaves, r.U32("SecretTree.num_leaves"));
  if (num_leaves == 0 || num_leaves > (1u << 31)) return Bad("SecretTree.num_leaves", "range");
  SecretTreeLimits limits;
  CANDOR_ASSIGN_OR_RETURN(limits.max_forward_distance, r.U32("SecretTree.max_forward_distance"));
  CANDOR_ASSIGN_OR_RETURN(limits.max_retained_keys, r.U32("SecretTree.max_retained_keys"));
  SecretTree t(cs, num_leaves, limits);
  const uint64_t num_nodes = 2 * uint64_t{num_leaves} - 1;
  CANDOR_ASSIGN_OR_RETURN(uint32_t n, GetCount(r, "SecretTree.nodes"));
  for (uint32_t i = 0; i < n; ++i) {
    CANDOR_ASSIGN_OR_RETURN(uint32_t node, r.U32("SecretTree.node"));
    if (node >= num_nodes || (!t.nodes_.empty() && node <= t.nodes_.rbegin()->first)) {
      return Bad("SecretTree.node", "out of range or out of order");
    }
    CANDOR_ASSIGN_OR_RETURN(SecretBytes secret, GetSecret(r, "SecretTree.node_secret", cs.nh));
    t.nodes_.emplace(node, std::move(secret));
  }
  const auto get_ratchet = [&](HashRatchet& h) -> Status {
    CANDOR_ASSIGN_OR_RETURN(h.secret, GetSecret(r, "HashRatchet.secret", cs.nh));
    CANDOR_ASSIGN_OR_RETURN(h.next_generation, r.U64("HashRatchet.next_generation"));
    if (h.next_generation > (uint64_t{1} << 32)) return Bad("HashRatchet.next_generation", "range");
    CANDOR_ASSIGN_OR_RETURN(uint32_t kept, GetCount(r, "HashRatchet.retained"));
    if (kept > limits.max_retained_keys) return Bad("HashRatchet.retained", "over the limit");
    for (uint32_t i = 0; i < kept; ++i) {
      KeyAndNonce kn;
      CANDOR_ASSIGN_OR_RETURN(kn.generation, r.U32("HashRatchet.generation"));
      if (kn.generation >= h.next_generation ||
          (!h.retained.empty() && kn.generation <= h.retained.rbegin()->first)) {
        return Bad("HashRatchet.generation", "out of range or out of order");
      }
      CANDOR_ASSIGN_OR_RETURN(kn.key, GetSecret(r, "HashRatchet.key", cs.nk));
      CANDOR_ASSIGN_OR_RETURN(kn.nonce, GetSecret(r, "HashRatchet.nonce", cs.nn));
      const uint32_t generation = kn.generation;
      h.retained.emplace(generation, std::move(kn));
    }
    return OkStatus();
  };
  CANDOR_ASSIGN_OR_RETURN(uint32_t num_ratchets, GetCount(r, "SecretTree.leaves"));
  for (uint32_t i = 0; i < num_ratchets; ++i) {
    CANDOR_ASSIGN_OR_RETURN(uint32_t leaf, r.U32("SecretTree.leaf"));
    if (leaf >= num_leaves || (!t.leaves_.empty() && leaf <= t.leaves_.rbegin()->first)) {
      return Bad("SecretTree.leaf", "out of range or out of order");
    }
    LeafRatchets ratchets;
    CANDOR_TRY(get_ratchet(ratchets.handshake));
    CANDOR_TRY(get_ratchet(ratchets.application));
    t.leaves_.emplace(leaf, std::move(ratchets));
  }
  return t;
}

// struct { uint32 leaf_index; uint32 num_keys; { uint32 node; opaque key<V>; } keys[];
//   uint32 num_path_secrets; { uint32 node; opaque path_secret<V>; } path_secrets[]; }
void TreeKEMPrivateKey::Encode(tls::Writer& w) const {
  w.U32(index_.value);
  for (const auto* m : {&private_keys_, &path_secrets_}) {
    w.U32(static_cast<uint32_t>(m->size()));
    for (const auto& [node, secret] : *m) {
      w.U32(node);
      PutSecret(w, secret);
    }
  }
}

Result<TreeKEMPrivateKey> TreeKEMPrivateKey::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t index, r.U32("TreeKEMPrivateKey.leaf_index"));
  std::map<uint32_t, SecretBytes> maps[2];
  for (auto& m : maps) {
    CANDOR_ASSIGN_OR_RETURN(uint32_t n, GetCount(r, "TreeKEMPrivateKey.count"));
    for (uint32_t i = 0; i < n; ++i) {
      CANDOR_ASSIGN_OR_RETURN(uint32_t node, r.U32("TreeKEMPrivateKey.node"));
      if (!m.empty() && node <= m.rbegin()->first) {
        return Bad("TreeKEMPrivateKey.node", "out of order");
      }
      CANDOR_ASSIGN_OR_RETURN(ByteView secret, r.OpaqueV("TreeKEMPrivateKey.secret"));
      if (secret.empty() || secret.size() > 256) return Bad("TreeKEMPrivateKey.secret", "length");
      m.emplace(node, SecretBytes(secret));
    }
  }
  auto leaf_key = maps[0].find(2 * index);
  if (leaf_key == maps[0].end()) return Bad("TreeKEMPrivateKey", "no private key for its leaf");
  TreeKEMPrivateKey k(LeafIndex{index}, leaf_key->second.Clone());
  k.private_keys_ = std::move(maps[0]);
  k.path_secrets_ = std::move(maps[1]);
  return k;
}

// struct { uint16 version = 1; GroupContext context; RatchetTree tree;
//   opaque interim_transcript_hash<V>; KeyScheduleEpoch schedule; SecretTree secret_tree;
//   TreeKEMPrivateKey private_key; opaque signature_private_key<V>;
//   uint32 n; { uint64 epoch; opaque psk<V>; } resumption_psks[n];
//   opaque confirmation_tag<V>;
//   uint32 m; { opaque ref<V>; Proposal proposal; Sender sender; } pending_proposals[m];
//   uint32 k; { opaque encryption_key<V>; opaque private_key<V>; } pending_update_keys[k]; }
SecretBytes GroupState::Serialize() const {
  tls::Writer w = tls::Writer::ForSecrets();
  w.U16(kGroupStateVersion);
  context_.Encode(w);
  tree_.ToRatchetTree().Encode(w);
  w.OpaqueV(interim_transcript_hash_);
  schedule_.Encode(w);
  secret_tree_.Encode(w);
  private_key_.Encode(w);
  w.OpaqueV(signer_.private_key());
  w.U32(static_cast<uint32_t>(resumption_psks_.size()));
  for (const auto& [epoch, psk] : resumption_psks_) {
    w.U64(epoch);
    PutSecret(w, psk);
  }
  w.OpaqueV(confirmation_tag_);
  w.U32(static_cast<uint32_t>(pending_proposals_.size()));
  for (const CachedProposal& p : pending_proposals_) {
    w.OpaqueV(p.ref);
    p.proposal.Encode(w);
    p.sender.Encode(w);
  }
  w.U32(static_cast<uint32_t>(pending_update_keys_.size()));
  for (const auto& [public_key, private_key] : pending_update_keys_) {
    w.OpaqueV(public_key);
    PutSecret(w, private_key);
  }
  return w.TakeSecret();
}

Result<GroupState> GroupState::Deserialize(ByteView state) {
  tls::Reader r(state);
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("GroupState.version"));
  if (version != kGroupStateVersion) return Bad("GroupState.version", std::to_string(version));
  CANDOR_ASSIGN_OR_RETURN(GroupContext context, GroupContext::Decode(r));
  auto cs = GetCipherSuiteParams(context.cipher_suite);
  if (!cs.ok()) return Bad("GroupState.context.cipher_suite", "unknown");
  CANDOR_ASSIGN_OR_RETURN(RatchetTree wire_tree, RatchetTree::Decode(r));
  auto tree = PublicTree::FromRatchetTree(**cs, std::move(wire_tree));
  if (!tree.ok()) return Bad("GroupState.tree", tree.error().message);
  if (tree->TreeHash() != context.tree_hash) return Bad("GroupState.tree", "not the tree_hash");
  CANDOR_ASSIGN_OR_RETURN(ByteView interim, r.OpaqueV("GroupState.interim_transcript_hash"));
  if (interim.size() != (*cs)->nh) return Bad("GroupState.interim_transcript_hash", "length");
  CANDOR_ASSIGN_OR_RETURN(KeyScheduleEpoch schedule, KeyScheduleEpoch::Decode(**cs, r));
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree, SecretTree::Decode(**cs, r));
  if (secret_tree.num_leaves() != tree->num_leaves()) {
    return Bad("GroupState.secret_tree", "leaf count differs from the tree's");
  }
  CANDOR_ASSIGN_OR_RETURN(TreeKEMPrivateKey private_key, TreeKEMPrivateKey::Decode(r));
  if (tree->leaf_node(private_key.index()) == nullptr) {
    return Bad("GroupState.private_key", "our leaf is blank");
  }
  if (!private_key.ConsistentWith(*tree).ok()) {
    return Bad("GroupState.private_key", "does not match the tree");
  }
  CANDOR_ASSIGN_OR_RETURN(ByteView signer_raw, r.OpaqueV("GroupState.signature_private_key"));
  auto signer = crypto::SignaturePrivateKey::FromBytes((*cs)->signature, signer_raw);
  if (!signer.ok()) return Bad("GroupState.signature_private_key", "not a key of the suite");
  if (signer->public_key() != tree->leaf_node(private_key.index())->signature_key) {
    return Bad("GroupState.signature_private_key", "not our leaf's signature key");
  }
  GroupState s(**cs, std::move(context), std::move(*tree), std::move(schedule),
               std::move(secret_tree), std::move(private_key), std::move(*signer));
  s.interim_transcript_hash_.assign(interim.begin(), interim.end());
  CANDOR_ASSIGN_OR_RETURN(uint32_t num_psks, GetCount(r, "GroupState.resumption_psks"));
  for (uint32_t i = 0; i < num_psks; ++i) {
    CANDOR_ASSIGN_OR_RETURN(uint64_t epoch, r.U64("GroupState.resumption_psk.epoch"));
    CANDOR_ASSIGN_OR_RETURN(SecretBytes psk, GetSecret(r, "GroupState.resumption_psk", (*cs)->nh));
    s.resumption_psks_.emplace_back(epoch, std::move(psk));
  }
  CANDOR_ASSIGN_OR_RETURN(ByteView tag, r.OpaqueV("GroupState.confirmation_tag"));
  s.confirmation_tag_.assign(tag.begin(), tag.end());
  CANDOR_ASSIGN_OR_RETURN(uint32_t num_pending, GetCount(r, "GroupState.pending_proposals"));
  for (uint32_t i = 0; i < num_pending; ++i) {
    CachedProposal p;
    CANDOR_ASSIGN_OR_RETURN(ByteView ref, r.OpaqueV("GroupState.pending_proposal.ref"));
    p.ref.assign(ref.begin(), ref.end());
    CANDOR_ASSIGN_OR_RETURN(p.proposal, Proposal::Decode(r));
    CANDOR_ASSIGN_OR_RETURN(p.sender, Sender::Decode(r));
    s.pending_proposals_.push_back(std::move(p));
  }
  CANDOR_ASSIGN_OR_RETURN(uint32_t num_keys, GetCount(r, "GroupState.pending_update_keys"));
  for (uint32_t i = 0; i < num_keys; ++i) {
    CANDOR_ASSIGN_OR_RETURN(ByteView pub, r.OpaqueV("GroupState.pending_update_key.public"));
    CANDOR_ASSIGN_OR_RETURN(ByteView priv, r.OpaqueV("GroupState.pending_update_key.private"));
    s.pending_update_keys_.emplace_back(Bytes(pub.begin(), pub.end()), SecretBytes(priv));
  }
  CANDOR_TRY(r.ExpectEnd());
  return s;
}

}  // namespace candor::mls
