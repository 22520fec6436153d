// directory_state.h: the directory's combined tree in memory: one log entry per batch of new
// label-version pairs (or none, for a heartbeat), each remembering its timestamp and the version
// of the persistent prefix tree it published. It answers the prover's questions
// (CombinedTreeSource).
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/result.h"
#include "candor/kt/combined_tree.h"
#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

class DirectoryState final : public CombinedTreeSource {
 public:
  // AppendEntry inserts `added` into the prefix tree and appends the log entry (timestamp, new
  // prefix root). Keys already present, or a timestamp below the previous entry's, are
  // kInvalidArgument and change nothing. Returns the new entry's position.
  Result<uint64_t> AppendEntry(uint64_t timestamp, const std::vector<PrefixLeaf>& added);

  // size is the number of log entries.
  uint64_t size() const { return entries_.size(); }
  // LogRoot is the log tree root over all entries (size() >= 1).
  HashValue LogRoot() const { return log_.Root(); }
  // LogRootAt is the log tree root over the first n entries (1 <= n <= size()).
  HashValue LogRootAt(uint64_t n) const { return log_.RootAt(n); }
  // Lookup returns the commitment of `key` at entry `position`, if present.
  std::optional<HashValue> Lookup(uint64_t position, const Hash32& key) const;

  uint64_t Timestamp(uint64_t position) const override;
  HashValue PrefixRoot(uint64_t position) const override;
  bool Contains(uint64_t position, const Hash32& key) const override;
  PrefixProof ProvePrefix(uint64_t position, const std::vector<Hash32>& keys) const override;
  // Added returns the leaves entry `position` (< size(), CANDOR_CHECK) added to the prefix tree,
  // sorted ascending by vrf_output (for the Third-Party Auditor's AuditorUpdate).
  const std::vector<PrefixLeaf>& Added(uint64_t position) const;
  // ProveBefore proves `keys` (at most 255, CANDOR_CHECK) in the prefix tree as it stood before
  // entry `position` (<= size(), CANDOR_CHECK): the previous entry's tree, the empty tree for 0.
  PrefixProof ProveBefore(uint64_t position, const std::vector<Hash32>& keys) const;
  InclusionProof ProveLog(uint64_t n, uint64_t old_size, const std::vector<uint64_t>& leaves,
                          uint64_t auditor_size) const override;

 private:
  struct Entry {
    uint64_t timestamp;
    uint64_t prefix_version;
    std::vector<PrefixLeaf> added;  // sorted by vrf_output
  };
  PrefixTree prefix_;
  LogTree log_;
  std::vector<Entry> entries_;
};

}  // namespace candor::kt
