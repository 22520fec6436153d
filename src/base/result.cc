#include "candor/base/result.h"

#include <cstdio>

namespace candor {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kMalformed:
      return "malformed";
    case Errc::kVerifyFailed:
      return "verify_failed";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kNotFound:
      return "not_found";
    case Errc::kConflict:
      return "conflict";
    case Errc::kUnavailable:
      return "unavailable";
    case Errc::kInternal:
      return "internal";
    case Errc::kUnauthenticated:
      return "unauthenticated";
    case Errc::kPermissionDenied:
      return "permission_denied";
    case Errc::kTooLarge:
      return "too_large";
    case Errc::kRateLimited:
      return "rate_limited";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out(ErrcName(code));
  out += ": ";
  out += message;
  return out;
}

namespace internal {
void BadResultAccess() {
  (void)std::fprintf(stderr, "Result: accessed the value of an error or the error of a value\n");
  std::abort();
}

void CheckFailed(const char* text, const char* file, int line) {
  (void)std::fprintf(stderr, "CANDOR_CHECK failed: %s at %s:%d\n", text, file, line);
  std::abort();
}
}  // namespace internal

}  // namespace candor
