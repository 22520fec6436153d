// tree_algorithms.h: the user algorithms of draft-ietf-keytrans-protocol, written once over a
// ProofSession so that the directory (prover) and the user (verifier) run the same code:
// updating the view (§"Updating Views of the Tree"), distinguished entries and expiry
// (§"Reasonable Monitoring Window", §"Maximum Lifetime"), greatest- and fixed-version search,
// contact and owner monitoring, the owner's check of a label update, and the walk over
// distinguished entries. Every failure is kVerifyFailed with the reason (KtVerifyFailed); for a
// prover a failure means the directory's own data contradicts the request.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "candor/base/result.h"
#include "candor/kt/combined_tree.h"

namespace candor::kt {

// TreeParams are the Configuration durations the algorithms read (milliseconds).
struct TreeParams {
  uint64_t reasonable_monitoring_window = 0;
  std::optional<uint64_t> maximum_lifetime;
};

// UpdateView provides/consumes the timestamps that move the user from the session's old size
// to its tree size (fresh user: the whole frontier).
Status UpdateView(ProofSession& s);

// IsDistinguished says whether entry x is distinguished in the session's tree.
Result<bool> IsDistinguished(ProofSession& s, const TreeParams& params, uint64_t x);
// IsExpired says whether entry x is past the maximum lifetime (never, when none is set).
Result<bool> IsExpired(ProofSession& s, const TreeParams& params, uint64_t x);
// RightmostDistinguished is the rightmost distinguished entry, if any (always on the frontier).
Result<std::optional<uint64_t>> RightmostDistinguished(ProofSession& s, const TreeParams& params);

// SearchOutcome: the terminal entry of a search, and whether the user must contact-monitor it
// (it lies right of the rightmost distinguished entry).
struct SearchOutcome {
  uint64_t terminal = 0;
  bool needs_monitoring = false;
};

// GreatestVersionSearch checks that `version` is the greatest version of the label.
Result<SearchOutcome> GreatestVersionSearch(ProofSession& s, const TreeParams& params,
                                            uint32_t version, LabelVersions& versions);
// FixedVersionSearch checks that `version` of the label exists and is unexpired.
Result<SearchOutcome> FixedVersionSearch(ProofSession& s, const TreeParams& params,
                                         uint32_t version, LabelVersions& versions);

// MonitoringMap maps a log position to the greatest version proven there (§"Contact Algorithm").
using MonitoringMap = std::map<uint64_t, uint32_t>;

// ContactMonitor advances `map` to the current tree. `owner_start` is set when run as part of
// owner monitoring (the owner's advertised start position).
Result<MonitoringMap> ContactMonitor(ProofSession& s, const TreeParams& params, MonitoringMap map,
                                     std::optional<uint64_t> owner_start, LabelVersions& versions);

// OwnerInitEntries lists the entries the first owner algorithm inspects: `start`, then the
// entries on its direct path to its left, stopping before the first expired one. The session
// learns the timestamps of the path to `start`; `start` must be distinguished and unexpired.
Result<std::vector<uint64_t>> OwnerInitEntries(ProofSession& s, const TreeParams& params,
                                               uint64_t start);
// OwnerInit runs the first owner algorithm: `greatest_versions[i]` is the greatest version at
// the i-th inspected entry (shorter list: the label is absent from the remaining entries).
Status OwnerInit(ProofSession& s, const TreeParams& params, uint64_t start,
                 const std::vector<uint32_t>& greatest_versions, LabelVersions& versions);

// ExpectedVersion gives the greatest version the owner expects at a position (nullopt: none).
using ExpectedVersion = std::function<std::optional<uint32_t>(uint64_t position)>;
// ProverStop lets the directory end owner monitoring early at an entry (e.g. the label has a
// version the owner does not know yet, or the response is big enough). Unused by a verifier.
using ProverStop = std::function<bool(uint64_t position)>;

// OwnerMonitorOutcome: the distinguished entries that got a search ladder, in visit order, and
// the rightmost of them (or the old start when none): the owner's next `start`.
struct OwnerMonitorOutcome {
  uint64_t verified = 0;
  std::vector<uint64_t> checked;
};
// OwnerMonitor runs the second owner algorithm from the owner's verified `start` (run
// ContactMonitor with owner_start = start first, as Owner Monitoring does).
Result<OwnerMonitorOutcome> OwnerMonitor(ProofSession& s, const TreeParams& params, uint64_t start,
                                         const ExpectedVersion& expected,
                                         const ProverStop& prover_stop, LabelVersions& versions);

// LabelUpdate describes new versions of a label inserted at log entry `position`.
struct LabelUpdate {
  uint64_t position = 0;
  std::optional<uint32_t> previous_greatest;  // greatest version before this update
  std::optional<uint64_t> previous_position;  // where previous_greatest was inserted
  uint64_t owner_start = 0;                   // the owner's starting position
  std::vector<uint32_t> new_versions;         // ascending, all created at `position`
};
// UpdateCheck is what the owner retains after a verified update.
struct UpdateCheck {
  bool distinguished = false;  // `position` is distinguished in the current tree
};
// VerifyLabelUpdate runs §"Updating a Label": a greatest-version check of the previous version in
// the previous tree, then the new versions at `position`.
Result<UpdateCheck> VerifyLabelUpdate(ProofSession& s, const TreeParams& params,
                                      const LabelUpdate& update, LabelVersions& versions);

// UpdateLadderVersions lists, ascending, the versions whose VRF proofs an UpdateResponse carries
// (§"Updating a Label"): the search ladder of the new greatest version, plus every new version
// when several were created, minus the ladder of the previous greatest version (or minus version
// 0 when there was none).
std::vector<uint32_t> UpdateLadderVersions(std::optional<uint32_t> previous_greatest,
                                           const std::vector<uint32_t>& new_versions);
// OwnerInitLadderVersions lists, ascending, the versions of an OwnerInitResponse's binary_ladder:
// version 0 and every version of the search ladders of `greatest_versions`.
std::vector<uint32_t> OwnerInitLadderVersions(const std::vector<uint32_t>& greatest_versions);

// RecentWindow is Candor's definition of a "recent" distinguished entry (draft §"Walking
// Distinguished Heads", definition b): within ten Reasonable Monitoring Windows of the newest
// entry, so that about ten qualify.
inline uint64_t RecentWindow(uint64_t reasonable_monitoring_window) {
  return 10 * reasonable_monitoring_window;
}

// WalkDistinguished walks the recent distinguished entries (§"Walking Distinguished Heads");
// an entry is recent when the rightmost entry's timestamp minus its own is below
// `recent_window`. Returns the entries found, ascending.
Result<std::vector<uint64_t>> WalkDistinguished(ProofSession& s, const TreeParams& params,
                                                std::optional<uint64_t> stop,
                                                uint64_t recent_window);

}  // namespace candor::kt
