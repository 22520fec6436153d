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

// Validate is RFC 9420 §12.2's check of a Commit's proposal list (and of each Add's
// KeyPackage at time `now`); it records the PSKs, the ExternalInit, whether a path is
// required and whether it is a ReInit in `out`.
Status Validate(const CipherSuiteParams& cs, std::span<const ResolvedProposal> proposals,
                const Sender& committer, uint64_t now, const PublicTree& tree,
                AppliedProposals& out) {
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
  return OkStatus();
}

// Apply applies validated proposals to `tree` and `context` in RFC 9420 §12.3's order
// (GroupContextExtensions, Update, Remove, Add), recording the added leaves in `out`.
Status Apply(const CipherSuiteParams& cs, std::span<const ResolvedProposal> proposals,
             PublicTree& tree, GroupContext& context, AppliedProposals& out) {
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
  return OkStatus();
}

}  // namespace

Result<AppliedProposals> ValidateAndApply(const CipherSuiteParams& cs,
                                          std::span<const ResolvedProposal> proposals,
                                          const Sender& committer, uint64_t now, PublicTree& tree,
                                          GroupContext& context) {
  AppliedProposals out;
  CANDOR_TRY(Validate(cs, proposals, committer, now, tree, out));
  CANDOR_TRY(Apply(cs, proposals, tree, context, out));
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

Result<std::vector<internal::ResolvedProposal>> GroupState::ResolveProposals(
    const mls::Commit& commit, const Sender& committer) const {
  std::vector<internal::ResolvedProposal> proposals;
  proposals.reserve(commit.proposals.size());
  for (const ProposalOrRef& por : commit.proposals) {
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
  return proposals;
}

TreeKEMPrivateKey GroupState::OwnKeysAfter(const PublicTree& tree) const {
  const LeafNode* own_leaf = tree.leaf_node(private_key_.index());
  for (const auto& [public_key, private_leaf_key] : pending_update_keys_) {
    if (own_leaf != nullptr && public_key == own_leaf->encryption_key) {
      return {private_key_.index(), private_leaf_key.Clone()};
    }
  }
  return private_key_.Clone();
}

Result<SecretBytes> GroupState::InitSecretFor(const internal::AppliedProposals& applied) const {
  if (!applied.external_init.has_value()) return SecretBytes(schedule_.init_secret());
  CANDOR_ASSIGN_OR_RETURN(crypto::HpkeKeyPair external, schedule_.ExternalKeyPair());
  auto received = ExternalInitReceiver(*cs_, external.private_key.view(), *applied.external_init);
  if (!received.ok()) return VerifyFailed();
  return std::move(received).value();
}

namespace {

// CommitOf returns the Commit of an opened message, checking that its sender may commit and is
// not us (`own`).
Result<const mls::Commit*> CommitOf(const AuthenticatedContent& content, LeafIndex own) {
  const auto* commit = std::get_if<mls::Commit>(&content.content.content);
  if (commit == nullptr) {
    return MakeError(Errc::kMalformed, "FramedContent.content_type: not a commit");
  }
  const Sender& committer = content.content.sender;
  if (committer.sender_type != SenderType::member &&
      committer.sender_type != SenderType::new_member_commit) {
    return MakeError(Errc::kMalformed, "FramedContent.sender: commit from a non-member");
  }
  if (committer.sender_type == SenderType::member && committer.leaf_index == own.value) {
    return MakeError(Errc::kInvalidArgument, "HandleCommit: our own commit");
  }
  return commit;
}

// MergeReceivedPath applies a received Commit's UpdatePath to `next` (RFC 9420 §12.4.2): the
// new leaf's keys may not be another member's (§7.3), an external joiner's leaf is added,
// the path is merged and the new tree hash set, and the path secret we can decrypt gives our
// new private view and the commit_secret. `added` are the leaves the Commit added (not sent
// a path secret).
Status MergeReceivedPath(const UpdatePath& path, const Sender& committer,
                         std::span<const LeafIndex> added, internal::ProvisionalEpoch& next) {
  LeafIndex sender{committer.leaf_index};
  const bool external = committer.sender_type == SenderType::new_member_commit;
  if (internal::LeafHasKey(next.tree, path.leaf_node.encryption_key, {}, std::nullopt) ||
      internal::LeafHasKey(next.tree, {}, path.leaf_node.signature_key,
                           external ? std::nullopt : std::optional<uint32_t>(sender.value))) {
    return MakeError(Errc::kMalformed, "Commit.path.leaf_node: a key already in the group");
  }
  if (external) {
    auto index = next.tree.AddLeaf(path.leaf_node);
    if (!index.ok()) return MakeError(Errc::kMalformed, "Commit.path: tree full");
    sender = *index;
  }
  CANDOR_ASSIGN_OR_RETURN(PublicTree merged,
                          MergeUpdatePath(next.tree, sender, path, next.context.group_id));
  next.tree = std::move(merged);
  next.context.tree_hash = next.tree.TreeHash();
  CANDOR_ASSIGN_OR_RETURN(ProcessedUpdatePath processed,
                          DecryptUpdatePath(next.tree, next.private_key, sender, path,
                                            tls::Encode(next.context), added));
  next.private_key = std::move(processed.private_key);
  next.commit_secret = std::move(processed.commit_secret);
  return OkStatus();
}

}  // namespace

Result<GroupState> GroupState::HandleCommit(const MLSMessage& message,
                                            std::span<const ExternalPsk> external_psks) {
  // Open the message (membership tag or decryption, signature) and check its sender.
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          UnprotectContent(message, ContentType::commit));
  CANDOR_ASSIGN_OR_RETURN(const mls::Commit* commit, CommitOf(content, private_key_.index()));
  const Sender& committer = content.content.sender;

  // Resolve, validate and apply the proposals to the next epoch's tree (§12.2, §12.3).
  CANDOR_ASSIGN_OR_RETURN(std::vector<internal::ResolvedProposal> proposals,
                          ResolveProposals(*commit, committer));
  internal::ProvisionalEpoch next{context_, tree_, private_key_.Clone(), SecretBytes(cs_->nh)};
  CANDOR_ASSIGN_OR_RETURN(
      internal::AppliedProposals applied,
      internal::ValidateAndApply(*cs_, proposals, committer, Now(), next.tree, next.context));
  if (applied.path_required && !commit->path.has_value()) {
    return MakeError(Errc::kMalformed, "Commit.path: required but absent");
  }
  const LeafIndex own = private_key_.index();
  if (next.tree.leaf_node(own) == nullptr ||
      std::find(applied.added.begin(), applied.added.end(), own) != applied.added.end()) {
    return MakeError(Errc::kConflict, "HandleCommit: the commit removes us");
  }
  next.context.epoch = context_.epoch + 1;
  next.private_key = OwnKeysAfter(next.tree);

  // The UpdatePath, if any, sets the tree hash and the commit_secret.
  if (commit->path.has_value()) {
    CANDOR_TRY(MergeReceivedPath(*commit->path, committer, applied.added, next));
  } else {
    next.context.tree_hash = next.tree.TreeHash();
  }

  // The transcript, the key schedule and the confirmation tag of the new epoch.
  next.context.confirmed_transcript_hash =
      internal::ConfirmedTranscriptHashAfter(*cs_, interim_transcript_hash_, content);
  CANDOR_ASSIGN_OR_RETURN(SecretBytes init_secret, InitSecretFor(applied));
  CANDOR_ASSIGN_OR_RETURN(KeyScheduleEpoch schedule,
                          ScheduleEpoch(init_secret.view(), next, applied.psks, external_psks));
  CANDOR_TRY(VerifyConfirmationTag(*cs_, schedule.confirmation_key(),
                                   next.context.confirmed_transcript_hash,
                                   content.auth.confirmation_tag));
  return EnterEpoch(*cs_, std::move(next.context), std::move(next.tree), std::move(schedule),
                    std::move(content.auth.confirmation_tag), std::move(next.private_key),
                    CloneSigner(), this);
}

}  // namespace candor::mls
