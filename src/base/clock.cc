#include "candor/base/clock.h"

#include <chrono>

namespace candor {

uint64_t SystemNowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Clock SystemClock() { return SystemNowMs; }

}  // namespace candor
