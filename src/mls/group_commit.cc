// Receiving proposals and commits (RFC 9420 §12.1-§12.4.2).
#include <algorithm>
#include <set>
#include <string>
#include <variant>

#include "candor/base/tls.h"
#include "candor/mls/extension_bodies.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/leaf_node_signature.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/tree_math.h"
#include "group_internal.h"

namespace candor::mls {

namespace internal {

namespace {

bool IsDefaultExtension(ExtensionType t) { return t >= kApplicationId && t <= kExternalSenders; }

bool IsDefaultProposal(uint16_t t) { return t >= 1 && t <= 7; }

}  // namespace

Status CheckRequiredCapabilities(const PublicTree& tree, std::span<const Extension> extensions) {
  for (const Extension& e : extensions) {
    if (e.extension_type != kRequiredCapabilities) continue;
    CANDOR_ASSIGN_OR_RETURN(auto rc, tls::DecodeExact<RequiredCapabilities>(e.extension_data));
    for (uint32_t i = 0; i < tree.num_leaves(); ++i) {
      const LeafNode* leaf = tree.leaf_node(LeafIndex{i});
      if (leaf == nullptr) continue;
      const Capabilities& caps = leaf->capabilities;
      for (ExtensionType t : rc.extension_types) {
        if (!IsDefaultExtension(t) &&
            std::find(caps.extensions.begin(), caps.extensions.end(), t) == caps.extensions.end()) {
          return MakeError(Errc::kMalformed, "required_capabilities: extension not supported");
        }
      }
      for (uint16_t t : rc.proposal_types) {
        if (!IsDefaultProposal(t) &&
            std::find(caps.proposals.begin(), caps.proposals.end(), t) == caps.proposals.end()) {
          return MakeError(Errc::kMalformed, "required_capabilities: proposal not supported");
        }
      }
      for (uint16_t t : rc.credential_types) {
        if (std::find(caps.credentials.begin(), caps.credentials.end(), t) ==
            caps.credentials.end()) {
          return MakeError(Errc::kMalformed, "required_capabilities: credential not supported");
        }
      }
    }
  }
  return OkStatus();
}

namespace {

// HasKey reports whether any leaf of `tree` other than `except` has signature or encryption key
// `key`.
bool LeafHasKey(const PublicTree& tree, const Bytes& encryption_key, const Bytes& signature_key,
                std::optional<uint32_t> except) {
  for (uint32_t i = 0; i < tree.num_leaves(); ++i) {
    if (except.has_value() && *except == i) continue;
    const LeafNode* leaf = tree.leaf_node(LeafIndex{i});
    if (leaf == nullptr) continue;
    if (leaf->encryption_key == encryption_key || leaf->signature_key == signature_key) {
      return true;
    }
  }
  return false;
}

Error Invalid(const std::string& what) { return MakeError(Errc::kMalformed, "Commit: " + what); }

}  // namespace

Result<AppliedProposals> ValidateAndApply(const CipherSuiteParams& cs,
                                          std::span<const ResolvedProposal> proposals,
                                          const Sender& committer, uint64_t now, PublicTree& tree,
                                          GroupContext& context) {
  AppliedProposals out;
  out.path_required = proposals.empty();
  const bool external = committer.sender_type == SenderType::new_member_commit;
  std::set<uint32_t> changed_leaves;  // leaves with an Update or Remove
  std::set<Bytes> psk_ids;
  size_t num_gce = 0;
  size_t num_external_init = 0;
  for (const ResolvedProposal& rp : proposals) {
    const ProposalType type = rp.proposal->proposal_type();
    if (type == ProposalType::update || type == ProposalType::remove ||
        type == ProposalType::external_init || type == ProposalType::group_context_extensions) {
      out.path_required = true;
    }
    switch (type) {
      case ProposalType::add: {
        const auto& kp = std::get<Add>(rp.proposal->proposal).key_package;
        CANDOR_TRY(ValidateKeyPackage(cs, kp, now));
        break;
      }
      case ProposalType::update:
        if (rp.sender.sender_type != SenderType::member) return Invalid("Update from a non-member");
        if (committer.sender_type == SenderType::member &&
            rp.sender.leaf_index == committer.leaf_index) {
          return Invalid("Update from the committer");
        }
        if (!changed_leaves.insert(rp.sender.leaf_index).second) {
          return Invalid("two Update/Remove proposals for one leaf");
        }
        break;
      case ProposalType::remove: {
        const uint32_t removed = std::get<Remove>(rp.proposal->proposal).removed;
        if (tree.leaf_node(LeafIndex{removed}) == nullptr) return Invalid("Remove of a blank leaf");
        if (committer.sender_type == SenderType::member && removed == committer.leaf_index) {
          return Invalid("Remove of the committer");
        }
        if (!changed_leaves.insert(removed).second) {
          return Invalid("two Update/Remove proposals for one leaf");
        }
        break;
      }
      case ProposalType::psk: {
        const PreSharedKeyID& id = std::get<PreSharedKey>(rp.proposal->proposal).psk;
        if (id.psktype == PSKType::resumption && id.usage != ResumptionPSKUsage::application) {
          return Invalid("resumption PSK with usage other than application");
        }
        if (!psk_ids.insert(tls::Encode(id)).second) return Invalid("duplicate PSK");
        out.psks.push_back(id);
        break;
      }
      case ProposalType::reinit:
        out.reinit = true;
        break;
      case ProposalType::external_init:
        if (!external) return Invalid("ExternalInit in a member commit");
        ++num_external_init;
        out.external_init = std::get<ExternalInit>(rp.proposal->proposal).kem_output;
        break;
      case ProposalType::group_context_extensions:
        ++num_gce;
        break;
    }
  }
  if (out.reinit && proposals.size() != 1) return Invalid("ReInit with other proposals");
  if (num_gce > 1) return Invalid("more than one GroupContextExtensions");
  if (external) {
    if (num_external_init != 1) return Invalid("external commit without one ExternalInit");
    for (const ResolvedProposal& rp : proposals) {
      const ProposalType t = rp.proposal->proposal_type();
      if (t != ProposalType::external_init && t != ProposalType::remove && t != ProposalType::psk) {
        return Invalid("external commit with a proposal other than ExternalInit/Remove/PSK");
      }
      if (rp.sender.sender_type != SenderType::new_member_commit) {
        return Invalid("external commit with a proposal by reference");
      }
    }
  }

  // Apply: GroupContextExtensions, Update, Remove, Add (RFC 9420 §12.4.2).
  for (const ResolvedProposal& rp : proposals) {
    if (rp.proposal->proposal_type() != ProposalType::group_context_extensions) continue;
    const auto& ext = std::get<GroupContextExtensions>(rp.proposal->proposal).extensions;
    CANDOR_TRY(CheckRequiredCapabilities(tree, ext));
    context.extensions = ext;
  }
  for (const ResolvedProposal& rp : proposals) {
    if (rp.proposal->proposal_type() != ProposalType::update) continue;
    const LeafNode& leaf = std::get<Update>(rp.proposal->proposal).leaf_node;
    if (leaf.leaf_node_source != LeafNodeSource::update) return Invalid("Update leaf source");
    if (!VerifyLeafNode(cs, leaf, context.group_id, rp.sender.leaf_index).ok()) {
      return VerifyFailed();
    }
    if (LeafHasKey(tree, leaf.encryption_key, {}, std::nullopt)) {
      return Invalid("Update reuses an encryption key");
    }
    const LeafNode* old = tree.leaf_node(LeafIndex{rp.sender.leaf_index});
    if (old == nullptr) return Invalid("Update of a blank leaf");
    if (old->signature_key != leaf.signature_key &&
        LeafHasKey(tree, {}, leaf.signature_key, rp.sender.leaf_index)) {
      return Invalid("Update reuses a signature key");
    }
    CANDOR_TRY(tree.UpdateLeaf(LeafIndex{rp.sender.leaf_index}, leaf));
  }
  for (const ResolvedProposal& rp : proposals) {
    if (rp.proposal->proposal_type() != ProposalType::remove) continue;
    const uint32_t removed = std::get<Remove>(rp.proposal->proposal).removed;
    if (!tree.RemoveLeaf(LeafIndex{removed}).ok()) return Invalid("Remove of a blank leaf");
  }
  for (const ResolvedProposal& rp : proposals) {
    if (rp.proposal->proposal_type() != ProposalType::add) continue;
    const LeafNode& leaf = std::get<Add>(rp.proposal->proposal).key_package.leaf_node;
    if (LeafHasKey(tree, leaf.encryption_key, leaf.signature_key, std::nullopt)) {
      return Invalid("Add of a key already in the group");
    }
    auto index = tree.AddLeaf(leaf);
    if (!index.ok()) return Invalid("Add: tree full");
    out.added.push_back(*index);
  }
  // Every member must support the group's required capabilities, new members included.
  CANDOR_TRY(CheckRequiredCapabilities(tree, context.extensions));
  return out;
}

}  // namespace internal

uint64_t GroupState::Now() const {
  return (clock_ ? clock_() : SystemNowMs()) / 1000;  // lifetimes count seconds
}

Result<Bytes> GroupState::SignatureKeyFor(const Sender& sender,
                                          const FramedContent* content) const {
  switch (sender.sender_type) {
    case SenderType::member: {
      const LeafNode* leaf = tree_.leaf_node(LeafIndex{sender.leaf_index});
      if (leaf == nullptr) return VerifyFailed();
      return leaf->signature_key;
    }
    case SenderType::external: {
      for (const Extension& e : context_.extensions) {
        if (e.extension_type != kExternalSenders) continue;
        auto senders = tls::DecodeExact<ExternalSenders>(e.extension_data);
        if (!senders.ok() || sender.sender_index >= senders->external_senders.size()) break;
        return senders->external_senders[sender.sender_index].signature_key;
      }
      return VerifyFailed();
    }
    case SenderType::new_member_commit: {
      const auto* commit =
          content != nullptr ? std::get_if<mls::Commit>(&content->content) : nullptr;
      if (commit == nullptr || !commit->path.has_value()) return VerifyFailed();
      return commit->path->leaf_node.signature_key;
    }
    case SenderType::new_member_proposal: {
      const auto* proposal =
          content != nullptr ? std::get_if<Proposal>(&content->content) : nullptr;
      const auto* add = proposal != nullptr ? std::get_if<Add>(&proposal->proposal) : nullptr;
      if (add == nullptr) return VerifyFailed();
      return add->key_package.leaf_node.signature_key;
    }
  }
  return VerifyFailed();
}

Result<AuthenticatedContent> GroupState::UnprotectContent(const MLSMessage& message,
                                                          ContentType expected) {
  // The content type is in the clear: check it before spending a ratchet key.
  if (const auto* pub = std::get_if<PublicMessage>(&message.message)) {
    if (pub->content.content_type() != expected) {
      return MakeError(Errc::kMalformed, "FramedContent.content_type: not the expected type");
    }
    const FramedContent* content = &pub->content;
    auto lookup = [this, content](const Sender& s) { return SignatureKeyFor(s, content); };
    return UnprotectPublic(*cs_, *pub, context_, schedule_.membership_key(), lookup);
  }
  if (const auto* priv = std::get_if<PrivateMessage>(&message.message)) {
    if (priv->content_type != expected) {
      return MakeError(Errc::kMalformed, "PrivateMessage.content_type: not the expected type");
    }
    auto lookup = [this](const Sender& s) { return SignatureKeyFor(s, nullptr); };
    return UnprotectPrivate(*cs_, *priv, context_, secret_tree_, schedule_.sender_data_secret(),
                            lookup);
  }
  return MakeError(Errc::kMalformed, "MLSMessage.wire_format: not a public or private message");
}

Status GroupState::HandleProposal(const MLSMessage& message) {
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          UnprotectContent(message, ContentType::proposal));
  const auto* proposal = std::get_if<Proposal>(&content.content.content);
  if (proposal == nullptr) {
    return MakeError(Errc::kMalformed, "FramedContent.content_type: not a proposal");
  }
  if (content.content.sender.sender_type == SenderType::new_member_commit) {
    return MakeError(Errc::kMalformed, "FramedContent.sender: new_member_commit proposal");
  }
  CachedProposal cached{MakeProposalRef(*cs_, content), *proposal, content.content.sender};
  pending_proposals_.push_back(std::move(cached));
  return OkStatus();
}

Result<GroupState> GroupState::HandleCommit(const MLSMessage& message,
                                            std::span<const ExternalPsk> external_psks) {
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          UnprotectContent(message, ContentType::commit));
  const auto* commit = std::get_if<mls::Commit>(&content.content.content);
  if (commit == nullptr) {
    return MakeError(Errc::kMalformed, "FramedContent.content_type: not a commit");
  }
  const Sender& committer = content.content.sender;
  if (committer.sender_type != SenderType::member &&
      committer.sender_type != SenderType::new_member_commit) {
    return MakeError(Errc::kMalformed, "FramedContent.sender: commit from a non-member");
  }
  if (committer.sender_type == SenderType::member &&
      committer.leaf_index == private_key_.index().value) {
    return MakeError(Errc::kInvalidArgument, "HandleCommit: our own commit");
  }

  // Resolve the proposals: inline ones are the committer's, references name cached ones.
  std::vector<internal::ResolvedProposal> proposals;
  proposals.reserve(commit->proposals.size());
  for (const ProposalOrRef& por : commit->proposals) {
    if (const auto* p = std::get_if<Proposal>(&por.value)) {
      proposals.push_back({p, committer});
      continue;
    }
    const Bytes& ref = std::get<ProposalRef>(por.value).value;
    auto it = std::find_if(pending_proposals_.begin(), pending_proposals_.end(),
                           [&](const CachedProposal& c) { return c.ref == ref; });
    if (it == pending_proposals_.end()) {
      return MakeError(Errc::kMalformed, "Commit.proposals: unknown ProposalRef");
    }
    if (committer.sender_type == SenderType::new_member_commit) {
      return MakeError(Errc::kMalformed, "Commit.proposals: reference in an external commit");
    }
    proposals.push_back({&it->proposal, it->sender});
  }

  PublicTree tree = tree_;
  GroupContext next = context_;
  CANDOR_ASSIGN_OR_RETURN(
      internal::AppliedProposals applied,
      internal::ValidateAndApply(*cs_, proposals, committer, Now(), tree, next));
  if (applied.path_required && !commit->path.has_value()) {
    return MakeError(Errc::kMalformed, "Commit.path: required but absent");
  }
  const LeafNode* own_leaf = tree.leaf_node(private_key_.index());
  if (own_leaf == nullptr || std::find(applied.added.begin(), applied.added.end(),
                                       private_key_.index()) != applied.added.end()) {
    return MakeError(Errc::kConflict, "HandleCommit: the commit removes us");
  }

  next.epoch = context_.epoch + 1;
  // If the commit applied an Update of ours, our leaf key is the one we proposed.
  TreeKEMPrivateKey private_key = private_key_.Clone();
  for (const auto& [public_key, private_leaf_key] : pending_update_keys_) {
    if (public_key == own_leaf->encryption_key) {
      private_key = TreeKEMPrivateKey(private_key_.index(), private_leaf_key.Clone());
    }
  }
  SecretBytes commit_secret(cs_->nh);
  if (commit->path.has_value()) {
    LeafIndex sender{committer.leaf_index};
    // The new leaf's keys may not be another member's (RFC 9420 §7.3); a member may keep its
    // own signature key.
    const LeafNode& path_leaf = commit->path->leaf_node;
    const bool external = committer.sender_type == SenderType::new_member_commit;
    if (internal::LeafHasKey(tree, path_leaf.encryption_key, {}, std::nullopt) ||
        internal::LeafHasKey(tree, {}, path_leaf.signature_key,
                             external ? std::nullopt : std::optional<uint32_t>(sender.value))) {
      return MakeError(Errc::kMalformed, "Commit.path.leaf_node: a key already in the group");
    }
    if (external) {
      auto index = tree.AddLeaf(commit->path->leaf_node);
      if (!index.ok()) return MakeError(Errc::kMalformed, "Commit.path: tree full");
      sender = *index;
    }
    CANDOR_ASSIGN_OR_RETURN(PublicTree merged,
                            MergeUpdatePath(tree, sender, *commit->path, next.group_id));
    tree = std::move(merged);
    next.tree_hash = tree.TreeHash();
    const Bytes provisional = tls::Encode(next);
    CANDOR_ASSIGN_OR_RETURN(
        ProcessedUpdatePath processed,
        DecryptUpdatePath(tree, private_key, sender, *commit->path, provisional, applied.added));
    private_key = std::move(processed.private_key);
    commit_secret = std::move(processed.commit_secret);
  } else {
    next.tree_hash = tree.TreeHash();
  }

  // Transcript hashes and the new GroupContext.
  ConfirmedTranscriptHashInput confirmed_input;
  confirmed_input.wire_format = content.wire_format;
  confirmed_input.content = content.content;
  confirmed_input.signature = content.auth.signature;
  next.confirmed_transcript_hash =
      ConfirmedTranscriptHash(*cs_, interim_transcript_hash_, tls::Encode(confirmed_input));

  // init_secret: the previous epoch's, or from the ExternalInit.
  SecretBytes init_secret(schedule_.init_secret());
  if (applied.external_init.has_value()) {
    CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair external, schedule_.ExternalKeyPair());
    auto received = ExternalInitReceiver(*cs_, external.private_key.view(), *applied.external_init);
    if (!received.ok()) return VerifyFailed();
    init_secret = std::move(received).value();
  }
  auto resumption = [this](ByteView group_id, uint64_t epoch) {
    return FindResumptionPsk(group_id, epoch);
  };
  CANDOR_ASSIGN_OR_RETURN(
      SecretBytes psk_secret,
      internal::ResolvePskSecret(*cs_, applied.psks, external_psks, resumption));
  const Bytes context_bytes = tls::Encode(next);
  CANDOR_ASSIGN_OR_RETURN(KeyScheduleEpoch schedule,
                          KeyScheduleEpoch::Create(*cs_, init_secret.view(), commit_secret.view(),
                                                   psk_secret.view(), context_bytes));
  CANDOR_TRY(VerifyConfirmationTag(*cs_, schedule.confirmation_key(),
                                   next.confirmed_transcript_hash, content.auth.confirmation_tag));
  const SecretBytes encryption_secret = schedule.TakeEncryptionSecret();
  CANDOR_ASSIGN_OR_RETURN(SecretTree secret_tree,
                          SecretTree::Create(*cs_, encryption_secret.view(), tree.num_leaves()));
  GroupState state(*cs_, std::move(next), std::move(tree), std::move(schedule),
                   std::move(secret_tree), std::move(private_key), CloneSigner());
  state.interim_transcript_hash_ =
      InterimTranscriptHash(*cs_, state.context_.confirmed_transcript_hash,
                            internal::EncodeInterimInput(content.auth.confirmation_tag));
  for (const auto& [epoch, psk] : resumption_psks_) {
    state.resumption_psks_.emplace_back(epoch, psk.Clone());
  }
  state.RememberResumptionPsk();
  state.clock_ = clock_;
  state.confirmation_tag_ = content.auth.confirmation_tag;
  return state;
}

}  // namespace candor::mls
