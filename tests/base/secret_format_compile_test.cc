// Compile-time check (house style H6): a SecretBytes cannot be formatted or logged. ctest
// compiles this file twice: as is it must FAIL to compile (fmt has no formatter for SecretBytes
// and it has no operator<<); with -DCANDOR_CONTROL it formats a public value instead and must
// compile, which shows the failure comes from the secret and not from the set-up.
#include <fmt/format.h>

#include "candor/base/bytes.h"

int main() {
  candor::SecretBytes secret(32);
#ifdef CANDOR_CONTROL
  const std::string text = fmt::format("{}", secret.size());
#else
  const std::string text = fmt::format("{}", secret);
#endif
  return static_cast<int>(text.size());
}
