// trust.h: a client's trust policy for one log (its key, trusted witnesses and a quorum) and
// the verification of a cosigned checkpoint against it (invariant I3: accept a head only if
// the log signed it and enough independent witnesses cosigned it).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/note.h"

namespace candor::tlog {

struct LogTrust {
  std::shared_ptr<const NoteVerifier> log_key;                 // its name is the log's origin
  std::vector<std::shared_ptr<const NoteVerifier>> witnesses;  // cosignature/v1 keys
  size_t quorum = 0;  // distinct witnesses whose cosignature must verify
};

// ParseLogTrust builds a LogTrust from vkey strings; a bad vkey is kMalformed, a log key that
// is not an Ed25519 note key (type 0x01) or a witness key that is not a cosignature key
// (type 0x04) is kInvalidArgument, as is a quorum larger than the number of witnesses.
Result<LogTrust> ParseLogTrust(std::string_view log_vkey,
                               const std::vector<std::string>& witness_vkeys, size_t quorum);

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::string note;                    // the note as received
  std::vector<std::string> cosigners;  // names of the witnesses whose cosignature verified
  // The latest time (cosignature/v1 timestamp, POSIX seconds) at which `quorum` distinct
  // witnesses had each cosigned this checkpoint: how fresh the view is. 0 with quorum 0.
  uint64_t quorum_cosigned_at = 0;
};

// VerifyCosignedCheckpoint opens `note` with the log key and the witness keys, and requires
// the log's signature, an origin equal to the log key's name, and at least `quorum` distinct
// witnesses. Any failure is kVerifyFailed (a syntax error is kMalformed).
Result<VerifiedCheckpoint> VerifyCosignedCheckpoint(std::string_view note, const LogTrust& trust);

}  // namespace candor::tlog
