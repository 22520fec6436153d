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
  const SecretBytes encryption_secret = schedule.TakeEncryptionSecret();
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree,
                          SecretTree::Create(*cs, encryption_secret.view(), tree.num_leaves()));
  GroupState state(
      *cs, std::move(context), std::move(tree), std::move(schedule), std::move(secret_tree),
      TreeKEMPrivateKey(LeafIndex{0}, keys.encryption_private_key.Clone()), std::move(signer));
  state.interim_transcript_hash_ = InterimTranscriptHash(
      *cs, state.context_.confirmed_transcript_hash, internal::EncodeInterimInput(tag));
  state.confirmation_tag_ = std::move(tag);
  state.RememberResumptionPsk();
  return state;
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

Result<GroupState::CommitResult> GroupState::Commit(const std::vector<Proposal>& proposals,
                                                    const CommitOptions& options) {
  const LeafIndex own = private_key_.index();
  const Sender self{SenderType::member, own.value, 0};
  std::vector<internal::ResolvedProposal> resolved;
  std::vector<ProposalOrRef> covered;  // Commit.proposals, in the same order
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
  std::vector<const KeyPackage*> added_packages;  // in the order ValidateAndApply adds them
  for (const internal::ResolvedProposal& rp : resolved) {
    if (const auto* add = std::get_if<Add>(&rp.proposal->proposal)) {
      added_packages.push_back(&add->key_package);
    }
  }
  PublicTree tree = tree_;
  GroupContext next = context_;
  CANDOR_ASSIGN_OR_RETURN(internal::AppliedProposals applied,
                          internal::ValidateAndApply(*cs_, resolved, self, Now(), tree, next));
  if (applied.external_init.has_value()) {
    return MakeError(Errc::kInvalidArgument, "Commit: ExternalInit in a member commit");
  }
  next.epoch = context_.epoch + 1;

  TreeKEMPrivateKey private_key = private_key_.Clone();
  SecretBytes commit_secret(cs_->nh);
  std::optional<UpdatePath> path;
  if (applied.path_required || options.force_path) {
    const LeafNode* own_leaf = tree.leaf_node(own);
    if (own_leaf == nullptr) return MakeError(Errc::kInternal, "Commit: our leaf is blank");
    CANDOR_ASSIGN_OR_RETURN(PendingUpdatePath pending,
                            CreateUpdatePath(tree, own, signer_, next.group_id, *own_leaf));
    next.tree_hash = pending.tree.TreeHash();
    CANDOR_ASSIGN_OR_RETURN(
        UpdatePath encrypted,
        EncryptUpdatePath(pending, tls::Encode(next), applied.added, options.executor));
    path = std::move(encrypted);
    tree = std::move(pending.tree);
    private_key = std::move(pending.private_key);
    commit_secret = std::move(pending.commit_secret);
  } else {
    next.tree_hash = tree.TreeHash();
  }

  FramedContent content;
  content.group_id = context_.group_id;
  content.epoch = context_.epoch;
  content.sender = self;
  mls::Commit commit;
  commit.proposals = std::move(covered);
  commit.path = path;
  content.content = std::move(commit);
  const WireFormat wire_format =
      options.private_message ? WireFormat::mls_private_message : WireFormat::mls_public_message;
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent signed_content,
                          SignFramedContent(*cs_, wire_format, content, context_, signer_));

  ConfirmedTranscriptHashInput confirmed_input;
  confirmed_input.wire_format = wire_format;
  confirmed_input.content = signed_content.content;
  confirmed_input.signature = signed_content.auth.signature;
  next.confirmed_transcript_hash =
      ConfirmedTranscriptHash(*cs_, interim_transcript_hash_, tls::Encode(confirmed_input));
  auto resumption = [this](ByteView group_id, uint64_t epoch) {
    return FindResumptionPsk(group_id, epoch);
  };
  CANDOR_ASSIGN_OR_RETURN(
      SecretBytes psk_secret,
      internal::ResolvePskSecret(*cs_, applied.psks, options.external_psks, resumption));
  CANDOR_ASSIGN_OR_RETURN(
      KeyScheduleEpoch schedule,
      KeyScheduleEpoch::Create(*cs_, schedule_.init_secret(), commit_secret.view(),
                               psk_secret.view(), tls::Encode(next)));
  signed_content.auth.confirmation_tag =
      ConfirmationTag(*cs_, schedule.confirmation_key(), next.confirmed_transcript_hash);
  const SecretBytes encryption_secret = schedule.TakeEncryptionSecret();
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree,
                          SecretTree::Create(*cs_, encryption_secret.view(), tree.num_leaves()));

  GroupState state(*cs_, std::move(next), std::move(tree), std::move(schedule),
                   std::move(secret_tree), std::move(private_key), CloneSigner());
  state.interim_transcript_hash_ =
      InterimTranscriptHash(*cs_, state.context_.confirmed_transcript_hash,
                            internal::EncodeInterimInput(signed_content.auth.confirmation_tag));
  state.confirmation_tag_ = signed_content.auth.confirmation_tag;
  for (const auto& [epoch, psk] : resumption_psks_) {
    state.resumption_psks_.emplace_back(epoch, psk.Clone());
  }
  state.RememberResumptionPsk();
  state.clock_ = clock_;

  // The Welcome for the added members (RFC 9420 §12.4.3.1).
  std::optional<MLSMessage> welcome_message;
  if (!applied.added.empty()) {
    CANDOR_ASSIGN_OR_RETURN(
        GroupInfo info,
        state.BuildGroupInfo({RatchetTreeExtension(state.tree_)}, state.confirmation_tag_));
    Welcome welcome;
    welcome.cipher_suite = cs_->suite;
    CANDOR_ASSIGN_OR_RETURN(welcome.encrypted_group_info,
                            EncryptGroupInfo(*cs_, info, state.schedule_.welcome_secret()));
    const size_t num_added = std::min(applied.added.size(), added_packages.size());
    std::vector<GroupSecrets> secrets(num_added);
    for (size_t i = 0; i < num_added; ++i) {
      secrets[i].joiner_secret = SecretBytes(state.schedule_.joiner_secret());
      secrets[i].psks = applied.psks;
      if (path.has_value()) {
        const NodeIndex ancestor =
            CommonAncestor(*ToNodeIndex(own), *ToNodeIndex(applied.added[i]));
        if (const SecretBytes* ps = state.private_key_.path_secret(ancestor)) {
          secrets[i].path_secret = PathSecret{ps->Clone()};
        }
      }
    }
    CANDOR_ASSIGN_OR_RETURN(
        welcome.secrets,
        EncryptGroupSecretsForAll(*cs_, std::span(added_packages).first(num_added), secrets,
                                  welcome.encrypted_group_info, options.executor));
    welcome_message = Wrap(std::move(welcome));
  }

  // Protect last: a PrivateMessage consumes our handshake ratchet.
  MLSMessage commit_message;
  if (options.private_message) {
    CANDOR_ASSIGN_OR_RETURN(PrivateMessage pm,
                            ProtectPrivate(*cs_, signed_content, context_, secret_tree_,
                                           schedule_.sender_data_secret()));
    commit_message = Wrap(std::move(pm));
  } else {
    CANDOR_ASSIGN_OR_RETURN(PublicMessage pm, ProtectPublic(*cs_, signed_content, context_,
                                                            schedule_.membership_key()));
    commit_message = Wrap(std::move(pm));
  }
  return CommitResult{std::move(commit_message), std::move(welcome_message), std::move(state)};
}

Result<std::pair<MLSMessage, GroupState>> GroupState::JoinExternal(
    const KeyPackage& key_package, const KeyPackagePrivateKeys& keys, const GroupInfo& group_info,
    Executor* executor) {
  CANDOR_ASSIGN_OR_RETURN(const CipherSuiteParams* cs,
                          GetCipherSuiteParams(key_package.cipher_suite));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey signer, LoadOwnKeys(*cs, key_package, keys));
  if (group_info.group_context.cipher_suite != key_package.cipher_suite) {
    return MakeError(Errc::kInvalidArgument, "JoinExternal: GroupInfo of another cipher suite");
  }
  CANDOR_ASSIGN_OR_RETURN(RatchetTree wire_tree,
                          internal::FindRatchetTreeExtension(group_info.extensions));
  CANDOR_ASSIGN_OR_RETURN(PublicTree tree, PublicTree::FromRatchetTree(*cs, std::move(wire_tree)));
  const LeafNode* signer_leaf = tree.leaf_node(LeafIndex{group_info.signer});
  if (signer_leaf == nullptr) return VerifyFailed();
  CANDOR_TRY(VerifyGroupInfoSignature(*cs, group_info, signer_leaf->signature_key));
  if (tree.TreeHash() != group_info.group_context.tree_hash) return VerifyFailed();
  CANDOR_TRY(tree.Validate(group_info.group_context.group_id, executor));
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

  // Our leaf goes where an Add would put it; the UpdatePath then replaces it.
  CANDOR_ASSIGN_OR_RETURN(LeafIndex own, tree.AddLeaf(key_package.leaf_node));
  GroupContext next = group_info.group_context;
  next.epoch = group_info.group_context.epoch + 1;
  CANDOR_ASSIGN_OR_RETURN(
      PendingUpdatePath pending,
      CreateUpdatePath(tree, own, signer, next.group_id, key_package.leaf_node));
  next.tree_hash = pending.tree.TreeHash();
  CANDOR_ASSIGN_OR_RETURN(UpdatePath path,
                          EncryptUpdatePath(pending, tls::Encode(next), {}, executor));

  FramedContent content;
  content.group_id = group_info.group_context.group_id;
  content.epoch = group_info.group_context.epoch;
  content.sender = Sender{SenderType::new_member_commit, 0, 0};
  mls::Commit commit;
  commit.proposals.push_back(ProposalOrRef{Proposal{ExternalInit{init.kem_output}}});
  commit.path = std::move(path);
  content.content = std::move(commit);
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent signed_content,
                          SignFramedContent(*cs, WireFormat::mls_public_message, content,
                                            group_info.group_context, signer));

  const Bytes interim =
      InterimTranscriptHash(*cs, group_info.group_context.confirmed_transcript_hash,
                            internal::EncodeInterimInput(group_info.confirmation_tag));
  ConfirmedTranscriptHashInput confirmed_input;
  confirmed_input.wire_format = WireFormat::mls_public_message;
  confirmed_input.content = signed_content.content;
  confirmed_input.signature = signed_content.auth.signature;
  next.confirmed_transcript_hash =
      ConfirmedTranscriptHash(*cs, interim, tls::Encode(confirmed_input));
  const SecretBytes zero(cs->nh);
  CANDOR_ASSIGN_OR_RETURN(
      KeyScheduleEpoch schedule,
      KeyScheduleEpoch::Create(*cs, init.init_secret.view(), pending.commit_secret.view(),
                               zero.view(), tls::Encode(next)));
  signed_content.auth.confirmation_tag =
      ConfirmationTag(*cs, schedule.confirmation_key(), next.confirmed_transcript_hash);
  CANDOR_ASSIGN_OR_RETURN(PublicMessage message,
                          ProtectPublic(*cs, signed_content, group_info.group_context, ByteView{}));
  const SecretBytes encryption_secret = schedule.TakeEncryptionSecret();
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree, SecretTree::Create(*cs, encryption_secret.view(),
                                                                     pending.tree.num_leaves()));

  GroupState state(*cs, std::move(next), std::move(pending.tree), std::move(schedule),
                   std::move(secret_tree), std::move(pending.private_key), std::move(signer));
  state.interim_transcript_hash_ =
      InterimTranscriptHash(*cs, state.context_.confirmed_transcript_hash,
                            internal::EncodeInterimInput(signed_content.auth.confirmation_tag));
  state.confirmation_tag_ = signed_content.auth.confirmation_tag;
  state.RememberResumptionPsk();
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
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent signed_content,
                          SignFramedContent(*cs_, WireFormat::mls_private_message,
                                            std::move(content), context_, signer_));
  CANDOR_ASSIGN_OR_RETURN(PrivateMessage pm,
                          ProtectPrivate(*cs_, signed_content, context_, secret_tree_,
                                         schedule_.sender_data_secret(), padding_len));
  return Wrap(std::move(pm));
}

Result<GroupState::ApplicationMessage> GroupState::Unprotect(const MLSMessage& message) {
  if (!std::holds_alternative<PrivateMessage>(message.message)) {
    return MakeError(Errc::kMalformed, "MLSMessage: application data must be a PrivateMessage");
  }
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          UnprotectContent(message, ContentType::application));
  auto* data = std::get_if<Bytes>(&content.content.content);
  if (data == nullptr) return MakeError(Errc::kMalformed, "PrivateMessage: not application data");
  return ApplicationMessage{LeafIndex{content.content.sender.leaf_index},
                            std::move(content.content.authenticated_data), std::move(*data)};
}

}  // namespace candor::mls
