// device_list_fuzz: a DeviceList (a directory value, as a client reads it from a verified
// answer or back from its profile) must decode strictly and never crash its checks. The input
// is `opaque label<V>` then the encoded list. A decoded list re-encodes to exactly its bytes;
// VerifyDeviceList (signature, sorted unique devices) runs without crashing, and no list is
// accepted as the successor of itself (the sequence number must grow).
#include "candor/base/tls.h"
#include "candor/kt/device_list.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  candor::tls::Reader r(candor::ByteView(data, size));
  auto label = r.OpaqueV();
  if (!label.ok()) return 0;
  auto rest = r.Fixed(r.remaining());
  if (!rest.ok()) return 0;
  auto list = candor::tls::DecodeExact<candor::kt::DeviceList>(*rest);
  if (!list.ok()) return 0;
  FUZZ_REQUIRE(candor::fuzz::SameBytes(candor::tls::Encode(*list), *rest));
  (void)candor::kt::VerifyDeviceList(*label, *list, std::nullopt);
  FUZZ_REQUIRE(!candor::kt::VerifyDeviceList(*label, *list, *list).ok());
  return 0;
}
