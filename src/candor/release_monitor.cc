#include "release_monitor.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/client/log_client.h"
#include "candor/crypto/sha256.h"
#include "commands.h"
#include "release_state.h"

namespace candor::cli {
namespace {

using nlohmann::json;

Result<MonitorState> LoadState(const std::string& path, const tlog::LogTrust& trust) {
  if (!FileExists(path)) return MonitorState{};
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 64 << 20));
  auto state = ParseMonitorState(AsStringView(raw), trust);
  if (!state.ok()) return MakeError(state.error().code, path + ": " + state.error().message);
  return state;
}

// Check adds the entry at `index` to the state, or an alarm saying why it cannot be a release.
void Check(MonitorState& state, uint64_t index, std::string_view entry, const ReleaseTrust& trust,
           const std::vector<std::string>& platforms, std::vector<MonitoredRelease>& found) {
  auto manifest = release::OpenManifest(entry, *trust.policy.release_key);
  if (!manifest.ok()) {
    state.alarms.push_back("entry " + std::to_string(index) +
                           " is not a release manifest signed by the release key");
    return;
  }
  const std::string digest = HexEncode(crypto::Sha256(AsBytes(manifest->Text())));
  for (const MonitoredRelease& r : state.releases) {
    if (r.product == manifest->product && r.version == manifest->version &&
        r.platform == manifest->platform && r.manifest_sha256 != digest) {
      state.alarms.push_back("entry " + std::to_string(index) + " logs " + manifest->product + " " +
                             manifest->version + " for " + manifest->platform +
                             " again with other contents (first at entry " +
                             std::to_string(r.index) + ")");
    }
  }
  if (!platforms.empty() &&
      std::find(platforms.begin(), platforms.end(), manifest->platform) == platforms.end()) {
    state.alarms.push_back("entry " + std::to_string(index) + " is a release for " +
                           manifest->platform + ", a platform nobody announced");
  }
  MonitoredRelease r{
      index, manifest->product, manifest->version, manifest->platform, manifest->commit, digest};
  state.releases.push_back(r);
  found.push_back(std::move(r));
}

}  // namespace

int MonitorReleases(const ReleaseTrust& trust, const MonitorOptions& options) {
  auto state = LoadState(options.state_file, trust.policy.log);
  if (!state.ok()) return Fail(state.error().ToString());
  const size_t alarms_before = state->alarms.size();
  client::LogClient client(trust.log_url, trust.policy.log);
  auto cp = client.FetchCheckpoint(state->checkpoint);
  std::vector<MonitoredRelease> found;
  if (!cp.ok() && cp.error().code != Errc::kVerifyFailed) return Fail(cp.error().ToString());
  if (!cp.ok()) {
    state->alarms.push_back(
        "the release log's checkpoint does not verify or is not consistent with the one this "
        "monitor saw (size " +
        std::to_string(state->checkpoint ? state->checkpoint->checkpoint.size : 0) + ")");
  } else {
    const uint64_t from = state->checkpoint ? state->checkpoint->checkpoint.size : 0;
    for (uint64_t i = from; i < cp->checkpoint.size; ++i) {
      auto entry = client.ProveEntry(i, *cp);
      if (!entry.ok()) return Fail("entry " + std::to_string(i) + ": " + entry.error().ToString());
      Check(*state, i, AsStringView(entry->entry), trust, options.platforms, found);
    }
    state->checkpoint = *cp;
  }
  if (Status st = WriteFileDurable(options.state_file, AsBytes(FormatMonitorState(*state)));
      !st.ok()) {
    return Fail(st.error().ToString());
  }
  if (options.as_json) {
    json new_releases = json::array();
    for (const MonitoredRelease& r : found) {
      new_releases.push_back({{"index", r.index},
                              {"product", r.product},
                              {"version", r.version},
                              {"platform", r.platform},
                              {"commit", r.commit}});
    }
    (void)std::printf("%s\n", json({{"new", new_releases},
                                    {"releases", state->releases.size()},
                                    {"alarms", state->alarms}})
                                  .dump()
                                  .c_str());
  } else {
    for (const MonitoredRelease& r : found) {
      (void)std::printf("new release: entry %llu: %s %s for %s (commit %s)\n",
                        static_cast<unsigned long long>(r.index), r.product.c_str(),
                        r.version.c_str(), r.platform.c_str(), r.commit.c_str());
    }
    (void)std::printf("%zu releases in the release log (%zu new); %zu alarms (%zu new)\n",
                      state->releases.size(), found.size(), state->alarms.size(),
                      state->alarms.size() - alarms_before);
    for (const std::string& a : state->alarms) {
      (void)std::fprintf(stderr, "ALARM: %s\n", a.c_str());
    }
  }
  return state->alarms.empty() ? 0 : kExitNotVerified;
}

}  // namespace candor::cli
