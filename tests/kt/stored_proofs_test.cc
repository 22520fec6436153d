// The VRF proofs a directory stores with a version at publish: which versions they cover, that
// each proof verifies under the directory's VRF key with the output stored beside it, and that
// a vrf_proofs of any other length is refused.
#include "candor/kt/stored_proofs.h"

#include <gtest/gtest.h>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/update_value.h"

namespace candor::kt {
namespace {

TEST(StoredProofsTest, TheAbsentLadderIsTheBaseLadderAboveTheGreatestVersion) {
  EXPECT_EQ(AbsentLadderVersions(0), (std::vector<uint32_t>{1}));
  EXPECT_EQ(AbsentLadderVersions(1), (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(AbsentLadderVersions(2), (std::vector<uint32_t>{3}));
  EXPECT_EQ(AbsentLadderVersions(3), (std::vector<uint32_t>{7, 5, 4}));
  EXPECT_EQ(AbsentLadderVersions(4), (std::vector<uint32_t>{7, 5}));
  for (uint32_t v = 0; v < 300; ++v) {
    std::vector<uint32_t> above;
    for (uint32_t u : BaseBinaryLadder(v)) {
      if (u > v) above.push_back(u);
    }
    ASSERT_EQ(AbsentLadderVersions(v), above) << v;
    ASSERT_FALSE(above.empty()) << v;  // a search always proves some version absent
  }
}

class StoredProofsSuiteTest : public ::testing::TestWithParam<CipherSuite> {};

TEST_P(StoredProofsSuiteTest, EveryStoredProofVerifiesWithItsOutput) {
  auto suite = GetCipherSuite(static_cast<uint16_t>(GetParam()));
  ASSERT_TRUE(suite.ok());
  const crypto::VrfPrivateKey key = crypto::VrfPrivateKey::Generate(suite->vrf);
  const Bytes label{'a', 'l', 'i', 'c', 'e'};
  for (uint32_t v : {0u, 1u, 3u, 6u}) {
    MadeProofs full = MakeStoredProofs(key, label, v, true);
    ASSERT_EQ(full.vrf_proofs.size(), StoredProofsSize(suite->vrf_proof_size, v, true));
    ASSERT_TRUE(CheckStoredProofs(full.vrf_proofs, suite->vrf_proof_size, v).ok());
    EXPECT_EQ(full.vrf_output, VrfOutput(key, label, v));
    auto own = OwnStoredProof(full.vrf_proofs, suite->vrf_proof_size);
    ASSERT_TRUE(own.has_value());
    auto own_out = VrfVerifyOutput(*suite, key.public_key(), label, v, *own);
    ASSERT_TRUE(own_out.ok());
    EXPECT_EQ(*own_out, full.vrf_output);
    for (uint32_t u : AbsentLadderVersions(v)) {
      auto absent = StoredAbsentProof(full.vrf_proofs, suite->vrf_proof_size, v, u);
      ASSERT_TRUE(absent.has_value()) << v << " " << u;
      auto out = VrfVerifyOutput(*suite, key.public_key(), label, u, absent->first);
      ASSERT_TRUE(out.ok()) << v << " " << u;
      EXPECT_EQ(*out, absent->second);
      EXPECT_EQ(absent->second, VrfOutput(key, label, u));
    }
    // Not in the absent ladder: the version itself, a version below it, one the ladder skips.
    EXPECT_FALSE(StoredAbsentProof(full.vrf_proofs, suite->vrf_proof_size, v, v).has_value());
    EXPECT_FALSE(StoredAbsentProof(full.vrf_proofs, suite->vrf_proof_size, v, v + 100));

    MadeProofs own_only = MakeStoredProofs(key, label, v, false);
    EXPECT_EQ(own_only.vrf_proofs,
              Bytes(full.vrf_proofs.begin(),
                    full.vrf_proofs.begin() + static_cast<ptrdiff_t>(suite->vrf_proof_size)));
    EXPECT_FALSE(StoredAbsentProof(own_only.vrf_proofs, suite->vrf_proof_size, v,
                                   AbsentLadderVersions(v).front()));
  }
}

TEST_P(StoredProofsSuiteTest, OtherLengthsAreMalformed) {
  auto suite = GetCipherSuite(static_cast<uint16_t>(GetParam()));
  ASSERT_TRUE(suite.ok());
  const size_t np = suite->vrf_proof_size;
  EXPECT_TRUE(CheckStoredProofs({}, np, 5).ok());
  EXPECT_FALSE(OwnStoredProof({}, np).has_value());
  for (size_t bad : {size_t{1}, np - 1, np + 1, np + np, StoredProofsSize(np, 1, true)}) {
    Status st = CheckStoredProofs(Bytes(bad, 0), np, 0);  // version 0: np or np + np + 32
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, Errc::kMalformed);
  }
}

INSTANTIATE_TEST_SUITE_P(Suites, StoredProofsSuiteTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_P256,
                                           CipherSuite::KT_128_SHA256_Ed25519));

}  // namespace
}  // namespace candor::kt
