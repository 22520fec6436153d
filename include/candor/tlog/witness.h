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

// WitnessResponse is an HTTP status, content type and body.
struct WitnessResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
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
  using Clock = std::function<uint64_t()>;  // POSIX seconds

  Witness(Cosigner cosigner, std::vector<TrustedLog> logs, std::unique_ptr<WitnessStore> store,
          Clock clock);

  // AddCheckpoint handles one request body and returns the spec's answer: 200 with the
  // cosignature line, 400 malformed, 403 no valid trusted signature, 404 unknown origin,
  // 409 (text/x.tlog.size) old size mismatch, 422 inconsistent, 503 storage failure.
  WitnessResponse AddCheckpoint(std::string_view body);

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
