// release_manifest_fuzz: a release manifest text (manifest.h) parses strictly or is refused as
// kMalformed, never crashes; a parsed manifest passes Check and renders to exactly the input.
#include "candor/release/manifest.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(candor::fuzz::AsText(data, size));
  auto m = candor::release::ParseManifest(text);
  if (!m.ok()) {
    FUZZ_REQUIRE(m.error().code == candor::Errc::kMalformed);
    return 0;
  }
  FUZZ_REQUIRE(m->Check().ok());
  FUZZ_REQUIRE(m->Text() == text);
  return 0;
}
