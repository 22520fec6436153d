// key_package_fuzz: KeyPackage::Decode (and the LeafNode inside it) must never crash; a
// decoded KeyPackage re-encodes to exactly the input, and its KeyPackageTBS is the input
// without the trailing signature<V>.
#include "candor/mls/key_package.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/mls/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const candor::ByteView input(data, size);
  candor::fuzz::CheckRoundTrip<candor::mls::KeyPackage>(input);
  auto kp = candor::tls::DecodeExact<candor::mls::KeyPackage>(input);
  if (kp.ok()) {
    const candor::Bytes tbs = candor::tls::Encode(candor::mls::KeyPackageTBS::Of(*kp));
    FUZZ_REQUIRE(tbs.size() < input.size());
    FUZZ_REQUIRE(candor::fuzz::SameBytes(tbs, input.first(tbs.size())));
  }
  return 0;
}
