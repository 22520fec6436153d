// result.h: errors as values. Result<T> holds a T or an Error; Status is Result<void>.
// No exception crosses a Candor API (house style H3).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace candor {

// Errc is the small, closed set of failure kinds. kVerifyFailed is the single code for every
// decrypt or signature/proof verification failure. The last four exist for services: a caller
// that did not prove who it is (kUnauthenticated), one that did but may not do this
// (kPermissionDenied), an input over a size limit (kTooLarge), and a caller over its rate
// (kRateLimited).
enum class Errc : uint8_t {
  kMalformed,
  kVerifyFailed,
  kInvalidArgument,
  kNotFound,
  kConflict,
  kUnavailable,
  kInternal,
  kUnauthenticated,
  kPermissionDenied,
  kTooLarge,
  kRateLimited,
};

// ErrcName returns the stable lower_snake name of `code` ("malformed", "verify_failed", ...).
std::string_view ErrcName(Errc code);

// Error is a code plus a human-readable detail. Details never contain secret material.
struct Error {
  Errc code;
  std::string message;

  // ToString renders "<code name>: <message>".
  std::string ToString() const;
};

// MakeError builds an Error; the usual way to fail: `return MakeError(Errc::kMalformed, "...")`.
inline Error MakeError(Errc code, std::string message) { return Error{code, std::move(message)}; }

// VerifyFailed is the one fixed error every verification or decryption failure returns, so a
// peer never learns which check failed.
inline Error VerifyFailed() { return Error{Errc::kVerifyFailed, "verification failed"}; }

namespace internal {
// BadResultAccess reports access to the wrong alternative of a Result and aborts.
[[noreturn]] void BadResultAccess();
}  // namespace internal

// Result<T> holds either a value or an Error. Accessing the wrong alternative aborts.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    Check(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    Check(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    Check(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    Check(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    Check(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  static void Check(bool cond) {
    if (!cond) internal::BadResultAccess();
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    if (ok_) internal::BadResultAccess();
    return error_;
  }
  Error&& error() && {
    if (ok_) internal::BadResultAccess();
    return std::move(error_);
  }

 private:
  Error error_{Errc::kInternal, {}};
  bool ok_ = true;
};

using Status = Result<void>;

// OkStatus is the successful Status.
inline Status OkStatus() { return {}; }

}  // namespace candor

#define CANDOR_CONCAT_INNER_(a, b) a##b
#define CANDOR_CONCAT_(a, b) CANDOR_CONCAT_INNER_(a, b)

// The temporaries' names and `lhs` (which may be a declaration, "auto x") cannot be
// parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
// CANDOR_TRY(expr): evaluates a Status/Result expression and returns its Error on failure.
// The temporary is named per use, so that a CANDOR_TRY inside a lambda inside another
// CANDOR_TRY shadows nothing.
#define CANDOR_TRY(expr) CANDOR_TRY_IMPL_(CANDOR_CONCAT_(candor_try_, __COUNTER__), expr)
#define CANDOR_TRY_IMPL_(tmp, expr)               \
  do {                                            \
    auto&& tmp = (expr);                          \
    if (!tmp.ok()) return std::move(tmp).error(); \
  } while (0)

#define CANDOR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

// CANDOR_ASSIGN_OR_RETURN(lhs, expr): `lhs = *expr` on success, returns the Error otherwise.
#define CANDOR_ASSIGN_OR_RETURN(lhs, expr) \
  CANDOR_ASSIGN_OR_RETURN_IMPL_(CANDOR_CONCAT_(candor_aor_, __LINE__), lhs, expr)

// CANDOR_CHECK(cond): aborts in every build if an internal invariant is broken. Never used for
// conditions that input can reach.
#define CANDOR_CHECK(cond)                                                   \
  do {                                                                       \
    if (!(cond)) ::candor::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace candor::internal {
// CheckFailed prints the failed condition and aborts.
[[noreturn]] void CheckFailed(const char* text, const char* file, int line);
}  // namespace candor::internal
