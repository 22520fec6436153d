// ec_internal.h: NIST-curve helpers shared by HPKE's DHKEM and ECDSA. Private to src/crypto.
// Scalars are big-endian byte strings of the curve's scalar size; points are uncompressed SEC1.
#pragma once

#include <openssl/ec.h>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "ossl_internal.h"

namespace candor::crypto::internal {

// EcGroup returns the shared, immutable group object for curve `nid` (NID_X9_62_prime256v1,
// NID_secp384r1 or NID_secp521r1). Built once per process; safe to use from any thread.
const EC_GROUP* EcGroup(int nid);

// EcScalarSize returns the byte length of a scalar of `group` (32, 48 or 66).
size_t EcScalarSize(const EC_GROUP* group);

// EcPointSize returns the length of an uncompressed point of `group` (65, 97 or 133).
size_t EcPointSize(const EC_GROUP* group);

// EcScalarInRange reports 0 < sk < order for a big-endian `sk` of EcScalarSize bytes, without
// branching on the bytes of `sk`. Any other length is out of range.
bool EcScalarInRange(const EC_GROUP* group, ByteView sk);

// EcSecretScalar loads `sk` into a BIGNUM flagged constant-time, in secure memory.
OsslPtr<BIGNUM> EcSecretScalar(ByteView sk);

// EcPublicKey returns the uncompressed encoding of sk*G for an in-range `sk`.
Bytes EcPublicKey(const EC_GROUP* group, ByteView sk);

// EcDecodePoint parses an uncompressed SEC1 point that lies on the curve and is not the
// identity; anything else is kMalformed naming `what`.
Result<OsslPtr<EC_POINT>> EcDecodePoint(const EC_GROUP* group, ByteView pk, const char* what);

}  // namespace candor::crypto::internal
