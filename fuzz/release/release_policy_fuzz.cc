// release_policy_fuzz: a release policy file (src/candor/release_policy.h) parses strictly or
// is refused with kInvalidArgument or kMalformed, never crashes; a parsed one holds a release
// key and a quorum its witnesses can meet.
#include "fuzz/fuzz_target.h"
#include "src/candor/release_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto trust = candor::cli::ParseReleaseTrust(candor::fuzz::AsText(data, size));
  if (!trust.ok()) {
    FUZZ_REQUIRE(trust.error().code == candor::Errc::kInvalidArgument ||
                 trust.error().code == candor::Errc::kMalformed);
    return 0;
  }
  FUZZ_REQUIRE(trust->policy.release_key != nullptr);
  FUZZ_REQUIRE(trust->policy.log.quorum <= trust->policy.log.witnesses.size());
  return 0;
}
