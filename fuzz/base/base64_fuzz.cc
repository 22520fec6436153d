// base64_fuzz: Base64Decode accepts exactly the canonical padded encodings. Whatever it accepts
// must re-encode to the same text, and whatever Base64Encode produces must decode back.
#include <string>

#include "candor/base/encoding.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::ByteView;
  const std::string_view text = candor::fuzz::AsText(data, size);

  auto decoded = candor::Base64Decode(text);
  if (decoded.ok()) {
    FUZZ_REQUIRE(text.size() % 4 == 0);
    FUZZ_REQUIRE(decoded->size() <= text.size() / 4 * 3);
    FUZZ_REQUIRE(candor::Base64Encode(*decoded) == text);
  } else {
    FUZZ_REQUIRE(decoded.error().code == candor::Errc::kMalformed);
  }

  // The other direction: the input as bytes encodes to something that decodes back to it.
  const ByteView bytes(data, size);
  const std::string encoded = candor::Base64Encode(bytes);
  FUZZ_REQUIRE(encoded.size() == (size + 2) / 3 * 4);
  auto back = candor::Base64Decode(encoded);
  FUZZ_REQUIRE(back.ok() && candor::fuzz::SameBytes(*back, bytes));
  return 0;
}
