// hash.h: SHA-2 hashing, HMAC and HKDF (RFC 5869) over SHA-256, SHA-384 and SHA-512.
// Backed by OpenSSL 3.0. Pure functions, thread-safe, keep no reference to their arguments.
#pragma once

#include <cstddef>
#include <cstdint>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

// HashId names a SHA-2 function.
enum class HashId : uint8_t { kSha256, kSha384, kSha512 };

// HashSize returns the digest length of `id` in bytes (32, 48 or 64).
size_t HashSize(HashId id);

// Hash returns H(data).
Bytes Hash(HashId id, ByteView data);

// Hmac returns HMAC-H(key, data) (RFC 2104). The key may be secret; the tag is public.
Bytes Hmac(HashId id, ByteView key, ByteView data);

// HkdfExtract returns the pseudorandom key HKDF-Extract(salt, ikm) (RFC 5869 §2.2), HashSize(id)
// bytes long. An empty salt means HashSize(id) zero bytes, as the RFC says.
SecretBytes HkdfExtract(HashId id, ByteView salt, ByteView ikm);

// HkdfExpand returns HKDF-Expand(prk, info, len) (RFC 5869 §2.3). Returns kInvalidArgument if
// `len` > 255 * HashSize(id) or `prk` is shorter than HashSize(id).
Result<SecretBytes> HkdfExpand(HashId id, ByteView prk, ByteView info, size_t len);

}  // namespace candor::crypto
