#include "candor/kt/directory.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include "candor/crypto/random.h"
#include "candor/kt/binary_ladder.h"
#include "candor/kt/implicit_tree.h"
#include "candor/kt/stored_proofs.h"
#include "candor/kt/update_value.h"

namespace candor::kt {

namespace {

constexpr size_t kMaxLabelSize = 255;

Error NotFound(const std::string& what) { return MakeError(Errc::kNotFound, "kt: " + what); }
Error Invalid(const std::string& what) { return MakeError(Errc::kInvalidArgument, "kt: " + what); }

// AsNotFound turns an algorithm's refusal (the data does not support the request) into the
// directory's kNotFound answer.
Error AsNotFound(Error e) { return MakeError(Errc::kNotFound, std::move(e.message)); }

}  // namespace

Directory::Directory(Configuration config, crypto::SignaturePrivateKey signature_key,
                     crypto::VrfPrivateKey vrf_key, DirectoryStore& store, Clock clock,
                     HeadSink sink, DirectoryOptions options)
    : config_(std::move(config)),
      signature_key_(std::move(signature_key)),
      vrf_key_(std::move(vrf_key)),
      store_(store),
      clock_(std::move(clock)),
      sink_(std::move(sink)),
      options_(std::move(options)) {}

Result<std::unique_ptr<Directory>> Directory::Open(Configuration config,
                                                   crypto::SignaturePrivateKey signature_key,
                                                   crypto::VrfPrivateKey vrf_key,
                                                   DirectoryStore& store, Clock clock,
                                                   HeadSink head_sink, DirectoryOptions options) {
  CANDOR_TRY(ValidateConfiguration(config));
  if (config.mode == DeploymentMode::thirdPartyManagement) {
    return Invalid("the thirdPartyManagement deployment mode is not supported");
  }
  CANDOR_ASSIGN_OR_RETURN(CipherSuiteParams suite,
                          GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)));
  if (signature_key.scheme() != suite.signature ||
      signature_key.public_key() != config.signature_public_key) {
    return Invalid("signature key does not match the configuration");
  }
  if (vrf_key.suite() != suite.vrf || vrf_key.public_key() != config.vrf_public_key) {
    return Invalid("VRF key does not match the configuration");
  }
  if (!clock || !head_sink || options.max_batch_versions == 0 ||
      (options.follower && !options.logged_heads)) {
    return Invalid("directory options are incomplete");
  }
  if (config.mode == DeploymentMode::thirdPartyAuditing) {
    // An entry's AuditorUpdate proves all its new leaves in one PrefixProof, whose results
    // vector holds at most 255 (draft §"Auditing", results<0..2^8-1>).
    options.max_batch_versions = std::min<size_t>(options.max_batch_versions, 255);
  }
  CANDOR_ASSIGN_OR_RETURN(WireContext wire, WireContext::For(config));
  std::unique_ptr<Directory> d(new Directory(std::move(config), std::move(signature_key),
                                             std::move(vrf_key), store, std::move(clock),
                                             std::move(head_sink), std::move(options)));
  d->wire_ = wire;
  d->vrf_proof_size_ = suite.vrf_proof_size;
  CANDOR_TRY(d->Replay());
  if (!d->options_.follower) CANDOR_TRY(d->LogMissingHead());
  return d;
}

Status Directory::Replay() {
  std::lock_guard<std::mutex> lock(mu_);
  auto add = [this](StoredEntry&& entry) -> Status {
    CANDOR_TRY(AddToTrees(entry));
    MakeVisible(VersionsOf(std::move(entry)));
    return OkStatus();
  };
  // A follower never shows an entry whose head the sequencer has not logged yet.
  CANDOR_TRY(options_.follower ? store_.LoadEntriesFrom(0, options_.logged_heads(), add)
                               : store_.LoadEntries(add));
  visible_size_ = state_.size();
  if (state_.size() > 0) {
    head_ = TreeHead{state_.size(),
                     SignTreeHead(signature_key_, config_, state_.size(), state_.LogRoot())};
  }
  return OkStatus();
}

Status Directory::LogMissingHead() {
  if (!options_.logged_heads) return OkStatus();
  // One head per tree size: a crash between storing the last entry and logging its head
  // leaves the log one behind, and that head goes in now (signing is deterministic for
  // Ed25519; any valid signature of the same TreeHeadTBS would do).
  const uint64_t logged = options_.logged_heads();
  const uint64_t size = state_.size();
  if (logged + 1 == size) {
    return sink_(tls::Encode(TreeHeadTBS{config_, size, state_.LogRoot()}), head_->signature);
  }
  if (logged != size) {
    return MakeError(Errc::kInternal, "kt: the head log holds " + std::to_string(logged) +
                                          " heads for " + std::to_string(size) + " stored entries");
  }
  return OkStatus();
}

Status Directory::AddToTrees(const StoredEntry& entry) {
  if (entry.position != state_.size()) {
    return MakeError(Errc::kInternal, "kt: stored entries are not consecutive");
  }
  std::vector<PrefixLeaf> leaves;
  leaves.reserve(entry.versions.size());
  std::map<Bytes, uint32_t> added;  // versions of each label before this one, not yet visible
  for (const Version& v : in_flight_) added[v.stored.label]++;
  for (const StoredVersion& v : entry.versions) {
    auto it = labels_.find(v.label);
    const size_t have = it == labels_.end() ? 0 : it->second.versions.size();
    if (v.version != have + added[v.label]++) {
      return MakeError(Errc::kInternal, "kt: stored versions of a label are not consecutive");
    }
    UpdateValue update{v.value, UpdateSuffix{v.suffix_signature}};
    if (Commit(v.opening, v.label, v.version, update, config_.mode) != v.commitment) {
      return MakeError(Errc::kInternal, "kt: a stored commitment does not open");
    }
    if (Status st = CheckStoredProofs(v.vrf_proofs, vrf_proof_size_, v.version); !st.ok()) {
      return MakeError(Errc::kInternal, st.error().message);
    }
    leaves.push_back(PrefixLeaf{v.vrf_output, v.commitment});
  }
  CANDOR_TRY(state_.AppendEntry(entry.timestamp, leaves));
  return OkStatus();
}

std::vector<Directory::Version> Directory::VersionsOf(StoredEntry entry) {
  std::vector<Version> out;
  out.reserve(entry.versions.size());
  for (StoredVersion& v : entry.versions) out.push_back(Version{entry.position, std::move(v)});
  return out;
}

void Directory::MakeVisible(std::vector<Version> versions) {
  for (Version& v : versions) {
    Label& label = labels_[v.stored.label];
    label.queued = 0;
    // The absent ladder of the version that stops being the greatest is no longer needed.
    if (!label.versions.empty()) {
      Bytes& proofs = label.versions.back().stored.vrf_proofs;
      if (proofs.size() > vrf_proof_size_) {
        proofs.resize(vrf_proof_size_);
        proofs.shrink_to_fit();
      }
    }
    label.versions.push_back(std::move(v));
  }
}

std::optional<std::pair<uint32_t, Bytes>> Directory::LatestValue(ByteView label) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Label* l = FindLabel(label);
  if (l == nullptr || l->versions.empty()) return std::nullopt;
  return std::make_pair(static_cast<uint32_t>(l->versions.size() - 1),
                        l->versions.back().stored.value);
}

uint64_t Directory::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return visible_size_;
}

Result<std::pair<TreeHead, HashValue>> Directory::Head() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!head_) return NotFound("the directory has no entries yet");
  return std::make_pair(*head_, state_.LogRootAt(visible_size_));
}

size_t Directory::queued_versions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + in_flight_.size();
}

TreeParams Directory::Params() const {
  return TreeParams{config_.reasonable_monitoring_window, config_.maximum_lifetime};
}

Result<uint64_t> Directory::CheckLast(std::optional<uint64_t> last) const {
  if (visible_size_ == 0) return NotFound("the directory has no entries yet");
  const uint64_t old_size = last.value_or(0);
  if (last && (*last == 0 || *last > visible_size_)) {
    return Invalid("`last` is not a published tree size");
  }
  if (config_.mode == DeploymentMode::thirdPartyAuditing && !auditor_head_) {
    return MakeError(Errc::kUnavailable, "no auditor tree head yet: the auditor has not signed");
  }
  return old_size;
}

bool Directory::SendsAuditorHead(std::optional<uint64_t> last) const {
  return config_.mode == DeploymentMode::thirdPartyAuditing && !(last && *last == visible_size_);
}

ProofSession Directory::ProverFor(std::optional<uint64_t> last, uint64_t old_size) const {
  ProofSession s = ProofSession::Prover(state_, visible_size_, old_size);
  if (SendsAuditorHead(last)) s.SetAuditorSize(auditor_head_->tree_size);
  return s;
}

Status Directory::SetAuditorTreeHead(const AuditorTreeHead& head) {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_.mode != DeploymentMode::thirdPartyAuditing) {
    return Invalid("auditor tree heads need the thirdPartyAuditing deployment mode");
  }
  if (head.tree_size == 0 || head.tree_size > visible_size_) {
    return Invalid("auditor tree head is not for a published tree size");
  }
  if (auditor_head_ && head.tree_size < auditor_head_->tree_size) {
    return MakeError(Errc::kConflict, "auditor tree head is older than the one held");
  }
  if (!VerifyAuditorTreeHead(config_, head, state_.LogRootAt(head.tree_size)).ok()) {
    return Invalid("auditor tree head signature does not verify over this log");
  }
  auditor_head_ = head;
  return OkStatus();
}

std::optional<uint64_t> Directory::auditor_tree_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!auditor_head_) return std::nullopt;
  return auditor_head_->tree_size;
}

FullTreeHead Directory::HeadFor(std::optional<uint64_t> last) const {
  FullTreeHead full;
  if (last && *last == visible_size_) {
    full.head_type = FullTreeHeadType::same;
  } else {
    full.head_type = FullTreeHeadType::updated;
    full.tree_head = *head_;
    if (SendsAuditorHead(last)) full.auditor_tree_head = *auditor_head_;
  }
  return full;
}

const Directory::Label* Directory::FindLabel(ByteView label) const {
  auto it = labels_.find(Bytes(label.begin(), label.end()));
  return it == labels_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> Directory::GreatestAt(const Label& label, uint64_t position) const {
  std::optional<uint32_t> g;
  for (const Version& v : label.versions) {
    if (v.position > position) break;
    g = v.stored.version;
  }
  return g;
}

std::optional<std::pair<ByteView, Hash32>> Directory::StoredProofOf(const Label* label,
                                                                    uint32_t version) const {
  if (label == nullptr || label->versions.empty()) return std::nullopt;
  const auto greatest = static_cast<uint32_t>(label->versions.size() - 1);
  if (version > greatest) {
    return StoredAbsentProof(label->versions.back().stored.vrf_proofs, vrf_proof_size_, greatest,
                             version);
  }
  const StoredVersion& v = label->versions[version].stored;
  std::optional<ByteView> own = OwnStoredProof(v.vrf_proofs, vrf_proof_size_);
  if (!own) return std::nullopt;
  return std::make_pair(*own, v.vrf_output);
}

Bytes Directory::ProofOf(ByteView label, uint32_t version) {
  if (auto stored = StoredProofOf(FindLabel(label), version)) {
    return {stored->first.begin(), stored->first.end()};
  }
  if (std::optional<Bytes> cached = proof_cache_.Find(label, version)) return std::move(*cached);
  VrfResult r = VrfEvaluate(vrf_key_, label, version);
  proof_cache_.Insert(label, version, r.proof);
  return r.proof;
}

Hash32 Directory::KeyOf(ByteView label, uint32_t version) {
  const Label* l = FindLabel(label);
  if (l && version < l->versions.size()) return l->versions[version].stored.vrf_output;
  if (auto stored = StoredProofOf(l, version)) return stored->second;
  Bytes proof = ProofOf(label, version);
  auto suite = GetCipherSuite(static_cast<uint16_t>(config_.ciphersuite));
  CANDOR_CHECK(suite.ok());
  auto out = crypto::VrfProofToHash(suite->vrf, proof);
  CANDOR_CHECK(out.ok() && out->size() >= kVrfOutputSize);
  Hash32 key{};
  std::copy_n(out->begin(), kVrfOutputSize, key.begin());
  return key;
}

LabelVersions Directory::ProverVersions(ByteView label) {
  Bytes owned(label.begin(), label.end());
  return LabelVersions([this, owned](uint32_t v) { return KeyOf(owned, v); });
}

std::vector<BinaryLadderStep> Directory::Steps(ByteView label,
                                               const std::vector<uint32_t>& versions,
                                               std::optional<uint32_t> no_commitment_for) {
  const Label* l = FindLabel(label);
  std::vector<BinaryLadderStep> steps;
  for (uint32_t v : versions) {
    BinaryLadderStep step;
    step.proof = ProofOf(label, v);
    const bool exists = l && v < l->versions.size();
    const bool withheld = no_commitment_for && v == *no_commitment_for;
    if (exists && !withheld) step.commitment = l->versions[v].stored.commitment;
    steps.push_back(std::move(step));
  }
  return steps;
}

Result<UpdateTicket> Directory::SubmitUpdate(const UpdateRequest& request) {
  if (options_.follower) {
    return MakeError(Errc::kUnavailable, "kt: updates go to the node that publishes");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (request.label.empty() || request.label.size() > kMaxLabelSize) {
    return Invalid("label must be 1 to 255 bytes");
  }
  if (request.values.empty()) return Invalid("an update needs at least one value");
  if (request.values.size() > options_.max_batch_versions) return Invalid("too many values");
  // Look the label up without inserting it: a refused request leaves no trace.
  auto found = labels_.find(request.label);
  std::optional<uint32_t> greatest;
  if (found != labels_.end() && !found->second.versions.empty()) {
    greatest = static_cast<uint32_t>(found->second.versions.size() - 1);
  }
  if (request.greatest_version != greatest) {
    if (request.greatest_version && (!greatest || *request.greatest_version > *greatest)) {
      return Invalid("greatest_version is ahead of the label");
    }
    return MakeError(Errc::kConflict, "kt: the label has newer versions; fetch them first");
  }
  if (found != labels_.end() && found->second.queued > 0) {
    return MakeError(Errc::kConflict, "kt: the label has an update waiting to be published");
  }
  const uint64_t first = greatest ? uint64_t{*greatest} + 1 : 0;
  if (first + request.values.size() > uint64_t{0xffffffff}) return Invalid("version overflow");
  for (size_t i = 0; i < request.values.size(); ++i) {
    queue_.push_back(
        Queued{request.label, static_cast<uint32_t>(first + i), request.values[i].value});
  }
  labels_[request.label].queued = static_cast<uint32_t>(request.values.size());
  return UpdateTicket{request.label, greatest, static_cast<uint32_t>(first),
                      static_cast<uint32_t>(request.values.size())};
}

Result<uint64_t> Directory::Follow(uint64_t logged_heads) {
  if (!options_.follower)
    return MakeError(Errc::kInternal, "kt: Follow on a directory that publishes");
  std::lock_guard<std::mutex> one_at_a_time(publish_mu_);
  return ReadNewEntries(logged_heads);
}

Status Directory::Promote(HeadSink head_sink, std::function<uint64_t()> logged_heads) {
  if (!options_.follower) return MakeError(Errc::kInternal, "kt: Promote on a publisher");
  if (!head_sink || !logged_heads) return Invalid("Promote needs a head sink and a head count");
  std::lock_guard<std::mutex> one_at_a_time(publish_mu_);
  CANDOR_TRY(ReadNewEntries(std::numeric_limits<uint64_t>::max()));
  sink_ = std::move(head_sink);
  options_.logged_heads = std::move(logged_heads);
  options_.follower = false;
  return LogMissingHead();
}

Result<uint64_t> Directory::ReadNewEntries(uint64_t end) {
  uint64_t from = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    from = state_.size();
  }
  if (end <= from) return from;
  // Unlocked: the store read; queries keep answering at the visible head.
  std::vector<StoredEntry> entries;
  CANDOR_TRY(store_.LoadEntriesFrom(from, end, [&entries](StoredEntry&& e) {
    entries.push_back(std::move(e));
    return OkStatus();
  }));
  if (entries.empty()) return from;
  uint64_t size = 0;
  HashValue root{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const StoredEntry& e : entries) CANDOR_TRY(AddToTrees(e));
    size = state_.size();
    root = state_.LogRoot();
  }
  const TreeHead head{size, SignTreeHead(signature_key_, config_, size, root)};
  std::lock_guard<std::mutex> lock(mu_);
  for (StoredEntry& e : entries) MakeVisible(VersionsOf(std::move(e)));
  head_ = head;
  visible_size_ = size;
  return size;
}

Result<uint64_t> Directory::Publish() {
  if (options_.follower) {
    return MakeError(Errc::kInternal, "kt: Publish on a follower");
  }
  std::lock_guard<std::mutex> one_publish(publish_mu_);
  // 0. A head the sink failed to log goes first: the log holds every size's head, in order.
  if (unlogged_head_) {
    const auto [head, root] = *unlogged_head_;
    CANDOR_TRY(LogHead(head, root));
  }
  // 1. Take the batch: whole labels only, so a label's new versions always share one entry.
  //    Only Publish removes from the queue, so its first `take` items stay put meanwhile.
  StoredEntry entry;
  size_t take = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (take < queue_.size()) {
      size_t end = take + 1;
      while (end < queue_.size() && queue_[end].label == queue_[take].label) ++end;
      if (take > 0 && end > options_.max_batch_versions) break;
      take = end;
    }
    entry.position = state_.size();
    const uint64_t previous_ts = state_.size() > 0 ? state_.Timestamp(state_.size() - 1) : 0;
    entry.timestamp = std::max(clock_(), previous_ts);
    entry.versions.resize(take);
    for (size_t i = 0; i < take; ++i) {
      entry.versions[i].label = queue_[i].label;
      entry.versions[i].version = queue_[i].version;
      entry.versions[i].value = queue_[i].value;
    }
  }
  // 2. Unlocked: the VRF outputs (most of the cost, split over the executor's threads), the
  //    commitments, and the durable write. With prove_at_publish the proofs are made here and
  //    stored too; else later, when a response first needs them (ProofOf).
  ParallelFor(options_.executor, take, 64, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      StoredVersion& v = entry.versions[i];
      if (!options_.prove_at_publish) {
        v.vrf_output = VrfOutput(vrf_key_, v.label, v.version);
        continue;
      }
      // A label's new versions are adjacent in the batch; its last one is the greatest.
      const bool greatest = i + 1 == take || entry.versions[i + 1].label != v.label;
      MadeProofs made = MakeStoredProofs(vrf_key_, v.label, v.version, greatest);
      v.vrf_output = made.vrf_output;
      v.vrf_proofs = std::move(made.vrf_proofs);
    }
  });
  for (StoredVersion& v : entry.versions) {
    crypto::FillRandom(v.opening.data(), v.opening.size());
    v.commitment = Commit(v.opening, v.label, v.version, UpdateValue{v.value, {}}, config_.mode);
  }
  CANDOR_TRY(store_.AppendEntry(entry));
  // 3. Locked, in memory only: the trees grow; queries still answer at the visible head.
  const uint64_t position = entry.position;
  uint64_t size = 0;
  HashValue root{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    CANDOR_TRY(AddToTrees(entry));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(take));
    for (Version& v : VersionsOf(std::move(entry))) in_flight_.push_back(std::move(v));
    size = state_.size();
    root = state_.LogRoot();
  }
  // 4. Unlocked: sign the head and log it (the sink waits until the log made it durable).
  CANDOR_TRY(LogHead(TreeHead{size, SignTreeHead(signature_key_, config_, size, root)}, root));
  return position;
}

Status Directory::LogHead(const TreeHead& head, const HashValue& root) {
  if (Status st = sink_(tls::Encode(TreeHeadTBS{config_, head.tree_size, root}), head.signature);
      !st.ok()) {
    unlogged_head_.emplace(head, root);
    return st;
  }
  unlogged_head_.reset();
  // Locked: the head and everything under it become visible at once.
  std::lock_guard<std::mutex> lock(mu_);
  head_ = head;
  visible_size_ = head.tree_size;
  MakeVisible(std::move(in_flight_));
  in_flight_.clear();
  return OkStatus();
}

Result<UpdateResponse> Directory::BuildUpdateResponse(const Label& label, uint32_t first,
                                                      uint32_t count,
                                                      std::optional<uint32_t> advertised,
                                                      std::optional<uint64_t> last,
                                                      bool echo_values) {
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(last));
  const Version& first_version = label.versions[first];
  LabelUpdate update;
  update.position = first_version.position;
  if (first > 0) {
    update.previous_greatest = first - 1;
    update.previous_position = label.versions[first - 1].position;
  }
  // The owner's starting position never changes the result: every entry of the previous
  // frontier at or left of a distinguished start is itself distinguished (it is the start or an
  // ancestor of it), and step 1 already passes over distinguished entries.
  update.owner_start = 0;
  for (uint32_t v = first; v < first + count; ++v) update.new_versions.push_back(v);
  const Bytes& name = first_version.stored.label;
  LabelVersions versions = ProverVersions(name);
  ProofSession s = ProverFor(last, old_size);
  CANDOR_TRY(UpdateView(s));
  auto checked = VerifyLabelUpdate(s, Params(), update, versions);
  if (!checked.ok()) return MakeError(Errc::kInternal, checked.error().message);

  UpdateResponse out;
  out.full_tree_head = HeadFor(last);
  out.position = update.position;
  for (uint32_t v = first; v < first + count; ++v) {
    const StoredVersion& sv = label.versions[v].stored;
    if (echo_values) out.values.push_back(LabelValue{sv.value});
    out.info.push_back(UpdateInfo{sv.opening, UpdateSuffix{sv.suffix_signature}});
  }
  // Commitments only for versions below the owner's advertised greatest version.
  std::optional<uint32_t> commit_below = advertised;
  for (uint32_t v : UpdateLadderVersions(update.previous_greatest, update.new_versions)) {
    BinaryLadderStep step;
    step.proof = ProofOf(name, v);
    if (commit_below && v < *commit_below && v < label.versions.size()) {
      step.commitment = label.versions[v].stored.commitment;
    }
    out.binary_ladder.push_back(std::move(step));
  }
  out.update = s.FinishProof();
  return out;
}

Result<UpdateResponse> Directory::UpdateResult(const UpdateTicket& ticket,
                                               std::optional<uint64_t> last) {
  std::lock_guard<std::mutex> lock(mu_);
  const Label* label = FindLabel(ticket.label);
  if (!label || ticket.count == 0 || ticket.first_version + ticket.count > label->versions.size()) {
    return NotFound("the update is not published yet");
  }
  return BuildUpdateResponse(*label, ticket.first_version, ticket.count, ticket.previous_greatest,
                             last, false);
}

Result<UpdateResponse> Directory::ExistingUpdate(const UpdateRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  const Label* label = FindLabel(request.label);
  if (!label || label->versions.empty()) return NotFound("the label has no versions");
  const uint32_t next = request.greatest_version ? *request.greatest_version + 1 : 0;
  if (next >= label->versions.size()) return Invalid("the label has no newer versions");
  const uint64_t position = label->versions[next].position;
  uint32_t count = 0;
  while (next + count < label->versions.size() &&
         label->versions[next + count].position == position) {
    ++count;
  }
  return BuildUpdateResponse(*label, next, count, request.greatest_version, request.last, true);
}

Result<SearchResponse> Directory::Search(const SearchRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(request.last));
  const Label* label = FindLabel(request.label);
  if (!label || label->versions.empty()) return NotFound("no such label");
  const auto greatest = static_cast<uint32_t>(label->versions.size() - 1);
  const uint32_t target = request.version.value_or(greatest);
  if (target > greatest) return NotFound("no such version");
  LabelVersions versions = ProverVersions(request.label);
  ProofSession s = ProverFor(request.last, old_size);
  CANDOR_TRY(UpdateView(s));
  if (request.version) {
    auto found = FixedVersionSearch(s, Params(), target, versions);
    if (!found.ok()) return AsNotFound(std::move(found).error());
  } else {
    auto found = GreatestVersionSearch(s, Params(), target, versions);
    if (!found.ok()) return MakeError(Errc::kInternal, found.error().message);
  }
  SearchResponse out;
  out.full_tree_head = HeadFor(request.last);
  if (!request.version) out.version = target;
  const StoredVersion& sv = label->versions[target].stored;
  out.opening = sv.opening;
  out.value = UpdateValue{sv.value, UpdateSuffix{sv.suffix_signature}};
  out.binary_ladder = Steps(request.label, BaseBinaryLadder(target), target);
  out.search = s.FinishProof();
  return out;
}

Result<MonitoringMap> Directory::MonitoringMapOf(
    const Label* label, const std::vector<MonitorMapEntry>& entries) const {
  const uint64_t n = visible_size_;
  MonitoringMap map;
  std::set<uint32_t> seen_versions;
  for (size_t i = 0; i < entries.size(); ++i) {
    const MonitorMapEntry& e = entries[i];
    if (i > 0 && e.position <= entries[i - 1].position) {
      return Invalid("monitoring entries must ascend by position without duplicates");
    }
    if (!seen_versions.insert(e.version).second) return Invalid("duplicate monitored version");
    if (!label || e.version >= label->versions.size() || e.position >= n) {
      return Invalid("monitored version or position does not exist");
    }
    const uint64_t created = label->versions[e.version].position;
    std::vector<uint64_t> path = ImplicitDirectPath(created, n);
    if (e.position != created && std::find(path.begin(), path.end(), e.position) == path.end()) {
      return Invalid("monitored position is not on the version's direct path");
    }
    map[e.position] = e.version;
  }
  return map;
}

Result<ContactMonitorResponse> Directory::ContactMonitor(const ContactMonitorRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(request.last));
  const Label* label = FindLabel(request.label);
  if (!label) return NotFound("no such label");
  CANDOR_ASSIGN_OR_RETURN(MonitoringMap map, MonitoringMapOf(label, request.entries));
  LabelVersions versions = ProverVersions(request.label);
  ProofSession s = ProverFor(request.last, old_size);
  CANDOR_TRY(UpdateView(s));
  auto next = kt::ContactMonitor(s, Params(), map, std::nullopt, versions);
  if (!next.ok()) return MakeError(Errc::kInternal, next.error().message);
  return ContactMonitorResponse{HeadFor(request.last), s.FinishProof()};
}

Result<OwnerInitResponse> Directory::OwnerInit(const OwnerInitRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(request.last));
  const uint64_t n = visible_size_;
  if (request.label.empty() || request.label.size() > kMaxLabelSize) {
    return Invalid("label must be 1 to 255 bytes");
  }
  if (request.start >= n) return Invalid("start is beyond the tree");
  const Label* label = FindLabel(request.label);
  LabelVersions versions = ProverVersions(request.label);
  ProofSession s = ProverFor(request.last, old_size);
  CANDOR_TRY(UpdateView(s));
  auto list = OwnerInitEntries(s, Params(), request.start);
  if (!list.ok()) return Invalid(list.error().message);
  std::vector<uint32_t> greatest;
  for (uint64_t x : *list) {
    std::optional<uint32_t> g = label ? GreatestAt(*label, x) : std::nullopt;
    if (!g) break;
    greatest.push_back(*g);
  }
  Status st = kt::OwnerInit(s, Params(), request.start, greatest, versions);
  if (!st.ok()) return MakeError(Errc::kInternal, st.error().message);
  OwnerInitResponse out;
  out.full_tree_head = HeadFor(request.last);
  out.greatest_versions = greatest;
  out.binary_ladder = Steps(request.label, OwnerInitLadderVersions(greatest), std::nullopt);
  out.init = s.FinishProof();
  return out;
}

Result<OwnerMonitorResponse> Directory::OwnerMonitor(const OwnerMonitorRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(request.last));
  const uint64_t n = visible_size_;
  if (request.start >= n) return Invalid("start is beyond the tree");
  const Label* label = FindLabel(request.label);
  std::optional<uint32_t> greatest;
  if (label && !label->versions.empty()) {
    greatest = static_cast<uint32_t>(label->versions.size() - 1);
  }
  if (request.greatest_version && (!greatest || *request.greatest_version > *greatest)) {
    return Invalid("greatest_version is ahead of the label");
  }
  std::optional<uint32_t> at_start = label ? GreatestAt(*label, request.start) : std::nullopt;
  if (at_start && (!request.greatest_version || *request.greatest_version < *at_start)) {
    return Invalid("greatest_version is behind the version at start");
  }
  CANDOR_ASSIGN_OR_RETURN(MonitoringMap map, MonitoringMapOf(label, request.entries));
  LabelVersions versions = ProverVersions(request.label);
  ProofSession s = ProverFor(request.last, old_size);
  CANDOR_TRY(UpdateView(s));
  auto contact = kt::ContactMonitor(s, Params(), map, request.start, versions);
  if (!contact.ok()) return MakeError(Errc::kInternal, contact.error().message);
  size_t ladders = 0;
  ExpectedVersion expected = [&](uint64_t x) {
    return label ? GreatestAt(*label, x) : std::nullopt;
  };
  ProverStop stop = [&](uint64_t x) {
    std::optional<uint32_t> g = expected(x);
    const bool unknown_to_owner =
        g && (!request.greatest_version || *g > *request.greatest_version);
    return unknown_to_owner || ladders++ >= options_.max_owner_ladders;
  };
  auto walked = kt::OwnerMonitor(s, Params(), request.start, expected, stop, versions);
  if (!walked.ok()) return MakeError(Errc::kInternal, walked.error().message);
  return OwnerMonitorResponse{HeadFor(request.last), s.FinishProof()};
}

Result<DistinguishedResponse> Directory::Distinguished(const DistinguishedRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  CANDOR_ASSIGN_OR_RETURN(uint64_t old_size, CheckLast(request.last));
  ProofSession s = ProverFor(request.last, old_size);
  CANDOR_TRY(UpdateView(s));
  auto walked = WalkDistinguished(s, Params(), request.stop,
                                  RecentWindow(config_.reasonable_monitoring_window));
  if (!walked.ok()) return MakeError(Errc::kInternal, walked.error().message);
  return DistinguishedResponse{HeadFor(request.last), s.FinishProof()};
}

Result<AuditorUpdate> Directory::AuditorUpdateFor(uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (position >= visible_size_) return NotFound("no published entry at that position");
  AuditorUpdate update;
  update.timestamp = state_.Timestamp(position);
  update.added = state_.Added(position);
  if (update.added.size() > 0xff) {
    return Invalid("the entry added more than 255 leaves, more than one PrefixProof can cover");
  }
  std::vector<Hash32> keys;
  keys.reserve(update.added.size());
  for (const PrefixLeaf& leaf : update.added) keys.push_back(leaf.vrf_output);
  update.proof = state_.ProveBefore(position, keys);
  return update;
}

}  // namespace candor::kt
