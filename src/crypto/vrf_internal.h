// vrf_internal.h: the two ECVRF suites behind vrf.h (RFC 9381). vrf.cc dispatches on the suite;
// vrf_p256.cc implements ECVRF-P256-SHA256-TAI over OpenSSL and vrf_ed25519.cc implements
// ECVRF-EDWARDS25519-SHA512-TAI over libsodium. Callers have checked every length named below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto::vrf_internal {

// RFC 9381 §5.5: cLen is 16 for both suites.
inline constexpr size_t kCLen = 16;

// --- ECVRF-P256-SHA256-TAI (suite_string 0x01): ptLen 33, qLen 32, hLen 32. ---
inline constexpr size_t kP256ScalarLen = 32;
inline constexpr size_t kP256PointLen = 33;
inline constexpr size_t kP256ProofLen = kP256PointLen + kCLen + kP256ScalarLen;
inline constexpr size_t kP256BetaLen = 32;

// P256ScalarInRange reports whether the 32-byte big-endian `scalar` lies in [1, q-1]. Runs in
// time independent of the value; only the answer is revealed.
bool P256ScalarInRange(ByteView scalar);

// P256PublicKey returns point_to_string(x*B) for the 32-byte scalar `x` in [1, q-1].
Bytes P256PublicKey(ByteView x);

// P256Prove is ECVRF_prove (RFC 9381 §5.1) for the scalar `x` and its public key string `pk`.
Bytes P256Prove(ByteView x, ByteView pk, ByteView alpha);

// P256Evaluate is ECVRF_proof_to_hash(ECVRF_prove(x, alpha)) computed from Gamma = x*H alone.
Bytes P256Evaluate(ByteView x, ByteView pk, ByteView alpha);
// P256Verify is ECVRF_verify with validate_key = TRUE (§5.3); every failure is kVerifyFailed.
Result<Bytes> P256Verify(ByteView pk, ByteView alpha, ByteView proof);

// P256ProofToHash is ECVRF_proof_to_hash (§5.2); a proof that does not decode is kVerifyFailed.
Result<Bytes> P256ProofToHash(ByteView proof);

// --- ECVRF-EDWARDS25519-SHA512-TAI (suite_string 0x03): ptLen 32, qLen 32, hLen 64. ---
inline constexpr size_t kEd25519SeedLen = 32;
inline constexpr size_t kEd25519PointLen = 32;
inline constexpr size_t kEd25519ScalarLen = 32;
inline constexpr size_t kEd25519ProofLen = kEd25519PointLen + kCLen + kEd25519ScalarLen;
inline constexpr size_t kEd25519BetaLen = 64;

// Ed25519PublicKey returns the RFC 8032 public key of the 32-byte `seed`.
Bytes Ed25519PublicKey(ByteView seed);

// Ed25519Prove is ECVRF_prove (RFC 9381 §5.1) for `seed` and its public key string `pk`.
Bytes Ed25519Prove(ByteView seed, ByteView pk, ByteView alpha);

// Ed25519Evaluate is ECVRF_proof_to_hash(ECVRF_prove(seed, alpha)) from Gamma = x*H alone.
Bytes Ed25519Evaluate(ByteView seed, ByteView pk, ByteView alpha);
// Ed25519Verify is ECVRF_verify with validate_key = TRUE (§5.3); every failure is kVerifyFailed.
Result<Bytes> Ed25519Verify(ByteView pk, ByteView alpha, ByteView proof);

// Ed25519ProofToHash is ECVRF_proof_to_hash (§5.2); a proof that does not decode is
// kVerifyFailed.
Result<Bytes> Ed25519ProofToHash(ByteView proof);

}  // namespace candor::crypto::vrf_internal
