// release_monitor.h: `candor release monitor` (docs/formats/release.md §4). Anyone can follow a
// release log: every entry must be a manifest signed by the release key, a version is logged
// for one platform with one content only, and (with announced platforms) no release appears
// for a platform nobody announced. Its state (the last checkpoint, every release seen, every
// alarm) is one durable file; a log that is not consistent with that checkpoint is an alarm too.
#pragma once

#include <string>
#include <vector>

#include "release_policy.h"

namespace candor::cli {

struct MonitorOptions {
  std::string state_file;
  std::vector<std::string> platforms;  // announced platforms; empty: any
  bool as_json = false;
};

// MonitorReleases runs one monitoring round and prints the releases found (new ones marked) and
// every alarm ever raised. Returns 0, kExitFailed (network, files) or kExitNotVerified when an
// alarm is on record.
int MonitorReleases(const ReleaseTrust& trust, const MonitorOptions& options);

}  // namespace candor::cli
