// link_code_fuzz: a link code typed by a person (any text) parses or is refused, never crashes;
// a parsed code formats back to its canonical form, which parses to the same bytes.
#include "fuzz/fuzz_target.h"
#include "src/client/link_code.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(candor::fuzz::AsText(data, size));
  auto secret = candor::client::ParseLinkCode(text);
  if (!secret.ok()) return 0;
  const std::string canonical = candor::client::FormatLinkCode(secret->view());
  FUZZ_REQUIRE(canonical.size() == 19);
  auto again = candor::client::ParseLinkCode(canonical);
  FUZZ_REQUIRE(again.ok() && candor::fuzz::SameBytes(again->view(), secret->view()));
  FUZZ_REQUIRE(candor::client::DeriveLinkKeys(text).ok());
  return 0;
}
