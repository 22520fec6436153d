#include "release_update.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/client/log_client.h"
#include "candor/crypto/sha256.h"
#include "commands.h"

namespace candor::cli {
namespace {

using nlohmann::json;

Result<UpdaterState> LoadState(const UpdateOptions& o, const tlog::LogTrust& trust) {
  if (!FileExists(o.state_file)) return UpdaterState{};
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(o.state_file, 64 << 20));
  auto state = ParseUpdaterState(AsStringView(raw), o.target, trust);
  if (!state.ok())
    return MakeError(state.error().code, o.state_file + ": " + state.error().message);
  return state;
}

Status SaveState(const UpdateOptions& o, const UpdaterState& s) {
  return WriteFileDurable(o.state_file, AsBytes(FormatUpdaterState(o.target, s)));
}

// Follow reads the log's entries past the state's checkpoint and records every release of the
// product and platform that holds the artifact. Entries that are not releases signed by the
// release key are skipped: raising alarms on them is the monitor's job.
Status Follow(client::LogClient& log, const tlog::VerifiedCheckpoint& cp, const ReleaseTrust& trust,
              const UpdateOptions& o, UpdaterState& s) {
  const uint64_t from = s.checkpoint ? s.checkpoint->checkpoint.size : 0;
  for (uint64_t i = from; i < cp.checkpoint.size; ++i) {
    CANDOR_ASSIGN_OR_RETURN(client::InclusionResult e, log.ProveEntry(i, cp));
    auto m = release::OpenManifest(AsStringView(e.entry), *trust.policy.release_key);
    if (!m.ok() || m->product != o.target.product || m->platform != o.target.platform) continue;
    if (const release::Artifact* a = m->Find(o.target.artifact)) {
      s.releases.push_back({i, m->version, HexEncode(a->sha256)});
    }
  }
  s.checkpoint = cp;
  return OkStatus();
}

// Describe says what a refused download is, as far as the log knows.
std::string Describe(const std::string& sha256, const LoggedRelease& wanted,
                     const std::vector<LoggedRelease>& releases, const UpdateOptions& o) {
  for (const LoggedRelease& r : releases) {
    if (r.sha256 == sha256 && r.index < wanted.index) {
      return o.target.product + " " + r.version + " (entry " + std::to_string(r.index) +
             "), an older release: a rollback";
    }
  }
  return "a file the release log does not hold for " + o.target.platform +
         " (a tampered or targeted build)";
}

void Print(const UpdateOptions& o, const std::string& status, const LoggedRelease* r,
           const tlog::VerifiedCheckpoint& cp, const std::string& text) {
  if (!o.as_json) {
    (void)std::printf("%s\n", text.c_str());
    return;
  }
  json j = {{"status", status}, {"checkpoint_size", cp.checkpoint.size}};
  if (r != nullptr) {
    j["version"] = r->version;
    j["index"] = r->index;
  }
  (void)std::printf("%s\n", j.dump().c_str());
}

}  // namespace

int UpdateRelease(const ReleaseTrust& trust, const UpdateOptions& o) {
  if (o.mirrors.empty() && !o.check_only) return Fail("give at least one --mirror");
  auto state = LoadState(o, trust.policy.log);
  if (!state.ok()) return Fail(state.error().ToString());

  // 1. The log's newest checkpoint: consistent with what this machine saw, and fresh.
  client::LogClient log(trust.log_url, trust.policy.log);
  auto cp = log.FetchCheckpoint(state->checkpoint);
  if (!cp.ok()) {
    if (cp.error().code != Errc::kVerifyFailed) {
      return Fail("release log: " + cp.error().ToString());
    }
    return NotVerified(
        "the release log's checkpoint does not verify or is not consistent with the one this "
        "machine saw (size " +
        std::to_string(state->checkpoint ? state->checkpoint->checkpoint.size : 0) +
        "): a fork or a rollback");
  }
  if (Status st = CheckFresh(trust, *cp, NowSeconds()); !st.ok()) {
    return NotVerified(st.error().message);
  }

  // 2. The newest logged release of this product and platform.
  if (Status st = Follow(log, *cp, trust, o, *state); !st.ok()) {
    return Fail("release log: " + st.error().ToString());
  }
  if (Status st = SaveState(o, *state); !st.ok()) return Fail(st.error().ToString());
  if (state->releases.empty()) {
    Print(o, "none", nullptr, *cp,
          "no release of " + o.target.product + " for " + o.target.platform + " with " +
              o.target.artifact + " in the release log (size " +
              std::to_string(cp->checkpoint.size) + ")");
    return 0;
  }
  const LoggedRelease newest = state->releases.back();
  for (const LoggedRelease& r : state->releases) {
    if (r.version == newest.version && r.sha256 != newest.sha256) {
      return NotVerified(o.target.product + " " + newest.version + " for " + o.target.platform +
                         " is logged twice with different contents (entries " +
                         std::to_string(r.index) + " and " + std::to_string(newest.index) +
                         "): not installing it");
    }
  }
  // Up to date, unless the installed file is gone (then the same release is installed again).
  if (state->installed && newest.index <= state->installed->index &&
      (o.install_path.empty() || FileExists(o.install_path))) {
    Print(o, "up-to-date", &*state->installed, *cp,
          "up to date: " + o.target.product + " " + state->installed->version + " (entry " +
              std::to_string(state->installed->index) + ") is the newest release for " +
              o.target.platform + " in the release log (size " +
              std::to_string(cp->checkpoint.size) + ")");
    return 0;
  }
  if (o.check_only) {
    Print(o, "available", &newest, *cp,
          "update available: " + o.target.product + " " + newest.version + " (entry " +
              std::to_string(newest.index) + ")");
    return 0;
  }

  // 3. Its proof in the newest checkpoint, verified as `release verify` would.
  auto entry = log.ProveEntry(newest.index, *cp);
  if (!entry.ok()) return Fail("release log: " + entry.error().ToString());
  const std::string proof =
      release::MakeReleaseProof(AsStringView(entry->entry), newest.index, entry->proof, cp->note);
  auto verified = release::VerifyReleaseProof(proof, trust.policy);
  if (!verified.ok()) return NotVerified(verified.error().message);

  // 4. The artifact from the first mirror that serves the logged bytes.
  std::vector<std::string> refused, failed;
  for (const std::string& mirror : o.mirrors) {
    auto base = net::ParseUrl(mirror);
    if (!base.ok()) {
      failed.push_back(mirror + ": " + base.error().message);
      continue;
    }
    net::HttpClient http;
    http.set_max_response_bytes(o.max_download_bytes);
    http.set_timeout(std::chrono::seconds(120));
    auto got = http.Get(base->Join(o.target.product + "/" + newest.version + "/" +
                                   o.target.platform + "/" + o.target.artifact));
    if (!got.ok() || got->status != 200) {
      failed.push_back(mirror + ": " +
                       (got.ok() ? "HTTP " + std::to_string(got->status) : got.error().ToString()));
      continue;
    }
    const std::string sha256 = HexEncode(crypto::Sha256(AsBytes(got->body)));
    if (sha256 != newest.sha256) {
      refused.push_back(mirror + " served " + Describe(sha256, newest, state->releases, o));
      continue;
    }
    for (const std::string& r : refused) {
      (void)std::fprintf(stderr, "candor: refused a mirror: %s\n", r.c_str());
    }
    // 5. Install, then the proof beside it, then record it: a crash in between installs the
    // same file again on the next run.
    if (Status st = WriteFileDurable(o.install_path, AsBytes(got->body), 0755); !st.ok()) {
      return Fail(st.error().ToString());
    }
    if (Status st = WriteFileDurable(o.install_path + ".tlog-proof", AsBytes(proof)); !st.ok()) {
      return Fail(st.error().ToString());
    }
    state->installed = newest;
    if (Status st = SaveState(o, *state); !st.ok()) return Fail(st.error().ToString());
    Print(o, "installed", &newest, *cp,
          "installed " + o.target.product + " " + newest.version + " for " + o.target.platform +
              " (entry " + std::to_string(newest.index) + " of the release log, cosigned by " +
              std::to_string(cp->cosigners.size()) + " witnesses) from " + mirror + " as " +
              o.install_path + "; its proof: " + o.install_path + ".tlog-proof");
    return 0;
  }
  std::string why;
  for (const std::string& r : refused.empty() ? failed : refused) {
    why += (why.empty() ? "" : "; ") + r;
  }
  if (!refused.empty()) {
    return NotVerified("no mirror served the logged " + o.target.artifact + " of " +
                       o.target.product + " " + newest.version + ": " + why);
  }
  return Fail("no mirror could be read: " + why);
}

}  // namespace candor::cli
