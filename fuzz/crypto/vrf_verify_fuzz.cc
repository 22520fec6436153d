// vrf_verify_fuzz: VrfVerify and VrfProofToHash (RFC 9381 ECVRF) on arbitrary keys, inputs and
// proofs. Input layout: byte 0 picks the suite (low bit: 0 = P256-SHA256-TAI, 1 =
// EDWARDS25519-SHA512-TAI), then the public key (ptLen bytes), then the proof (81 or 80 bytes),
// then alpha (the rest); a short input cuts the key or the proof short. Every rejection must be
// kVerifyFailed, and an accepted proof must hash to the beta VrfVerify returned.
//
// Seeds (fuzz/corpus/vrf_verify_fuzz/): the six TAI examples of tests/vectors/vrf/ laid out as
// above, a few damaged copies of them, and ed25519_mixed_order_key: a valid proof for the key
// string of Y + (0, -1) (example 16's key plus a point of order 2), which drives the verifier's
// torsion path (see VrfTest.Ed25519MixedOrderKeyFollowsTheFullGroupEquations).
#include <algorithm>

#include "candor/crypto/vrf.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::ByteView;
  using candor::Errc;
  using candor::crypto::VrfSuite;
  if (size == 0) return 0;
  const VrfSuite suite =
      (data[0] & 1) == 0 ? VrfSuite::kEcvrfP256Sha256Tai : VrfSuite::kEcvrfEdwards25519Sha512Tai;
  ByteView rest(data + 1, size - 1);
  const size_t pk_len = suite == VrfSuite::kEcvrfP256Sha256Tai ? 33 : 32;
  const ByteView pk = rest.first(std::min(pk_len, rest.size()));
  rest = rest.subspan(pk.size());
  const ByteView proof = rest.first(std::min(candor::crypto::VrfProofSize(suite), rest.size()));
  const ByteView alpha = rest.subspan(proof.size());

  auto hashed = candor::crypto::VrfProofToHash(suite, proof);
  if (hashed.ok()) {
    FUZZ_REQUIRE(hashed->size() == (suite == VrfSuite::kEcvrfP256Sha256Tai ? 32U : 64U));
  } else {
    FUZZ_REQUIRE(hashed.error().code == Errc::kVerifyFailed);
  }
  auto beta = candor::crypto::VrfVerify(suite, pk, alpha, proof);
  if (beta.ok()) {
    FUZZ_REQUIRE(hashed.ok() && candor::fuzz::SameBytes(*beta, *hashed));
  } else {
    FUZZ_REQUIRE(beta.error().code == Errc::kVerifyFailed);
  }
  return 0;
}
