#include "candor/kt/verifier.h"

#include <algorithm>
#include <string>
#include <utility>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/update_value.h"
#include "codec_internal.h"

namespace candor::kt {

namespace {

constexpr size_t kMaxLabelSize = 255;

Error Misuse(const std::string& what) {
  return MakeError(Errc::kInvalidArgument, "kt verifier: " + what);
}

Status CheckLabel(ByteView label) {
  if (label.empty() || label.size() > kMaxLabelSize) return Misuse("label must be 1 to 255 bytes");
  return OkStatus();
}

std::optional<uint64_t> LastOf(const ClientState& state) {
  if (state.view.size == 0) return std::nullopt;
  return state.view.size;
}

LabelVersions VersionsOf(const std::map<uint32_t, KnownVersion>& known) {
  LabelVersions out;
  for (const auto& [v, k] : known) out.Add(v, k.vrf_output, k.commitment);
  return out;
}

std::vector<MonitorMapEntry> EntriesOf(const MonitoringMap& map) {
  std::vector<MonitorMapEntry> out;
  for (const auto& [p, v] : map) out.push_back(MonitorMapEntry{p, v});
  return out;
}

bool SameEntries(const std::vector<MonitorMapEntry>& a, const MonitoringMap& b) {
  std::vector<MonitorMapEntry> eb = EntriesOf(b);
  if (a.size() != eb.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].position != eb[i].position || a[i].version != eb[i].version) return false;
  }
  return true;
}

}  // namespace

std::optional<uint32_t> OwnedLabel::greatest() const {
  std::optional<uint32_t> g;
  for (const auto& [p, v] : greatest_at) g = g ? std::max(*g, v) : v;
  return g;
}

Status CheckPeerView(const ClientState& mine, uint64_t peer_size, const HashValue& peer_root) {
  if (mine.view.size == 0 || peer_size != mine.view.size) {
    return Misuse("views of different sizes cannot be compared directly");
  }
  if (peer_root != mine.root) {
    return KtVerifyFailed("fork: another user verified a different tree of the same size");
  }
  return OkStatus();
}

Status CheckAuditorTreeHead(const Configuration& config, const AuditorTreeHead& head,
                            uint64_t tree_size, uint64_t rightmost_timestamp,
                            const HashValue& auditor_root,
                            std::optional<uint64_t> previous_auditor_size) {
  if (config.mode != DeploymentMode::thirdPartyAuditing) {
    return Misuse("CheckAuditorTreeHead needs a thirdPartyAuditing configuration");
  }
  if (previous_auditor_size && *previous_auditor_size < config.auditor_start_pos) {
    return KtVerifyFailed(
        "auditor step 1: the previous auditor tree head is before auditor_start_pos");
  }
  if (head.timestamp > rightmost_timestamp) {
    return KtVerifyFailed("auditor step 2: the auditor tree head is later than the log's");
  }
  if (rightmost_timestamp - head.timestamp > config.max_auditor_lag) {
    return KtVerifyFailed("auditor step 2: the auditor lags by more than max_auditor_lag");
  }
  if (head.tree_size == 0 || head.tree_size > tree_size) {
    return KtVerifyFailed("auditor step 3: the auditor tree size is not within the log's");
  }
  if (!VerifyAuditorTreeHead(config, head, auditor_root).ok()) {
    return KtVerifyFailed("auditor step 4: the auditor tree head signature does not verify");
  }
  return OkStatus();
}

Result<Verifier> Verifier::Create(Configuration config, Clock clock, VerifierOptions options) {
  CANDOR_TRY(ValidateConfiguration(config));
  if (config.mode == DeploymentMode::thirdPartyManagement) {
    return Misuse("the thirdPartyManagement deployment mode is not supported");
  }
  if (!clock) return Misuse("a clock is required");
  CANDOR_ASSIGN_OR_RETURN(CipherSuiteParams suite,
                          GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)));
  CANDOR_ASSIGN_OR_RETURN(WireContext wire, WireContext::For(config));
  return Verifier(std::move(config), std::move(clock), options, suite, wire);
}

bool Verifier::MonitorsContacts() const {
  return config_.mode == DeploymentMode::contactMonitoring ||
         options_.monitor_contacts_with_auditor;
}

TreeParams Verifier::Params() const {
  return TreeParams{config_.reasonable_monitoring_window, config_.maximum_lifetime};
}

SearchRequest Verifier::MakeSearch(const ClientState& state, ByteView label,
                                   std::optional<uint32_t> version) const {
  return SearchRequest{LastOf(state), Bytes(label.begin(), label.end()), version};
}

ContactMonitorRequest Verifier::MakeContactMonitor(const ClientState& state, ByteView label) const {
  ContactMonitorRequest r{LastOf(state), Bytes(label.begin(), label.end()), {}};
  auto it = state.contacts.find(r.label);
  if (it != state.contacts.end()) r.entries = EntriesOf(it->second.monitor);
  return r;
}

OwnerInitRequest Verifier::MakeOwnerInit(const ClientState& state, ByteView label,
                                         uint64_t start) const {
  return OwnerInitRequest{LastOf(state), Bytes(label.begin(), label.end()), start};
}

OwnerMonitorRequest Verifier::MakeOwnerMonitor(const ClientState& state, ByteView label) const {
  OwnerMonitorRequest r;
  r.last = LastOf(state);
  r.label.assign(label.begin(), label.end());
  auto it = state.owned.find(r.label);
  if (it != state.owned.end()) {
    r.entries = EntriesOf(it->second.monitor);
    r.start = it->second.verified;
    r.greatest_version = it->second.greatest();
  }
  return r;
}

UpdateRequest Verifier::MakeUpdate(const ClientState& state, ByteView label,
                                   const std::vector<Bytes>& values) const {
  UpdateRequest r;
  r.last = LastOf(state);
  r.label.assign(label.begin(), label.end());
  auto it = state.owned.find(r.label);
  if (it != state.owned.end()) r.greatest_version = it->second.greatest();
  for (const Bytes& v : values) r.values.push_back(LabelValue{v});
  return r;
}

DistinguishedRequest Verifier::MakeDistinguished(const ClientState& state) const {
  return DistinguishedRequest{LastOf(state), std::nullopt};
}

Result<uint64_t> Verifier::TreeSizeOf(const ClientState& state, std::optional<uint64_t> last,
                                      const FullTreeHead& head) const {
  if (last != LastOf(state)) return Misuse("request was not built from this state");
  if (head.head_type == FullTreeHeadType::same) {
    if (!last) return KtVerifyFailed("`same` tree head without a previous tree size");
    return *last;
  }
  const uint64_t n = head.tree_head.tree_size;
  if (n == 0) return KtVerifyFailed("tree head of an empty tree");
  if (last && n <= *last) {
    return KtVerifyFailed("tree head is not newer than the last verified one (rollback)");
  }
  if (config_.mode == DeploymentMode::thirdPartyAuditing) {
    const uint64_t audited = head.auditor_tree_head.tree_size;
    if (audited == 0 || audited > n) {
      return KtVerifyFailed("auditor step 3: the auditor tree size is not within the log's");
    }
  }
  return n;
}

Result<ProofSession> Verifier::Begin(const ClientState& state, std::optional<uint64_t> last,
                                     const FullTreeHead& head,
                                     const CombinedTreeProof& proof) const {
  CANDOR_ASSIGN_OR_RETURN(uint64_t n, TreeSizeOf(state, last, head));
  ProofSession s = ProofSession::Verifier(proof, n, state.view);
  if (config_.mode == DeploymentMode::thirdPartyAuditing &&
      head.head_type == FullTreeHeadType::updated) {
    s.SetAuditorSize(head.auditor_tree_head.tree_size);
  }
  CANDOR_TRY(UpdateView(s));
  return s;
}

Status Verifier::Finish(ProofSession& session, const FullTreeHead& head, ClientState& next) const {
  CANDOR_ASSIGN_OR_RETURN(ProofSession::Verified done, session.FinishVerify());
  if (head.head_type == FullTreeHeadType::updated) {
    if (!VerifyTreeHead(config_, head.tree_head, done.root).ok()) {
      return KtVerifyFailed(next.view.size > 0
                                ? "tree head does not verify over the root proven from the "
                                  "retained view (fork, or a forged head)"
                                : "tree head signature does not verify over the proven root");
    }
    next.head = head.tree_head;
  } else if (done.root != next.root) {
    return KtVerifyFailed("proof does not match the retained tree");
  }
  const uint64_t newest = done.view.frontier.at(done.view.size - 1).timestamp;
  const uint64_t now = clock_();
  if (newest > now && newest - now > config_.max_ahead) {
    return KtVerifyFailed("rightmost log entry is too far in the future");
  }
  if (now > newest && now - newest > config_.max_behind) {
    return KtVerifyFailed("rightmost log entry is too old (stale tree head)");
  }
  if (config_.mode == DeploymentMode::thirdPartyAuditing &&
      head.head_type == FullTreeHeadType::updated) {
    // Step 1 looks at the auditor head of the tree head the user advertised (`last`).
    std::optional<uint64_t> previous;
    if (next.view.size > 0) previous = next.auditor_head ? next.auditor_head->tree_size : 0;
    CANDOR_TRY(CheckAuditorTreeHead(config_, head.auditor_tree_head, done.view.size, newest,
                                    *done.auditor_root, previous));
    next.auditor_head = head.auditor_tree_head;
  }
  next.view = std::move(done.view);
  next.root = done.root;
  return OkStatus();
}

Result<Hash32> Verifier::VrfOutput(ByteView label, uint32_t version, ByteView proof) const {
  auto out = VrfVerifyOutput(suite_, config_.vrf_public_key, label, version, proof);
  if (!out.ok()) {
    return KtVerifyFailed("VRF proof of version " + std::to_string(version) + " does not verify");
  }
  return *out;
}

Result<std::vector<Hash32>> Verifier::LadderOutputs(
    const ClientState& state, ByteView label, const std::vector<uint32_t>& versions,
    const std::vector<BinaryLadderStep>& steps) const {
  CANDOR_CHECK(versions.size() == steps.size());
  // An output verified once for (label, version) stays true (the VRF key never changes), so
  // versions the user already knows are not verified again.
  const Bytes name(label.begin(), label.end());
  auto known = [&](uint32_t v) -> std::optional<Hash32> {
    for (const auto* versions_map :
         {state.contacts.contains(name) ? &state.contacts.at(name).versions : nullptr,
          state.owned.contains(name) ? &state.owned.at(name).versions : nullptr}) {
      if (versions_map == nullptr) continue;
      auto it = versions_map->find(v);
      if (it != versions_map->end()) return it->second.vrf_output;
    }
    return std::nullopt;
  };
  std::vector<Hash32> outputs(versions.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (std::optional<Hash32> k = known(versions[i])) {
      outputs[i] = *k;
    } else {
      todo.push_back(i);
    }
  }
  // VRF verification is most of a response's cost: split it over the executor's threads.
  std::vector<Result<Hash32>> results(todo.size(), VerifyFailed());
  ParallelFor(options_.executor, todo.size(), 4, [&](size_t begin, size_t end) {
    for (size_t j = begin; j < end; ++j) {
      results[j] = VrfOutput(label, versions[todo[j]], steps[todo[j]].proof);
    }
  });
  for (size_t j = 0; j < todo.size(); ++j) {
    if (!results[j].ok()) return results[j].error();
    outputs[todo[j]] = *results[j];
  }
  return outputs;
}

Result<SearchResult> Verifier::VerifySearch(const ClientState& state, const SearchRequest& request,
                                            const SearchResponse& response) const {
  CANDOR_TRY(CheckLabel(request.label));
  if (request.version.has_value() == response.version.has_value()) {
    return KtVerifyFailed("response version field does not match the request");
  }
  const uint32_t target = request.version ? *request.version : *response.version;
  const std::vector<uint32_t> ladder = BaseBinaryLadder(target);
  if (response.binary_ladder.size() != ladder.size()) {
    return KtVerifyFailed("binary ladder has the wrong number of steps");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash32> outputs,
                          LadderOutputs(state, request.label, ladder, response.binary_ladder));
  LabelVersions versions;
  std::map<uint32_t, KnownVersion> learned;
  const HashValue target_commitment =
      Commit(response.opening, request.label, target, response.value, config_.mode);
  for (size_t i = 0; i < ladder.size(); ++i) {
    const BinaryLadderStep& step = response.binary_ladder[i];
    if (ladder[i] == target && step.commitment) {
      return KtVerifyFailed("binary ladder carries a commitment for the target version");
    }
    const Hash32& key = outputs[i];
    KnownVersion k{key, ladder[i] == target ? std::optional(target_commitment) : step.commitment};
    versions.Add(ladder[i], k.vrf_output, k.commitment);
    learned[ladder[i]] = k;
  }
  CANDOR_ASSIGN_OR_RETURN(ProofSession s,
                          Begin(state, request.last, response.full_tree_head, response.search));
  CANDOR_ASSIGN_OR_RETURN(SearchOutcome found,
                          request.version ? FixedVersionSearch(s, Params(), target, versions)
                                          : GreatestVersionSearch(s, Params(), target, versions));
  SearchResult out{target, response.value, state};
  CANDOR_TRY(Finish(s, response.full_tree_head, out.state));
  ContactLabel& contact = out.state.contacts[request.label];
  for (auto& [v, k] : learned) contact.versions[v] = k;
  if (found.needs_monitoring && MonitorsContacts()) {
    uint32_t& kept = contact.monitor[found.terminal];
    kept = std::max(kept, target);
  }
  return out;
}

Result<ClientState> Verifier::VerifyContactMonitor(const ClientState& state,
                                                   const ContactMonitorRequest& request,
                                                   const ContactMonitorResponse& response) const {
  auto it = state.contacts.find(request.label);
  if (it == state.contacts.end() || !SameEntries(request.entries, it->second.monitor)) {
    return Misuse("request does not match the monitored label");
  }
  LabelVersions versions = VersionsOf(it->second.versions);
  CANDOR_ASSIGN_OR_RETURN(ProofSession s,
                          Begin(state, request.last, response.full_tree_head, response.monitor));
  CANDOR_ASSIGN_OR_RETURN(MonitoringMap map, kt::ContactMonitor(s, Params(), it->second.monitor,
                                                                std::nullopt, versions));
  ClientState next = state;
  CANDOR_TRY(Finish(s, response.full_tree_head, next));
  next.contacts[request.label].monitor = std::move(map);
  return next;
}

Result<ClientState> Verifier::VerifyOwnerInit(const ClientState& state,
                                              const OwnerInitRequest& request,
                                              const OwnerInitResponse& response) const {
  CANDOR_TRY(CheckLabel(request.label));
  const std::vector<uint32_t>& greatest = response.greatest_versions;
  const std::vector<uint32_t> ladder = OwnerInitLadderVersions(greatest);
  if (response.binary_ladder.size() != ladder.size()) {
    return KtVerifyFailed("binary ladder has the wrong number of steps");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash32> outputs,
                          LadderOutputs(state, request.label, ladder, response.binary_ladder));
  OwnedLabel owned;
  owned.start = request.start;
  owned.verified = request.start;
  LabelVersions versions;
  for (size_t i = 0; i < ladder.size(); ++i) {
    const BinaryLadderStep& step = response.binary_ladder[i];
    const bool must_exist =
        std::find(greatest.begin(), greatest.end(), ladder[i]) != greatest.end();
    if (must_exist && !step.commitment) {
      return KtVerifyFailed("no commitment for a claimed greatest version");
    }
    const Hash32& key = outputs[i];
    versions.Add(ladder[i], key, step.commitment);
    owned.versions[ladder[i]] = KnownVersion{key, step.commitment};
  }
  CANDOR_ASSIGN_OR_RETURN(ProofSession s,
                          Begin(state, request.last, response.full_tree_head, response.init));
  CANDOR_TRY(kt::OwnerInit(s, Params(), request.start, greatest, versions));
  ClientState next = state;
  CANDOR_TRY(Finish(s, response.full_tree_head, next));
  if (!greatest.empty()) owned.greatest_at[request.start] = greatest[0];
  next.owned[request.label] = std::move(owned);
  return next;
}

Result<OwnerMonitorResult> Verifier::VerifyOwnerMonitor(
    const ClientState& state, const OwnerMonitorRequest& request,
    const OwnerMonitorResponse& response) const {
  auto it = state.owned.find(request.label);
  if (it == state.owned.end() || !SameEntries(request.entries, it->second.monitor) ||
      request.start != it->second.verified || request.greatest_version != it->second.greatest()) {
    return Misuse("request does not match the owned label");
  }
  const OwnedLabel& owned = it->second;
  LabelVersions versions = VersionsOf(owned.versions);
  CANDOR_ASSIGN_OR_RETURN(ProofSession s,
                          Begin(state, request.last, response.full_tree_head, response.monitor));
  CANDOR_ASSIGN_OR_RETURN(MonitoringMap map,
                          kt::ContactMonitor(s, Params(), owned.monitor, owned.verified, versions));
  ExpectedVersion expected = [&owned](uint64_t x) -> std::optional<uint32_t> {
    auto at = owned.greatest_at.upper_bound(x);
    if (at == owned.greatest_at.begin()) return std::nullopt;
    return std::prev(at)->second;
  };
  CANDOR_ASSIGN_OR_RETURN(
      OwnerMonitorOutcome walked,
      kt::OwnerMonitor(s, Params(), owned.verified, expected, nullptr, versions));
  // The frontier's timestamps are all known by now, so this consumes nothing from the proof.
  CANDOR_ASSIGN_OR_RETURN(std::optional<uint64_t> rightmost, RightmostDistinguished(s, Params()));
  OwnerMonitorResult out{state, !rightmost || walked.verified >= *rightmost};
  CANDOR_TRY(Finish(s, response.full_tree_head, out.state));
  OwnedLabel& mine = out.state.owned[request.label];
  mine.monitor = std::move(map);
  mine.verified = walked.verified;
  return out;
}

Result<UpdateResult> Verifier::VerifyUpdate(const ClientState& state, const UpdateRequest& request,
                                            const UpdateResponse& response) const {
  auto it = state.owned.find(request.label);
  if (it == state.owned.end() || request.greatest_version != it->second.greatest()) {
    return Misuse("request does not match the owned label");
  }
  const OwnedLabel& owned = it->second;
  const std::optional<uint32_t> previous = owned.greatest();
  std::optional<uint64_t> previous_position;
  if (previous) {
    auto at = owned.created_at.find(*previous);
    if (at != owned.created_at.end()) previous_position = at->second;
  }
  if (response.position <= previous_position.value_or(owned.start)) {
    return KtVerifyFailed("update position is not after the previous version");
  }
  const bool foreign = !response.values.empty();
  const std::vector<LabelValue>& values = foreign ? response.values : request.values;
  if (values.empty() || response.info.size() != values.size()) {
    return KtVerifyFailed("update info does not match the values");
  }
  const uint32_t first = previous ? *previous + 1 : 0;
  std::vector<uint32_t> created;
  for (uint32_t i = 0; i < values.size(); ++i) created.push_back(first + i);
  const std::vector<uint32_t> ladder = UpdateLadderVersions(previous, created);
  if (response.binary_ladder.size() != ladder.size()) {
    return KtVerifyFailed("binary ladder has the wrong number of steps");
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<Hash32> outputs,
                          LadderOutputs(state, request.label, ladder, response.binary_ladder));
  LabelVersions versions = VersionsOf(owned.versions);
  std::map<uint32_t, KnownVersion> learned;
  for (size_t i = 0; i < ladder.size(); ++i) {
    const BinaryLadderStep& step = response.binary_ladder[i];
    if (step.commitment && (!previous || ladder[i] > *previous)) {
      return KtVerifyFailed("binary ladder carries a commitment it must not");
    }
    const Hash32& key = outputs[i];
    learned[ladder[i]] = KnownVersion{key, step.commitment};
  }
  for (size_t i = 0; i < created.size(); ++i) {
    // A new version's VRF output comes with this response or, for version 0, with owner init.
    auto k = learned.find(created[i]);
    if (k == learned.end()) {
      auto known = owned.versions.find(created[i]);
      if (known == owned.versions.end()) return KtVerifyFailed("no VRF proof for a new version");
      k = learned.emplace(created[i], KnownVersion{known->second.vrf_output, std::nullopt}).first;
    }
    k->second.commitment =
        Commit(response.info[i].opening, request.label, created[i],
               UpdateValue{values[i].value, response.info[i].suffix}, config_.mode);
  }
  for (const auto& [v, k] : learned) versions.Add(v, k.vrf_output, k.commitment);
  LabelUpdate update{response.position, previous, previous_position, owned.start, created};
  CANDOR_ASSIGN_OR_RETURN(ProofSession s,
                          Begin(state, request.last, response.full_tree_head, response.update));
  CANDOR_ASSIGN_OR_RETURN(UpdateCheck check, VerifyLabelUpdate(s, Params(), update, versions));
  UpdateResult out{response.position, created, {}, state};
  CANDOR_TRY(Finish(s, response.full_tree_head, out.state));
  OwnedLabel& mine = out.state.owned[request.label];
  for (const auto& [v, k] : learned) mine.versions[v] = k;
  mine.greatest_at[response.position] = created.back();
  for (uint32_t v : created) mine.created_at[v] = response.position;
  if (!check.distinguished) mine.monitor[response.position] = created.back();
  if (foreign) out.foreign_versions = created;
  return out;
}

Result<std::pair<ClientState, std::vector<uint64_t>>> Verifier::VerifyDistinguished(
    const ClientState& state, const DistinguishedRequest& request,
    const DistinguishedResponse& response) const {
  CANDOR_ASSIGN_OR_RETURN(
      ProofSession s, Begin(state, request.last, response.full_tree_head, response.distinguished));
  CANDOR_ASSIGN_OR_RETURN(std::vector<uint64_t> found,
                          WalkDistinguished(s, Params(), request.stop,
                                            RecentWindow(config_.reasonable_monitoring_window)));
  ClientState next = state;
  CANDOR_TRY(Finish(s, response.full_tree_head, next));
  return std::make_pair(std::move(next), std::move(found));
}

}  // namespace candor::kt
