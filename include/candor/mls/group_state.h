// group_state.h: the state of one member of an MLS group in one epoch (RFC 9420 §8, §12) and the
// transitions between epochs: joining from a Welcome (§12.4.3.1) and processing a Commit
// (§12.4.2). Every transition returns a new GroupState and leaves the old one as it was when it
// fails (house style H7). Not thread-safe: use one GroupState from one thread at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/commit.h"
#include "candor/mls/framing.h"
#include "candor/mls/group_context.h"
#include "candor/mls/key_package.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/proposals.h"
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "candor/mls/secret_tree.h"
#include "candor/mls/tree_kem.h"
#include "candor/mls/welcome.h"

namespace candor::mls {

namespace internal {
struct AppliedProposals;
struct ProvisionalEpoch;
struct ResolvedProposal;
}  // namespace internal

// ExternalPsk is a pre-shared key the application shares out of band (RFC 9420 §8.4,
// psktype external): `psk_id` names it, `psk` is its value.
struct ExternalPsk {
  Bytes psk_id;
  SecretBytes psk;
};

// KeyPackagePrivateKeys are what the owner of a KeyPackage keeps to join with it: the private
// keys of init_key and of leaf_node.encryption_key, and the signature private key whose public
// key is leaf_node.signature_key (all in the formats of crypto/hpke.h and crypto/signature.h).
struct KeyPackagePrivateKeys {
  SecretBytes init_private_key;
  SecretBytes encryption_private_key;
  SecretBytes signature_private_key;
};

// CommitOptions tune Commit: `force_path` adds an UpdatePath even when the proposals do not
// need one; `private_message` sends the Commit as a PrivateMessage (else a PublicMessage);
// `external_psks` are the values of the external PSKs named by PreSharedKey proposals;
// `executor`, if set, lends threads to the HPKE encryptions of a large group's path and Welcome.
struct CommitOptions {
  bool force_path = false;
  bool private_message = false;
  std::span<const ExternalPsk> external_psks;
  Executor* executor = nullptr;
};

// kMaxResumptionPsks is how many past epochs' resumption_psk a GroupState keeps.
inline constexpr size_t kMaxResumptionPsks = 8;

// GroupState is one member's view of one epoch. Move-only (it holds secrets, wiped on
// destruction).
class GroupState {
 public:
  // JoinFromWelcome is RFC 9420 §12.4.3.1: finds our entry in `welcome` by the KeyPackageRef of
  // `key_package`, decrypts the GroupSecrets with the init key, resolves its PSKs from
  // `external_psks`, decrypts the GroupInfo, takes the tree from the GroupInfo's ratchet_tree
  // extension (or `external_tree` if given and the extension is absent), validates the whole
  // tree (tree hash equal to the GroupContext's, parent hashes, leaf signatures), verifies the
  // GroupInfo signature and the confirmation tag, finds our leaf (equal to key_package's
  // LeafNode), and derives our path secrets from GroupSecrets.path_secret (checking each derived
  // public key against the tree). Returns kNotFound if the Welcome has no entry for us or names a
  // PSK we do not have; kVerifyFailed for every decryption, signature, tag, tree hash or parent
  // hash failure; kMalformed for a bad encoding or an invalid tree; kInvalidArgument if the keys
  // do not match `key_package` or the suite is not supported. The tree's signatures are checked
  // on the threads of `executor`, if given. Keeps no reference to its arguments.
  static Result<GroupState> JoinFromWelcome(const KeyPackage& key_package,
                                            const KeyPackagePrivateKeys& keys,
                                            const Welcome& welcome,
                                            const std::optional<RatchetTree>& external_tree,
                                            std::span<const ExternalPsk> external_psks,
                                            Executor* executor = nullptr);

  // CreateGroup starts a one-member group at epoch 0 (RFC 9420 §11) with our leaf from
  // `key_package` (whose leaf encryption and signature private keys are in `keys`; the init key
  // is not used), group id `group_id` and GroupContext extensions `extensions`. Randomized (the
  // first init_secret). Returns kInvalidArgument if the keys do not match the KeyPackage, the
  // suite is unknown, or the extensions require capabilities our leaf lacks.
  static Result<GroupState> CreateGroup(const KeyPackage& key_package,
                                        const KeyPackagePrivateKeys& keys, Bytes group_id,
                                        std::vector<Extension> extensions = {});

  // JoinExternal joins by external Commit (RFC 9420 §12.4.3.2) from a GroupInfo that carries
  // the external_pub and ratchet_tree extensions: verifies the GroupInfo and tree as
  // JoinFromWelcome does, then commits an ExternalInit with an UpdatePath from a new leaf
  // (`key_package`'s LeafNode, with the keys in `keys`). Returns the Commit to send (a
  // PublicMessage from new_member_commit) and our state in the new epoch. A member that lost
  // its state rejoins so (a resync): `replacing` names its old leaf, which the same Commit
  // removes (kInvalidArgument if that leaf is blank). Failures as JoinFromWelcome; kNotFound
  // if the GroupInfo lacks external_pub. Randomized. `executor` as for JoinFromWelcome and
  // CommitOptions.
  static Result<std::pair<MLSMessage, GroupState>> JoinExternal(
      const KeyPackage& key_package, const KeyPackagePrivateKeys& keys, const GroupInfo& group_info,
      Executor* executor = nullptr, std::optional<LeafIndex> replacing = std::nullopt);

  GroupState(GroupState&&) noexcept = default;
  GroupState& operator=(GroupState&&) noexcept = default;
  ~GroupState() = default;

  const CipherSuiteParams& cipher_suite() const { return *cs_; }
  const GroupContext& group_context() const { return context_; }
  const Bytes& group_id() const { return context_.group_id; }
  uint64_t epoch() const { return context_.epoch; }
  const PublicTree& tree() const { return tree_; }
  LeafIndex own_leaf_index() const { return private_key_.index(); }
  const Bytes& interim_transcript_hash() const { return interim_transcript_hash_; }
  // epoch_authenticator is this epoch's epoch_authenticator (RFC 9420 §8.7); members of the
  // same epoch agree on it. The view lives as long as this state.
  ByteView epoch_authenticator() const { return schedule_.epoch_authenticator(); }

  // HandleProposal processes a proposal sent by reference in this epoch (RFC 9420 §12.1): it
  // unprotects `message` (a PublicMessage or PrivateMessage of this group and epoch; for a
  // PrivateMessage the handshake key is then deleted from the secret tree) and caches the
  // proposal with its ProposalRef for a later Commit. Returns kVerifyFailed for every
  // membership tag, signature or decryption failure and for another group or epoch; kMalformed
  // if the content is not a proposal or does not parse. On failure nothing changes.
  Status HandleProposal(const MLSMessage& message);

  // HandleCommit processes a Commit of another member or of an external joiner (RFC 9420
  // §12.4.2) and returns the state of the next epoch: unprotects `message` as HandleProposal
  // does, resolves the proposals (inline, and by reference from the cached ones), validates them
  // (RFC 9420 §12.2), applies them in RFC order (GroupContextExtensions, Update, Remove, Add),
  // merges and decrypts the UpdatePath (required when the RFC says so), computes the PSK
  // secret (external PSKs from `external_psks`, resumption PSKs from the kept ones), runs the
  // key schedule and checks the confirmation tag. Returns kVerifyFailed for every
  // authentication failure (tag, signature, decryption, parent hash, confirmation tag);
  // kMalformed for invalid proposals, a missing path or a bad encoding; kNotFound for an
  // unknown PSK; kConflict if the commit removes us. This state is left as it was on failure,
  // except that a PrivateMessage's handshake key is deleted once the message has been opened
  // (RFC 9420 §9.2). Keeps no reference to its arguments.
  Result<GroupState> HandleCommit(const MLSMessage& message,
                                  std::span<const ExternalPsk> external_psks = {});

  // CommitResult is what Commit returns: the Commit message to send to the group, a Welcome
  // for the members it adds (absent if none), and our state in the new epoch.
  struct CommitResult;

  // Commit commits every proposal cached in this epoch (by reference; our own Updates are
  // left out, the path replaces them) and `proposals` (by value) (RFC 9420 §12.4): validates and
  // applies them as a receiver would, adds an UpdatePath when required or forced (with path secrets
  // for every member, the new ones excluded), runs the key schedule, signs and protects the Commit,
  // and builds a Welcome (GroupInfo with the ratchet_tree extension, one GroupSecrets per added
  // KeyPackage) for the new members. An empty `proposals` is a self-update. Returns kMalformed
  // for proposals that break RFC 9420 §12.2 (as HandleCommit would reject them);
  // kInvalidArgument for a Remove of ourselves or an Update (use an empty commit); kNotFound for
  // an unknown PSK. Randomized. Moves our handshake ratchet forward when `private_message` is
  // set; otherwise leaves this state as it was. Keeps no reference to its arguments.
  Result<CommitResult> Commit(const std::vector<Proposal>& proposals,
                              const CommitOptions& options = {});

  // Propose sends `proposal` by reference (RFC 9420 §12.1) as a PublicMessage, or a
  // PrivateMessage if `private_message` (which consumes a handshake key), and caches it so that
  // our next Commit covers it. For Update use ProposeUpdate. Returns kInvalidArgument for an
  // Update or ExternalInit proposal. Randomized for ECDSA suites.
  Result<MLSMessage> Propose(const Proposal& proposal, bool private_message = false);

  // ProposeUpdate proposes a new LeafNode for us (RFC 9420 §12.1.2) with a fresh encryption
  // key, which is kept until a Commit of another member applies the Update. Randomized.
  Result<MLSMessage> ProposeUpdate(bool private_message = false);

  // GroupInfoForJoiners returns a signed GroupInfo of this epoch with the ratchet_tree and
  // external_pub extensions, for a new member to join by external Commit (RFC 9420 §12.4.3.2).
  Result<GroupInfo> GroupInfoForJoiners() const;

  // Protect encrypts application data as a PrivateMessage of this epoch (RFC 9420 §6.3) with
  // the next key of our application ratchet (which it consumes). `padding_len` zero bytes
  // hide the length. Every copy of the plaintext it makes is wiped. Returns kInvalidArgument
  // if the ratchet is exhausted.
  Result<MLSMessage> Protect(ByteView application_data, ByteView authenticated_data = {},
                             size_t padding_len = 0);

  // ApplicationMessage is a received application message: its sender's leaf, the data it
  // authenticated in the clear, and its decrypted data (wiped when freed).
  struct ApplicationMessage {
    LeafIndex sender;
    Bytes authenticated_data;
    SecretBytes application_data;
  };

  // Unprotect decrypts and verifies an application PrivateMessage of this epoch (RFC 9420
  // §6.3) and deletes its key. kVerifyFailed for every decryption or signature failure, another
  // group or epoch, or a replayed generation; kMalformed if it is not an application message
  // or does not parse. Nothing changes on failure.
  Result<ApplicationMessage> Unprotect(const MLSMessage& message);

  // set_clock gives the wall clock against which KeyPackage lifetimes are checked (RFC 9420
  // §10.1); the states of later epochs keep it. Without one the system clock is read. The
  // process's composition root lends its own (tests a fixed one, to replay recorded traffic).
  void set_clock(Clock clock) { clock_ = std::move(clock); }

  // MlsExporter is MLS-Exporter(label, context, length) of this epoch (RFC 9420 §8.5). Returns
  // kInvalidArgument if `length` > 255 * Nh.
  Result<SecretBytes> MlsExporter(ByteView label, ByteView context, uint16_t length) const;

  // Serialize returns this member's whole state of this epoch (secrets included) in a strict,
  // versioned encoding, as SecretBytes: store it sealed. Pending proposals and Update keys are
  // kept; the clock is not.
  SecretBytes Serialize() const;
  // Deserialize reads a state written by Serialize. Everything is checked that can be: known
  // version and cipher suite, sizes, the tree hash against the GroupContext, the private keys
  // against the tree. kMalformed names the field on bad input.
  static Result<GroupState> Deserialize(ByteView state);

 private:
  struct CachedProposal {
    Bytes ref;  // ProposalRef (RFC 9420 §5.2)
    Proposal proposal;
    Sender sender;
  };

  GroupState(const CipherSuiteParams& cs, GroupContext context, PublicTree tree,
             KeyScheduleEpoch schedule, SecretTree secret_tree, TreeKEMPrivateKey private_key,
             crypto::SignaturePrivateKey signer)
      : cs_(&cs),
        context_(std::move(context)),
        tree_(std::move(tree)),
        schedule_(std::move(schedule)),
        secret_tree_(std::move(secret_tree)),
        private_key_(std::move(private_key)),
        signer_(std::move(signer)) {}

  // EnterEpoch is how every transition ends (RFC 9420 §8): the epoch's secret tree from
  // `schedule`'s encryption_secret (which it takes out of the schedule), the interim transcript
  // hash from `confirmation_tag`, and this epoch's resumption_psk after those `previous` kept;
  // the state of a member that stays (`previous` set) also keeps its clock.
  static Result<GroupState> EnterEpoch(const CipherSuiteParams& cs, GroupContext context,
                                       PublicTree tree, KeyScheduleEpoch schedule,
                                       Bytes confirmation_tag, TreeKEMPrivateKey private_key,
                                       crypto::SignaturePrivateKey signer,
                                       const GroupState* previous);
  // ScheduleEpoch runs the key schedule of the epoch `next` describes (RFC 9420 §8) from
  // `init_secret`, its commit_secret and the psk_secret of `psks` (external ones from
  // `external_psks`, resumption ones from those this state kept).
  Result<KeyScheduleEpoch> ScheduleEpoch(ByteView init_secret,
                                         const internal::ProvisionalEpoch& next,
                                         std::span<const PreSharedKeyID> psks,
                                         std::span<const ExternalPsk> external_psks) const;

  // --- Commit, the committer's steps (RFC 9420 §12.4, group_member.cc) ---
  // CollectProposals lists what our Commit covers: the cached proposals by reference (except
  // our own Updates and Removes of us) and `proposals` by value, into `resolved` and `covered`
  // (Commit.proposals) in one order. kInvalidArgument for an Update or a Remove of ourselves.
  Status CollectProposals(const std::vector<Proposal>& proposals,
                          std::vector<internal::ResolvedProposal>& resolved,
                          std::vector<ProposalOrRef>& covered) const;
  // BuildWelcome is RFC 9420 §12.4.3.1 for the committer in its new epoch (this state): the
  // GroupInfo with the ratchet_tree extension, and the GroupSecrets of each added member, with
  // the path secret of its common ancestor with us when the Commit had a path.
  Result<MLSMessage> BuildWelcome(std::span<const KeyPackage* const> added_packages,
                                  std::span<const LeafIndex> added,
                                  std::span<const PreSharedKeyID> psks, bool with_path,
                                  Executor* executor) const;
  // ProtectCommit wraps our signed Commit as a PublicMessage, or as a PrivateMessage (which
  // consumes a handshake key of this epoch).
  Result<MLSMessage> ProtectCommit(const AuthenticatedContent& signed_content,
                                   bool private_message);

  // --- HandleCommit, the receiver's steps (RFC 9420 §12.4.2, group_commit.cc) ---
  // ResolveProposals lists a received Commit's proposals: inline ones as the committer's,
  // references as the cached proposals they name. kMalformed for an unknown reference or a
  // reference in an external commit.
  Result<std::vector<internal::ResolvedProposal>> ResolveProposals(const mls::Commit& commit,
                                                                   const Sender& committer) const;
  // OwnKeysAfter is our private view for an epoch whose tree is `tree`: ours, with the leaf key
  // of our proposed Update if the Commit applied it.
  TreeKEMPrivateKey OwnKeysAfter(const PublicTree& tree) const;
  // InitSecretFor is the next epoch's init_secret: this epoch's, or the one an ExternalInit's
  // kem_output carries. kVerifyFailed if that does not decapsulate.
  Result<SecretBytes> InitSecretFor(const internal::AppliedProposals& applied) const;

  // SendProposal signs, protects and caches a proposal of ours.
  Result<MLSMessage> SendProposal(const Proposal& proposal, bool private_message);

  // UnprotectContent opens a PublicMessage or PrivateMessage of this epoch (see HandleProposal)
  // whose content type must be `expected` (kMalformed otherwise, checked before decrypting).
  Result<AuthenticatedContent> UnprotectContent(const MLSMessage& message, ContentType expected);
  // BuildGroupInfo returns our signed GroupInfo of this epoch with `extensions`.
  Result<GroupInfo> BuildGroupInfo(std::vector<Extension> extensions,
                                   ByteView confirmation_tag) const;
  // CloneSigner returns a copy of our signature key.
  crypto::SignaturePrivateKey CloneSigner() const;
  // SignatureKeyFor returns the signature key of `sender` for a message with `content`.
  Result<Bytes> SignatureKeyFor(const Sender& sender, const FramedContent* content) const;

  // Now is the time (POSIX seconds) lifetimes are checked at.
  uint64_t Now() const;

  // RememberResumptionPsk stores this epoch's resumption_psk, dropping the oldest past
  // kMaxResumptionPsks.
  void RememberResumptionPsk();
  // FindResumptionPsk returns the kept resumption_psk of (`group_id`, `epoch`), or nullptr.
  const SecretBytes* FindResumptionPsk(ByteView group_id, uint64_t epoch) const;

  const CipherSuiteParams* cs_;  // static storage (GetCipherSuiteParams)
  GroupContext context_;
  PublicTree tree_;
  Bytes interim_transcript_hash_;
  KeyScheduleEpoch schedule_;
  SecretTree secret_tree_;
  TreeKEMPrivateKey private_key_;  // TreeKEM private view (our leaf and direct path)
  crypto::SignaturePrivateKey signer_;
  // Resumption PSKs of recent epochs (epoch, resumption_psk), newest last, at most
  // kMaxResumptionPsks.
  std::deque<std::pair<uint64_t, SecretBytes>> resumption_psks_;
  Clock clock_;             // empty: the system clock
  Bytes confirmation_tag_;  // this epoch's, for GroupInfo
  // Proposals received by reference in this epoch, in arrival order.
  std::vector<CachedProposal> pending_proposals_;
  // Private keys of the LeafNodes of our proposed Updates (encryption_key, private key).
  std::vector<std::pair<Bytes, SecretBytes>> pending_update_keys_;
};

struct GroupState::CommitResult {
  MLSMessage commit;
  std::optional<MLSMessage> welcome;
  GroupState next;
};

}  // namespace candor::mls
