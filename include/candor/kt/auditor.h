// auditor.h: the KEYTRANS Third-Party Auditor (draft-ietf-keytrans-protocol §"Third Parties" /
// §"Auditing"). The auditor follows the log one entry at a time: it checks each AuditorUpdate
// against its own view (the previous entry's timestamp and prefix root, and the full subtrees of
// the log tree), computes the new prefix root from the update's proof plus the added leaves,
// appends the log entry and signs an AuditorTreeHead (§"Auditor Tree Head Signature") over the
// log root it computed itself.
//
// Refusals: every refused update is kVerifyFailed with a message naming the draft's step
// ("auditor step 3: ..."). Unlike a user-facing verifier, the auditor tells the Service Operator
// which check failed: the operator is the only party that sees it and needs it to find its bug.
// Removal (pruning) is not implemented: step 5 needs the distinguished log entries, which this
// auditor does not track, so an update with a non-empty `removed` is refused at step 5 (after
// steps 1-4 have checked it).
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/kt/messages.h"
#include "candor/kt/proofs.h"
#include "candor/kt/tree_head.h"

namespace candor::kt {

// EmptyPrefixRoot returns the root value of the empty prefix tree, SHA-256(0x03 || 0^32 || 0^32)
// (decision 2 of the KT context).
HashValue EmptyPrefixRoot();

// AuditorState is the auditor's persistent view of the log after `tree_size` entries:
//   struct { uint64 tree_size; uint64 timestamp; HashValue prefix_root;
//            HashValue full_subtrees<0..2^8-1>; } AuditorState;
// `timestamp` and `prefix_root` are those of entry tree_size - 1 (0 and EmptyPrefixRoot() when
// tree_size is 0); `full_subtrees` are the head values of FullSubtrees(tree_size), left to right.
// The format is ours (docs/formats/auditor_state.md).
struct AuditorState {
  uint64_t tree_size = 0;
  uint64_t timestamp = 0;
  HashValue prefix_root = EmptyPrefixRoot();
  std::vector<HashValue> full_subtrees;

  // Decode reads an AuditorState. Short input, or a full_subtrees count other than the number
  // of one bits of tree_size, is kMalformed naming the field.
  static Result<AuditorState> Decode(tls::Reader& r);
  // Encode writes the AuditorState (full_subtrees.size() <= 64, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const AuditorState&) const = default;
};

// Auditor is one Third-Party Auditor following one log. Process is a state transition: on
// failure the state is unchanged. Not thread-safe; movable, not copyable.
class Auditor {
 public:
  // Create starts an auditor at the beginning of the log (tree size 0). `config` must pass
  // ValidateConfiguration, be in thirdPartyAuditing mode with auditor_start_pos == 0, and `key`
  // must be the suite's signature scheme with public key config.auditor_public_key; otherwise
  // kInvalidArgument.
  static Result<Auditor> Create(Configuration config, crypto::SignaturePrivateKey key);

  // Restore resumes an auditor from a saved (or, at auditor_start_pos, an out-of-band trusted)
  // state. As Create, except that `state.tree_size` must be >= config.auditor_start_pos and
  // `state.full_subtrees` must have the length FullSubtrees(state.tree_size) has
  // (kInvalidArgument).
  static Result<Auditor> Restore(Configuration config, crypto::SignaturePrivateKey key,
                                 AuditorState state);

  // Process checks the AuditorUpdate of log entry `size()` (draft §"Auditing", steps 1-8), and
  // on success appends the entry and returns an AuditorTreeHead for the new size, signed over the
  // log root the auditor computed. kVerifyFailed naming the step on: a timestamp below the
  // previous entry's (1); `added` or `removed` not strictly ascending by vrf_output (2); a
  // results count other than added + removed, or an added key (not also removed) whose result is
  // not a non-inclusion (3); a removed key whose result is not inclusion (4); any removal (5, not
  // supported); a proof that is malformed or does not evaluate to the previous prefix root (6);
  // two keys sharing their first 255 bits (7). The state is unchanged on failure. Keeps no
  // reference to `update`.
  Result<AuditorTreeHead> Process(const AuditorUpdate& update);

  // size is the number of log entries processed (the log tree size).
  uint64_t size() const { return state_.tree_size; }
  // root returns the log tree root over size() entries (size() >= 1, CANDOR_CHECK).
  HashValue root() const;
  // prefix_root returns the prefix root of the newest entry (EmptyPrefixRoot() at size 0).
  const HashValue& prefix_root() const { return state_.prefix_root; }
  // state returns the persistent state (encode it to restart the auditor with Restore).
  const AuditorState& state() const { return state_; }
  const Configuration& config() const { return config_; }

 private:
  Auditor(Configuration config, crypto::SignaturePrivateKey key, AuditorState state);

  Configuration config_;
  crypto::SignaturePrivateKey key_;
  AuditorState state_;
};

}  // namespace candor::kt
