// log_client.h: a verifying client of a C2SP tiled log served over HTTP. Every answer is checked
// before use: checkpoints against the log key and the witness quorum, entries and proofs
// against the verified root. The server is never trusted.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/tlog/trust.h"

namespace candor::client {

// InclusionResult is a verified inclusion of one entry.
struct InclusionResult {
  uint64_t index = 0;
  Bytes entry;
  Hash32 leaf_hash{};
  std::vector<Hash32> proof;
  tlog::VerifiedCheckpoint checkpoint;
};

class LogClient {
 public:
  // `base` is the log prefix (e.g. http://127.0.0.1:8080/logs/main/).
  LogClient(net::Url base, tlog::LogTrust trust)
      : base_(std::move(base)), trust_(std::move(trust)) {}

  // FetchCheckpoint downloads and verifies the checkpoint (kVerifyFailed if it does not meet
  // the trust policy). If `previous` is given, the new checkpoint must be consistent with it
  // (kVerifyFailed otherwise): a client accepts only heads consistent with what it saw before.
  Result<tlog::VerifiedCheckpoint> FetchCheckpoint(
      const std::optional<tlog::VerifiedCheckpoint>& previous = std::nullopt);

  // ProveEntry fetches entry `index` and the tiles it needs, computes its inclusion proof in
  // the tree of `cp`, and verifies it against cp's root. kInvalidArgument if index >= size,
  // kVerifyFailed if the server's data does not match the root.
  Result<InclusionResult> ProveEntry(uint64_t index, const tlog::VerifiedCheckpoint& cp);

  // AppendBundle appends `entries` in one append-bundle request authorized by the bearer
  // `token` (docs/formats/http-api.md) and returns the index of the first; the log answers once
  // they are durable. The server's refusal comes back as its Error.
  Result<uint64_t> AppendBundle(std::span<const Bytes> entries, const SecretBytes& token);
  // Fetch returns the bytes of a resource under the log prefix (404 is kNotFound).
  Result<Bytes> Fetch(const std::string& path);

 private:
  net::Url base_;
  tlog::LogTrust trust_;
  net::HttpClient http_;
};

}  // namespace candor::client
