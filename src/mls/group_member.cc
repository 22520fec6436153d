// The member's side: creating a group, committing, Welcome and GroupInfo for joiners, joining
// by external Commit, and application messages (RFC 9420 §6.3, §11, §12.4).
#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "candor/base/tls.h"
#include "candor/crypto/hpke.h"
#include "candor/crypto/random.h"
#include "candor/mls/extension_bodies.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/leaf_node_signature.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/tree_math.h"
#include "candor/mls/welcome_ops.h"
#include "group_internal.h"

namespace candor::mls {

namespace {

// LoadOwnKeys loads the signature key of `keys` and checks both private keys against the
// KeyPackage's LeafNode. kInvalidArgument on a mismatch.
Result<crypto::SignaturePrivateKey> LoadOwnKeys(const CipherSuiteParams& cs,
                                                const KeyPackage& key_package,
                                                const KeyPackagePrivateKeys& keys) {
  auto signer =
      crypto::SignaturePrivateKey::FromBytes(cs.signature, keys.signature_private_key.view());
  if (!signer.ok() || signer->public_key() != key_package.leaf_node.signature_key) {
    return MakeError(Errc::kInvalidArgument, "signature key does not match the KeyPackage");
  }
  auto encryption_pub = crypto::PublicKeyFromPrivate(cs.kem, keys.encryption_private_key.view());
  if (!encryption_pub.ok() || *encryption_pub != key_package.leaf_node.encryption_key) {
    return MakeError(Errc::kInvalidArgument, "encryption key does not match the KeyPackage");
  }
  return std::move(signer).value();
}

Extension RatchetTreeExtension(const PublicTree& tree) {
  return Extension{kRatchetTree, tls::Encode(tree.ToRatchetTree())};
}

MLSMessage Wrap(std::variant<PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage> m) {
  MLSMessage out;
  out.message = std::move(m);
  return out;
}

// CreatePath makes the UpdatePath of the member at `own` (signing with `signer`, its new leaf
// shaped on `leaf`) for the epoch `next` (RFC 9420 §7.5, §12.4.1), encrypted to every member but
// those in `added`, and moves `next` to the tree with the path merged, the committer's private
// view of it, the new tree hash and the commit_secret.
Result<UpdatePath> CreatePath(const crypto::SignaturePrivateKey& signer, const LeafNode& leaf,
                              LeafIndex own, std::span<const LeafIndex> added,
                              internal::ProvisionalEpoch& next, Executor* executor) {
  CANDOR_ASSIGN_OR_RETURN(PendingUpdatePath pending,
                          CreateUpdatePath(next.tree, own, signer, next.context.group_id, leaf));
  next.context.tree_hash = pending.tree.TreeHash();
  CANDOR_ASSIGN_OR_RETURN(UpdatePath path,
                          EncryptUpdatePath(pending, tls::Encode(next.context), added, executor));
  next.tree = std::move(pending.tree);
  next.private_key = std::move(pending.private_key);
  next.commit_secret = std::move(pending.commit_secret);
  return path;
}

}  // namespace

Result<GroupState> GroupState::CreateGroup(const KeyPackage& key_package,
                                           const KeyPackagePrivateKeys& keys, Bytes group_id,
                                           std::vector<Extension> extensions) {
  CANDOR_ASSIGN_OR_RETURN(const CipherSuiteParams* cs,
                          GetCipherSuiteParams(key_package.cipher_suite));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey signer, LoadOwnKeys(*cs, key_package, keys));
  PublicTree tree(*cs);
  CANDOR_TRY(tree.AddLeaf(key_package.leaf_node));
  if (!internal::CheckRequiredCapabilities(tree, extensions).ok()) {
    return MakeError(Errc::kInvalidArgument, "CreateGroup: our leaf lacks required capabilities");
  }
  GroupContext context;
  context.cipher_suite = key_package.cipher_suite;
  context.group_id = std::move(group_id);
  context.epoch = 0;
  context.tree_hash = tree.TreeHash();
  context.extensions = std::move(extensions);

  // Epoch 0 (RFC 9420 §8): a random init_secret, no commit secret, no PSK.
  SecretBytes init_secret(cs->nh);
  crypto::FillRandom(init_secret.data(), init_secret.size());
  const SecretBytes zero(cs->nh);
  CANDOR_ASSIGN_OR_RETURN(KeyScheduleEpoch schedule,
                          KeyScheduleEpoch::Create(*cs, init_secret.view(), zero.view(),
                                                   zero.view(), tls::Encode(context)));
  Bytes tag = ConfirmationTag(*cs, schedule.confirmation_key(), context.confirmed_transcript_hash);
  return EnterEpoch(*cs, std::move(context), std::move(tree), std::move(schedule), std::move(tag),
                    TreeKEMPrivateKey(LeafIndex{0}, keys.encryption_private_key.Clone()),
                    std::move(signer), nullptr);
}

Result<GroupInfo> GroupState::BuildGroupInfo(std::vector<Extension> extensions,
                                             ByteView confirmation_tag) const {
  GroupInfoTBS tbs;
  tbs.group_context = context_;
  tbs.extensions = std::move(extensions);
  tbs.confirmation_tag.assign(confirmation_tag.begin(), confirmation_tag.end());
  tbs.signer = private_key_.index().value;
  return SignGroupInfo(*cs_, tbs, signer_);
}

Result<GroupInfo> GroupState::GroupInfoForJoiners() const {
  CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair external, schedule_.ExternalKeyPair());
  const Extension external_pub{kExternalPub, tls::Encode(ExternalPub{external.public_key})};
  return BuildGroupInfo({RatchetTreeExtension(tree_), external_pub}, confirmation_tag_);
}

Status GroupState::CollectProposals(const std::vector<Proposal>& proposals,
                                    std::vector<internal::ResolvedProposal>& resolved,
                                    std::vector<ProposalOrRef>& covered) const {
  const LeafIndex own = private_key_.index();
  // The cached proposals by reference, except our own Updates (our path replaces them) and
  // Removes of ourselves (a committer cannot remove itself, RFC 9420 §12.2).
  for (const CachedProposal& cached : pending_proposals_) {
    const bool ours =
        cached.sender.sender_type == SenderType::member && cached.sender.leaf_index == own.value;
    if (ours && cached.proposal.proposal_type() == ProposalType::update) continue;
    if (const auto* remove = std::get_if<Remove>(&cached.proposal.proposal);
        remove != nullptr && remove->removed == own.value) {
      continue;
    }
    resolved.push_back({&cached.proposal, cached.sender});
    covered.push_back(ProposalOrRef{ProposalRef{cached.ref}});
  }
  const Sender self{SenderType::member, own.value, 0};
  for (const Proposal& p : proposals) {
    if (p.proposal_type() == ProposalType::update) {
      return MakeError(Errc::kInvalidArgument, "Commit: an Update of our own (commit empty)");
    }
    if (const auto* remove = std::get_if<Remove>(&p.proposal);
        remove != nullptr && remove->removed == own.value) {
      return MakeError(Errc::kInvalidArgument, "Commit: a Remove of ourselves");
    }
    resolved.push_back({&p, self});
    covered.push_back(ProposalOrRef{p});
  }
  return OkStatus();
}

Result<MLSMessage> GroupState::BuildWelcome(std::span<const KeyPackage* const> added_packages,
                                            std::span<const LeafIndex> added,
                                            std::span<const PreSharedKeyID> psks, bool with_path,
                                            Executor* executor) const {
  CANDOR_ASSIGN_OR_RETURN(GroupInfo info,
                          BuildGroupInfo({RatchetTreeExtension(tree_)}, confirmation_tag_));
  Welcome welcome;
  welcome.cipher_suite = cs_->suite;
  CANDOR_ASSIGN_OR_RETURN(welcome.encrypted_group_info,
                          EncryptGroupInfo(*cs_, info, schedule_.welcome_secret()));
  const size_t num_added = std::min(added.size(), added_packages.size());
  std::vector<GroupSecrets> secrets(num_added);
  for (size_t i = 0; i < num_added; ++i) {
    secrets[i].joiner_secret = SecretBytes(schedule_.joiner_secret());
    secrets[i].psks.assign(psks.begin(), psks.end());
    if (!with_path) continue;
    const NodeIndex ancestor =
        CommonAncestor(*ToNodeIndex(private_key_.index()), *ToNodeIndex(added[i]));
    if (const SecretBytes* ps = private_key_.path_secret(ancestor)) {
      secrets[i].path_secret = PathSecret{ps->Clone()};
    }
  }
  CANDOR_ASSIGN_OR_RETURN(welcome.secrets,
                          EncryptGroupSecretsForAll(*cs_, added_packages.first(num_added), secrets,
                                                    welcome.encrypted_group_info, executor));
  return Wrap(std::move(welcome));
}

Result<MLSMessage> GroupState::ProtectCommit(const AuthenticatedContent& signed_content,
                                             bool private_message) {
  if (private_message) {
    CANDOR_ASSIGN_OR_RETURN(PrivateMessage pm,
                            ProtectPrivate(*cs_, signed_content, context_, secret_tree_,
                                           schedule_.sender_data_secret()));
    return Wrap(std::move(pm));
  }
  CANDOR_ASSIGN_OR_RETURN(
      PublicMessage pm, ProtectPublic(*cs_, signed_content, context_, schedule_.membership_key()));
  return Wrap(std::move(pm));
}

Result<GroupState::CommitResult> GroupState::Commit(const std::vector<Proposal>& proposals,
                                                    const CommitOptions& options) {
  const LeafIndex own = private_key_.index();
  const Sender self{SenderType::member, own.value, 0};
  // The proposals it covers, validated and applied to the next epoch's tree (§12.2, §12.3).
  std::vector<internal::ResolvedProposal> resolved;
  std::vector<ProposalOrRef> covered;  // Commit.proposals, in the same order
  CANDOR_TRY(CollectProposals(proposals, resolved, covered));
  internal::ProvisionalEpoch next{context_, tree_, private_key_.Clone(), SecretBytes(cs_->nh)};
  CANDOR_ASSIGN_OR_RETURN(
      internal::AppliedProposals applied,
      internal::ValidateAndApply(*cs_, resolved, self, Now(), next.tree, next.context));
  if (applied.external_init.has_value()) {
    return MakeError(Errc::kInvalidArgument, "Commit: ExternalInit in a member commit");
  }
  next.context.epoch = context_.epoch + 1;

  // The UpdatePath when required or asked for (§12.4.1), which sets the new tree hash.
  std::optional<UpdatePath> path;
  if (applied.path_required || options.force_path) {
    const LeafNode* own_leaf = next.tree.leaf_node(own);
    if (own_leaf == nullptr) return MakeError(Errc::kInternal, "Commit: our leaf is blank");
    CANDOR_ASSIGN_OR_RETURN(
        path, CreatePath(signer_, *own_leaf, own, applied.added, next, options.executor));
  } else {
    next.context.tree_hash = next.tree.TreeHash();
  }

  // The signed Commit, then the new epoch's transcript, key schedule and confirmation tag.
  FramedContent content;
  content.group_id = context_.group_id;
  content.epoch = context_.epoch;
  content.sender = self;
  content.content = mls::Commit{std::move(covered), path};
  const WireFormat wire_format =
      options.private_message ? WireFormat::mls_private_message : WireFormat::mls_public_message;
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent signed_content,
                          SignFramedContent(*cs_, wire_format, content, context_, signer_));
  next.context.confirmed_transcript_hash =
      internal::ConfirmedTranscriptHashAfter(*cs_, interim_transcript_hash_, signed_content);
  CANDOR_ASSIGN_OR_RETURN(
      KeyScheduleEpoch schedule,
      ScheduleEpoch(schedule_.init_secret(), next, applied.psks, options.external_psks));
  signed_content.auth.confirmation_tag =
      ConfirmationTag(*cs_, schedule.confirmation_key(), next.context.confirmed_transcript_hash);
  CANDOR_ASSIGN_OR_RETURN(GroupState state,
                          EnterEpoch(*cs_, std::move(next.context), std::move(next.tree),
                                     std::move(schedule), signed_content.auth.confirmation_tag,
                                     std::move(next.private_key), CloneSigner(), this));

  // The Welcome for the added members (§12.4.3.1), then the Commit itself, protected last: a
  // PrivateMessage consumes our handshake ratchet.
  std::optional<MLSMessage> welcome;
  if (!applied.added.empty()) {
    std::vector<const KeyPackage*> added_packages;  // in the order ValidateAndApply added them
    for (const internal::ResolvedProposal& rp : resolved) {
      if (const auto* add = std::get_if<Add>(&rp.proposal->proposal)) {
        added_packages.push_back(&add->key_package);
      }
    }
    CANDOR_ASSIGN_OR_RETURN(welcome, state.BuildWelcome(added_packages, applied.added, applied.psks,
                                                        path.has_value(), options.executor));
  }
  CANDOR_ASSIGN_OR_RETURN(MLSMessage commit_message,
                          ProtectCommit(signed_content, options.private_message));
  return CommitResult{std::move(commit_message), std::move(welcome), std::move(state)};
}

Result<std::pair<MLSMessage, GroupState>> GroupState::JoinExternal(
    const KeyPackage& key_package, const KeyPackagePrivateKeys& keys, const GroupInfo& group_info,
    Executor* executor, std::optional<LeafIndex> replacing) {
  CANDOR_ASSIGN_OR_RETURN(const CipherSuiteParams* cs,
                          GetCipherSuiteParams(key_package.cipher_suite));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey signer, LoadOwnKeys(*cs, key_package, keys));
  if (group_info.group_context.cipher_suite != key_package.cipher_suite) {
    return MakeError(Errc::kInvalidArgument, "JoinExternal: GroupInfo of another cipher suite");
  }
  // The GroupInfo and its tree (§12.4.3.2), and the init_secret from external_pub.
  CANDOR_ASSIGN_OR_RETURN(PublicTree tree,
                          internal::VerifiedTree(*cs, group_info, std::nullopt, executor));
  std::optional<ExternalPub> external_pub;
  for (const Extension& e : group_info.extensions) {
    if (e.extension_type != kExternalPub) continue;
    CANDOR_ASSIGN_OR_RETURN(external_pub, tls::DecodeExact<ExternalPub>(e.extension_data));
  }
  if (!external_pub.has_value()) {
    return MakeError(Errc::kNotFound, "GroupInfo.extensions: no external_pub");
  }
  CANDOR_ASSIGN_OR_RETURN(ExternalInitKeys init,
                          ExternalInitSender(*cs, external_pub->external_pub));

  // A resync removes our old leaf first (receivers apply the Remove before the path), then
  // our leaf goes where an Add would put it; the UpdatePath replaces it.
  std::vector<ProposalOrRef> proposals{ProposalOrRef{Proposal{ExternalInit{init.kem_output}}}};
  if (replacing.has_value()) {
    if (!tree.RemoveLeaf(*replacing).ok()) {
      return MakeError(Errc::kInvalidArgument, "JoinExternal: the leaf to replace is blank");
    }
    proposals.push_back(ProposalOrRef{Proposal{Remove{replacing->value}}});
  }
  CANDOR_ASSIGN_OR_RETURN(LeafIndex own, tree.AddLeaf(key_package.leaf_node));
  internal::ProvisionalEpoch next{group_info.group_context, std::move(tree),
                                  TreeKEMPrivateKey(own, keys.encryption_private_key.Clone()),
                                  SecretBytes(cs->nh)};
  next.context.epoch = group_info.group_context.epoch + 1;
  CANDOR_ASSIGN_OR_RETURN(UpdatePath path,
                          CreatePath(signer, key_package.leaf_node, own, {}, next, executor));

  FramedContent content;
  content.group_id = group_info.group_context.group_id;
  content.epoch = group_info.group_context.epoch;
  content.sender = Sender{SenderType::new_member_commit, 0, 0};
  content.content = mls::Commit{std::move(proposals), std::move(path)};
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent signed_content,
                          SignFramedContent(*cs, WireFormat::mls_public_message, content,
                                            group_info.group_context, signer));
  const Bytes interim =
      InterimTranscriptHash(*cs, group_info.group_context.confirmed_transcript_hash,
                            internal::EncodeInterimInput(group_info.confirmation_tag));
  next.context.confirmed_transcript_hash =
      internal::ConfirmedTranscriptHashAfter(*cs, interim, signed_content);
  const SecretBytes no_psk(cs->nh);
  CANDOR_ASSIGN_OR_RETURN(
      KeyScheduleEpoch schedule,
      KeyScheduleEpoch::Create(*cs, init.init_secret.view(), next.commit_secret.view(),
                               no_psk.view(), tls::Encode(next.context)));
  signed_content.auth.confirmation_tag =
      ConfirmationTag(*cs, schedule.confirmation_key(), next.context.confirmed_transcript_hash);
  CANDOR_ASSIGN_OR_RETURN(PublicMessage message,
                          ProtectPublic(*cs, signed_content, group_info.group_context, ByteView{}));
  CANDOR_ASSIGN_OR_RETURN(
      GroupState state,
      EnterEpoch(*cs, std::move(next.context), std::move(next.tree), std::move(schedule),
                 std::move(signed_content.auth.confirmation_tag), std::move(next.private_key),
                 std::move(signer), nullptr));
  return std::pair<MLSMessage, GroupState>(Wrap(std::move(message)), std::move(state));
}

Result<MLSMessage> GroupState::SendProposal(const Proposal& proposal, bool private_message) {
  FramedContent content;
  content.group_id = context_.group_id;
  content.epoch = context_.epoch;
  content.sender = Sender{SenderType::member, private_key_.index().value, 0};
  content.content = proposal;
  const WireFormat wire_format =
      private_message ? WireFormat::mls_private_message : WireFormat::mls_public_message;
  CANDOR_ASSIGN_OR_RETURN(
      AuthenticatedContent signed_content,
      SignFramedContent(*cs_, wire_format, std::move(content), context_, signer_));
  MLSMessage message;
  if (private_message) {
    CANDOR_ASSIGN_OR_RETURN(PrivateMessage pm,
                            ProtectPrivate(*cs_, signed_content, context_, secret_tree_,
                                           schedule_.sender_data_secret()));
    message = Wrap(std::move(pm));
  } else {
    CANDOR_ASSIGN_OR_RETURN(PublicMessage pm, ProtectPublic(*cs_, signed_content, context_,
                                                            schedule_.membership_key()));
    message = Wrap(std::move(pm));
  }
  pending_proposals_.push_back(CachedProposal{MakeProposalRef(*cs_, signed_content), proposal,
                                              signed_content.content.sender});
  return message;
}

Result<MLSMessage> GroupState::Propose(const Proposal& proposal, bool private_message) {
  const ProposalType type = proposal.proposal_type();
  if (type == ProposalType::update || type == ProposalType::external_init) {
    return MakeError(Errc::kInvalidArgument, "Propose: Update or ExternalInit");
  }
  return SendProposal(proposal, private_message);
}

Result<MLSMessage> GroupState::ProposeUpdate(bool private_message) {
  const LeafNode* own = tree_.leaf_node(private_key_.index());
  if (own == nullptr) return MakeError(Errc::kInternal, "ProposeUpdate: our leaf is blank");
  crypto::HpkeKeyPair key_pair = crypto::GenerateKeyPair(cs_->kem);
  LeafNode leaf = *own;
  leaf.encryption_key = key_pair.public_key;
  leaf.leaf_node_source = LeafNodeSource::update;
  leaf.lifetime = Lifetime{};
  leaf.parent_hash.clear();
  CANDOR_TRY(SignLeafNode(*cs_, signer_, context_.group_id, private_key_.index().value, leaf));
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message,
                          SendProposal(Proposal{Update{std::move(leaf)}}, private_message));
  pending_update_keys_.emplace_back(std::move(key_pair.public_key),
                                    std::move(key_pair.private_key));
  return message;
}

Result<MLSMessage> GroupState::Protect(ByteView application_data, ByteView authenticated_data,
                                       size_t padding_len) {
  FramedContent content;
  content.group_id = context_.group_id;
  content.epoch = context_.epoch;
  content.sender = Sender{SenderType::member, private_key_.index().value, 0};
  content.authenticated_data.assign(authenticated_data.begin(), authenticated_data.end());
  content.content = Bytes(application_data.begin(), application_data.end());
  auto signed_content = SignFramedContent(*cs_, WireFormat::mls_private_message, std::move(content),
                                          context_, signer_);
  if (!signed_content.ok()) return signed_content.error();
  auto pm = ProtectPrivate(*cs_, *signed_content, context_, secret_tree_,
                           schedule_.sender_data_secret(), padding_len);
  // The plaintext's copy in the content is wiped, whatever happened.
  auto& copy = std::get<Bytes>(signed_content->content.content);
  SecureZero(copy.data(), copy.size());
  if (!pm.ok()) return pm.error();
  return Wrap(std::move(pm).value());
}

Result<GroupState::ApplicationMessage> GroupState::Unprotect(const MLSMessage& message) {
  if (!std::holds_alternative<PrivateMessage>(message.message)) {
    return MakeError(Errc::kMalformed, "MLSMessage: application data must be a PrivateMessage");
  }
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          UnprotectContent(message, ContentType::application));
  auto* data = std::get_if<Bytes>(&content.content.content);
  if (data == nullptr) return MakeError(Errc::kMalformed, "PrivateMessage: not application data");
  ApplicationMessage out{LeafIndex{content.content.sender.leaf_index},
                         std::move(content.content.authenticated_data), SecretBytes(*data)};
  SecureZero(data->data(), data->size());
  return out;
}

}  // namespace candor::mls
