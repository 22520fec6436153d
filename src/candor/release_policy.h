// release_policy.h: the release policy file of the `candor release` commands
// (docs/formats/release.md §3) and their shared refusal.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/release/release_proof.h"

namespace candor::cli {

// ReleaseTrust is the policy file: the release key, the release log's URL, key, witnesses and
// quorum, and how old the quorum's cosignatures of the newest checkpoint may be.
struct ReleaseTrust {
  release::ReleasePolicy policy;
  net::Url log_url;
  std::chrono::seconds max_checkpoint_age{0};  // 0: no limit
};

// ParseReleaseTrust checks the JSON of a policy file; kInvalidArgument names what is wrong (a
// bad vkey is kMalformed, as ParseLogTrust and ParseVerifierKey say).
Result<ReleaseTrust> ParseReleaseTrust(std::string_view text);
// LoadReleaseTrust reads `path` and parses it, naming the file in an error.
Result<ReleaseTrust> LoadReleaseTrust(const std::string& path);

// CheckFresh refuses (kVerifyFailed, one sentence) a checkpoint whose quorum of cosignatures is
// older than trust.max_checkpoint_age at `now_seconds` (POSIX): a log frozen for this machine
// could hide a newer release.
Status CheckFresh(const ReleaseTrust& trust, const tlog::VerifiedCheckpoint& cp,
                  uint64_t now_seconds);

// NowSeconds is this machine's clock, in POSIX seconds.
uint64_t NowSeconds();

// NotVerified prints "candor: refused: <why>" and returns kExitNotVerified.
int NotVerified(const std::string& why);

}  // namespace candor::cli
