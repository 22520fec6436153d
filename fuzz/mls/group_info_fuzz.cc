// group_info_fuzz: GroupInfo::Decode (with its GroupContext) must never crash; a decoded
// GroupInfo re-encodes to exactly the input, and its GroupInfoTBS is the input without the
// trailing signature<V>.
#include "candor/mls/group_info.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/mls/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  candor::fuzz::CheckRoundTrip<candor::mls::GroupInfo>(input);
  auto info = candor::tls::DecodeExact<candor::mls::GroupInfo>(input);
  if (info.ok()) {
    const candor::Bytes tbs = candor::tls::Encode(candor::mls::GroupInfoTBS::Of(*info));
    FUZZ_REQUIRE(tbs.size() < input.size());
    FUZZ_REQUIRE(candor::fuzz::SameBytes(tbs, input.first(tbs.size())));
  }
  return 0;
}
