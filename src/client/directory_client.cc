#include "directory_client.h"

#include <chrono>
#include <thread>

#include "candor/base/tls.h"
#include "candor/kt/tlog_head_sink.h"

namespace candor::client {
namespace {

constexpr char kStateKey[] = "kt_state";
constexpr char kCheckpointKey[] = "kt_heads_checkpoint";
constexpr char kWitnessedKey[] = "kt_witnessed_size";

template <class T>
Result<T> DecodeIn(const Bytes& body, const kt::WireContext& ctx) {
  return kt::DecodeExactIn<T>(body, ctx);
}

Result<kt::DeviceList> ParseList(ByteView value) {
  auto list = tls::DecodeExact<kt::DeviceList>(value);
  if (!list.ok()) return MakeError(Errc::kVerifyFailed, "the value is not a device list");
  return std::move(*list);
}

}  // namespace

Result<std::unique_ptr<DirectoryClient>> DirectoryClient::Create(ServerApi& api,
                                                                 const ClientTrust& trust,
                                                                 Profile& profile, Clock clock,
                                                                 Executor* executor) {
  kt::VerifierOptions options;
  options.executor = executor;
  CANDOR_ASSIGN_OR_RETURN(kt::Verifier verifier,
                          kt::Verifier::Create(trust.kt_config, std::move(clock), options));
  CANDOR_ASSIGN_OR_RETURN(kt::WireContext wire, kt::WireContext::For(trust.kt_config));
  return std::unique_ptr<DirectoryClient>(
      new DirectoryClient(api, trust, profile, std::move(verifier), wire));
}

Result<kt::ClientState> DirectoryClient::LoadState() {
  std::optional<SecretBytes> raw;
  CANDOR_TRY(profile_.Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(raw, profile_.GetSecret(tx, kStateKey));
    return OkStatus();
  }));
  if (!raw) return kt::ClientState{};
  return tls::DecodeExact<kt::ClientState>(raw->view());
}

Status DirectoryClient::CheckWitnessed(const kt::ClientState& state) {
  if (!state.head) return OkStatus();
  const uint64_t size = state.head->tree_size;
  // Already checked at this size (the answer repeated a head we saw)?
  uint64_t witnessed = 0;
  std::optional<std::string> last_note;
  CANDOR_TRY(profile_.Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto w, Profile::Get(tx, kWitnessedKey));
    if (w && w->size() == 8) {
      for (uint8_t b : *w) witnessed = (witnessed << 8) | b;
    }
    CANDOR_ASSIGN_OR_RETURN(auto note, Profile::Get(tx, kCheckpointKey));
    if (note) last_note = std::string(AsStringView(*note));
    return OkStatus();
  }));
  if (witnessed == size) return OkStatus();
  CANDOR_ASSIGN_OR_RETURN(tlog::LogTrust trust, trust_.HeadsTrust());
  std::optional<tlog::VerifiedCheckpoint> previous;
  if (last_note) {
    auto prev = tlog::VerifyCosignedCheckpoint(*last_note, trust);
    if (prev.ok()) previous = std::move(*prev);
  }
  LogClient heads(trust_.HeadsUrl(), trust);
  // The witnesses cosign a new head within a moment: wait up to 20 s for a checkpoint that
  // covers it (each must be consistent with the last one this device accepted).
  Result<tlog::VerifiedCheckpoint> cp = MakeError(Errc::kUnavailable, "no checkpoint");
  for (int attempt = 0; attempt < 80; ++attempt) {
    cp = heads.FetchCheckpoint(previous);
    if (cp.ok() && cp->checkpoint.size >= size) break;
    if (!cp.ok() && cp.error().code == Errc::kVerifyFailed) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (!cp.ok()) {
    return MakeError(cp.error().code,
                     "the directory's tree-head log has no checkpoint this device can accept: " +
                         cp.error().message);
  }
  if (cp->checkpoint.size < size) {
    return MakeError(Errc::kVerifyFailed,
                     "the directory's head of size " + std::to_string(size) +
                         " is not in a checkpoint cosigned by the witnesses (split view?)");
  }
  CANDOR_ASSIGN_OR_RETURN(InclusionResult entry, heads.ProveEntry(size - 1, *cp));
  auto logged = tls::DecodeExact<kt::LoggedTreeHead>(entry.entry);
  if (!logged.ok()) return VerifyFailed();
  auto tbs = kt::VerifyLoggedTreeHead(trust_.kt_config, *logged);
  // The same TreeHeadTBS, each signature valid (a P-256 directory that restarted signs a head
  // again with other bytes).
  if (!tbs.ok() || tbs->tree_size != size || tbs->root != state.root) {
    return MakeError(Errc::kVerifyFailed,
                     "the directory showed a tree head that differs from the witnessed one");
  }
  Bytes size_bytes(8);
  for (int i = 7; i >= 0; --i)
    size_bytes[static_cast<size_t>(7 - i)] = static_cast<uint8_t>(size >> (8 * i));
  return profile_.Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(profile_.Put(tx, kCheckpointKey, AsBytes(cp->note)));
    return profile_.Put(tx, kWitnessedKey, size_bytes);
  });
}

Status DirectoryClient::Commit(const kt::ClientState& next) {
  CANDOR_TRY(CheckWitnessed(next));
  tls::Writer w = tls::Writer::ForSecrets();
  next.Encode(w);
  const SecretBytes encoded = w.TakeSecret();
  return profile_.Write(
      [&](store::SqlTx& tx) { return profile_.PutSecret(tx, kStateKey, encoded.view()); });
}

Result<std::optional<VerifiedList>> DirectoryClient::Lookup(std::string_view handle) {
  CANDOR_ASSIGN_OR_RETURN(kt::ClientState state, LoadState());
  const kt::SearchRequest req = verifier_.MakeSearch(state, AsBytes(handle), std::nullopt);
  auto body = api_.Kt("v1/directory/search", tls::Encode(req));
  if (!body.ok()) {
    if (body.error().code == Errc::kNotFound) return std::optional<VerifiedList>();
    return body.error();
  }
  tls::Reader r(*body);
  auto resp = kt::SearchResponse::Decode(r, wire_, false);
  if (!resp.ok() || !r.empty()) return MakeError(Errc::kVerifyFailed, "malformed search answer");
  CANDOR_ASSIGN_OR_RETURN(kt::SearchResult found, verifier_.VerifySearch(state, req, *resp));
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, ParseList(found.value.value));
  CANDOR_TRY(kt::VerifyDeviceList(AsBytes(handle), list, std::nullopt));
  CANDOR_TRY(Commit(found.state));
  return std::optional<VerifiedList>(VerifiedList{found.version, std::move(list)});
}

Result<kt::UpdateResult> DirectoryClient::Publish(std::string_view handle,
                                                  const kt::DeviceList& list) {
  CANDOR_ASSIGN_OR_RETURN(kt::ClientState state, LoadState());
  const kt::UpdateRequest req = verifier_.MakeUpdate(state, AsBytes(handle), {tls::Encode(list)});
  CANDOR_ASSIGN_OR_RETURN(Bytes body, api_.Kt("v1/directory/update", tls::Encode(req)));
  CANDOR_ASSIGN_OR_RETURN(kt::UpdateResponse resp, DecodeIn<kt::UpdateResponse>(body, wire_));
  CANDOR_ASSIGN_OR_RETURN(kt::UpdateResult result, verifier_.VerifyUpdate(state, req, resp));
  CANDOR_TRY(Commit(result.state));
  return result;
}

Status DirectoryClient::InitOwner(std::string_view handle) {
  CANDOR_ASSIGN_OR_RETURN(kt::ClientState state, LoadState());
  const kt::DistinguishedRequest walk_req = verifier_.MakeDistinguished(state);
  CANDOR_ASSIGN_OR_RETURN(Bytes walk_body,
                          api_.Kt("v1/directory/distinguished", tls::Encode(walk_req)));
  CANDOR_ASSIGN_OR_RETURN(auto walk, DecodeIn<kt::DistinguishedResponse>(walk_body, wire_));
  CANDOR_ASSIGN_OR_RETURN(auto walked, verifier_.VerifyDistinguished(state, walk_req, walk));
  if (walked.second.empty()) return MakeError(Errc::kVerifyFailed, "no distinguished entry");
  const kt::OwnerInitRequest req =
      verifier_.MakeOwnerInit(walked.first, AsBytes(handle), walked.second.back());
  CANDOR_ASSIGN_OR_RETURN(Bytes body, api_.Kt("v1/directory/owner-init", tls::Encode(req)));
  CANDOR_ASSIGN_OR_RETURN(auto resp, DecodeIn<kt::OwnerInitResponse>(body, wire_));
  CANDOR_ASSIGN_OR_RETURN(kt::ClientState next, verifier_.VerifyOwnerInit(walked.first, req, resp));
  return Commit(next);
}

Result<OwnerReport> DirectoryClient::MonitorOwner(std::string_view handle, const Bytes& account_key,
                                                  const std::optional<kt::DeviceList>& known) {
  CANDOR_ASSIGN_OR_RETURN(kt::ClientState state, LoadState());
  OwnerReport report;
  if (state.owned.find(Bytes(handle.begin(), handle.end())) == state.owned.end()) {
    CANDOR_TRY(InitOwner(handle));
    CANDOR_ASSIGN_OR_RETURN(state, LoadState());
  }
  const kt::OwnerMonitorRequest req = verifier_.MakeOwnerMonitor(state, AsBytes(handle));
  CANDOR_ASSIGN_OR_RETURN(Bytes body, api_.Kt("v1/directory/owner-monitor", tls::Encode(req)));
  CANDOR_ASSIGN_OR_RETURN(auto resp, DecodeIn<kt::OwnerMonitorResponse>(body, wire_));
  CANDOR_ASSIGN_OR_RETURN(kt::OwnerMonitorResult result,
                          verifier_.VerifyOwnerMonitor(state, req, resp));
  state = std::move(result.state);
  report.caught_up = result.caught_up;
  if (!result.caught_up) {
    // Versions this device does not know exist: fetch them and judge each.
    kt::UpdateRequest learn = verifier_.MakeUpdate(state, AsBytes(handle), {});
    CANDOR_ASSIGN_OR_RETURN(Bytes ub, api_.Kt("v1/directory/update", tls::Encode(learn)));
    CANDOR_ASSIGN_OR_RETURN(auto uresp, DecodeIn<kt::UpdateResponse>(ub, wire_));
    CANDOR_ASSIGN_OR_RETURN(kt::UpdateResult learned, verifier_.VerifyUpdate(state, learn, uresp));
    state = std::move(learned.state);
    std::optional<kt::DeviceList> previous = known;
    for (size_t i = 0; i < uresp.values.size(); ++i) {
      const uint32_t version = learned.foreign_versions.size() > i ? learned.foreign_versions[i]
                                                                   : static_cast<uint32_t>(i);
      auto list = tls::DecodeExact<kt::DeviceList>(uresp.values[i].value);
      if (!list.ok() || list->list.account_key != account_key ||
          !kt::VerifyDeviceList(AsBytes(handle), *list, previous).ok()) {
        report.alarms.push_back("version " + std::to_string(version) + " of " +
                                std::string(handle) +
                                " is not signed by this account's key: the directory holds a "
                                "device list nobody of this account made");
        continue;
      }
      report.latest = VerifiedList{version, *list};
      previous = std::move(*list);
    }
  }
  CANDOR_TRY(Commit(state));
  return report;
}

}  // namespace candor::client
