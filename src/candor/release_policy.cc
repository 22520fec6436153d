#include "release_policy.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "candor/base/clock.h"
#include "candor/base/file.h"
#include "commands.h"

namespace candor::cli {

using nlohmann::json;

Result<ReleaseTrust> ParseReleaseTrust(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  auto bad = [](const std::string& what) {
    return MakeError(Errc::kInvalidArgument, "release policy: " + what);
  };
  if (!j.is_object()) return bad("not a JSON object");
  for (const char* k : {"release_key", "log_url", "log_key", "witnesses", "quorum"}) {
    if (!j.contains(k)) return bad(std::string("missing \"") + k + "\"");
  }
  for (const auto& [k, v] : j.items()) {
    if (k != "release_key" && k != "log_url" && k != "log_key" && k != "witnesses" &&
        k != "quorum" && k != "max_checkpoint_age_seconds") {
      return bad("unknown key \"" + k + "\"");
    }
  }
  if (j.contains("max_checkpoint_age_seconds") &&
      !j["max_checkpoint_age_seconds"].is_number_unsigned()) {
    return bad("max_checkpoint_age_seconds must be a whole number of seconds");
  }
  if (!j["release_key"].is_string() || !j["log_url"].is_string() || !j["log_key"].is_string() ||
      !j["witnesses"].is_array() || !j["quorum"].is_number_unsigned()) {
    return bad("a field has the wrong type");
  }
  std::vector<std::string> witnesses;
  for (const json& w : j["witnesses"]) {
    if (!w.is_string()) return bad("witnesses must be vkey strings");
    witnesses.push_back(w.get<std::string>());
  }
  ReleaseTrust t;
  CANDOR_ASSIGN_OR_RETURN(t.policy.log, tlog::ParseLogTrust(j["log_key"].get<std::string>(),
                                                            witnesses, j["quorum"].get<size_t>()));
  CANDOR_ASSIGN_OR_RETURN(auto key, tlog::ParseVerifierKey(j["release_key"].get<std::string>()));
  t.policy.release_key = std::move(key);
  CANDOR_ASSIGN_OR_RETURN(t.log_url, net::ParseUrl(j["log_url"].get<std::string>()));
  t.max_checkpoint_age =
      std::chrono::seconds(j.value("max_checkpoint_age_seconds", static_cast<uint64_t>(0)));
  return t;
}

Result<ReleaseTrust> LoadReleaseTrust(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 1 << 20));
  auto trust = ParseReleaseTrust(AsStringView(raw));
  if (!trust.ok()) return MakeError(trust.error().code, path + ": " + trust.error().message);
  return trust;
}

Status CheckFresh(const ReleaseTrust& trust, const tlog::VerifiedCheckpoint& cp,
                  uint64_t now_seconds) {
  const auto max_age = static_cast<uint64_t>(trust.max_checkpoint_age.count());
  if (max_age == 0 || now_seconds <= cp.quorum_cosigned_at ||
      now_seconds - cp.quorum_cosigned_at <= max_age) {
    return OkStatus();
  }
  return MakeError(Errc::kVerifyFailed,
                   "the release log's newest checkpoint was last cosigned by the witness quorum " +
                       std::to_string(now_seconds - cp.quorum_cosigned_at) +
                       " s ago, more than the policy's " + std::to_string(max_age) +
                       " s: a view frozen for this machine could hide a newer release");
}

uint64_t NowSeconds() { return SystemClock()() / 1000; }

int NotVerified(const std::string& why) {
  (void)std::fprintf(stderr, "candor: refused: %s\n", why.c_str());
  return kExitNotVerified;
}

}  // namespace candor::cli
