// update_value.h: what a prefix-tree leaf commits to (draft-ietf-keytrans-protocol §"Update
// Format", §"Commitment", §"Verifiable Random Function"): UpdateSuffix, UpdateValue, UpdateTBS,
// CommitmentValue and VrfInput, the commitment HMAC, the Service Operator's update signature in
// thirdPartyManagement mode, and the suite's VRF truncated to VRF.Nh = 32 bytes.
#pragma once

#include <array>
#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/crypto/vrf.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/proofs.h"
#include "candor/kt/tree_head.h"

namespace candor::kt {

// Opening is `opaque opening[Nc]` (Nc = 16 in every KT cipher suite).
using Opening = std::array<uint8_t, kOpeningSize>;

// UpdateSuffix is `struct { select (Configuration.mode) { case thirdPartyManagement:
// opaque signature<0..2^16-1>; }; }`. `signature` stays empty in the other modes.
struct UpdateSuffix {
  Bytes signature;

  // Decode reads an UpdateSuffix of a log deployed in `mode`.
  static Result<UpdateSuffix> Decode(tls::Reader& r, DeploymentMode mode);
  // Encode writes the UpdateSuffix as a log deployed in `mode` sends it.
  void Encode(tls::Writer& w, DeploymentMode mode) const;
  bool operator==(const UpdateSuffix&) const = default;
};

// UpdateValue is `struct { opaque value<0..2^32-1>; UpdateSuffix suffix; }`.
struct UpdateValue {
  Bytes value;
  UpdateSuffix suffix;

  // Decode reads an UpdateValue of a log deployed in `mode`; kMalformed names the field.
  static Result<UpdateValue> Decode(tls::Reader& r, DeploymentMode mode);
  // Encode writes the UpdateValue as a log deployed in `mode` sends it.
  void Encode(tls::Writer& w, DeploymentMode mode) const;
  bool operator==(const UpdateValue&) const = default;
};

// UpdateTBS is `struct { Configuration config; opaque label<0..2^8-1>; uint32 version;
// opaque value<0..2^32-1>; }`, what the Service Operator signs in thirdPartyManagement mode.
struct UpdateTBS {
  Configuration config;
  Bytes label;
  uint32_t version = 0;
  Bytes value;

  // Decode reads an UpdateTBS; kMalformed names the field on bad input.
  static Result<UpdateTBS> Decode(tls::Reader& r);
  // Encode writes the UpdateTBS (label at most 255 bytes, checked).
  void Encode(tls::Writer& w) const;
  bool operator==(const UpdateTBS&) const = default;
};

// CommitmentValue is `struct { opaque opening[Nc]; opaque label<0..2^8-1>; uint32 version;
// UpdateValue update; }`, the HMAC input of a commitment.
struct CommitmentValue {
  Opening opening{};
  Bytes label;
  uint32_t version = 0;
  UpdateValue update;

  // Decode reads a CommitmentValue of a log deployed in `mode`.
  static Result<CommitmentValue> Decode(tls::Reader& r, DeploymentMode mode);
  // Encode writes the CommitmentValue (label at most 255 bytes, checked).
  void Encode(tls::Writer& w, DeploymentMode mode) const;
  bool operator==(const CommitmentValue&) const = default;
};

// Commit returns commitment = HMAC-SHA256(Kc, CommitmentValue{opening, label, version, update})
// with `update` encoded for `mode`. Preconditions (checked, a violation is a programming error):
// opening is Nc = 16 bytes and label at most 255 bytes, as every decoded message guarantees.
HashValue Commit(ByteView opening, ByteView label, uint32_t version, const UpdateValue& update,
                 DeploymentMode mode);

// VrfInput returns the encoding of `struct { opaque label<0..2^8-1>; uint32 version; }`.
// `label` must be at most 255 bytes (checked).
Bytes VrfInput(ByteView label, uint32_t version);

// VrfResult is a VRF proof (VRF.Np bytes) and its output truncated to VRF.Nh = 32 bytes.
struct VrfResult {
  Bytes proof;
  Hash32 output{};
};

// VrfEvaluate proves VrfInput(label, version) under `key` and returns the proof and the first 32
// bytes of its output (the Ed25519 VRF's 64-byte output is truncated; P-256's is 32 bytes).
// Deterministic. `label` must be at most 255 bytes (checked).
VrfResult VrfEvaluate(const crypto::VrfPrivateKey& key, ByteView label, uint32_t version);

// VrfOutput returns the same output as VrfEvaluate without building the proof (about half the
// work): what the directory needs to place a new label version in the prefix tree.
Hash32 VrfOutput(const crypto::VrfPrivateKey& key, ByteView label, uint32_t version);

// VrfVerifyOutput verifies `proof` for VrfInput(label, version) under `vrf_public_key` with the
// suite's VRF and returns the truncated output. A label over 255 bytes is kInvalidArgument;
// every other failure (proof of the wrong size, bad key, invalid proof) is kVerifyFailed.
Result<Hash32> VrfVerifyOutput(const CipherSuiteParams& suite, ByteView vrf_public_key,
                               ByteView label, uint32_t version, ByteView proof);

// SignUpdate returns the Service Operator's signature over UpdateTBS{config, label, version,
// value} (the UpdateSuffix.signature of thirdPartyManagement mode) with the suite's signature
// algorithm. `key` must match the suite and `label` be at most 255 bytes (checked).
Bytes SignUpdate(const crypto::SignaturePrivateKey& key, const Configuration& config,
                 ByteView label, uint32_t version, ByteView value);

// VerifyUpdate checks `update.suffix.signature` over UpdateTBS{config, label, version,
// update.value} under config.leaf_public_key. Only meaningful in thirdPartyManagement mode (in
// any other mode it returns OK without checking: there is no suffix). Any failure, including a
// label over 255 bytes, is kVerifyFailed.
Status VerifyUpdate(const Configuration& config, ByteView label, uint32_t version,
                    const UpdateValue& update);

}  // namespace candor::kt
