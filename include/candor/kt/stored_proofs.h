// stored_proofs.h: the VRF proofs a directory makes when it publishes a label version and keeps
// with it (StoredVersion::vrf_proofs), so that a search reads its binary ladder's proofs instead
// of proving each one (an ECVRF proof costs 0.2-0.3 ms; a search of a label with one version
// needs two: version 0 and the absent version 1).
//
// Layout of vrf_proofs, for version v of a label, proofs VRF.Np bytes each:
//   proof(v)                                          -- always, when anything is stored
//   then, if v was its label's greatest version when it was published, for each version u of
//   AbsentLadderVersions(v) in that order: proof(u) || output(u) (32 bytes)
// The outputs of the absent versions are their prefix-tree search keys (a search proves that
// they are not in the tree); the existing versions' outputs are StoredVersion::vrf_output.
// Empty means nothing is stored (a directory that proves on demand, or an older store).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/vrf.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// AbsentLadderVersions returns the versions of BaseBinaryLadder(v) greater than v, in ladder
// order: the versions a greatest-version search of a label whose greatest version is v proves
// absent.
std::vector<uint32_t> AbsentLadderVersions(uint32_t v);

// StoredProofsSize is the length of a full vrf_proofs of version `v` for a suite with
// `proof_size`-byte proofs: its own proof only (`greatest` false) or with its absent ladder.
size_t StoredProofsSize(size_t proof_size, uint32_t v, bool greatest);

// MadeProofs is what MakeStoredProofs returns: the version's VRF output and its vrf_proofs.
struct MadeProofs {
  Hash32 vrf_output{};
  Bytes vrf_proofs;
};

// MakeStoredProofs proves VrfInput(label, v) under `key` and, if `greatest`, every version of
// AbsentLadderVersions(v), and lays them out as above. `label` is at most 255 bytes (checked).
MadeProofs MakeStoredProofs(const crypto::VrfPrivateKey& key, ByteView label, uint32_t v,
                            bool greatest);

// CheckStoredProofs accepts a vrf_proofs of version `v` that is empty, its own proof only, or
// its own proof with the absent ladder; any other length is kMalformed. Contents are not
// checked (a client verifies every proof it is sent).
Status CheckStoredProofs(ByteView vrf_proofs, size_t proof_size, uint32_t v);

// OwnStoredProof returns the proof of the version itself, or nullopt if none is stored.
// `vrf_proofs` must have passed CheckStoredProofs.
std::optional<ByteView> OwnStoredProof(ByteView vrf_proofs, size_t proof_size);

// StoredAbsentProof returns the proof and output of absent version `u` stored with greatest
// version `v`, or nullopt if `u` is not in its absent ladder or the ladder is not stored.
// `vrf_proofs` must have passed CheckStoredProofs.
std::optional<std::pair<ByteView, Hash32>> StoredAbsentProof(ByteView vrf_proofs, size_t proof_size,
                                                             uint32_t v, uint32_t u);

}  // namespace candor::kt
