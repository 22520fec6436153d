// witness.h: the logic of a C2SP tlog-witness (add-checkpoint and the monitoring checkpoint),
// independent of HTTP. A witness cosigns a checkpoint only if it is consistent with the last
// checkpoint it cosigned for that log, so it never cosigns two roots for one size.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/result.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/note.h"

namespace candor::tlog {

inline constexpr size_t kMaxConsistencyProofLines = 63;

// AddCheckpointRequest is the body of `POST <prefix>/add-checkpoint`.
struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash32> proof;
  std::string checkpoint;  // the signed checkpoint note

  // Format renders "old <n>\n", one base64 proof line each, a blank line, the checkpoint.
  std::string Format() const;
};

// ParseAddCheckpointRequest parses a request body strictly (canonical decimal, at most 63
// proof lines of base64 32-byte hashes, blank line); kMalformed otherwise.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);

// WitnessVerdict is the witness's decision on one add-checkpoint request; the HTTP layer maps it
// to the status codes of C2SP tlog-witness.
enum class WitnessVerdict : uint8_t {
  kCosigned,         // `cosignature` holds the cosignature line
  kMalformed,        // the request or the checkpoint does not parse, or old size > size
  kUnknownLog,       // the witness does not follow the checkpoint's origin
  kBadSignature,     // the checkpoint is not signed by the log's key
  kOldSizeMismatch,  // the old size is not the witness's; `known_size` is
  kInconsistent,     // the proof does not verify, or a size-0 checkpoint has a root
  kStorageFailed,    // the witness could not read or persist its state
};

// AddCheckpointOutcome is a verdict with what goes with it.
struct AddCheckpointOutcome {
  WitnessVerdict verdict = WitnessVerdict::kMalformed;
  std::string cosignature;  // kCosigned: the cosignature line, newline-terminated
  uint64_t known_size = 0;  // kOldSizeMismatch: the size of the witness's latest checkpoint
  std::string detail;       // otherwise: why, in one sentence
};

// WitnessStore keeps, per origin, the latest cosigned checkpoint note durably.
class WitnessStore {
 public:
  virtual ~WitnessStore() = default;
  // Load returns the stored note for `origin`, or nullopt if none.
  virtual Result<std::optional<std::string>> Load(const std::string& origin) = 0;
  // Store replaces the note for `origin`; it is durable when this returns OK.
  virtual Status Store(const std::string& origin, const std::string& note) = 0;
};

// FileWitnessStore keeps `<dir>/<hex sha256(origin)>/checkpoint` files (atomic, fsynced).
class FileWitnessStore : public WitnessStore {
 public:
  explicit FileWitnessStore(std::string dir) : dir_(std::move(dir)) {}
  Result<std::optional<std::string>> Load(const std::string& origin) override;
  Status Store(const std::string& origin, const std::string& note) override;

 private:
  std::string dir_;
};

// MemoryWitnessStore keeps the notes in memory (tests, fuzzing; not durable).
class MemoryWitnessStore : public WitnessStore {
 public:
  Result<std::optional<std::string>> Load(const std::string& origin) override;
  Status Store(const std::string& origin, const std::string& note) override;

 private:
  std::map<std::string, std::string> notes_;
};

// TrustedLog is a log the witness follows: its origin and the verifier of its key.
struct TrustedLog {
  std::string origin;
  std::shared_ptr<const NoteVerifier> key;
};

// Witness implements add-checkpoint. Thread-safe: the check against the stored size and the
// store of the new checkpoint happen under one lock.
class Witness {
 public:
  using Clock = candor::Clock;  // the injected wall clock (ms since the Unix epoch)

  Witness(Cosigner cosigner, std::vector<TrustedLog> logs, std::unique_ptr<WitnessStore> store,
          Clock clock);

  // AddCheckpoint decides on one request body (C2SP tlog-witness add-checkpoint). It cosigns
  // only a checkpoint whose old size is the stored size and whose proof leads from the stored
  // root to the new one, and persists the new checkpoint before returning kCosigned.
  AddCheckpointOutcome AddCheckpoint(std::string_view body);

  // LatestCheckpoint returns the stored cosigned note for the origin whose lowercase hex
  // SHA-256 is `origin_hash` (kNotFound if none).
  Result<std::string> LatestCheckpoint(std::string_view origin_hash);

  const Cosigner& cosigner() const { return cosigner_; }

 private:
  const Cosigner cosigner_;
  std::map<std::string, TrustedLog> logs_;  // by origin
  std::unique_ptr<WitnessStore> store_;
  Clock clock_;
  std::mutex mu_;
};

}  // namespace candor::tlog
