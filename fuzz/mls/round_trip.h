// round_trip.h: the property every mls fuzz target checks (house style H9): a decode either
// fails with kMalformed and a message, or succeeds and re-encodes to exactly the input.
#pragma once

#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "fuzz/fuzz_target.h"

namespace candor::fuzz {

// CheckRoundTrip decodes `input` as exactly one T and checks the round-trip property.
template <class T>
void CheckRoundTrip(ByteView input) {
  Result<T> decoded = tls::DecodeExact<T>(input);
  if (!decoded.ok()) {
    FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!decoded.error().message.empty());
    return;
  }
  FUZZ_REQUIRE(SameBytes(tls::Encode(*decoded), input));
}

}  // namespace candor::fuzz
