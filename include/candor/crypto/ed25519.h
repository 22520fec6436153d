// ed25519.h: Ed25519 signatures (RFC 8032), backed by libsodium.
#pragma once

#include <array>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;
inline constexpr size_t kEd25519SeedSize = 32;

// Ed25519PrivateKey holds a 32-byte seed (RFC 8032 private key) and the expanded key. The secret
// lives in SecretBytes and is wiped when the key is destroyed. Move-only.
class Ed25519PrivateKey {
 public:
  // Generate creates a key from the system CSPRNG.
  static Ed25519PrivateKey Generate();
  // FromSeed derives the key from a 32-byte RFC 8032 seed; any other length is kInvalidArgument.
  static Result<Ed25519PrivateKey> FromSeed(ByteView seed);

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // seed returns the 32-byte seed (for storing the key).
  ByteView seed() const { return secret_.view().first(kEd25519SeedSize); }
  // Sign returns the deterministic RFC 8032 signature of `message`.
  Ed25519Signature Sign(ByteView message) const;

 private:
  Ed25519PrivateKey(SecretBytes secret, const Ed25519PublicKey& pub)
      : secret_(std::move(secret)), public_key_(pub) {}
  SecretBytes secret_;  // libsodium's 64-byte secret key: seed || public key
  Ed25519PublicKey public_key_;
};

// Ed25519Verify checks `signature` on `message` under `public_key`. Any failure, including a
// signature of the wrong length, is kVerifyFailed.
Status Ed25519Verify(ByteView public_key, ByteView message, ByteView signature);

}  // namespace candor::crypto
