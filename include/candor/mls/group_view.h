// group_view.h: a group seen from outside, as the Delivery Service sees it (RFC 9750 §5.3): the
// public ratchet tree, the group context and the interim transcript hash, and nothing secret.
// The view advances by validating each PublicMessage commit as a non-member can (RFC 9420
// §12.4.2): the sender and its signature, the proposals (by value), the UpdatePath's leaf and
// parent hashes, the new tree hash and transcript hash. What needs the epoch secrets (the
// membership tag, the confirmation tag, the path secrets) is for the members to check. A commit
// that passes cannot wedge the group: every honest member can process it.
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/mls/group_context.h"
#include "candor/mls/group_info.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/ratchet_tree.h"

namespace candor::mls {

struct ObservedCommit;

class GroupView {
 public:
  // FromGroupInfo starts a view from a signed GroupInfo that carries the ratchet_tree extension
  // (as a joiner would, RFC 9420 §12.4.3.1): the tree must be valid, its hash must be the
  // context's, and the signer's leaf must have signed the GroupInfo. kVerifyFailed for a bad
  // signature or hash, kMalformed for a bad tree, kInvalidArgument for an unknown cipher suite
  // or a missing tree. Large trees' signatures are checked on the threads of `executor`, if given.
  static Result<GroupView> FromGroupInfo(const GroupInfo& info, Executor* executor = nullptr);

  // ApplyCommit validates `message`, a PublicMessage commit for this epoch from a member or
  // from a new member joining by external commit, at time `now` (seconds, for KeyPackage
  // lifetimes), and returns the next epoch's view and what changed. The view itself is not
  // modified. kVerifyFailed for a bad signature or an unknown sender; kMalformed for anything
  // else a member would refuse (a ProposalRef, which an observer cannot resolve, included);
  // kConflict for a commit of another epoch.
  Result<ObservedCommit> ApplyCommit(const MLSMessage& message, uint64_t now) const;

  // CheckGroupInfo verifies that `info` describes this very epoch (the same GroupContext) and is
  // signed by the member at `info.signer`; kVerifyFailed otherwise.
  Status CheckGroupInfo(const GroupInfo& info) const;

  const GroupContext& context() const { return context_; }
  uint64_t epoch() const { return context_.epoch; }
  const PublicTree& tree() const { return tree_; }

  // Decode reads a view written by Encode (a versioned, strict encoding); kMalformed names the
  // field on bad input.
  static Result<GroupView> Decode(tls::Reader& r);
  // Encode writes the view: struct { uint16 version = 1; GroupContext context;
  //   RatchetTree tree; opaque interim_transcript_hash<V>; }.
  void Encode(tls::Writer& w) const;

 private:
  GroupView(GroupContext context, PublicTree tree, Bytes interim)
      : context_(std::move(context)), tree_(std::move(tree)), interim_(std::move(interim)) {}
  GroupContext context_;
  PublicTree tree_;
  Bytes interim_;  // interim transcript hash of this epoch
};

// ObservedCommit is a validated commit: the next view, the committer's leaf (for an external
// commit, the leaf it took) and the leaves it added and removed.
struct ObservedCommit {
  GroupView next;
  uint32_t committer = 0;
  bool external = false;
  std::vector<uint32_t> added;
  std::vector<uint32_t> removed;
};

}  // namespace candor::mls
