#include "candor/kt/combined_tree.h"

#include <limits>
#include <string>
#include <utility>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/implicit_tree.h"
#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"

namespace candor::kt {

namespace {

constexpr uint64_t kMaxVersion = std::numeric_limits<uint32_t>::max();

// WalkBaseLadder runs the lookups of the draft's base binary ladder adaptively: powers of two
// minus one until the first non-inclusion, then a binary search between the last inclusion and
// that non-inclusion. `lookup(v)` answers one lookup (versions above 2^32-1 are never looked up:
// they count as non-inclusion); `stop(v, included)` ends the walk early when it returns true.
template <class Lookup, class Stop>
Status WalkBaseLadder(Lookup&& lookup, Stop&& stop) {
  std::optional<uint64_t> lower;
  uint64_t upper = 0;
  for (int k = 0;; ++k) {
    const uint64_t v = (uint64_t{1} << k) - 1;
    bool included = false;
    if (v <= kMaxVersion) {
      CANDOR_ASSIGN_OR_RETURN(included, lookup(static_cast<uint32_t>(v)));
      if (stop(v, included)) return OkStatus();
    }
    if (!included) {
      upper = v;
      break;
    }
    lower = v;
  }
  if (!lower) return OkStatus();
  uint64_t lo = *lower;
  uint64_t hi = upper;
  while (lo + 1 < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    bool included = false;
    if (mid <= kMaxVersion) {
      CANDOR_ASSIGN_OR_RETURN(included, lookup(static_cast<uint32_t>(mid)));
      if (stop(mid, included)) return OkStatus();
    }
    if (included) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return OkStatus();
}

}  // namespace

Error KtVerifyFailed(std::string_view reason) {
  return MakeError(Errc::kVerifyFailed, "kt: " + std::string(reason));
}

void LabelVersions::Add(uint32_t version, const Hash32& vrf_output,
                        std::optional<HashValue> commitment) {
  keys_[version] = vrf_output;
  if (commitment) commitments_[version] = *commitment;
}

Result<Hash32> LabelVersions::Key(uint32_t version) {
  used_.insert(version);
  auto it = keys_.find(version);
  if (it != keys_.end()) return it->second;
  if (!compute_) return KtVerifyFailed("no VRF proof for version " + std::to_string(version));
  Hash32 key = compute_(version);
  keys_[version] = key;
  return key;
}

std::optional<HashValue> LabelVersions::Commitment(uint32_t version) const {
  auto it = commitments_.find(version);
  if (it == commitments_.end()) return std::nullopt;
  return it->second;
}

ProofSession ProofSession::Prover(const CombinedTreeSource& source, uint64_t tree_size,
                                  uint64_t old_size) {
  CANDOR_CHECK(old_size <= tree_size);
  ProofSession s;
  s.source_ = &source;
  s.tree_size_ = tree_size;
  s.old_size_ = old_size;
  if (old_size > 0) {
    for (uint64_t p : ImplicitFrontier(old_size)) {
      Entry& e = s.entries_[p];
      e.timestamp = source.Timestamp(p);
      e.prefix_root = source.PrefixRoot(p);
      e.retained = true;
    }
  }
  return s;
}

ProofSession ProofSession::Verifier(const CombinedTreeProof& proof, uint64_t tree_size,
                                    const TreeView& old) {
  CANDOR_CHECK(old.size <= tree_size);
  ProofSession s;
  s.proof_ = &proof;
  s.retained_subtrees_ = old.full_subtrees;
  s.tree_size_ = tree_size;
  s.old_size_ = old.size;
  for (const auto& [p, kept] : old.frontier) {
    Entry& e = s.entries_[p];
    e.timestamp = kept.timestamp;
    e.prefix_root = kept.prefix_root;
    e.retained = true;
  }
  return s;
}

Status ProofSession::CheckMonotonic(uint64_t position, uint64_t timestamp) const {
  auto next = entries_.upper_bound(position);
  for (auto it = next; it != entries_.end(); ++it) {
    if (!it->second.timestamp) continue;
    if (*it->second.timestamp < timestamp) {
      return KtVerifyFailed("timestamp of entry " + std::to_string(position) +
                            " is later than that of entry " + std::to_string(it->first));
    }
    break;
  }
  for (auto it = entries_.lower_bound(position); it != entries_.begin();) {
    --it;
    if (!it->second.timestamp) continue;
    if (*it->second.timestamp > timestamp) {
      return KtVerifyFailed("timestamp of entry " + std::to_string(position) +
                            " is earlier than that of entry " + std::to_string(it->first));
    }
    break;
  }
  return OkStatus();
}

Result<uint64_t> ProofSession::Timestamp(uint64_t position) {
  CANDOR_CHECK(position < tree_size_);
  auto found = entries_.find(position);
  if (found != entries_.end() && found->second.timestamp) return *found->second.timestamp;
  uint64_t ts = 0;
  if (proving()) {
    ts = source_->Timestamp(position);
    out_.timestamps.push_back(ts);
  } else {
    if (next_timestamp_ >= proof_->timestamps.size()) {
      return KtVerifyFailed("proof has too few timestamps");
    }
    ts = proof_->timestamps[next_timestamp_++];
    CANDOR_TRY(CheckMonotonic(position, ts));
  }
  Entry& e = entries_[position];
  e.timestamp = ts;
  e.from_proof = true;
  return ts;
}

bool ProofSession::InferredIncluded(uint64_t position, uint32_t version) const {
  auto it = included_at_.find(version);
  return it != included_at_.end() && !it->second.empty() && *it->second.begin() < position;
}

bool ProofSession::InferredAbsent(uint64_t position, uint32_t version) const {
  auto it = absent_at_.find(version);
  return it != absent_at_.end() && !it->second.empty() && *it->second.rbegin() > position;
}

void ProofSession::RecordLookup(uint64_t position, uint32_t version, bool included) {
  (included ? included_at_ : absent_at_)[version].insert(position);
}

Result<size_t> ProofSession::BeginPrefixProof() {
  if (proving()) {
    out_.prefix_proofs.emplace_back();
    return out_.prefix_proofs.size() - 1;
  }
  if (next_prefix_proof_ >= proof_->prefix_proofs.size()) {
    return KtVerifyFailed("proof has too few prefix proofs");
  }
  return next_prefix_proof_++;
}

Result<bool> ProofSession::LookupOutcome(uint64_t position, const Hash32& key, size_t proof_index,
                                         size_t lookup_index) const {
  if (proving()) return source_->Contains(position, key);
  const PrefixProof& proof = proof_->prefix_proofs[proof_index];
  if (lookup_index >= proof.results.size()) {
    return KtVerifyFailed("prefix proof has too few results");
  }
  return proof.results[lookup_index].result_type == PrefixSearchResultType::inclusion;
}

Status ProofSession::SetPrefixRoot(uint64_t position, const HashValue& root) {
  Entry& e = entries_[position];
  if (e.prefix_root && *e.prefix_root != root) {
    return KtVerifyFailed("prefix tree root of entry " + std::to_string(position) +
                          (e.retained ? " differs from the retained one (fork)"
                                      : " differs between two prefix proofs"));
  }
  e.prefix_root = root;
  return OkStatus();
}

Status ProofSession::EndPrefixProof(uint64_t position, size_t proof_index,
                                    const std::vector<uint32_t>& looked,
                                    const std::vector<Hash32>& keys,
                                    const std::vector<bool>& outcomes, LabelVersions& versions) {
  for (size_t i = 0; i < looked.size(); ++i) RecordLookup(position, looked[i], outcomes[i]);
  if (proving()) {
    out_.prefix_proofs[proof_index] = source_->ProvePrefix(position, keys);
    return SetPrefixRoot(position, source_->PrefixRoot(position));
  }
  const PrefixProof& proof = proof_->prefix_proofs[proof_index];
  if (proof.results.size() != looked.size()) {
    return KtVerifyFailed("prefix proof of entry " + std::to_string(position) +
                          " has the wrong number of results");
  }
  std::vector<std::optional<HashValue>> commitments(looked.size());
  for (size_t i = 0; i < looked.size(); ++i) {
    if (!outcomes[i]) continue;
    commitments[i] = versions.Commitment(looked[i]);
    if (!commitments[i]) {
      return KtVerifyFailed("prefix proof shows version " + std::to_string(looked[i]) +
                            ", which this user was never shown (for an owner: a version it did "
                            "not create)");
    }
  }
  auto eval = EvaluatePrefixProof(proof, keys, commitments);
  if (!eval.ok()) {
    return KtVerifyFailed("prefix proof of entry " + std::to_string(position) + " does not verify");
  }
  if (eval->included != outcomes) return KtVerifyFailed("prefix proof results are inconsistent");
  return SetPrefixRoot(position, eval->root);
}

Result<LadderResult> ProofSession::SearchLadder(uint64_t position, uint32_t target,
                                                bool omit_redundant, LabelVersions& versions) {
  // The entry's timestamp and PrefixProof are taken at the first lookup that is not omitted; a
  // ladder whose lookups are all omitted takes neither.
  std::optional<size_t> proof;
  std::vector<uint32_t> looked;
  std::vector<Hash32> keys;
  std::vector<bool> outcomes;
  auto lookup = [&](uint32_t v) -> Result<bool> {
    bool included = false;
    if (omit_redundant && InferredIncluded(position, v)) {
      included = true;
    } else if (omit_redundant && InferredAbsent(position, v)) {
      included = false;
    } else {
      CANDOR_ASSIGN_OR_RETURN(Hash32 key, versions.Key(v));
      if (!proof) {
        CANDOR_TRY(Timestamp(position));
        CANDOR_ASSIGN_OR_RETURN(proof, BeginPrefixProof());
      }
      CANDOR_ASSIGN_OR_RETURN(included, LookupOutcome(position, key, *proof, looked.size()));
      looked.push_back(v);
      keys.push_back(key);
      outcomes.push_back(included);
    }
    return included;
  };
  LadderResult result = LadderResult::kEqual;
  auto stop = [&](uint64_t v, bool included) {
    if (included && v > target) {
      result = LadderResult::kGreater;
      return true;
    }
    if (!included && v <= target) {
      result = LadderResult::kLess;
      return true;
    }
    return false;
  };
  CANDOR_TRY(WalkBaseLadder(lookup, stop));
  if (proof) CANDOR_TRY(EndPrefixProof(position, *proof, looked, keys, outcomes, versions));
  return result;
}

Status ProofSession::MonitoringLadder(uint64_t position, uint32_t target, LabelVersions& versions) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<bool> included,
                          Lookups(position, MonitoringBinaryLadder(target), versions));
  for (bool inc : included) {
    if (!inc) {
      return KtVerifyFailed("monitoring ladder of entry " + std::to_string(position) +
                            " shows a version missing");
    }
  }
  Entry& e = entries_[position];
  if (!e.monitored || e.monitored_version < target) e.monitored_version = target;
  e.monitored = true;
  return OkStatus();
}

Result<std::vector<bool>> ProofSession::Lookups(uint64_t position,
                                                const std::vector<uint32_t>& versions,
                                                LabelVersions& versions_keys) {
  if (versions.empty()) return std::vector<bool>{};
  CANDOR_TRY(Timestamp(position));
  CANDOR_ASSIGN_OR_RETURN(size_t proof, BeginPrefixProof());
  std::vector<Hash32> keys;
  std::vector<bool> outcomes;
  for (uint32_t v : versions) {
    CANDOR_ASSIGN_OR_RETURN(Hash32 key, versions_keys.Key(v));
    CANDOR_ASSIGN_OR_RETURN(bool included, LookupOutcome(position, key, proof, keys.size()));
    keys.push_back(key);
    outcomes.push_back(included);
  }
  CANDOR_TRY(EndPrefixProof(position, proof, versions, keys, outcomes, versions_keys));
  return outcomes;
}

std::optional<uint32_t> ProofSession::MonitoredVersion(uint64_t position) const {
  auto it = entries_.find(position);
  if (it == entries_.end() || !it->second.monitored) return std::nullopt;
  return it->second.monitored_version;
}

void ProofSession::AssumeLookups(uint64_t position, uint32_t greatest) {
  for (uint32_t v : BaseBinaryLadder(greatest)) RecordLookup(position, v, v <= greatest);
}

bool ProofSession::PrefixProofsLeft() const {
  return !proving() && next_prefix_proof_ < proof_->prefix_proofs.size();
}

void ProofSession::SetAuditorSize(uint64_t size) {
  CANDOR_CHECK(size >= 1 && size <= tree_size_);
  auditor_size_ = size;
}

CombinedTreeProof ProofSession::FinishProof() {
  CANDOR_CHECK(proving());
  std::vector<uint64_t> leaves;
  for (auto& [p, e] : entries_) {
    if (!e.from_proof) continue;
    if (!e.prefix_root) {
      e.prefix_root = source_->PrefixRoot(p);
      out_.prefix_roots.push_back(*e.prefix_root);
    }
    leaves.push_back(p);
  }
  out_.inclusion = source_->ProveLog(tree_size_, old_size_, leaves, auditor_size_);
  return std::move(out_);
}

Result<ProofSession::Verified> ProofSession::FinishVerify() {
  CANDOR_CHECK(!proving());
  if (next_timestamp_ != proof_->timestamps.size()) {
    return KtVerifyFailed("proof has too many timestamps");
  }
  if (next_prefix_proof_ != proof_->prefix_proofs.size()) {
    return KtVerifyFailed("proof has too many prefix proofs");
  }
  size_t next_root = 0;
  std::map<uint64_t, HashValue> leaves;
  for (auto& [p, e] : entries_) {
    if (!e.from_proof) continue;
    if (!e.prefix_root) {
      if (next_root >= proof_->prefix_roots.size()) {
        return KtVerifyFailed("proof has too few prefix roots");
      }
      e.prefix_root = proof_->prefix_roots[next_root++];
    }
    leaves[p] = LogEntryHash(*e.timestamp, *e.prefix_root);
  }
  if (next_root != proof_->prefix_roots.size()) {
    return KtVerifyFailed("proof has too many prefix roots");
  }
  auto log = VerifyLogInclusion(tree_size_, old_size_, retained_subtrees_, leaves,
                                proof_->inclusion, auditor_size_);
  if (!log.ok()) {
    return KtVerifyFailed(old_size_ > 0
                              ? "log proof does not extend the retained view (fork or bad proof)"
                              : "log inclusion proof does not verify");
  }
  Verified out;
  out.root = log->root;
  out.auditor_root = log->auditor_root;
  out.view.size = tree_size_;
  out.view.full_subtrees = std::move(log->full_subtrees);
  for (uint64_t p : ImplicitFrontier(tree_size_)) {
    auto it = entries_.find(p);
    if (it == entries_.end() || !it->second.timestamp || !it->second.prefix_root) {
      return KtVerifyFailed("proof does not cover frontier entry " + std::to_string(p));
    }
    out.view.frontier[p] = RetainedEntry{*it->second.timestamp, *it->second.prefix_root};
  }
  return out;
}

}  // namespace candor::kt
