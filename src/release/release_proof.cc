#include "candor/release/release_proof.h"

#include <algorithm>

#include "candor/base/encoding.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/merkle.h"

namespace candor::release {
namespace {

constexpr size_t kMaxInclusion = 63;

Error Malformed(const std::string& why) {
  return MakeError(Errc::kMalformed, "tlog-proof: " + why);
}

Error Refused(const std::string& why) { return MakeError(Errc::kVerifyFailed, why); }

// NextLine returns the line at `*at` (without its newline) and moves past it; nullopt when the
// text ends without a newline.
std::optional<std::string_view> NextLine(std::string_view text, size_t* at) {
  const size_t end = text.find('\n', *at);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(*at, end - *at);
  *at = end + 1;
  return line;
}

}  // namespace

Result<TlogProof> ParseTlogProof(std::string_view text) {
  size_t at = 0;
  auto line = NextLine(text, &at);
  if (!line || *line != kTlogProofHeader) return Malformed("the first line must be the header");
  TlogProof proof;
  line = NextLine(text, &at);
  if (line && line->substr(0, 6) == "extra ") {
    auto extra = Base64Decode(line->substr(6));
    if (!extra.ok()) return Malformed("the extra line is not base64");
    proof.extra = std::move(*extra);
    line = NextLine(text, &at);
  }
  if (!line || line->substr(0, 6) != "index ") return Malformed("expected \"index <n>\"");
  auto index = tlog::ParseDecimalU64(line->substr(6));
  if (!index.ok()) return Malformed("the index is not a canonical decimal");
  proof.index = *index;
  for (;;) {
    line = NextLine(text, &at);
    if (!line) return Malformed("no empty line before the checkpoint");
    if (line->empty()) break;
    auto hash = Base64Decode(*line);
    if (!hash.ok() || hash->size() != 32) return Malformed("a proof line is not a 32-byte hash");
    if (proof.inclusion.size() == kMaxInclusion) return Malformed("too many proof lines");
    Hash32 h;
    std::copy(hash->begin(), hash->end(), h.begin());
    proof.inclusion.push_back(h);
  }
  proof.checkpoint = std::string(text.substr(at));
  if (!tlog::ParseNote(proof.checkpoint).ok()) {
    return Malformed("the checkpoint is not a signed note");
  }
  return proof;
}

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out = std::string(kTlogProofHeader) + "\n";
  if (proof.extra) out += "extra " + Base64Encode(*proof.extra) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const Hash32& h : proof.inclusion) out += Base64Encode(h) + "\n";
  out += "\n";
  out += proof.checkpoint;
  return out;
}

std::string MakeReleaseProof(std::string_view signed_manifest, uint64_t index,
                             std::vector<Hash32> inclusion, std::string checkpoint_note) {
  TlogProof proof;
  proof.extra = Bytes(signed_manifest.begin(), signed_manifest.end());
  proof.index = index;
  proof.inclusion = std::move(inclusion);
  proof.checkpoint = std::move(checkpoint_note);
  return FormatTlogProof(proof);
}

Result<VerifiedRelease> VerifyReleaseProof(std::string_view proof_text,
                                           const ReleasePolicy& policy) {
  CANDOR_ASSIGN_OR_RETURN(TlogProof proof, ParseTlogProof(proof_text));
  if (!proof.extra) return Malformed("no signed manifest (extra line)");
  VerifiedRelease out;
  out.signed_manifest = std::string(AsStringView(*proof.extra));
  out.index = proof.index;
  // 1. The leaf: the signed manifest, signed by the release key.
  CANDOR_ASSIGN_OR_RETURN(out.manifest, OpenManifest(out.signed_manifest, *policy.release_key));
  // 2-3. The checkpoint: the log's signature and the witness quorum.
  auto checkpoint = tlog::VerifyCosignedCheckpoint(proof.checkpoint, policy.log);
  if (!checkpoint.ok()) {
    return Refused("the release log's checkpoint does not verify: " + checkpoint.error().message);
  }
  out.checkpoint = std::move(*checkpoint);
  // 4. Inclusion of the entry in that checkpoint's tree.
  const tlog::Checkpoint& cp = out.checkpoint.checkpoint;
  if (proof.index >= cp.size) {
    return Refused("the proof's index " + std::to_string(proof.index) +
                   " is outside the checkpoint's tree of " + std::to_string(cp.size) + " entries");
  }
  const Hash32 leaf = tlog::HashLeaf(AsBytes(out.signed_manifest));
  if (!tlog::VerifyInclusion(proof.index, cp.size, leaf, proof.inclusion, cp.root).ok()) {
    return Refused("the release manifest is not in the release log at index " +
                   std::to_string(proof.index));
  }
  return out;
}

Status CheckArtifact(const ReleaseManifest& manifest, std::string_view name, const Hash32& digest) {
  const Artifact* a = manifest.Find(name);
  if (a == nullptr) {
    return Refused("the release " + manifest.version + " for " + manifest.platform +
                   " has no artifact named " + std::string(name));
  }
  if (a->sha256 != digest) {
    return Refused("the SHA-256 of " + std::string(name) +
                   " is not the one the release log holds for " + manifest.version);
  }
  return OkStatus();
}

}  // namespace candor::release
