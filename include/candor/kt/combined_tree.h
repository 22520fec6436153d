// combined_tree.h: building and checking a CombinedTreeProof (draft-ietf-keytrans-protocol
// §"Combined Tree" proofs and appendix "CombinedTreeProof Implementation").
//
// One ProofSession serves both sides. The algorithms in tree_algorithms.h ask it for a log
// entry's timestamp or for a series of prefix-tree lookups; a prover session answers from the
// directory's data and appends to the proof, a verifier session answers by consuming the proof's
// queues. Because both sides run the same algorithm code, they agree on the contents and order of
// every field by construction. Finish*() closes the session: the prover fills `prefix_roots` and
// `inclusion`; the verifier checks that every queue was used up exactly and recomputes the log
// tree root from the leaves it learned and the user's retained full subtrees.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// KtVerifyFailed is the kVerifyFailed error of the KT verifier; `reason` says which check failed
// (the directory is the party being checked, so the reason is evidence, not an oracle).
Error KtVerifyFailed(std::string_view reason);

// RetainedEntry is what a user keeps of a log entry on the frontier of its last verified view.
struct RetainedEntry {
  uint64_t timestamp = 0;
  HashValue prefix_root{};
  bool operator==(const RetainedEntry&) const = default;
};

// TreeView is the user's retained view of the log (draft §"Updating Views of the Tree"): the size,
// the head values of the full subtrees, and the frontier entries. size == 0 means no view yet.
struct TreeView {
  uint64_t size = 0;
  std::vector<HashValue> full_subtrees;
  std::map<uint64_t, RetainedEntry> frontier;
  bool operator==(const TreeView&) const = default;
};

// LabelVersions holds, for one label, the VRF output (prefix-tree search key) of each version a
// response covers and the commitments that the response or the user's data provide. A verifier
// fills it from BinaryLadderSteps; a prover gives a function that computes outputs on demand and
// afterwards reads `used()` to know which VRF proofs to send.
class LabelVersions {
 public:
  using ComputeKey = std::function<Hash32(uint32_t version)>;
  LabelVersions() = default;
  explicit LabelVersions(ComputeKey compute) : compute_(std::move(compute)) {}

  // Add records the VRF output of `version` and, when the version exists, its commitment.
  void Add(uint32_t version, const Hash32& vrf_output, std::optional<HashValue> commitment);
  // Key returns the search key of `version`; a verifier without it fails (the response lacked a
  // VRF proof it needed).
  Result<Hash32> Key(uint32_t version);
  // Commitment returns the known commitment of `version`, if any.
  std::optional<HashValue> Commitment(uint32_t version) const;
  // used lists every version whose key an algorithm asked for, ascending.
  const std::set<uint32_t>& used() const { return used_; }

 private:
  ComputeKey compute_;
  std::map<uint32_t, Hash32> keys_;
  std::map<uint32_t, HashValue> commitments_;
  std::set<uint32_t> used_;
};

// CombinedTreeSource is the directory's data as the prover needs it.
class CombinedTreeSource {
 public:
  virtual ~CombinedTreeSource() = default;
  // Timestamp and PrefixRoot describe log entry `position` (< tree size).
  virtual uint64_t Timestamp(uint64_t position) const = 0;
  virtual HashValue PrefixRoot(uint64_t position) const = 0;
  // Contains says whether `key` is in the prefix tree of log entry `position`.
  virtual bool Contains(uint64_t position, const Hash32& key) const = 0;
  // ProvePrefix answers lookups of `keys`, in order, in the prefix tree of entry `position`.
  virtual PrefixProof ProvePrefix(uint64_t position, const std::vector<Hash32>& keys) const = 0;
  // ProveLog is the log tree's batch proof for size n, retained size old_size, leaves `leaves`
  // and the root at auditor_size (0: none), as LogTree::Prove.
  virtual InclusionProof ProveLog(uint64_t n, uint64_t old_size,
                                  const std::vector<uint64_t>& leaves,
                                  uint64_t auditor_size) const = 0;
};

// LadderResult compares the greatest version a binary ladder shows with its target version.
enum class LadderResult { kLess, kEqual, kGreater };

// ProofSession is the shared prover/verifier engine described above. Not thread-safe.
class ProofSession {
 public:
  // Prover answers from `source` for a tree of `tree_size` entries and a user who retained the
  // view of size `old_size` (0: no view).
  static ProofSession Prover(const CombinedTreeSource& source, uint64_t tree_size,
                             uint64_t old_size);
  // Verifier consumes `proof` (which must outlive the session) for a tree of `tree_size`
  // entries; `old` is the user's view, copied (its size <= tree_size; CANDOR_CHECKed, callers
  // compare sizes first).
  static ProofSession Verifier(const CombinedTreeProof& proof, uint64_t tree_size,
                               const TreeView& old);

  bool proving() const { return source_ != nullptr; }
  // SetAuditorSize makes the log proof also give the root at `size`, the tree size of the
  // AuditorTreeHead sent with the response (thirdPartyAuditing; draft §"Combining Proofs");
  // 1 <= size <= tree_size (CANDOR_CHECK: verifiers check step 3 of the auditor head first).
  void SetAuditorSize(uint64_t size);
  uint64_t tree_size() const { return tree_size_; }
  uint64_t old_size() const { return old_size_; }

  // Timestamp returns the timestamp of entry `position`: remembered, retained, or (first time)
  // taken from the source / the proof. A verifier checks that the known timestamps stay monotonic
  // in position order.
  Result<uint64_t> Timestamp(uint64_t position);

  // SearchLadder runs a search binary ladder (draft §"Binary Ladder", search variant) for
  // `target` in entry `position` and says how the greatest version there compares with it. With
  // `omit_redundant`, lookups already answered in this session by an inclusion to the left or a
  // non-inclusion to the right are inferred instead of looked up.
  Result<LadderResult> SearchLadder(uint64_t position, uint32_t target, bool omit_redundant,
                                    LabelVersions& versions);
  // MonitoringLadder runs a monitoring binary ladder for `target`: every lookup must be an
  // inclusion.
  Status MonitoringLadder(uint64_t position, uint32_t target, LabelVersions& versions);
  // Lookups runs one PrefixProof of plain lookups of `versions` in entry `position` and returns
  // which are included.
  Result<std::vector<bool>> Lookups(uint64_t position, const std::vector<uint32_t>& versions,
                                    LabelVersions& versions_keys);
  // MonitoredVersion is the greatest target of a monitoring ladder already run at `position`.
  std::optional<uint32_t> MonitoredVersion(uint64_t position) const;
  // AssumeLookups records, without a proof, the outcomes of the base binary ladder of
  // `greatest` at `position` (entries the update algorithm skips count as inspected, so later
  // lookups they answer are omitted).
  void AssumeLookups(uint64_t position, uint32_t greatest);
  // PrefixProofsLeft says whether a verifier has unread PrefixProofs (owner monitoring stops when
  // the response is used up). Always false for a prover.
  bool PrefixProofsLeft() const;

  // FinishProof completes a prover session and returns the proof.
  CombinedTreeProof FinishProof();
  // FinishVerify completes a verifier session: every queue used exactly, then the log tree root
  // recomputed. Returns the user's new view (root in `root`) and, after SetAuditorSize, the root
  // at the auditor's size.
  struct Verified {
    HashValue root{};
    TreeView view;
    std::optional<HashValue> auditor_root;
  };
  Result<Verified> FinishVerify();

 private:
  struct Entry {
    std::optional<uint64_t> timestamp;
    std::optional<HashValue> prefix_root;
    bool retained = false;    // on the user's old frontier: not a leaf of `inclusion`
    bool from_proof = false;  // timestamp came from the proof / source (a leaf of `inclusion`)
    bool monitored = false;   // a monitoring ladder ran here
    uint32_t monitored_version = 0;
  };
  // BeginPrefixProof opens the next PrefixProof (appended by a prover, consumed by a verifier)
  // and returns its index; LookupOutcome answers one lookup of it; EndPrefixProof closes it.
  Result<size_t> BeginPrefixProof();
  Result<bool> LookupOutcome(uint64_t position, const Hash32& key, size_t proof_index,
                             size_t lookup_index) const;
  Status EndPrefixProof(uint64_t position, size_t proof_index, const std::vector<uint32_t>& looked,
                        const std::vector<Hash32>& keys, const std::vector<bool>& outcomes,
                        LabelVersions& versions);
  Status SetPrefixRoot(uint64_t position, const HashValue& root);
  Status CheckMonotonic(uint64_t position, uint64_t timestamp) const;
  void RecordLookup(uint64_t position, uint32_t version, bool included);
  bool InferredIncluded(uint64_t position, uint32_t version) const;
  bool InferredAbsent(uint64_t position, uint32_t version) const;

  const CombinedTreeSource* source_ = nullptr;
  const CombinedTreeProof* proof_ = nullptr;
  std::vector<HashValue> retained_subtrees_;
  uint64_t tree_size_ = 0;
  uint64_t old_size_ = 0;
  uint64_t auditor_size_ = 0;
  CombinedTreeProof out_;
  size_t next_timestamp_ = 0;
  size_t next_prefix_proof_ = 0;
  std::map<uint64_t, Entry> entries_;
  // Per version: positions where a lookup showed inclusion / non-inclusion.
  std::map<uint32_t, std::set<uint64_t>> included_at_;
  std::map<uint32_t, std::set<uint64_t>> absent_at_;
};

}  // namespace candor::kt
