// release_update.h: `candor update` (docs/formats/release.md §5). The release log, not a mirror,
// says which release is the newest for this machine: the updater follows the log from its
// durable state (consistent checkpoints only, cosigned recently enough), takes the latest logged
// release of its product and platform, downloads the artifact from any mirror and installs it
// only if its SHA-256 is the logged one. It never installs a release logged before the one it
// installed last (a rollback), and it writes the artifact's release proof beside it.
#pragma once

#include <string>
#include <vector>

#include "release_policy.h"
#include "release_state.h"

namespace candor::cli {

struct UpdateOptions {
  std::string state_file;            // the updater's durable state (JSON)
  UpdaterTarget target;              // product, platform, the artifact's file name
  std::string install_path;          // where it goes; its proof goes to <path>.tlog-proof
  std::vector<std::string> mirrors;  // base URLs: <mirror>/<product>/<version>/<platform>/<name>
  bool check_only = false;           // say whether an update exists; download nothing
  bool as_json = false;
  size_t max_download_bytes = size_t{512} << 20;
};

// UpdateRelease runs one update. Returns 0 (installed, or nothing newer), kExitFailed (network,
// files, no mirror reachable) or kExitNotVerified (the log or every mirror showed something this
// machine refuses), saying why in one sentence.
int UpdateRelease(const ReleaseTrust& trust, const UpdateOptions& options);

}  // namespace candor::cli
