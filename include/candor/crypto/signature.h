// signature.h: digital signatures by TLS 1.3 SignatureScheme (the values MLS uses, RFC 9420
// §5.1.2): Ed25519 and Ed448 (RFC 8032), ECDSA over P-256/SHA-256, P-384/SHA-384 and
// P-521/SHA-512 (FIPS 186-4, DER-encoded Ecdsa-Sig-Value).
//
// Key formats: Ed25519/Ed448 private keys are the RFC 8032 seed and public keys are raw; ECDSA
// private keys are big-endian scalars of the curve's size and public keys are uncompressed SEC1
// points.
#pragma once

#include <cstdint>
#include <memory>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

// SignatureScheme is the TLS 1.3 (RFC 8446 §4.2.3) code point.
enum class SignatureScheme : uint16_t {
  kEcdsaSecp256r1Sha256 = 0x0403,
  kEcdsaSecp384r1Sha384 = 0x0503,
  kEcdsaSecp521r1Sha512 = 0x0603,
  kEd25519 = 0x0807,
  kEd448 = 0x0808,
};

// SignaturePrivateKey is a signing key. Move-only; the secret is zeroized on destruction. Safe to
// use from several threads at once (Sign is const and keeps no shared mutable state).
class SignaturePrivateKey {
 public:
  // Generate makes a fresh key from the system CSPRNG.
  static SignaturePrivateKey Generate(SignatureScheme scheme);
  // FromBytes loads a private key in the format above. Wrong length or out-of-range scalar is
  // kMalformed.
  static Result<SignaturePrivateKey> FromBytes(SignatureScheme scheme, ByteView private_key);

  SignaturePrivateKey(SignaturePrivateKey&&) noexcept;
  SignaturePrivateKey& operator=(SignaturePrivateKey&&) noexcept;
  ~SignaturePrivateKey();

  SignatureScheme scheme() const { return scheme_; }
  const Bytes& public_key() const { return public_key_; }
  // private_key returns the key in the format FromBytes takes (for storing it).
  ByteView private_key() const { return private_key_.view(); }
  // Sign signs `message` (Ed25519/Ed448 deterministic; ECDSA randomized, DER-encoded).
  Bytes Sign(ByteView message) const;

 private:
  struct Impl;  // backend key object, kept parsed for speed
  SignaturePrivateKey(SignatureScheme scheme, SecretBytes private_key, Bytes public_key,
                      std::unique_ptr<Impl> impl);
  SignatureScheme scheme_;
  SecretBytes private_key_;
  Bytes public_key_;
  std::unique_ptr<Impl> impl_;
};

// SignatureVerify checks `signature` on `message` under `public_key`. Every failure (bad key
// encoding, bad signature encoding, wrong signature) is kVerifyFailed.
Status SignatureVerify(SignatureScheme scheme, ByteView public_key, ByteView message,
                       ByteView signature);

// EcdsaSignatureToRaw converts a DER Ecdsa-Sig-Value into the fixed r||s form (each integer
// big-endian, padded to the curve's scalar size: 32, 48 or 66 bytes), as KEYTRANS and JOSE
// encode ECDSA signatures. Only strict DER without trailing bytes is accepted; anything else, or
// an integer that does not fit the scalar size, is kMalformed. A non-ECDSA scheme is
// kInvalidArgument.
Result<Bytes> EcdsaSignatureToRaw(SignatureScheme scheme, ByteView der);

// EcdsaSignatureFromRaw converts r||s (exactly twice the scalar size) into the DER form that
// SignatureVerify takes. A wrong length is kMalformed; a non-ECDSA scheme is kInvalidArgument.
Result<Bytes> EcdsaSignatureFromRaw(SignatureScheme scheme, ByteView raw);

}  // namespace candor::crypto
