// verifier.h: the user's side of KEYTRANS (Contact Monitoring and Third-Party Auditing modes).
// Every directory response is verified completely (VRF proofs, commitments, the combined-tree
// proof, the log root, the tree head signature, in Third-Party Auditing also the auditor tree
// head over the log root at its size, timestamps against the local clock) before anything from
// it is used, and the
// user's state changes only when verification succeeds: each Verify* takes the current
// ClientState and returns the next one, leaving the input untouched.
//
// The state holds the retained view of the log, the labels this user looked up and must keep
// monitoring (contacts), and the labels this user owns. An owner's monitor flags any version of
// its label it did not create ("ghost" versions).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/kt/combined_tree.h"
#include "candor/kt/messages.h"
#include "candor/kt/tree_algorithms.h"
#include "candor/kt/tree_head.h"

namespace candor::kt {

// KnownVersion is what a user learned about one version of a label.
struct KnownVersion {
  Hash32 vrf_output{};
  std::optional<HashValue> commitment;
  bool operator==(const KnownVersion&) const = default;
};

// ContactLabel is a label this user looked up: VRF outputs and commitments learned, and the
// contact-monitoring map still to be followed.
struct ContactLabel {
  std::map<uint32_t, KnownVersion> versions;
  MonitoringMap monitor;
  bool operator==(const ContactLabel&) const = default;
};

// OwnedLabel is a label this user owns.
struct OwnedLabel {
  uint64_t start = 0;                         // starting position (distinguished)
  uint64_t verified = 0;                      // rightmost distinguished entry verified
  std::map<uint32_t, KnownVersion> versions;  // every version, with commitment
  std::map<uint64_t, uint32_t> greatest_at;   // position -> greatest version from there on
  std::map<uint32_t, uint64_t> created_at;    // version -> position (versions after start)
  MonitoringMap monitor;
  std::optional<uint32_t> greatest() const;
  bool operator==(const OwnedLabel&) const = default;
};

// ClientState is everything a user retains about one directory; persist it (Encode) only after
// a Verify* call succeeded.
struct ClientState {
  TreeView view;
  HashValue root{};              // log root at view.size
  std::optional<TreeHead> head;  // last verified tree head
  // last verified auditor tree head (thirdPartyAuditing only; draft §"User Operations": users
  // retain the most recent TreeHead and AuditorTreeHead)
  std::optional<AuditorTreeHead> auditor_head;
  std::map<Bytes, ContactLabel> contacts;
  std::map<Bytes, OwnedLabel> owned;

  // Decode reads a state written by Encode; kMalformed names the field on bad input.
  static Result<ClientState> Decode(tls::Reader& r);
  // Encode writes the state.
  void Encode(tls::Writer& w) const;
  bool operator==(const ClientState&) const = default;
};

// SearchResult is a verified search: the value of `version` and the next state.
struct SearchResult {
  uint32_t version = 0;
  UpdateValue value;
  ClientState state;
};

// UpdateResult is a verified UpdateResponse. `foreign_versions` lists versions the owner did not
// request (values it was told about by an UpdateResponse with `values`); the application must
// check them (Candor: device lists signed by the account key) and alert the user otherwise.
struct UpdateResult {
  uint64_t position = 0;
  std::vector<uint32_t> new_versions;
  std::vector<uint32_t> foreign_versions;
  ClientState state;
};

// OwnerMonitorResult is a verified owner-monitoring round. `caught_up` is false when the
// directory stopped before the rightmost distinguished entry, which an honest directory does when
// the label has versions the owner does not know: fetch them with MakeUpdate(state, label, {})
// and check them (they show up as UpdateResult::foreign_versions).
struct OwnerMonitorResult {
  ClientState state;
  bool caught_up = false;
};

// CheckPeerView compares this user's verified view with a (size, root) pair another user verified
// and shared over a channel the directory does not control (draft §"Detecting Forks"). At equal
// sizes the roots must be equal: a difference proves the directory showed the two users
// different trees (kVerifyFailed naming the fork). Views of different sizes cannot be compared
// without a consistency proof: kInvalidArgument (exchange again once both caught up).
Status CheckPeerView(const ClientState& mine, uint64_t peer_size, const HashValue& peer_root);

// CheckAuditorTreeHead verifies the AuditorTreeHead of a FullTreeHead from a thirdPartyAuditing
// log (draft §"Auditor Tree Head Signature", steps 1-4), given what the user verified about the
// log: `tree_size` of the log's TreeHead, `rightmost_timestamp` (its rightmost entry's), and
// `auditor_root`, the log root at head.tree_size (computed from the combined proof).
// `previous_auditor_size` is the AuditorTreeHead.tree_size of the user's previously observed tree
// head, or nullopt if the user advertised none. kVerifyFailed naming the step when: the previous
// auditor size is below config.auditor_start_pos (1); head.timestamp is after the rightmost
// timestamp or more than config.max_auditor_lag before it (2); head.tree_size is 0 or above
// `tree_size` (3); the signature over AuditorTreeHeadTBS does not verify under
// config.auditor_public_key (4). kInvalidArgument if `config` is not in thirdPartyAuditing mode.
Status CheckAuditorTreeHead(const Configuration& config, const AuditorTreeHead& head,
                            uint64_t tree_size, uint64_t rightmost_timestamp,
                            const HashValue& auditor_root,
                            std::optional<uint64_t> previous_auditor_size);

// VerifierOptions tune what a user checks beyond what the deployment mode requires.
struct VerifierOptions {
  // With a Third-Party Auditor, contact monitoring is unnecessary if the operator or the auditor
  // is honest (draft §"Contact Monitoring"); set this to still monitor looked-up labels and so
  // also detect the two colluding. Ignored in contactMonitoring mode (always monitored).
  bool monitor_contacts_with_auditor = false;
  // executor, if set, lends threads to the VRF proofs of a response (else they are verified on
  // the calling thread); it must outlive the verifier.
  Executor* executor = nullptr;
};

// Verifier checks responses of one directory, whose Configuration the user trusts (pinned).
class Verifier {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)
  // The configuration must pass ValidateConfiguration and be in contactMonitoring or
  // thirdPartyAuditing mode (checked by Create; kInvalidArgument otherwise).
  static Result<Verifier> Create(Configuration config, Clock clock, VerifierOptions options = {});

  const Configuration& config() const { return config_; }
  const WireContext& wire() const { return wire_; }

  // Request builders fill `last` from the state.
  SearchRequest MakeSearch(const ClientState& state, ByteView label,
                           std::optional<uint32_t> version) const;
  ContactMonitorRequest MakeContactMonitor(const ClientState& state, ByteView label) const;
  OwnerInitRequest MakeOwnerInit(const ClientState& state, ByteView label, uint64_t start) const;
  OwnerMonitorRequest MakeOwnerMonitor(const ClientState& state, ByteView label) const;
  // MakeUpdate asks to create `values` as the next versions of an owned label (empty `values`:
  // only learn versions created meanwhile).
  UpdateRequest MakeUpdate(const ClientState& state, ByteView label,
                           const std::vector<Bytes>& values) const;
  DistinguishedRequest MakeDistinguished(const ClientState& state) const;

  // Verify* check a response to `request` (built from `state`) and return the next state.
  Result<SearchResult> VerifySearch(const ClientState& state, const SearchRequest& request,
                                    const SearchResponse& response) const;
  Result<ClientState> VerifyContactMonitor(const ClientState& state,
                                           const ContactMonitorRequest& request,
                                           const ContactMonitorResponse& response) const;
  Result<ClientState> VerifyOwnerInit(const ClientState& state, const OwnerInitRequest& request,
                                      const OwnerInitResponse& response) const;
  Result<OwnerMonitorResult> VerifyOwnerMonitor(const ClientState& state,
                                                const OwnerMonitorRequest& request,
                                                const OwnerMonitorResponse& response) const;
  Result<UpdateResult> VerifyUpdate(const ClientState& state, const UpdateRequest& request,
                                    const UpdateResponse& response) const;
  // VerifyDistinguished returns the next state and the recent distinguished entries.
  Result<std::pair<ClientState, std::vector<uint64_t>>> VerifyDistinguished(
      const ClientState& state, const DistinguishedRequest& request,
      const DistinguishedResponse& response) const;

 private:
  Verifier(Configuration config, Clock clock, VerifierOptions options, CipherSuiteParams suite,
           WireContext wire)
      : config_(std::move(config)),
        clock_(std::move(clock)),
        options_(options),
        suite_(suite),
        wire_(wire) {}
  // TreeSizeOf checks a FullTreeHead against the request's `last` (and an auditor head's size
  // against the tree's, auditor step 3) and returns the tree size.
  Result<uint64_t> TreeSizeOf(const ClientState& state, std::optional<uint64_t> last,
                              const FullTreeHead& head) const;
  // Begin checks `head` (TreeSizeOf), opens the verifier session of `proof` on the user's view
  // and runs the update of the view (draft §"Updating Views of the Tree").
  Result<ProofSession> Begin(const ClientState& state, std::optional<uint64_t> last,
                             const FullTreeHead& head, const CombinedTreeProof& proof) const;
  // Finish completes a session: log root, tree head signature (or equality with the retained
  // root), the auditor tree head (thirdPartyAuditing), the clock bounds of the rightmost
  // timestamp; fills the next state's view and heads.
  Status Finish(ProofSession& session, const FullTreeHead& head, ClientState& next) const;
  // MonitorsContacts says whether looked-up labels are kept for contact monitoring.
  bool MonitorsContacts() const;
  Result<Hash32> VrfOutput(ByteView label, uint32_t version, ByteView proof) const;
  // LadderOutputs returns the VRF output of each (versions[i], steps[i].proof): known ones from
  // the state, the others verified (on two threads when there are several).
  Result<std::vector<Hash32>> LadderOutputs(const ClientState& state, ByteView label,
                                            const std::vector<uint32_t>& versions,
                                            const std::vector<BinaryLadderStep>& steps) const;
  TreeParams Params() const;

  Configuration config_;
  Clock clock_;
  VerifierOptions options_;
  CipherSuiteParams suite_;
  WireContext wire_;
};

}  // namespace candor::kt
