#include "candor/base/bytes.h"

#include <cstring>

namespace candor {

void SecureZero(void* p, size_t len) {
  if (len != 0) explicit_bzero(p, len);
}

}  // namespace candor
