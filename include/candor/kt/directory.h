// directory.h: the KEYTRANS directory (the Transparency Log's server side) in the Contact
// Monitoring or Third-Party Auditing deployment mode. Label updates are queued and sequenced in
// batches: Publish() turns everything queued into one log entry (or an empty heartbeat entry when
// nothing is queued, so that silence is visible), stores it durably, signs the new tree head and
// hands it to the head sink (the C2SP log that witnesses cosign). Queries are answered with proofs
// built by the same algorithms the verifier runs (tree_algorithms.h). Thread-safe: one mutex guards
// the state, and a publish holds it only to take its batch, to grow the in-memory trees and to
// make the new head visible: its VRF work, the store's fsync and the head sink's log append run
// outside it, so queries never wait for them. Queries answer at the visible head; an entry in
// flight is invisible until its head is. A batch's VRF outputs are computed in parallel on
// `options.executor` when one is given; VRF proofs are made there too and stored with each
// version (options.prove_at_publish), or made when a response first needs them and cached.
//
// Third-Party Auditing: the operator feeds each entry's AuditorUpdateFor to the auditor and hands
// the AuditorTreeHead it signs back through SetAuditorTreeHead. Every response with an updated
// tree head then carries the newest auditor head, and its log proof also yields the root at the
// auditor's tree size (draft §"Combining Proofs"). The auditor head is kept in memory only: it
// is the auditor's to re-issue, and after a restart queries answer kUnavailable until the
// auditor has signed an entry again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/crypto/vrf.h"
#include "candor/kt/directory_state.h"
#include "candor/kt/directory_store.h"
#include "candor/kt/messages.h"
#include "candor/kt/proof_cache.h"
#include "candor/kt/tree_algorithms.h"
#include "candor/kt/tree_head.h"

namespace candor::kt {

// DirectoryOptions tune batching and proving.
struct DirectoryOptions {
  // One log entry never adds more versions than this (and never more than 255 in
  // thirdPartyAuditing mode: an entry's AuditorUpdate proves them all in one PrefixProof, whose
  // results hold at most 255). A single update with more values is kInvalidArgument.
  size_t max_batch_versions = 100000;
  // executor, if set, lends threads to a batch's VRF evaluation (else it runs on the thread
  // that publishes); it must outlive the directory.
  Executor* executor = nullptr;
  size_t max_owner_ladders = 32;  // owner monitoring: ladders per response
  // logged_heads, if set, returns how many heads the sink's log holds. The log holds one head
  // per tree size, in order (entry i is the head of size i + 1): Open then logs the head of the
  // last stored entry if a crash came between storing it and logging its head, and refuses a
  // log that is further behind or ahead (kInternal).
  std::function<uint64_t()> logged_heads;
  // prove_at_publish: Publish makes each new version's VRF proof, and for each label's new
  // greatest version the proofs of the versions its binary ladder probes above it, and stores
  // them with the version (stored_proofs.h), so searches read proofs instead of making them.
  // A new label then costs two proofs instead of one VRF output (publish runs about 4x slower,
  // docs/benchmarks.md); off, proofs are made when a response first needs them and kept in a
  // bounded cache.
  bool prove_at_publish = false;
  // follower: another process publishes to the store (a cluster's sequencer) and this directory
  // only serves it (a front node). Open then reads only the entries whose heads are logged
  // (logged_heads must be set) and logs nothing; Follow reads the newer ones; Publish and
  // SubmitUpdate are refused.
  bool follower = false;
};

// UpdateTicket identifies queued new versions of a label until they are published.
struct UpdateTicket {
  Bytes label;
  std::optional<uint32_t> previous_greatest;
  uint32_t first_version = 0;
  uint32_t count = 0;
};

class Directory {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)
  // kProofCacheEntries bounds the VRF proofs kept for repeated searches (about 20 MB).
  static constexpr size_t kProofCacheEntries = size_t{1} << 16;
  // HeadSink receives every newly signed tree head, once per tree size and in order: the encoded
  // TreeHeadTBS and the signature. Publish fails if the sink fails: the entry stays stored and
  // invisible, and the next Publish hands the sink that head again before anything new.
  using HeadSink = std::function<Status(ByteView tree_head_tbs, ByteView signature)>;

  // Open replays `store` into memory and checks that the stored entries rebuild consistently.
  // `config` must pass ValidateConfiguration and be in contactMonitoring or thirdPartyAuditing
  // mode; the keys must match its public keys.
  static Result<std::unique_ptr<Directory>> Open(Configuration config,
                                                 crypto::SignaturePrivateKey signature_key,
                                                 crypto::VrfPrivateKey vrf_key,
                                                 DirectoryStore& store, Clock clock,
                                                 HeadSink head_sink, DirectoryOptions options = {});

  const Configuration& config() const { return config_; }
  // size is the number of published log entries.
  uint64_t size() const;
  // Head returns the newest signed tree head and its root (kNotFound before the first entry).
  Result<std::pair<TreeHead, HashValue>> Head() const;

  // SubmitUpdate queues the new versions of an UpdateRequest whose greatest_version matches the
  // label's greatest published version. A request for an older greatest_version is answered by
  // ExistingUpdate instead (kConflict here); a label with versions already queued is kConflict
  // (retry after the next publish); a greater greatest_version, no values, a label over 255 bytes
  // or too many versions is kInvalidArgument.
  Result<UpdateTicket> SubmitUpdate(const UpdateRequest& request);
  // Publish sequences the queue (or a heartbeat) into one log entry; returns its position once
  // the entry is durable and its head signed and handed to the sink; only then do queries see
  // it. If the sink fails, the entry stays stored and invisible; the next Publish first hands
  // the sink that head again (and fails the same way while the sink does), then goes on. One
  // Publish runs at a time.
  Result<uint64_t> Publish();
  // Follow brings a follower (DirectoryOptions::follower) up to `logged_heads` entries: it reads
  // the stored entries it lacks, up to that many (an entry whose head is not logged yet stays
  // unread), and makes them visible under their head, signed here again (Ed25519 signs
  // deterministically; clients compare the logged TreeHeadTBS in any case). Returns the
  // visible size. kInternal if the stored entries do not rebuild consistently.
  Result<uint64_t> Follow(uint64_t logged_heads);
  // Promote makes a follower the publisher (a cluster's standby that took the sequencer's
  // lease, its directory already warm): it reads every stored entry it lacks, logged or not,
  // hands `head_sink` the last head if the log is one behind (as Open does after a crash),
  // and from then on publishes to `head_sink`, counting logged heads with `logged_heads`.
  // Call it before the directory takes updates, with no Follow running. kInternal as for Open
  // if the stored entries do not rebuild or the log does not match them.
  Status Promote(HeadSink head_sink, std::function<uint64_t()> logged_heads);
  // queued_versions is the number of versions waiting for a Publish to make them visible.
  size_t queued_versions() const;
  // LatestValue returns the greatest published version of `label` and its value (the operator's
  // own view, no proof), or nullopt if the label has no published version.
  std::optional<std::pair<uint32_t, Bytes>> LatestValue(ByteView label) const;

  // UpdateResult answers a published ticket for a client whose last view is `last`.
  Result<UpdateResponse> UpdateResult(const UpdateTicket& ticket, std::optional<uint64_t> last);
  // ExistingUpdate answers an UpdateRequest whose greatest_version is behind the label: the next
  // version after it and the others created in the same entry.
  Result<UpdateResponse> ExistingUpdate(const UpdateRequest& request);

  // SetAuditorTreeHead keeps `head` (signed by the Third-Party Auditor) for the responses that
  // follow. kInvalidArgument if the mode is not thirdPartyAuditing, the tree size is 0 or not
  // published, or the signature does not verify over this log's root at that size; kConflict if
  // it is older than the head already held.
  Status SetAuditorTreeHead(const AuditorTreeHead& head);
  // auditor_tree_size is the tree size of the auditor head held (nullopt: none yet).
  std::optional<uint64_t> auditor_tree_size() const;

  // Queries (UpdateResult ... Distinguished) answer kUnavailable in thirdPartyAuditing mode until
  // a first auditor tree head was set.
  // Search answers a SearchRequest (greatest or fixed version). Unknown label or version:
  // kNotFound; an expired version: kNotFound; a `last` beyond the tree: kInvalidArgument.
  Result<SearchResponse> Search(const SearchRequest& request);
  // ContactMonitor answers a ContactMonitorRequest (entries checked per the draft).
  Result<ContactMonitorResponse> ContactMonitor(const ContactMonitorRequest& request);
  // OwnerInit answers an OwnerInitRequest (start must be distinguished and unexpired).
  Result<OwnerInitResponse> OwnerInit(const OwnerInitRequest& request);
  // OwnerMonitor answers an OwnerMonitorRequest.
  Result<OwnerMonitorResponse> OwnerMonitor(const OwnerMonitorRequest& request);
  // Distinguished answers a DistinguishedRequest.
  Result<DistinguishedResponse> Distinguished(const DistinguishedRequest& request);
  // AuditorUpdateFor returns the AuditorUpdate of published entry `position` for a Third-Party
  // Auditor (draft §"Auditing"): the leaves the entry added, sorted by vrf_output, none removed,
  // and their PrefixProof in the previous entry's prefix tree (the empty tree for position 0).
  // kNotFound for an unpublished position; kInvalidArgument when the entry added more than 255
  // leaves (PrefixProof.results holds at most 255).
  Result<AuditorUpdate> AuditorUpdateFor(uint64_t position) const;

 private:
  struct Version {
    uint64_t position;
    StoredVersion stored;
  };
  struct Label {
    std::vector<Version> versions;  // index = version number
    uint32_t queued = 0;            // versions waiting in the queue
  };
  struct Queued {
    Bytes label;
    uint32_t version;
    Bytes value;
  };

  Directory(Configuration config, crypto::SignaturePrivateKey signature_key,
            crypto::VrfPrivateKey vrf_key, DirectoryStore& store, Clock clock, HeadSink sink,
            DirectoryOptions options);
  Status Replay();
  // LogMissingHead, on a publisher that just read the store, logs the head of the last stored
  // entry if a crash left the log one behind; kInternal if the log and the store differ more.
  Status LogMissingHead();
  // ReadNewEntries reads the stored entries at positions [size, end) into the trees and makes
  // them visible under a newly signed head; returns the size. Called with publish_mu_ held.
  Result<uint64_t> ReadNewEntries(uint64_t end);
  // LogHead hands `head` (of the trees' current root at its size) to the sink and, once logged,
  // makes it and every version in flight visible. Called with publish_mu_ held, not mu_.
  Status LogHead(const TreeHead& head, const HashValue& root);
  // AddToTrees checks `entry` (the next position, each label's next versions, commitments that
  // open) and grows the in-memory trees with it; its versions stay invisible. Under mu_.
  Status AddToTrees(const StoredEntry& entry);
  // MakeVisible adds the versions of entries grown into the trees to their labels. Under mu_.
  void MakeVisible(std::vector<Version> versions);
  // VersionsOf pairs an entry's versions with its position.
  static std::vector<Version> VersionsOf(StoredEntry entry);
  TreeParams Params() const;
  Result<uint64_t> CheckLast(std::optional<uint64_t> last) const;
  // SendsAuditorHead says whether the response to a request with `last` carries an auditor head.
  bool SendsAuditorHead(std::optional<uint64_t> last) const;
  // ProverFor starts the prover session of a response to a request with `last`.
  ProofSession ProverFor(std::optional<uint64_t> last, uint64_t old_size) const;
  FullTreeHead HeadFor(std::optional<uint64_t> last) const;
  const Label* FindLabel(ByteView label) const;
  // Greatest version of `label` published at or before entry `position`.
  std::optional<uint32_t> GreatestAt(const Label& label, uint64_t position) const;
  // MonitoringMapOf checks a request's MonitorMapEntry list per the draft (ascending positions,
  // no duplicate position or version, each position on the direct path of the entry that
  // created its version) and returns it as a map; kInvalidArgument otherwise.
  Result<MonitoringMap> MonitoringMapOf(const Label* label,
                                        const std::vector<MonitorMapEntry>& entries) const;
  // KeyOf and ProofOf return the VRF output and proof of (label, version): stored with the
  // label's versions when it has them, else from the cache or made now.
  Hash32 KeyOf(ByteView label, uint32_t version);
  Bytes ProofOf(ByteView label, uint32_t version);
  // StoredProofOf returns the proof of (label, version) and its output if they are stored
  // with the label's published versions.
  std::optional<std::pair<ByteView, Hash32>> StoredProofOf(const Label* label,
                                                           uint32_t version) const;
  LabelVersions ProverVersions(ByteView label);
  // Steps builds BinaryLadderSteps for `versions` (ascending or ladder order, as given), with
  // commitments for versions that exist in the current tree, except `no_commitment_for`.
  std::vector<BinaryLadderStep> Steps(ByteView label, const std::vector<uint32_t>& versions,
                                      std::optional<uint32_t> no_commitment_for);
  Result<UpdateResponse> BuildUpdateResponse(const Label& label, uint32_t first, uint32_t count,
                                             std::optional<uint32_t> advertised,
                                             std::optional<uint64_t> last, bool echo_values);

  Configuration config_;
  WireContext wire_;
  size_t vrf_proof_size_ = 0;  // VRF.Np of the suite
  crypto::SignaturePrivateKey signature_key_;
  crypto::VrfPrivateKey vrf_key_;
  DirectoryStore& store_;
  Clock clock_;
  HeadSink sink_;
  DirectoryOptions options_;

  std::mutex publish_mu_;  // one Publish at a time
  mutable std::mutex mu_;
  DirectoryState state_;           // may hold entries beyond the visible head (a publish in flight)
  std::map<Bytes, Label> labels_;  // visible versions only
  std::vector<Version> in_flight_;  // in the trees, not visible yet
  std::vector<Queued> queue_;
  uint64_t visible_size_ = 0;  // the size of head_: queries answer at this size
  std::optional<TreeHead> head_;
  // unlogged_head_: a signed head whose sink call failed, with its root; the next Publish logs
  // it first. Under publish_mu_.
  std::optional<std::pair<TreeHead, HashValue>> unlogged_head_;
  std::optional<AuditorTreeHead> auditor_head_;
  ProofCache proof_cache_{kProofCacheEntries};  // VRF proofs made recently
};

}  // namespace candor::kt
