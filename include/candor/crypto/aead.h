// aead.h: authenticated encryption with associated data: AES-128-GCM, AES-256-GCM (NIST SP
// 800-38D) and ChaCha20-Poly1305 (RFC 8439). Ids are the HPKE AEAD ids (RFC 9180 §7.3).
#pragma once

#include <cstddef>
#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

// AeadId is the RFC 9180 §7.3 identifier. kExportOnly is valid only inside an HPKE suite.
enum class AeadId : uint16_t {
  kAes128Gcm = 0x0001,
  kAes256Gcm = 0x0002,
  kChaCha20Poly1305 = 0x0003,
  kExportOnly = 0xFFFF,
};

inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadNonceSize = 12;

// AeadKeySize returns Nk of `id` (16 or 32; 0 for kExportOnly).
size_t AeadKeySize(AeadId id);

// AeadSeal encrypts `plaintext` and returns ciphertext || 16-byte tag. Returns kInvalidArgument
// if `id` is kExportOnly or the key or nonce length is wrong.
Result<Bytes> AeadSeal(AeadId id, ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);

// AeadOpen checks the tag and returns the plaintext. Any failure (wrong key, nonce, aad, a
// modified or short ciphertext) is kVerifyFailed and releases no plaintext; a wrong key or nonce
// length is kInvalidArgument.
Result<SecretBytes> AeadOpen(AeadId id, ByteView key, ByteView nonce, ByteView aad,
                             ByteView ciphertext);

}  // namespace candor::crypto
