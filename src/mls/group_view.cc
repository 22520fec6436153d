#include "candor/mls/group_view.h"

#include "candor/mls/key_schedule.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/welcome_ops.h"
#include "group_internal.h"

namespace candor::mls {
namespace {

constexpr uint16_t kViewVersion = 1;

Error Invalid(const std::string& what) { return MakeError(Errc::kMalformed, "GroupView: " + what); }

}  // namespace

Result<GroupView> GroupView::FromGroupInfo(const GroupInfo& info, Executor* executor) {
  auto cs = GetCipherSuiteParams(info.group_context.cipher_suite);
  if (!cs.ok()) return MakeError(Errc::kInvalidArgument, "GroupView: unknown cipher suite");
  auto wire_tree = internal::FindRatchetTreeExtension(info.extensions);
  if (!wire_tree.ok()) {
    return MakeError(
        wire_tree.error().code == Errc::kNotFound ? Errc::kInvalidArgument : Errc::kMalformed,
        "GroupView: GroupInfo has no valid ratchet_tree extension");
  }
  CANDOR_ASSIGN_OR_RETURN(PublicTree tree,
                          PublicTree::FromRatchetTree(**cs, std::move(wire_tree).value()));
  const LeafNode* signer = tree.leaf_node(LeafIndex{info.signer});
  if (signer == nullptr) return VerifyFailed();
  CANDOR_TRY(VerifyGroupInfoSignature(**cs, info, signer->signature_key));
  if (tree.TreeHash() != info.group_context.tree_hash) return VerifyFailed();
  CANDOR_TRY(tree.Validate(info.group_context.group_id, executor));
  Bytes interim = InterimTranscriptHash(**cs, info.group_context.confirmed_transcript_hash,
                                        internal::EncodeInterimInput(info.confirmation_tag));
  return GroupView(info.group_context, std::move(tree), std::move(interim));
}

Status GroupView::CheckGroupInfo(const GroupInfo& info) const {
  if (!(info.group_context == context_)) return VerifyFailed();
  const LeafNode* signer = tree_.leaf_node(LeafIndex{info.signer});
  if (signer == nullptr) return VerifyFailed();
  return VerifyGroupInfoSignature(tree_.cipher_suite(), info, signer->signature_key);
}

Result<ObservedCommit> GroupView::ApplyCommit(const MLSMessage& message, uint64_t now) const {
  const CipherSuiteParams& cs = tree_.cipher_suite();
  const auto* pub = std::get_if<PublicMessage>(&message.message);
  if (pub == nullptr) return Invalid("a commit must be a PublicMessage");
  if (pub->content.group_id != context_.group_id) return VerifyFailed();
  if (pub->content.epoch != context_.epoch) {
    return MakeError(Errc::kConflict, "GroupView: commit for epoch " +
                                          std::to_string(pub->content.epoch) + ", group is at " +
                                          std::to_string(context_.epoch));
  }
  const auto* commit = std::get_if<Commit>(&pub->content.content);
  if (commit == nullptr) return Invalid("not a commit");
  const Sender& committer = pub->content.sender;
  const bool external = committer.sender_type == SenderType::new_member_commit;
  if (committer.sender_type != SenderType::member && !external) {
    return Invalid("a commit from a sender that is neither member nor new member");
  }

  // 1. The sender and its signature (RFC 9420 §6.2), without the membership tag.
  auto lookup = [this, commit, external](const Sender& s) -> Result<Bytes> {
    if (external) {
      if (!commit->path.has_value()) return VerifyFailed();
      return commit->path->leaf_node.signature_key;
    }
    const LeafNode* leaf = tree_.leaf_node(LeafIndex{s.leaf_index});
    if (leaf == nullptr) return VerifyFailed();
    return leaf->signature_key;
  };
  CANDOR_ASSIGN_OR_RETURN(AuthenticatedContent content,
                          VerifyPublicAsObserver(cs, *pub, context_, lookup));

  // 2. The proposals, by value only: an observer holds no cache of proposals sent earlier.
  std::vector<internal::ResolvedProposal> proposals;
  std::vector<uint32_t> removed;
  for (const ProposalOrRef& por : commit->proposals) {
    const auto* p = std::get_if<Proposal>(&por.value);
    if (p == nullptr) return Invalid("a ProposalRef (Candor commits proposals by value)");
    proposals.push_back({p, committer});
    if (const auto* remove = std::get_if<Remove>(&p->proposal)) removed.push_back(remove->removed);
  }
  PublicTree tree = tree_;
  GroupContext next = context_;
  CANDOR_ASSIGN_OR_RETURN(internal::AppliedProposals applied,
                          internal::ValidateAndApply(cs, proposals, committer, now, tree, next));
  if (applied.path_required && !commit->path.has_value()) {
    return Invalid("Commit.path is required but absent");
  }
  if (external && !commit->path.has_value()) return Invalid("an external commit needs a path");

  // 3. The UpdatePath's public part: the leaf, parent hashes, fresh keys (RFC 9420 §7.5).
  ObservedCommit out{GroupView(GroupContext{}, PublicTree(cs), {}),
                     committer.leaf_index,
                     external,
                     {},
                     std::move(removed)};
  if (commit->path.has_value()) {
    if (external) {
      CANDOR_ASSIGN_OR_RETURN(ExternalMerge merged,
                              MergeExternalUpdatePath(tree, *commit->path, next.group_id));
      tree = std::move(merged.tree);
      out.committer = merged.sender.value;
    } else {
      CANDOR_ASSIGN_OR_RETURN(tree, MergeUpdatePath(tree, LeafIndex{committer.leaf_index},
                                                    *commit->path, next.group_id));
    }
  }
  for (LeafIndex a : applied.added) out.added.push_back(a.value);

  // 4. The next GroupContext: epoch, tree hash, confirmed transcript hash; and the interim
  // transcript hash from the (unverifiable here) confirmation tag.
  next.epoch = context_.epoch + 1;
  next.tree_hash = tree.TreeHash();
  ConfirmedTranscriptHashInput confirmed;
  confirmed.wire_format = content.wire_format;
  confirmed.content = content.content;
  confirmed.signature = content.auth.signature;
  next.confirmed_transcript_hash = ConfirmedTranscriptHash(cs, interim_, tls::Encode(confirmed));
  Bytes interim =
      InterimTranscriptHash(cs, next.confirmed_transcript_hash,
                            internal::EncodeInterimInput(content.auth.confirmation_tag));
  out.next = GroupView(std::move(next), std::move(tree), std::move(interim));
  return out;
}

Result<GroupView> GroupView::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("GroupView.version"));
  if (version != kViewVersion) {
    return MakeError(Errc::kMalformed, "GroupView.version: " + std::to_string(version));
  }
  CANDOR_ASSIGN_OR_RETURN(GroupContext context, GroupContext::Decode(r));
  auto cs = GetCipherSuiteParams(context.cipher_suite);
  if (!cs.ok()) return MakeError(Errc::kMalformed, "GroupView.context.cipher_suite: unknown");
  CANDOR_ASSIGN_OR_RETURN(RatchetTree wire_tree, RatchetTree::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(PublicTree tree, PublicTree::FromRatchetTree(**cs, std::move(wire_tree)));
  CANDOR_ASSIGN_OR_RETURN(ByteView interim, r.OpaqueV("GroupView.interim_transcript_hash"));
  if (tree.TreeHash() != context.tree_hash) {
    return MakeError(Errc::kMalformed, "GroupView.tree: does not match context.tree_hash");
  }
  return GroupView(std::move(context), std::move(tree), Bytes(interim.begin(), interim.end()));
}

void GroupView::Encode(tls::Writer& w) const {
  w.U16(kViewVersion);
  context_.Encode(w);
  tree_.ToRatchetTree().Encode(w);
  w.OpaqueV(interim_);
}

}  // namespace candor::mls
