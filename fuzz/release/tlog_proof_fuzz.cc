// tlog_proof_fuzz: a c2sp.org/tlog-proof@v1 text (release_proof.h) parses strictly or is
// refused as kMalformed, never crashes; a parsed proof formats back to exactly the input.
#include "candor/release/release_proof.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(candor::fuzz::AsText(data, size));
  auto proof = candor::release::ParseTlogProof(text);
  if (!proof.ok()) {
    FUZZ_REQUIRE(proof.error().code == candor::Errc::kMalformed);
    return 0;
  }
  FUZZ_REQUIRE(proof->inclusion.size() <= 63);
  FUZZ_REQUIRE(candor::release::FormatTlogProof(*proof) == text);
  return 0;
}
