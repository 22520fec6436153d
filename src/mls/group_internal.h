// group_internal.h: helpers shared by the group state machine's source files.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/extensions.h"
#include "candor/mls/framing.h"
#include "candor/mls/group_context.h"
#include "candor/mls/group_info.h"
#include "candor/mls/group_state.h"
#include "candor/mls/proposals.h"
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "candor/mls/tree_kem.h"

namespace candor::mls::internal {

// ResumptionPskLookup returns the resumption_psk of (psk_group_id, psk_epoch) or nullptr.
using ResumptionPskLookup = std::function<const SecretBytes*(ByteView, uint64_t)>;

// ResolvePskSecret finds the value of every PSK in `ids` (external ones in `external_psks`,
// resumption ones through `resumption`, which may be empty) and returns the psk_secret of
// RFC 9420 §8.4. kNotFound for a PSK we do not have; kMalformed for a psk_nonce that is not
// Nh bytes.
Result<SecretBytes> ResolvePskSecret(const CipherSuiteParams& cs,
                                     std::span<const PreSharedKeyID> ids,
                                     std::span<const ExternalPsk> external_psks,
                                     const ResumptionPskLookup& resumption);

// EncodeInterimInput returns the encoded InterimTranscriptHashInput{confirmation_tag}.
Bytes EncodeInterimInput(ByteView confirmation_tag);

// FindRatchetTreeExtension decodes the ratchet_tree extension of `extensions`; kNotFound if
// there is none, kMalformed if it does not decode.
Result<RatchetTree> FindRatchetTreeExtension(std::span<const Extension> extensions);

// CheckRequiredCapabilities checks that every member of `tree` supports what the
// required_capabilities extension among `extensions` lists (RFC 9420 §11.1); the default
// extension and proposal types need not be listed. kMalformed otherwise.
Status CheckRequiredCapabilities(const PublicTree& tree, std::span<const Extension> extensions);

// ResolvedProposal is one proposal a Commit covers, with the sender that proposed it. The
// proposal must outlive the ResolvedProposal.
struct ResolvedProposal {
  const Proposal* proposal;
  Sender sender;
};

// AppliedProposals is what applying a Commit's proposals yields: the leaves of the Add
// proposals (in proposal order), the PSK ids, the ExternalInit kem_output if any, and whether
// the Commit needs an UpdatePath.
struct AppliedProposals {
  std::vector<LeafIndex> added;
  std::vector<PreSharedKeyID> psks;
  std::optional<Bytes> external_init;
  bool path_required = false;
  bool reinit = false;
};

// ValidateAndApply checks the proposals of a Commit by `committer` (RFC 9420 §12.2; KeyPackage
// lifetimes at time `now`) and applies them to `tree` and `context` in RFC order
// (GroupContextExtensions, Update, Remove, Add). kMalformed names the broken rule;
// kVerifyFailed for a bad LeafNode or KeyPackage signature. `tree` and `context` are
// half-updated on failure: pass copies.
Result<AppliedProposals> ValidateAndApply(const CipherSuiteParams& cs,
                                          std::span<const ResolvedProposal> proposals,
                                          const Sender& committer, uint64_t now, PublicTree& tree,
                                          GroupContext& context);

// ProvisionalEpoch is the next epoch while a Commit is made or processed (RFC 9420 §12.4): its
// GroupContext and tree with the proposals (then the path) applied, our private view of that
// tree, and the commit_secret (Nh zeros unless an UpdatePath sets it).
struct ProvisionalEpoch {
  GroupContext context;
  PublicTree tree;
  TreeKEMPrivateKey private_key;
  SecretBytes commit_secret;
};

// ConfirmedTranscriptHashAfter is the confirmed_transcript_hash of the epoch a Commit starts
// (RFC 9420 §8.2): over `interim` and the Commit's wire format, content and signature.
Bytes ConfirmedTranscriptHashAfter(const CipherSuiteParams& cs, ByteView interim,
                                   const AuthenticatedContent& commit);

// VerifiedTree is RFC 9420 §12.4.3.1's check of a joiner's tree: the tree from `info`'s
// ratchet_tree extension (else `external_tree`), the GroupInfo's signature by its signer's
// leaf, the tree hash against the GroupContext's, and the whole tree (parent hashes, leaf
// signatures, on `executor`'s threads if given). kVerifyFailed for every signature or hash
// failure; kMalformed for an invalid tree; kInvalidArgument without a tree.
Result<PublicTree> VerifiedTree(const CipherSuiteParams& cs, const GroupInfo& info,
                                const std::optional<RatchetTree>& external_tree,
                                Executor* executor);

}  // namespace candor::mls::internal
