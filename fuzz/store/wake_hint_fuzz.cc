// wake_hint_fuzz: a cross-node wake-up hint (store/wake_hint.h) is read strictly: any bytes give
// the devices or "everything", or kMalformed, never a crash; what it accepts writes back to the
// same bytes.
#include "candor/store/wake_hint.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = candor::fuzz::AsText(data, size);
  auto hint = candor::store::ParseHint(text);
  if (!hint.ok()) {
    FUZZ_REQUIRE(hint.error().code == candor::Errc::kMalformed);
    return 0;
  }
  if (!hint->has_value()) {
    FUZZ_REQUIRE(text == "*");
    return 0;
  }
  FUZZ_REQUIRE(!(*hint)->empty());
  if (text.size() <= candor::store::kMaxHintPayload) {
    FUZZ_REQUIRE(candor::store::FormatHint(**hint) == text);
  }
  return 0;
}
