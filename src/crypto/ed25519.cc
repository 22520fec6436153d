#include "candor/crypto/ed25519.h"

#include <sodium.h>

#include <cstring>

#include "candor/crypto/random.h"

namespace candor::crypto {

Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  SecretBytes seed(kEd25519SeedSize);
  FillRandom(seed.data(), seed.size());
  auto key = FromSeed(seed.view());
  CANDOR_CHECK(key.ok());
  return std::move(key).value();
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(ByteView seed) {
  if (seed.size() != kEd25519SeedSize) {
    return MakeError(Errc::kInvalidArgument, "Ed25519 seed must be 32 bytes");
  }
  CANDOR_CHECK(sodium_init() >= 0);
  SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  Ed25519PublicKey pub;
  crypto_sign_seed_keypair(pub.data(), secret.data(), seed.data());
  return Ed25519PrivateKey(std::move(secret), pub);
}

Ed25519Signature Ed25519PrivateKey::Sign(ByteView message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.view().data());
  return sig;
}

Status Ed25519Verify(ByteView public_key, ByteView message, ByteView signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return VerifyFailed();
  }
  CANDOR_CHECK(sodium_init() >= 0);
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  public_key.data()) != 0) {
    return VerifyFailed();
  }
  return OkStatus();
}

}  // namespace candor::crypto
