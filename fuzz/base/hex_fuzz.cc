// hex_fuzz: HexDecode accepts even-length text of hex digits in either case. Whatever it accepts
// must re-encode to the lowercased text, and whatever HexEncode produces must decode back.
#include <string>

#include "candor/base/encoding.h"
#include "fuzz/fuzz_target.h"

namespace {

// LowerAscii lowercases 'A'..'Z' and leaves every other byte alone.
std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::ByteView;
  const std::string_view text = candor::fuzz::AsText(data, size);

  auto decoded = candor::HexDecode(text);
  if (decoded.ok()) {
    FUZZ_REQUIRE(decoded->size() * 2 == text.size());
    FUZZ_REQUIRE(candor::HexEncode(*decoded) == LowerAscii(text));
  } else {
    FUZZ_REQUIRE(decoded.error().code == candor::Errc::kMalformed);
  }

  const ByteView bytes(data, size);
  const std::string encoded = candor::HexEncode(bytes);
  FUZZ_REQUIRE(encoded.size() == size * 2);
  auto back = candor::HexDecode(encoded);
  FUZZ_REQUIRE(back.ok() && candor::fuzz::SameBytes(*back, bytes));
  return 0;
}
