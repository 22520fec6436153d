// binary_ladder.h: the versions a binary ladder looks up (draft-ietf-keytrans-protocol §"Binary
// Ladder", §"Greatest-Version Search" / §"Binary Ladder", §"Monitoring the Tree" / §"Binary
// Ladder"), with exactly the semantics of the draft's appendix Python code. Versions above
// 2^32-1 are never listed.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace candor::kt {

// BaseBinaryLadder returns the versions looked up to establish that `n` is the greatest version
// of a label: 0, 1, 3, 7, ... up to the first value greater than n, then the binary search
// between the last two (appendix `base_binary_ladder`).
std::vector<uint32_t> BaseBinaryLadder(uint32_t n);

// SearchBinaryLadder returns the versions of a search binary ladder for target version `t` when
// the greatest existing version is `n` (appendix `search_binary_ladder`). nullopt means the label
// is absent; it is treated as n = -1: the base ladder is then [0], whose lookup is a
// non-inclusion and ends the ladder. The ladder stops after the first inclusion above t or the
// first non-inclusion at or below t; versions in `left_inclusion` or `right_non_inclusion` are
// omitted (they were proven for another log entry of the same response).
std::vector<uint32_t> SearchBinaryLadder(uint32_t t, std::optional<uint32_t> n,
                                         const std::set<uint32_t>& left_inclusion = {},
                                         const std::set<uint32_t>& right_non_inclusion = {});

// MonitoringBinaryLadder returns the versions of a monitoring binary ladder for monitored version
// `t`: BaseBinaryLadder(t) without the versions greater than t (appendix
// `monitoring_binary_ladder`).
std::vector<uint32_t> MonitoringBinaryLadder(uint32_t t);

}  // namespace candor::kt
