// group_state_fuzz: GroupState::Deserialize (a device's stored MLS state, read back from its
// profile) must never crash on any bytes; a state it accepts serializes back to exactly the
// input.
#include "candor/mls/group_state.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  auto state = candor::mls::GroupState::Deserialize(input);
  if (state.ok()) {
    const candor::SecretBytes again = state->Serialize();
    FUZZ_REQUIRE(candor::fuzz::SameBytes(again.view(), input));
  }
  return 0;
}
