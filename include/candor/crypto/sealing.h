// sealing.h: secrets at rest (libsodium). A key derived from a passphrase with Argon2id, and
// XChaCha20-Poly1305 with a random 24-byte nonce for sealing many small values under one key.
#pragma once

#include <cstdint>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

inline constexpr size_t kSealKeySize = 32;
inline constexpr size_t kSealSaltSize = 16;

// PassphraseCost is Argon2id's work: libsodium's "interactive" limits by default (64 MiB, 2
// passes), enough to make every guess cost tens of milliseconds.
struct PassphraseCost {
  uint64_t ops = 2;
  uint64_t mem_bytes = uint64_t{64} << 20;
};

// KeyFromPassphrase derives a kSealKeySize key from `passphrase` and a kSealSaltSize `salt`
// with Argon2id13. kInvalidArgument for a wrong salt size or costs outside libsodium's
// bounds; kUnavailable if the memory cannot be had.
Result<SecretBytes> KeyFromPassphrase(std::string_view passphrase, ByteView salt,
                                      PassphraseCost cost = {});

// Seal encrypts `plaintext` under a kSealKeySize `key` with a fresh random nonce, bound to
// `aad`; returns nonce || ciphertext || tag.
Result<Bytes> Seal(ByteView key, ByteView aad, ByteView plaintext);

// Unseal opens what Seal returned. Every failure (wrong key, changed bytes or aad, short input)
// is kVerifyFailed, and no plaintext is released.
Result<SecretBytes> Unseal(ByteView key, ByteView aad, ByteView sealed);

}  // namespace candor::crypto
