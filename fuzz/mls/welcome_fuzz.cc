// welcome_fuzz: Welcome::Decode and GroupSecrets::Decode (the HPKE plaintext inside a
// Welcome) must never crash; whatever decodes re-encodes to exactly the input.
#include "candor/mls/welcome.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/mls/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  candor::fuzz::CheckRoundTrip<candor::mls::Welcome>(input);
  candor::fuzz::CheckRoundTrip<candor::mls::GroupSecrets>(input);
  return 0;
}
