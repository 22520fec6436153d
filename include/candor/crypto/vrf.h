// vrf.h: verifiable random functions, ECVRF (RFC 9381): ECVRF-P256-SHA256-TAI and
// ECVRF-EDWARDS25519-SHA512-TAI. The construction is ours; point arithmetic comes from OpenSSL
// (P-256) and libsodium (edwards25519).
//
// Key formats: P-256 private keys are 32-byte big-endian scalars and public keys are compressed
// SEC1 points (33 bytes); Ed25519 private keys are RFC 8032 seeds and public keys are 32-byte
// encodings. Proofs are 81 bytes (P-256) and 80 bytes (Ed25519); outputs (beta) are 32 bytes
// (P-256) and 64 bytes (Ed25519).
#pragma once

#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

// VrfSuite is the RFC 9381 suite_string.
enum class VrfSuite : uint8_t {
  kEcvrfP256Sha256Tai = 0x01,
  kEcvrfEdwards25519Sha512Tai = 0x03,
};

// VrfProofSize returns ptLen + cLen + qLen of `suite` (81 or 80).
size_t VrfProofSize(VrfSuite suite);

// VrfPrivateKey is an ECVRF secret key. Move-only; zeroized on destruction.
class VrfPrivateKey {
 public:
  // Generate makes a fresh key from the system CSPRNG.
  static VrfPrivateKey Generate(VrfSuite suite);
  // FromBytes loads a private key in the format above; wrong length or an out-of-range scalar
  // is kMalformed.
  static Result<VrfPrivateKey> FromBytes(VrfSuite suite, ByteView private_key);

  VrfSuite suite() const { return suite_; }
  const Bytes& public_key() const { return public_key_; }
  ByteView private_key() const { return private_key_.view(); }

  // Prove returns pi = ECVRF_prove(SK, alpha) (RFC 9381 §5.1). Deterministic.
  Bytes Prove(ByteView alpha) const;
  // Evaluate returns beta = ECVRF_proof_to_hash(ECVRF_prove(SK, alpha)) without building the
  // proof (Gamma = x*H only: about half the work of Prove). Deterministic.
  Bytes Evaluate(ByteView alpha) const;

 private:
  VrfPrivateKey(VrfSuite suite, SecretBytes private_key, Bytes public_key)
      : suite_(suite), private_key_(std::move(private_key)), public_key_(std::move(public_key)) {}
  VrfSuite suite_;
  SecretBytes private_key_;
  Bytes public_key_;
};

// VrfVerify is ECVRF_verify(PK, alpha, pi) with full public key validation (RFC 9381 §5.3,
// validate_key = TRUE) and returns beta. Every failure, including a malformed key or proof, is
// kVerifyFailed.
Result<Bytes> VrfVerify(VrfSuite suite, ByteView public_key, ByteView alpha, ByteView proof);

// VrfProofToHash is ECVRF_proof_to_hash(pi) (RFC 9381 §5.2). Use only on a proof that
// VrfVerify accepted; a proof that does not decode is kVerifyFailed.
Result<Bytes> VrfProofToHash(VrfSuite suite, ByteView proof);

}  // namespace candor::crypto
