// random.h: the system CSPRNG (libsodium randombytes, getrandom underneath).
#pragma once

#include <cstddef>
#include <cstdint>

#include "candor/base/bytes.h"

namespace candor::crypto {

// FillRandom fills `len` bytes at `out` with cryptographically secure random bytes. Never fails
// (aborts if the system CSPRNG is unavailable).
void FillRandom(uint8_t* out, size_t len);

// RandomBytes returns `len` random bytes (for public values such as nonces and tokens).
Bytes RandomBytes(size_t len);

}  // namespace candor::crypto
