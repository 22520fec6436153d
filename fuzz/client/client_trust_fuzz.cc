// client_trust_fuzz: a trust file (client-trust.json, or the copy in a profile read back) parses
// strictly or is refused, never crashes; a parsed one formats to JSON that parses to the same.
#include "candor/client/trust.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto trust = candor::client::ParseClientTrust(candor::fuzz::AsText(data, size));
  if (!trust.ok()) return 0;
  const std::string again = candor::client::FormatClientTrust(*trust);
  auto back = candor::client::ParseClientTrust(again);
  FUZZ_REQUIRE(back.ok());
  FUZZ_REQUIRE(candor::client::FormatClientTrust(*back) == again);
  (void)trust->HeadsTrust();
  return 0;
}
