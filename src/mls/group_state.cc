#include "candor/mls/group_state.h"

#include <algorithm>
#include <string>

#include "candor/base/tls.h"
#include "candor/crypto/constant_time.h"
#include "candor/mls/extensions.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/psk_secret.h"
#include "candor/mls/tree_math.h"
#include "candor/mls/welcome_ops.h"
#include "group_internal.h"

namespace candor::mls {

namespace internal {

Result<SecretBytes> ResolvePskSecret(const CipherSuiteParams& cs,
                                     std::span<const PreSharedKeyID> ids,
                                     std::span<const ExternalPsk> external_psks,
                                     const ResumptionPskLookup& resumption) {
  std::vector<Bytes> encoded_ids;
  std::vector<SecretBytes> values;
  encoded_ids.reserve(ids.size());
  values.reserve(ids.size());
  for (const PreSharedKeyID& id : ids) {
    if (id.psk_nonce.size() != cs.nh) {
      return MakeError(Errc::kMalformed, "PreSharedKeyID.psk_nonce: length is not Nh");
    }
    if (id.psktype == PSKType::external) {
      auto it = std::find_if(external_psks.begin(), external_psks.end(),
                             [&](const ExternalPsk& p) { return p.psk_id == id.psk_id; });
      if (it == external_psks.end()) {
        return MakeError(Errc::kNotFound, "PreSharedKeyID: unknown external psk_id");
      }
      values.push_back(it->psk.Clone());
    } else {
      const SecretBytes* psk = resumption ? resumption(id.psk_group_id, id.psk_epoch) : nullptr;
      if (psk == nullptr) {
        return MakeError(Errc::kNotFound, "PreSharedKeyID: unknown resumption PSK");
      }
      values.push_back(psk->Clone());
    }
    encoded_ids.push_back(tls::Encode(id));
  }
  std::vector<PskInput> inputs;
  inputs.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) inputs.push_back({encoded_ids[i], values[i].view()});
  return PskSecret(cs, inputs);
}

Bytes EncodeInterimInput(ByteView confirmation_tag) {
  InterimTranscriptHashInput in;
  in.confirmation_tag.assign(confirmation_tag.begin(), confirmation_tag.end());
  return tls::Encode(in);
}

Result<RatchetTree> FindRatchetTreeExtension(std::span<const Extension> extensions) {
  for (const Extension& e : extensions) {
    if (e.extension_type == kRatchetTree) return tls::DecodeExact<RatchetTree>(e.extension_data);
  }
  return MakeError(Errc::kNotFound, "GroupInfo.extensions: no ratchet_tree");
}

Bytes ConfirmedTranscriptHashAfter(const CipherSuiteParams& cs, ByteView interim,
                                   const AuthenticatedContent& commit) {
  ConfirmedTranscriptHashInput input;
  input.wire_format = commit.wire_format;
  input.content = commit.content;
  input.signature = commit.auth.signature;
  return ConfirmedTranscriptHash(cs, interim, tls::Encode(input));
}

Result<PublicTree> VerifiedTree(const CipherSuiteParams& cs, const GroupInfo& info,
                                const std::optional<RatchetTree>& external_tree,
                                Executor* executor) {
  RatchetTree wire_tree;
  auto from_extension = FindRatchetTreeExtension(info.extensions);
  if (from_extension.ok()) {
    wire_tree = std::move(from_extension).value();
  } else if (from_extension.error().code != Errc::kNotFound) {
    return std::move(from_extension).error();
  } else if (external_tree.has_value()) {
    wire_tree = *external_tree;
  } else {
    return MakeError(Errc::kInvalidArgument, "GroupInfo: no ratchet tree");
  }
  CANDOR_ASSIGN_OR_RETURN(PublicTree tree, PublicTree::FromRatchetTree(cs, std::move(wire_tree)));
  const LeafNode* signer_leaf = tree.leaf_node(LeafIndex{info.signer});
  if (signer_leaf == nullptr) return VerifyFailed();
  CANDOR_TRY(VerifyGroupInfoSignature(cs, info, signer_leaf->signature_key));
  if (tree.TreeHash() != info.group_context.tree_hash) return VerifyFailed();
  CANDOR_TRY(tree.Validate(info.group_context.group_id, executor));
  return tree;
}

}  // namespace internal

namespace {

// JoinerPrivateKey is a joiner's private view of `tree` (RFC 9420 §12.4.3.1): its leaf is the
// one equal to `key_package`'s LeafNode, and the path secret of GroupSecrets, if any, sits at
// the common ancestor with `committer` and derives the keys above it, each checked against
// the tree.
Result<TreeKEMPrivateKey> JoinerPrivateKey(const PublicTree& tree, const KeyPackage& key_package,
                                           const KeyPackagePrivateKeys& keys,
                                           const GroupSecrets& secrets, LeafIndex committer) {
  // Our leaf is the one equal to the KeyPackage's LeafNode.
  std::optional<LeafIndex> own;
  for (uint32_t i = 0; i < tree.num_leaves(); ++i) {
    const LeafNode* leaf = tree.leaf_node(LeafIndex{i});
    if (leaf != nullptr && *leaf == key_package.leaf_node) {
      own = LeafIndex{i};
      break;
    }
  }
  if (!own.has_value()) {
    return MakeError(Errc::kMalformed, "Welcome: our LeafNode is not in the ratchet tree");
  }
  TreeKEMPrivateKey private_key(*own, keys.encryption_private_key.Clone());
  if (secrets.path_secret.has_value()) {
    const NodeIndex ancestor = CommonAncestor(*ToNodeIndex(*own), *ToNodeIndex(committer));
    auto set = private_key.SetPathSecret(tree, ancestor, secrets.path_secret->path_secret.Clone());
    if (!set.ok()) {
      if (set.error().code == Errc::kVerifyFailed) return VerifyFailed();
      return MakeError(Errc::kMalformed, "GroupSecrets.path_secret: not for our direct path");
    }
  }
  if (!private_key.ConsistentWith(tree).ok()) {
    return MakeError(Errc::kInvalidArgument,
                     "JoinFromWelcome: encryption key does not match our leaf");
  }

  return private_key;
}

}  // namespace

Result<GroupState> GroupState::JoinFromWelcome(const KeyPackage& key_package,
                                               const KeyPackagePrivateKeys& keys,
                                               const Welcome& welcome,
                                               const std::optional<RatchetTree>& external_tree,
                                               std::span<const ExternalPsk> external_psks,
                                               Executor* executor) {
  CANDOR_ASSIGN_OR_RETURN(const CipherSuiteParams* cs,
                          GetCipherSuiteParams(key_package.cipher_suite));
  if (welcome.cipher_suite != key_package.cipher_suite) {
    return MakeError(Errc::kInvalidArgument, "Welcome.cipher_suite: not the KeyPackage's");
  }
  auto signer =
      crypto::SignaturePrivateKey::FromBytes(cs->signature, keys.signature_private_key.view());
  if (!signer.ok() || signer->public_key() != key_package.leaf_node.signature_key) {
    return MakeError(Errc::kInvalidArgument,
                     "JoinFromWelcome: signature key does not match the KeyPackage");
  }

  // Our GroupSecrets, then the PSKs they name, then the GroupInfo.
  const Bytes kp_ref = MakeKeyPackageRef(*cs, key_package);
  CANDOR_ASSIGN_OR_RETURN(GroupSecrets secrets,
                          DecryptGroupSecrets(*cs, welcome, kp_ref, keys.init_private_key.view()));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes psk_secret,
                          internal::ResolvePskSecret(*cs, secrets.psks, external_psks, nullptr));
  CANDOR_ASSIGN_OR_RETURN(
      GroupInfo info,
      DecryptGroupInfo(*cs, welcome, secrets.joiner_secret.view(), psk_secret.view()));
  if (info.group_context.cipher_suite != key_package.cipher_suite) {
    return MakeError(Errc::kMalformed, "GroupInfo.group_context.cipher_suite: not the Welcome's");
  }

  CANDOR_ASSIGN_OR_RETURN(PublicTree tree,
                          internal::VerifiedTree(*cs, info, external_tree, executor));

  CANDOR_ASSIGN_OR_RETURN(
      TreeKEMPrivateKey private_key,
      JoinerPrivateKey(tree, key_package, keys, secrets, LeafIndex{info.signer}));

  // The epoch's key schedule, confirmation tag and interim transcript hash.
  const Bytes context_bytes = tls::Encode(info.group_context);
  CANDOR_ASSIGN_OR_RETURN(KeyScheduleEpoch schedule,
                          KeyScheduleEpoch::FromJoinerSecret(*cs, secrets.joiner_secret.view(),
                                                             psk_secret.view(), context_bytes));
  CANDOR_TRY(VerifyGroupInfoConfirmationTag(schedule, info));
  return EnterEpoch(*cs, std::move(info.group_context), std::move(tree), std::move(schedule),
                    std::move(info.confirmation_tag), std::move(private_key),
                    std::move(signer).value(), nullptr);
}

Result<GroupState> GroupState::EnterEpoch(const CipherSuiteParams& cs, GroupContext context,
                                          PublicTree tree, KeyScheduleEpoch schedule,
                                          Bytes confirmation_tag, TreeKEMPrivateKey private_key,
                                          crypto::SignaturePrivateKey signer,
                                          const GroupState* previous) {
  const SecretBytes encryption_secret = schedule.TakeEncryptionSecret();
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree,
                          SecretTree::Create(cs, encryption_secret.view(), tree.num_leaves()));
  GroupState state(cs, std::move(context), std::move(tree), std::move(schedule),
                   std::move(secret_tree), std::move(private_key), std::move(signer));
  state.interim_transcript_hash_ = InterimTranscriptHash(
      cs, state.context_.confirmed_transcript_hash, internal::EncodeInterimInput(confirmation_tag));
  state.confirmation_tag_ = std::move(confirmation_tag);
  if (previous != nullptr) {
    for (const auto& [epoch, psk] : previous->resumption_psks_) {
      state.resumption_psks_.emplace_back(epoch, psk.Clone());
    }
    state.clock_ = previous->clock_;
  }
  state.RememberResumptionPsk();
  return state;
}

Result<KeyScheduleEpoch> GroupState::ScheduleEpoch(
    ByteView init_secret, const internal::ProvisionalEpoch& next,
    std::span<const PreSharedKeyID> psks, std::span<const ExternalPsk> external_psks) const {
  auto resumption = [this](ByteView group_id, uint64_t epoch) {
    return FindResumptionPsk(group_id, epoch);
  };
  CANDOR_ASSIGN_OR_RETURN(SecretBytes psk_secret,
                          internal::ResolvePskSecret(*cs_, psks, external_psks, resumption));
  return KeyScheduleEpoch::Create(*cs_, init_secret, next.commit_secret.view(), psk_secret.view(),
                                  tls::Encode(next.context));
}

crypto::SignaturePrivateKey GroupState::CloneSigner() const {
  auto copy = crypto::SignaturePrivateKey::FromBytes(signer_.scheme(), signer_.private_key());
  CANDOR_CHECK(copy.ok());  // the key was loaded from these bytes before
  return std::move(copy).value();
}

void GroupState::RememberResumptionPsk() {
  resumption_psks_.emplace_back(context_.epoch, SecretBytes(schedule_.resumption_psk()));
  while (resumption_psks_.size() > kMaxResumptionPsks) resumption_psks_.pop_front();
}

const SecretBytes* GroupState::FindResumptionPsk(ByteView group_id, uint64_t epoch) const {
  if (!std::equal(group_id.begin(), group_id.end(), context_.group_id.begin(),
                  context_.group_id.end())) {
    return nullptr;
  }
  for (const auto& [e, psk] : resumption_psks_) {
    if (e == epoch) return &psk;
  }
  return nullptr;
}

Result<SecretBytes> GroupState::MlsExporter(ByteView label, ByteView context,
                                            uint16_t length) const {
  return schedule_.MlsExporter(label, context, length);
}

}  // namespace candor::mls
