// witness_client.h: the log side of C2SP tlog-witness: submits a checkpoint with a consistency
// proof to one witness, follows 409 answers to the witness's known size, and returns the
// cosignatures that verify under the witness's key.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "candor/base/result.h"
#include "candor/net/http_client.h"
#include "candor/tlog/log_writer.h"
#include "candor/tlog/note.h"

namespace candor::server {

struct WitnessEndpoint {
  net::Url url;                                   // submission prefix; add-checkpoint is appended
  std::shared_ptr<const tlog::NoteVerifier> key;  // cosignature/v1 key
};

// ParseWitnessSpec parses "URL=VKEY" (kInvalidArgument if either part is bad).
Result<WitnessEndpoint> ParseWitnessSpec(const std::string& spec);

class WitnessClient {
 public:
  // ProofSource builds a consistency proof old_size -> new_size of our log.
  using ProofSource = std::function<Result<std::vector<Hash32>>(uint64_t, uint64_t)>;

  WitnessClient(WitnessEndpoint endpoint, ProofSource proofs);

  // Submit asks the witness to cosign `cp` and returns its verified cosignature line(s).
  // kConflict if the witness knows a larger tree than `cp` (a fork or rollback on our side),
  // kUnavailable for transport errors, kVerifyFailed if the answer does not verify.
  Result<std::vector<tlog::NoteSignature>> Submit(const tlog::SignedCheckpoint& cp);

  const std::string& name() const { return endpoint_.key->name(); }

 private:
  WitnessEndpoint endpoint_;
  ProofSource proofs_;
  net::HttpClient http_;
  uint64_t known_size_ = 0;  // the witness's size as far as we know
};

}  // namespace candor::server
