#include "candor/kt/directory_state.h"

#include <algorithm>

namespace candor::kt {

Result<uint64_t> DirectoryState::AppendEntry(uint64_t timestamp,
                                             const std::vector<PrefixLeaf>& added) {
  if (!entries_.empty() && timestamp < entries_.back().timestamp) {
    return MakeError(Errc::kInvalidArgument, "kt: log entry timestamp goes backwards");
  }
  uint64_t version = entries_.empty() ? 0 : entries_.back().prefix_version;
  if (!added.empty()) {
    CANDOR_ASSIGN_OR_RETURN(version, prefix_.Insert(added));
  }
  std::vector<PrefixLeaf> sorted = added;
  std::sort(sorted.begin(), sorted.end(),
            [](const PrefixLeaf& a, const PrefixLeaf& b) { return a.vrf_output < b.vrf_output; });
  entries_.push_back(Entry{timestamp, version, std::move(sorted)});
  log_.Append(LogEntryHash(timestamp, prefix_.Root(version)));
  return entries_.size() - 1;
}

std::optional<HashValue> DirectoryState::Lookup(uint64_t position, const Hash32& key) const {
  return prefix_.Lookup(entries_.at(position).prefix_version, key);
}

uint64_t DirectoryState::Timestamp(uint64_t position) const {
  return entries_.at(position).timestamp;
}

HashValue DirectoryState::PrefixRoot(uint64_t position) const {
  return prefix_.Root(entries_.at(position).prefix_version);
}

bool DirectoryState::Contains(uint64_t position, const Hash32& key) const {
  return Lookup(position, key).has_value();
}

PrefixProof DirectoryState::ProvePrefix(uint64_t position, const std::vector<Hash32>& keys) const {
  return prefix_.Prove(entries_.at(position).prefix_version, keys);
}

const std::vector<PrefixLeaf>& DirectoryState::Added(uint64_t position) const {
  CANDOR_CHECK(position < entries_.size());
  return entries_[position].added;
}

PrefixProof DirectoryState::ProveBefore(uint64_t position, const std::vector<Hash32>& keys) const {
  CANDOR_CHECK(position <= entries_.size());
  const uint64_t version = position == 0 ? 0 : entries_[position - 1].prefix_version;
  return prefix_.Prove(version, keys);
}

InclusionProof DirectoryState::ProveLog(uint64_t n, uint64_t old_size,
                                        const std::vector<uint64_t>& leaves,
                                        uint64_t auditor_size) const {
  return log_.Prove(n, old_size, leaves, auditor_size);
}

}  // namespace candor::kt
