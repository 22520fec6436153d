#include "candor/crypto/random.h"

#include <sodium.h>

#include "candor/base/result.h"

namespace candor::crypto {

void FillRandom(uint8_t* out, size_t len) {
  CANDOR_CHECK(sodium_init() >= 0);
  if (len == 0) return;  // `out` may be null then (an empty vector's data()); libsodium forbids it
  randombytes_buf(out, len);
}

Bytes RandomBytes(size_t len) {
  Bytes out(len);
  FillRandom(out.data(), out.size());
  return out;
}

}  // namespace candor::crypto
