// fuzz_target.h: the libFuzzer entry point every fuzz target defines, and FUZZ_REQUIRE, which
// turns a broken round-trip or verification property into a crash the fuzzer reports.
//
// A target must be deterministic and must accept any input: the code under test reports bad
// input as a Result error, never by aborting. A FUZZ_REQUIRE failure is a bug in that code (or
// in the target), and so is any CANDOR_CHECK abort reached from input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "candor/base/bytes.h"

// LLVMFuzzerTestOneInput runs one input. Defined once per target; called by libFuzzer (clang) or
// by replay_main.cc (other compilers). Always returns 0.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace candor::fuzz {

// Require aborts with the failed property when `cond` is false. Use it through FUZZ_REQUIRE.
inline void Require(bool cond, const char* text, const char* file, int line) {
  if (cond) return;
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, text);
  std::fflush(stderr);
  std::abort();
}

// AsText views the fuzz input as text. The view borrows `data`.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return AsStringView(ByteView(data, size));
}

// SameBytes reports whether two byte ranges hold the same bytes (no timing concerns here).
inline bool SameBytes(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace candor::fuzz

// FUZZ_REQUIRE(cond): the property `cond` must hold for every input.
#define FUZZ_REQUIRE(cond) ::candor::fuzz::Require((cond), #cond, __FILE__, __LINE__)
