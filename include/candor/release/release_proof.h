// release_proof.h: the proof that travels with a release (docs/formats/release.md §2), in the
// C2SP tlog-proof@v1 format: the signed manifest in its `extra` line, the index of that entry
// in the release log, the inclusion proof, and a checkpoint the witnesses cosigned. It verifies
// offline against a policy: the release key, the log's key, the witnesses' keys and a quorum.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/release/manifest.h"
#include "candor/tlog/trust.h"

namespace candor::release {

inline constexpr char kTlogProofHeader[] = "c2sp.org/tlog-proof@v1";

// TlogProof is a parsed c2sp.org/tlog-proof@v1.
struct TlogProof {
  std::optional<Bytes> extra;     // opaque, unauthenticated
  uint64_t index = 0;             // of the entry in the log
  std::vector<Hash32> inclusion;  // leaf's sibling first, at most 63 hashes
  std::string checkpoint;         // the checkpoint note, verbatim (signatures included)
  bool operator==(const TlogProof&) const = default;
};

// ParseTlogProof reads a proof strictly: the header line; an optional `extra <base64>` line;
// `index <canonical decimal>`; zero or more lines of base64 32-byte hashes; an empty line; the
// checkpoint (the rest, which must parse as a signed note). kMalformed names what is wrong.
Result<TlogProof> ParseTlogProof(std::string_view text);
// FormatTlogProof renders a proof (the inverse of ParseTlogProof).
std::string FormatTlogProof(const TlogProof& proof);

// ReleasePolicy is what a verifier trusts: the release key and the release log's trust policy.
struct ReleasePolicy {
  std::shared_ptr<const tlog::NoteVerifier> release_key;
  tlog::LogTrust log;
};

// VerifiedRelease is a release whose proof verified.
struct VerifiedRelease {
  ReleaseManifest manifest;
  std::string signed_manifest;  // the log entry
  uint64_t index = 0;
  tlog::VerifiedCheckpoint checkpoint;
};

// VerifyReleaseProof checks a release proof offline: the manifest in `extra` is signed by the
// release key; the checkpoint is signed by the log and cosigned by the policy's quorum of
// witnesses; the inclusion proof binds the manifest entry at `index` to the checkpoint's root.
// kVerifyFailed (or kMalformed) with one sentence saying what did not hold.
Result<VerifiedRelease> VerifyReleaseProof(std::string_view proof_text,
                                           const ReleasePolicy& policy);

// MakeReleaseProof assembles the proof of the entry `signed_manifest` at `index` of a log whose
// cosigned checkpoint is `checkpoint_note`, with the inclusion proof `inclusion`.
std::string MakeReleaseProof(std::string_view signed_manifest, uint64_t index,
                             std::vector<Hash32> inclusion, std::string checkpoint_note);

// CheckArtifact finds `name` in the manifest and compares its SHA-256 with `digest` (the hash
// of the file the user holds). kVerifyFailed: no such artifact, or another hash.
Status CheckArtifact(const ReleaseManifest& manifest, std::string_view name, const Hash32& digest);

}  // namespace candor::release
