#include "candor/kt/stored_proofs.h"

#include <algorithm>
#include <string>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/update_value.h"

namespace candor::kt {

std::vector<uint32_t> AbsentLadderVersions(uint32_t v) {
  std::vector<uint32_t> out = BaseBinaryLadder(v);
  std::erase_if(out, [v](uint32_t u) { return u <= v; });
  return out;
}

size_t StoredProofsSize(size_t proof_size, uint32_t v, bool greatest) {
  const size_t absent = greatest ? AbsentLadderVersions(v).size() : 0;
  return proof_size + absent * (proof_size + kVrfOutputSize);
}

MadeProofs MakeStoredProofs(const crypto::VrfPrivateKey& key, ByteView label, uint32_t v,
                            bool greatest) {
  MadeProofs out;
  VrfResult own = VrfEvaluate(key, label, v);
  out.vrf_output = own.output;
  out.vrf_proofs = std::move(own.proof);
  if (!greatest) return out;
  for (const uint32_t u : AbsentLadderVersions(v)) {
    const VrfResult absent = VrfEvaluate(key, label, u);
    out.vrf_proofs.insert(out.vrf_proofs.end(), absent.proof.begin(), absent.proof.end());
    out.vrf_proofs.insert(out.vrf_proofs.end(), absent.output.begin(), absent.output.end());
  }
  return out;
}

Status CheckStoredProofs(ByteView vrf_proofs, size_t proof_size, uint32_t v) {
  const size_t n = vrf_proofs.size();
  if (n == 0 || n == proof_size || n == StoredProofsSize(proof_size, v, true)) return OkStatus();
  return MakeError(Errc::kMalformed, "kt: the stored VRF proofs of version " + std::to_string(v) +
                                         " are " + std::to_string(n) + " bytes long");
}

std::optional<ByteView> OwnStoredProof(ByteView vrf_proofs, size_t proof_size) {
  if (vrf_proofs.size() < proof_size) return std::nullopt;
  return vrf_proofs.first(proof_size);
}

std::optional<std::pair<ByteView, Hash32>> StoredAbsentProof(ByteView vrf_proofs, size_t proof_size,
                                                             uint32_t v, uint32_t u) {
  if (u <= v || vrf_proofs.size() <= proof_size) return std::nullopt;
  const std::vector<uint32_t> absent = AbsentLadderVersions(v);
  const auto it = std::find(absent.begin(), absent.end(), u);
  if (it == absent.end()) return std::nullopt;
  const size_t stride = proof_size + kVrfOutputSize;
  const size_t at = proof_size + static_cast<size_t>(it - absent.begin()) * stride;
  CANDOR_CHECK(at + stride <= vrf_proofs.size());
  Hash32 output{};
  std::copy_n(vrf_proofs.begin() + static_cast<ptrdiff_t>(at + proof_size), kVrfOutputSize,
              output.begin());
  return std::make_pair(vrf_proofs.subspan(at, proof_size), output);
}

}  // namespace candor::kt
