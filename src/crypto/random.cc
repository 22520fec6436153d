#include "candor/crypto/random.h"

#include <sodium.h>

#include "candor/base/result.h"

namespace candor::crypto {

void FillRandom(uint8_t* out, size_t len) {
  CANDOR_CHECK(sodium_init() >= 0);
  randombytes_buf(out, len);
}

Bytes RandomBytes(size_t len) {
  Bytes out(len);
  FillRandom(out.data(), out.size());
  return out;
}

}  // namespace candor::crypto
