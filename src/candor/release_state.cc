#include "release_state.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace candor::cli {
namespace {

using nlohmann::json;

Error Malformed(const std::string& what) { return MakeError(Errc::kMalformed, what); }

bool IsHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// String reads j[key] as a string; kMalformed names `where` and the key.
Result<std::string> String(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return Malformed(where + ": \"" + key + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

Result<uint64_t> Index(const json& j, const std::string& where) {
  auto it = j.find("index");
  if (it == j.end() || !it->is_number_unsigned()) {
    return Malformed(where + ": \"index\" is missing or not a whole number");
  }
  return it->get<uint64_t>();
}

Status OnlyKeys(const json& j, std::initializer_list<std::string_view> keys,
                const std::string& where) {
  for (const auto& [k, v] : j.items()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string what = where;
      what += ": unknown key \"";
      what += k;
      what += '"';
      return Malformed(what);
    }
  }
  return OkStatus();
}

Result<std::optional<tlog::VerifiedCheckpoint>> Checkpoint(const json& j,
                                                           const tlog::LogTrust& trust) {
  CANDOR_ASSIGN_OR_RETURN(std::string note, String(j, "checkpoint", "state"));
  if (note.empty()) return std::optional<tlog::VerifiedCheckpoint>();
  CANDOR_ASSIGN_OR_RETURN(tlog::VerifiedCheckpoint cp, tlog::VerifyCosignedCheckpoint(note, trust));
  return std::optional<tlog::VerifiedCheckpoint>(std::move(cp));
}

Result<json> Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("state: not a JSON object");
  return j;
}

Result<LoggedRelease> ParseLoggedRelease(const json& j, const std::string& where) {
  if (!j.is_object()) return Malformed(where + ": not an object");
  CANDOR_TRY(OnlyKeys(j, {"index", "version", "sha256"}, where));
  LoggedRelease r;
  CANDOR_ASSIGN_OR_RETURN(r.index, Index(j, where));
  CANDOR_ASSIGN_OR_RETURN(r.version, String(j, "version", where));
  CANDOR_ASSIGN_OR_RETURN(r.sha256, String(j, "sha256", where));
  if (r.version.empty()) return Malformed(where + ": empty version");
  if (!IsHex64(r.sha256)) return Malformed(where + ": sha256 is not 64 lowercase hex digits");
  return r;
}

json ToJson(const LoggedRelease& r) {
  return {{"index", r.index}, {"version", r.version}, {"sha256", r.sha256}};
}

}  // namespace

Result<MonitorState> ParseMonitorState(std::string_view text, const tlog::LogTrust& trust) {
  CANDOR_ASSIGN_OR_RETURN(json j, Parse(text));
  CANDOR_TRY(OnlyKeys(j, {"checkpoint", "releases", "alarms"}, "state"));
  MonitorState s;
  CANDOR_ASSIGN_OR_RETURN(s.checkpoint, Checkpoint(j, trust));
  if (!j.contains("releases") || !j["releases"].is_array() || !j.contains("alarms") ||
      !j["alarms"].is_array()) {
    return Malformed(R"(state: "releases" and "alarms" must be arrays)");
  }
  for (const json& r : j["releases"]) {
    const std::string where = "state: release " + std::to_string(s.releases.size());
    if (!r.is_object()) return Malformed(where + ": not an object");
    CANDOR_TRY(OnlyKeys(r, {"index", "product", "version", "platform", "commit", "manifest_sha256"},
                        where));
    MonitoredRelease m;
    CANDOR_ASSIGN_OR_RETURN(m.index, Index(r, where));
    CANDOR_ASSIGN_OR_RETURN(m.product, String(r, "product", where));
    CANDOR_ASSIGN_OR_RETURN(m.version, String(r, "version", where));
    CANDOR_ASSIGN_OR_RETURN(m.platform, String(r, "platform", where));
    CANDOR_ASSIGN_OR_RETURN(m.commit, String(r, "commit", where));
    CANDOR_ASSIGN_OR_RETURN(m.manifest_sha256, String(r, "manifest_sha256", where));
    if (!IsHex64(m.manifest_sha256)) return Malformed(where + ": manifest_sha256 is not hex");
    if (!s.releases.empty() && m.index <= s.releases.back().index) {
      return Malformed(where + ": releases out of order");
    }
    s.releases.push_back(std::move(m));
  }
  for (const json& a : j["alarms"]) {
    if (!a.is_string()) return Malformed("state: an alarm is not a string");
    s.alarms.push_back(a.get<std::string>());
  }
  const uint64_t size = s.checkpoint ? s.checkpoint->checkpoint.size : 0;
  if (!s.releases.empty() && s.releases.back().index >= size) {
    return Malformed("state: a release past the recorded checkpoint");
  }
  return s;
}

std::string FormatMonitorState(const MonitorState& s) {
  json releases = json::array();
  for (const MonitoredRelease& m : s.releases) {
    releases.push_back({{"index", m.index},
                        {"product", m.product},
                        {"version", m.version},
                        {"platform", m.platform},
                        {"commit", m.commit},
                        {"manifest_sha256", m.manifest_sha256}});
  }
  const json j = {{"checkpoint", s.checkpoint ? s.checkpoint->note : ""},
                  {"releases", releases},
                  {"alarms", s.alarms}};
  return j.dump(2) + "\n";
}

Result<UpdaterState> ParseUpdaterState(std::string_view text, const UpdaterTarget& target,
                                       const tlog::LogTrust& trust) {
  CANDOR_ASSIGN_OR_RETURN(json j, Parse(text));
  CANDOR_TRY(OnlyKeys(j, {"product", "platform", "artifact", "checkpoint", "releases", "installed"},
                      "state"));
  CANDOR_ASSIGN_OR_RETURN(std::string product, String(j, "product", "state"));
  CANDOR_ASSIGN_OR_RETURN(std::string platform, String(j, "platform", "state"));
  CANDOR_ASSIGN_OR_RETURN(std::string artifact, String(j, "artifact", "state"));
  if (product != target.product || platform != target.platform || artifact != target.artifact) {
    return MakeError(Errc::kInvalidArgument, "it is the state of an updater of " + product + " " +
                                                 artifact + " for " + platform);
  }
  UpdaterState s;
  CANDOR_ASSIGN_OR_RETURN(s.checkpoint, Checkpoint(j, trust));
  if (!j.contains("releases") || !j["releases"].is_array() || !j.contains("installed")) {
    return Malformed(R"(state: "releases" (an array) or "installed" is missing)");
  }
  for (const json& r : j["releases"]) {
    CANDOR_ASSIGN_OR_RETURN(
        LoggedRelease release,
        ParseLoggedRelease(r, "state: release " + std::to_string(s.releases.size())));
    if (!s.releases.empty() && release.index <= s.releases.back().index) {
      return Malformed("state: releases out of order");
    }
    s.releases.push_back(std::move(release));
  }
  const uint64_t size = s.checkpoint ? s.checkpoint->checkpoint.size : 0;
  if (!s.releases.empty() && s.releases.back().index >= size) {
    return Malformed("state: a release past the recorded checkpoint");
  }
  if (!j["installed"].is_null()) {
    CANDOR_ASSIGN_OR_RETURN(s.installed, ParseLoggedRelease(j["installed"], "state: installed"));
    if (std::find_if(s.releases.begin(), s.releases.end(), [&](const LoggedRelease& r) {
          return r.index == s.installed->index && r.sha256 == s.installed->sha256;
        }) == s.releases.end()) {
      return Malformed("state: the installed release is not one of the recorded releases");
    }
  }
  return s;
}

std::string FormatUpdaterState(const UpdaterTarget& target, const UpdaterState& s) {
  json releases = json::array();
  for (const LoggedRelease& r : s.releases) releases.push_back(ToJson(r));
  const json j = {{"product", target.product},
                  {"platform", target.platform},
                  {"artifact", target.artifact},
                  {"checkpoint", s.checkpoint ? s.checkpoint->note : ""},
                  {"releases", releases},
                  {"installed", s.installed ? ToJson(*s.installed) : json(nullptr)}};
  return j.dump(2) + "\n";
}

}  // namespace candor::cli
