#include "candor/kt/binary_ladder.h"

#include <algorithm>

namespace candor::kt {
namespace {

constexpr int64_t kVersionLimit = int64_t{1} << 32;

// BaseLadder is base_binary_ladder over signed 64-bit integers, so n = -1 (absent label) and
// the intermediate values up to 2^33-1 are representable. For n = -1 the Python code would index
// out[-2] of a one-element list; the ladder is then just [0] (its first lookup already fails).
std::vector<int64_t> BaseLadder(int64_t n) {
  std::vector<int64_t> out;
  while (true) {
    const int64_t value = (int64_t{1} << out.size()) - 1;
    out.push_back(value);
    if (value > n) break;
  }
  if (out.size() >= 2) {
    int64_t lower = out[out.size() - 2];
    int64_t upper = out.back();
    while (lower + 1 < upper) {
      const int64_t value = (lower + upper) / 2;
      out.push_back(value);
      if (value <= n && value < kVersionLimit) {
        lower = value;
      } else {
        upper = value;
      }
    }
  }
  std::erase_if(out, [](int64_t v) { return v >= kVersionLimit; });
  return out;
}

std::vector<uint32_t> ToVersions(const std::vector<int64_t>& values) {
  std::vector<uint32_t> out;
  out.reserve(values.size());
  for (const int64_t v : values) out.push_back(static_cast<uint32_t>(v));
  return out;
}

}  // namespace

std::vector<uint32_t> BaseBinaryLadder(uint32_t n) { return ToVersions(BaseLadder(n)); }

std::vector<uint32_t> SearchBinaryLadder(uint32_t t, std::optional<uint32_t> n,
                                         const std::set<uint32_t>& left_inclusion,
                                         const std::set<uint32_t>& right_non_inclusion) {
  const int64_t greatest = n.has_value() ? int64_t{*n} : -1;
  const int64_t target = t;
  const std::vector<int64_t> base = BaseLadder(greatest);
  // would_end: inclusion above t, or non-inclusion at or below t.
  size_t end = base.size();
  for (size_t i = 0; i < base.size(); ++i) {
    const int64_t v = base[i];
    if ((v <= greatest && v > target) || (v > greatest && v <= target)) {
      end = i + 1;
      break;
    }
  }
  std::vector<uint32_t> out;
  for (size_t i = 0; i < end; ++i) {
    const auto v = static_cast<uint32_t>(base[i]);
    if (left_inclusion.count(v) != 0 || right_non_inclusion.count(v) != 0) continue;
    out.push_back(v);
  }
  return out;
}

std::vector<uint32_t> MonitoringBinaryLadder(uint32_t t) {
  std::vector<uint32_t> out = BaseBinaryLadder(t);
  std::erase_if(out, [t](uint32_t v) { return v > t; });
  return out;
}

}  // namespace candor::kt
