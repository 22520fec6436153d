// sha256.h: SHA-256 (FIPS 180-4), one-shot and incremental. Backed by OpenSSL's assembly.
#pragma once

#include <cstdint>

#include "candor/base/bytes.h"

namespace candor::crypto {

inline constexpr size_t kSha256Size = 32;

// Sha256 returns SHA-256(data).
Hash32 Sha256(ByteView data);

// Sha256Hasher computes SHA-256 incrementally. Not thread-safe; cheap to create on the stack.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& Update(ByteView data);
  Sha256Hasher& Update(uint8_t byte) { return Update(ByteView(&byte, 1)); }
  // Final returns the digest; the hasher must not be used afterwards.
  Hash32 Final();

 private:
  alignas(8) unsigned char state_[128];
};

}  // namespace candor::crypto
