#include "candor/kt/tree_algorithms.h"

#include <algorithm>
#include <set>
#include <string>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/implicit_tree.h"

namespace candor::kt {

namespace {

std::string Pos(uint64_t x) { return std::to_string(x); }

// Elapsed is later - earlier, or 0 when the timestamps are out of order (a verifier has already
// rejected that; a prover never has it).
uint64_t Elapsed(uint64_t later, uint64_t earlier) { return later > earlier ? later - earlier : 0; }

}  // namespace

Status UpdateView(ProofSession& s) {
  const uint64_t n = s.tree_size();
  const uint64_t m = s.old_size();
  if (m == n) return OkStatus();
  if (m == 0) {
    for (uint64_t x : ImplicitFrontier(n)) CANDOR_TRY(s.Timestamp(x));
    return OkStatus();
  }
  // The entries of m-1's direct path at or right of m, in increasing order (bottom-up): the
  // last of them is on the new frontier.
  std::vector<uint64_t> path = ImplicitDirectPath(m - 1, n);
  std::sort(path.begin(), path.end());
  uint64_t x = m - 1;
  for (uint64_t y : path) {
    if (y < m) continue;
    CANDOR_TRY(s.Timestamp(y));
    x = y;
  }
  for (auto r = ImplicitRight(x, n); r; r = ImplicitRight(*r, n)) CANDOR_TRY(s.Timestamp(*r));
  return OkStatus();
}

Result<bool> IsDistinguished(ProofSession& s, const TreeParams& params, uint64_t x) {
  const uint64_t n = s.tree_size();
  CANDOR_ASSIGN_OR_RETURN(uint64_t right_ts, s.Timestamp(n - 1));
  uint64_t left_ts = 0;
  uint64_t y = ImplicitRoot(n);
  for (;;) {
    if (Elapsed(right_ts, left_ts) < params.reasonable_monitoring_window) return false;
    if (y == x) return true;
    CANDOR_ASSIGN_OR_RETURN(uint64_t ts, s.Timestamp(y));
    std::optional<uint64_t> next;
    if (x < y) {
      right_ts = ts;
      next = ImplicitLeft(y);
    } else {
      left_ts = ts;
      next = ImplicitRight(y, n);
    }
    CANDOR_CHECK(next.has_value());
    y = *next;
  }
}

Result<bool> IsExpired(ProofSession& s, const TreeParams& params, uint64_t x) {
  if (!params.maximum_lifetime) return false;
  CANDOR_ASSIGN_OR_RETURN(uint64_t newest, s.Timestamp(s.tree_size() - 1));
  CANDOR_ASSIGN_OR_RETURN(uint64_t ts, s.Timestamp(x));
  return Elapsed(newest, ts) >= *params.maximum_lifetime;
}

Result<std::optional<uint64_t>> RightmostDistinguished(ProofSession& s, const TreeParams& params) {
  std::optional<uint64_t> found;
  for (uint64_t x : ImplicitFrontier(s.tree_size())) {
    CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, x));
    if (!d) break;
    found = x;
  }
  return found;
}

Result<SearchOutcome> GreatestVersionSearch(ProofSession& s, const TreeParams& params,
                                            uint32_t version, LabelVersions& versions) {
  const uint64_t n = s.tree_size();
  CANDOR_ASSIGN_OR_RETURN(std::optional<uint64_t> distinguished, RightmostDistinguished(s, params));
  std::vector<uint64_t> frontier = ImplicitFrontier(n);
  auto it = frontier.begin();
  if (distinguished) it = std::find(frontier.begin(), frontier.end(), *distinguished);
  std::optional<uint64_t> terminal;
  for (; it != frontier.end(); ++it) {
    const uint64_t x = *it;
    CANDOR_ASSIGN_OR_RETURN(LadderResult r, s.SearchLadder(x, version, true, versions));
    if (r == LadderResult::kGreater) {
      return KtVerifyFailed("entry " + Pos(x) + " has a version greater than " +
                            std::to_string(version));
    }
    if (x == n - 1 && r != LadderResult::kEqual) {
      return KtVerifyFailed("version " + std::to_string(version) +
                            " is not the greatest in the rightmost entry");
    }
    if (r == LadderResult::kEqual && !terminal) terminal = x;
  }
  CANDOR_CHECK(terminal.has_value());
  return SearchOutcome{*terminal, !distinguished || *terminal > *distinguished};
}

Result<SearchOutcome> FixedVersionSearch(ProofSession& s, const TreeParams& params,
                                         uint32_t version, LabelVersions& versions) {
  const uint64_t n = s.tree_size();
  CANDOR_ASSIGN_OR_RETURN(std::optional<uint64_t> distinguished, RightmostDistinguished(s, params));
  auto outcome = [&](uint64_t terminal) {
    return SearchOutcome{terminal, !distinguished || terminal > *distinguished};
  };
  std::map<uint64_t, LadderResult> inspected;  // unexpired entries with their ladder result
  bool expired_seen = false;
  uint64_t x = ImplicitRoot(n);
  for (;;) {
    CANDOR_ASSIGN_OR_RETURN(bool expired, IsExpired(s, params, x));
    std::optional<uint64_t> next;
    if (expired) {
      expired_seen = true;
      next = ImplicitRight(x, n);
    } else {
      CANDOR_ASSIGN_OR_RETURN(LadderResult r, s.SearchLadder(x, version, true, versions));
      inspected[x] = r;
      if (r == LadderResult::kLess) {
        next = ImplicitRight(x, n);
      } else if (r == LadderResult::kGreater) {
        next = ImplicitLeft(x);
      } else {
        // Step 5: the target is the greatest version here.
        bool path_expired = false;
        bool distinguished_left = false;
        for (uint64_t y : ImplicitDirectPath(x, n)) {
          CANDOR_ASSIGN_OR_RETURN(bool e, IsExpired(s, params, y));
          path_expired = path_expired || e;
          if (!e && y < x) {
            CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, y));
            distinguished_left = distinguished_left || d;
          }
        }
        if (!path_expired) return outcome(x);
        CANDOR_ASSIGN_OR_RETURN(bool self_distinguished, IsDistinguished(s, params, x));
        if (self_distinguished || distinguished_left) return outcome(x);
        return KtVerifyFailed("version " + std::to_string(version) + " is expired");
      }
    }
    if (!next) break;
    x = *next;
  }
  // Step 6: the leftmost inspected entry whose ladder showed a greater version.
  std::optional<uint64_t> identified;
  for (const auto& [pos, r] : inspected) {
    if (r == LadderResult::kGreater) {
      identified = pos;
      break;
    }
  }
  if (!identified) {
    return KtVerifyFailed("version " + std::to_string(version) + " does not exist");
  }
  if (expired_seen) {
    bool anchored = false;
    for (const auto& [pos, r] : inspected) {
      if (pos >= *identified) break;
      CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, pos));
      anchored = anchored || d;
    }
    if (!anchored) return KtVerifyFailed("version " + std::to_string(version) + " is expired");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<bool> found, s.Lookups(*identified, {version}, versions));
  if (!found[0]) return KtVerifyFailed("version " + std::to_string(version) + " does not exist");
  return outcome(*identified);
}

Result<MonitoringMap> ContactMonitor(ProofSession& s, const TreeParams& params, MonitoringMap map,
                                     std::optional<uint64_t> owner_start, LabelVersions& versions) {
  const uint64_t n = s.tree_size();
  std::vector<std::pair<uint64_t, uint32_t>> todo(map.rbegin(), map.rend());
  for (const auto& [pos, version] : todo) {
    if (pos >= n) return KtVerifyFailed("monitored entry " + Pos(pos) + " is beyond the tree");
    CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, pos));
    if (d) continue;
    std::vector<uint64_t> path = ImplicitDirectPath(pos, n);
    std::reverse(path.begin(), path.end());  // bottom-up
    std::vector<uint64_t> list;
    bool ends_distinguished = false;
    for (uint64_t y : path) {
      if (y < pos) continue;
      list.push_back(y);
      CANDOR_ASSIGN_OR_RETURN(bool yd, IsDistinguished(s, params, y));
      if (yd) {
        ends_distinguished = true;
        break;
      }
    }
    if (owner_start && pos >= *owner_start && ends_distinguished) list.pop_back();
    uint64_t current = pos;
    for (uint64_t y : list) {
      if (std::optional<uint32_t> target = s.MonitoredVersion(y)) {
        if (*target > version) {
          map.erase(current);
          break;
        }
        return KtVerifyFailed("entry " + Pos(y) + " was already checked for version " +
                              std::to_string(*target) + " while monitoring version " +
                              std::to_string(version));
      }
      CANDOR_TRY(s.MonitoringLadder(y, version, versions));
      map.erase(current);
      uint32_t& kept = map[y];  // a pair moved onto a tracked position keeps the greater version
      kept = std::max(kept, version);
      current = y;
    }
  }
  for (auto it = map.begin(); it != map.end();) {
    CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, it->first));
    it = d ? map.erase(it) : std::next(it);
  }
  return map;
}

Result<std::vector<uint64_t>> OwnerInitEntries(ProofSession& s, const TreeParams& params,
                                               uint64_t start) {
  const uint64_t n = s.tree_size();
  if (start >= n) return KtVerifyFailed("starting position is beyond the tree");
  std::vector<uint64_t> path = ImplicitDirectPath(start, n);
  for (uint64_t y : path) CANDOR_TRY(s.Timestamp(y));
  CANDOR_TRY(s.Timestamp(start));
  CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, start));
  CANDOR_ASSIGN_OR_RETURN(bool expired, IsExpired(s, params, start));
  if (!d || expired) {
    return KtVerifyFailed("starting position " + Pos(start) + " is not distinguished and live");
  }
  std::vector<uint64_t> list{start};
  std::reverse(path.begin(), path.end());  // bottom-up
  for (uint64_t y : path) {
    if (y > start) continue;
    CANDOR_ASSIGN_OR_RETURN(bool e, IsExpired(s, params, y));
    if (e) break;
    list.push_back(y);
  }
  return list;
}

Status OwnerInit(ProofSession& s, const TreeParams& params, uint64_t start,
                 const std::vector<uint32_t>& greatest_versions, LabelVersions& versions) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<uint64_t> list, OwnerInitEntries(s, params, start));
  if (greatest_versions.size() > list.size()) {
    return KtVerifyFailed("more greatest versions than inspected entries");
  }
  for (size_t i = 1; i < greatest_versions.size(); ++i) {
    if (greatest_versions[i] > greatest_versions[i - 1]) {
      return KtVerifyFailed("greatest versions are not descending");
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const bool present = i < greatest_versions.size();
    const uint32_t target = present ? greatest_versions[i] : 0;
    CANDOR_ASSIGN_OR_RETURN(LadderResult r, s.SearchLadder(list[i], target, false, versions));
    if (r != (present ? LadderResult::kEqual : LadderResult::kLess)) {
      return KtVerifyFailed("entry " + Pos(list[i]) + " contradicts the claimed greatest version");
    }
  }
  return OkStatus();
}

namespace {

// OwnerWalk is the recursion of the second owner algorithm.
class OwnerWalk {
 public:
  OwnerWalk(ProofSession& s, const TreeParams& params, uint64_t start,
            const ExpectedVersion& expected, const ProverStop& prover_stop, LabelVersions& versions)
      : s_(s),
        params_(params),
        start_(start),
        expected_(expected),
        prover_stop_(prover_stop),
        versions_(versions) {}

  Status Visit(uint64_t x) {
    if (stopped_) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s_, params_, x));
    if (!d) return OkStatus();
    const uint64_t n = s_.tree_size();
    if (x <= start_) {
      if (auto r = ImplicitRight(x, n)) CANDOR_TRY(Visit(*r));
      return OkStatus();
    }
    if (auto l = ImplicitLeft(x)) CANDOR_TRY(Visit(*l));
    if (stopped_) return OkStatus();
    const bool stop = s_.proving() ? (prover_stop_ && prover_stop_(x)) : !s_.PrefixProofsLeft();
    if (stop) {
      stopped_ = true;
      return OkStatus();
    }
    const std::optional<uint32_t> want = expected_(x);
    CANDOR_ASSIGN_OR_RETURN(LadderResult r, s_.SearchLadder(x, want.value_or(0), false, versions_));
    if (r != (want ? LadderResult::kEqual : LadderResult::kLess)) {
      return KtVerifyFailed("distinguished entry " + Pos(x) +
                            " shows a version the owner did not create");
    }
    checked_.push_back(x);
    if (auto r2 = ImplicitRight(x, n)) CANDOR_TRY(Visit(*r2));
    return OkStatus();
  }

  OwnerMonitorOutcome outcome() const {
    OwnerMonitorOutcome out{start_, checked_};
    for (uint64_t x : checked_) out.verified = std::max(out.verified, x);
    return out;
  }

 private:
  ProofSession& s_;
  const TreeParams& params_;
  uint64_t start_;
  const ExpectedVersion& expected_;
  const ProverStop& prover_stop_;
  LabelVersions& versions_;
  std::vector<uint64_t> checked_;
  bool stopped_ = false;
};

}  // namespace

Result<OwnerMonitorOutcome> OwnerMonitor(ProofSession& s, const TreeParams& params, uint64_t start,
                                         const ExpectedVersion& expected,
                                         const ProverStop& prover_stop, LabelVersions& versions) {
  if (start >= s.tree_size()) return KtVerifyFailed("starting position is beyond the tree");
  OwnerWalk walk(s, params, start, expected, prover_stop, versions);
  CANDOR_TRY(walk.Visit(ImplicitRoot(s.tree_size())));
  return walk.outcome();
}

Result<UpdateCheck> VerifyLabelUpdate(ProofSession& s, const TreeParams& params,
                                      const LabelUpdate& update, LabelVersions& versions) {
  const uint64_t n = s.tree_size();
  if (update.position >= n || update.new_versions.empty()) {
    return KtVerifyFailed("update position or versions are invalid");
  }
  const uint32_t new_greatest = update.new_versions.back();
  // Steps 1-2: a greatest-version check of the previous version in the previous tree.
  if (update.position > 0) {
    std::vector<uint64_t> previous_frontier = ImplicitFrontier(update.position);
    bool checking = false;
    for (uint64_t x : previous_frontier) {
      if (!checking) {
        CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, x));
        checking = !d;
        if (!checking) continue;
      }
      if (update.previous_greatest &&
          (x <= update.owner_start ||
           (update.previous_position && x <= *update.previous_position))) {
        s.AssumeLookups(x, *update.previous_greatest);
        continue;
      }
      CANDOR_ASSIGN_OR_RETURN(
          LadderResult r, s.SearchLadder(x, update.previous_greatest.value_or(0), true, versions));
      if (r != (update.previous_greatest ? LadderResult::kEqual : LadderResult::kLess)) {
        return KtVerifyFailed("entry " + Pos(x) + " before the update shows a version the owner " +
                              "did not create");
      }
    }
  }
  // Steps 3-4: the new versions at `position`.
  std::vector<uint32_t> ladder = BaseBinaryLadder(new_greatest);
  std::set<uint32_t> in_ladder(ladder.begin(), ladder.end());
  std::vector<uint32_t> extra;
  for (uint32_t v : update.new_versions) {
    if (!in_ladder.contains(v)) extra.push_back(v);
  }
  CANDOR_ASSIGN_OR_RETURN(bool distinguished, IsDistinguished(s, params, update.position));
  if (!distinguished) {
    CANDOR_ASSIGN_OR_RETURN(LadderResult r,
                            s.SearchLadder(update.position, new_greatest, true, versions));
    if (r != LadderResult::kEqual) {
      return KtVerifyFailed("update entry " + Pos(update.position) +
                            " does not show the new greatest version");
    }
  }
  if (!extra.empty()) {
    CANDOR_ASSIGN_OR_RETURN(std::vector<bool> found, s.Lookups(update.position, extra, versions));
    for (bool f : found) {
      if (!f) return KtVerifyFailed("a new version is missing from the update entry");
    }
  }
  return UpdateCheck{distinguished};
}

std::vector<uint32_t> UpdateLadderVersions(std::optional<uint32_t> previous_greatest,
                                           const std::vector<uint32_t>& new_versions) {
  CANDOR_CHECK(!new_versions.empty());
  std::vector<uint32_t> ladder = BaseBinaryLadder(new_versions.back());
  std::set<uint32_t> wanted(ladder.begin(), ladder.end());
  if (new_versions.size() > 1) wanted.insert(new_versions.begin(), new_versions.end());
  if (previous_greatest) {
    for (uint32_t v : BaseBinaryLadder(*previous_greatest)) wanted.erase(v);
  } else {
    wanted.erase(0);
  }
  return {wanted.begin(), wanted.end()};
}

std::vector<uint32_t> OwnerInitLadderVersions(const std::vector<uint32_t>& greatest_versions) {
  std::set<uint32_t> wanted{0};
  for (uint32_t g : greatest_versions) {
    for (uint32_t v : BaseBinaryLadder(g)) wanted.insert(v);
  }
  return {wanted.begin(), wanted.end()};
}

Result<std::vector<uint64_t>> WalkDistinguished(ProofSession& s, const TreeParams& params,
                                                std::optional<uint64_t> stop,
                                                uint64_t recent_window) {
  const uint64_t n = s.tree_size();
  CANDOR_ASSIGN_OR_RETURN(uint64_t newest, s.Timestamp(n - 1));
  std::vector<uint64_t> found;
  std::function<Status(uint64_t)> visit = [&](uint64_t x) -> Status {
    CANDOR_ASSIGN_OR_RETURN(bool d, IsDistinguished(s, params, x));
    if (!d) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(uint64_t ts, s.Timestamp(x));
    if (auto r = ImplicitRight(x, n)) CANDOR_TRY(visit(*r));
    if (stop && x <= *stop) return OkStatus();
    if (Elapsed(newest, ts) >= recent_window) return OkStatus();
    found.push_back(x);
    if (auto l = ImplicitLeft(x)) CANDOR_TRY(visit(*l));
    return OkStatus();
  };
  CANDOR_TRY(visit(ImplicitRoot(n)));
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace candor::kt
