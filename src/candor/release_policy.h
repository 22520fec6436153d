// release_policy.h: the release policy file of the `candor release` commands
// (docs/formats/release.md §3) and their shared refusal.
#pragma once

#include <string>
#include <string_view>

#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/release/release_proof.h"

namespace candor::cli {

// ReleaseTrust is the policy file: the release key, the release log's URL, key, witnesses and
// quorum.
struct ReleaseTrust {
  release::ReleasePolicy policy;
  net::Url log_url;
};

// ParseReleaseTrust checks the JSON of a policy file; kInvalidArgument names what is wrong (a
// bad vkey is kMalformed, as ParseLogTrust and ParseVerifierKey say).
Result<ReleaseTrust> ParseReleaseTrust(std::string_view text);
// LoadReleaseTrust reads `path` and parses it, naming the file in an error.
Result<ReleaseTrust> LoadReleaseTrust(const std::string& path);

// NotVerified prints "candor: refused: <why>" and returns kExitNotVerified.
int NotVerified(const std::string& why);

}  // namespace candor::cli
