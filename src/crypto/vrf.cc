#include "candor/crypto/vrf.h"

#include <utility>

#include "candor/crypto/random.h"
#include "vrf_internal.h"

namespace candor::crypto {

namespace vi = vrf_internal;

namespace {

bool KnownSuite(VrfSuite suite) {
  return suite == VrfSuite::kEcvrfP256Sha256Tai || suite == VrfSuite::kEcvrfEdwards25519Sha512Tai;
}

}  // namespace

size_t VrfProofSize(VrfSuite suite) {
  switch (suite) {
    case VrfSuite::kEcvrfP256Sha256Tai:
      return vi::kP256ProofLen;
    case VrfSuite::kEcvrfEdwards25519Sha512Tai:
      return vi::kEd25519ProofLen;
  }
  return 0;
}

VrfPrivateKey VrfPrivateKey::Generate(VrfSuite suite) {
  CANDOR_CHECK(KnownSuite(suite));
  SecretBytes sk(suite == VrfSuite::kEcvrfP256Sha256Tai ? vi::kP256ScalarLen : vi::kEd25519SeedLen);
  // P-256: rejection sampling of a uniform scalar in [1, q-1]; a retry happens with probability
  // about 2^-32 and reveals nothing about the key that is kept.
  do {
    FillRandom(sk.data(), sk.size());
  } while (suite == VrfSuite::kEcvrfP256Sha256Tai && !vi::P256ScalarInRange(sk.view()));
  auto key = FromBytes(suite, sk.view());
  CANDOR_CHECK(key.ok());
  return std::move(key).value();
}

Result<VrfPrivateKey> VrfPrivateKey::FromBytes(VrfSuite suite, ByteView private_key) {
  switch (suite) {
    case VrfSuite::kEcvrfP256Sha256Tai: {
      if (private_key.size() != vi::kP256ScalarLen) {
        return MakeError(Errc::kMalformed, "VrfPrivateKey: P-256 scalar must be 32 bytes");
      }
      if (!vi::P256ScalarInRange(private_key)) {
        return MakeError(Errc::kMalformed, "VrfPrivateKey: P-256 scalar not in [1, q-1]");
      }
      Bytes pk = vi::P256PublicKey(private_key);
      return VrfPrivateKey(suite, SecretBytes(private_key), std::move(pk));
    }
    case VrfSuite::kEcvrfEdwards25519Sha512Tai: {
      if (private_key.size() != vi::kEd25519SeedLen) {
        return MakeError(Errc::kMalformed, "VrfPrivateKey: Ed25519 seed must be 32 bytes");
      }
      Bytes pk = vi::Ed25519PublicKey(private_key);
      return VrfPrivateKey(suite, SecretBytes(private_key), std::move(pk));
    }
  }
  return MakeError(Errc::kInvalidArgument, "VrfPrivateKey: unknown VRF suite");
}

Bytes VrfPrivateKey::Prove(ByteView alpha) const {
  if (suite_ == VrfSuite::kEcvrfP256Sha256Tai) {
    return vi::P256Prove(private_key_.view(), public_key_, alpha);
  }
  return vi::Ed25519Prove(private_key_.view(), public_key_, alpha);
}

Bytes VrfPrivateKey::Evaluate(ByteView alpha) const {
  if (suite_ == VrfSuite::kEcvrfP256Sha256Tai) {
    return vi::P256Evaluate(private_key_.view(), public_key_, alpha);
  }
  return vi::Ed25519Evaluate(private_key_.view(), public_key_, alpha);
}

Result<Bytes> VrfVerify(VrfSuite suite, ByteView public_key, ByteView alpha, ByteView proof) {
  switch (suite) {
    case VrfSuite::kEcvrfP256Sha256Tai:
      if (public_key.size() != vi::kP256PointLen || proof.size() != vi::kP256ProofLen) {
        return VerifyFailed();
      }
      return vi::P256Verify(public_key, alpha, proof);
    case VrfSuite::kEcvrfEdwards25519Sha512Tai:
      if (public_key.size() != vi::kEd25519PointLen || proof.size() != vi::kEd25519ProofLen) {
        return VerifyFailed();
      }
      return vi::Ed25519Verify(public_key, alpha, proof);
  }
  return MakeError(Errc::kInvalidArgument, "VrfVerify: unknown VRF suite");
}

Result<Bytes> VrfProofToHash(VrfSuite suite, ByteView proof) {
  switch (suite) {
    case VrfSuite::kEcvrfP256Sha256Tai:
      if (proof.size() != vi::kP256ProofLen) return VerifyFailed();
      return vi::P256ProofToHash(proof);
    case VrfSuite::kEcvrfEdwards25519Sha512Tai:
      if (proof.size() != vi::kEd25519ProofLen) return VerifyFailed();
      return vi::Ed25519ProofToHash(proof);
  }
  return MakeError(Errc::kInvalidArgument, "VrfProofToHash: unknown VRF suite");
}

}  // namespace candor::crypto
