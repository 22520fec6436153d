// release_state.h: the durable state files of `candor release monitor` and `candor update`
// (docs/formats/release.md §4 and §5), JSON, parsed strictly: a state that does not parse is
// refused, never taken as empty (that would forget the checkpoint a fork is checked against).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/tlog/trust.h"

namespace candor::cli {

// MonitoredRelease is one release the monitor saw.
struct MonitoredRelease {
  uint64_t index = 0;
  std::string product, version, platform, commit;
  std::string manifest_sha256;  // lowercase hex of the SHA-256 of the manifest text
};

struct MonitorState {
  std::optional<tlog::VerifiedCheckpoint> checkpoint;
  std::vector<MonitoredRelease> releases;  // ascending index
  std::vector<std::string> alarms;
};

// ParseMonitorState reads a monitor's state; its checkpoint must verify under `trust`.
// kMalformed names what is wrong; kVerifyFailed for a checkpoint that does not verify.
Result<MonitorState> ParseMonitorState(std::string_view text, const tlog::LogTrust& trust);
// FormatMonitorState renders a state (ParseMonitorState reads it back).
std::string FormatMonitorState(const MonitorState& state);

// UpdaterTarget is what one updater installs.
struct UpdaterTarget {
  std::string product, platform, artifact;
};

// LoggedRelease is one logged release of the target that holds its artifact.
struct LoggedRelease {
  uint64_t index = 0;
  std::string version;
  std::string sha256;  // of the artifact, lowercase hex
};

struct UpdaterState {
  std::optional<tlog::VerifiedCheckpoint> checkpoint;
  std::vector<LoggedRelease> releases;  // ascending index
  std::optional<LoggedRelease> installed;
};

// ParseUpdaterState reads an updater's state. kMalformed names what is wrong; kInvalidArgument
// if it is the state of another target; kVerifyFailed for a checkpoint that does not verify.
Result<UpdaterState> ParseUpdaterState(std::string_view text, const UpdaterTarget& target,
                                       const tlog::LogTrust& trust);
// FormatUpdaterState renders a state (ParseUpdaterState reads it back).
std::string FormatUpdaterState(const UpdaterTarget& target, const UpdaterState& state);

}  // namespace candor::cli
