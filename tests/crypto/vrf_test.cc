// ECVRF (RFC 9381): the Appendix B examples of our two TAI suites (tests/vectors/vrf/, see its
// README), then rejection of tampered proofs, wrong inputs, out-of-range scalars and invalid or
// small-order public keys.
#include "candor/crypto/vrf.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "src/crypto/vrf_internal.h"

namespace candor::crypto {
namespace {

using nlohmann::json;

const std::string kVectorFile =
    std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/vrf/rfc9381-appendix-b.json";

struct Example {
  int example = 0;
  VrfSuite suite = VrfSuite::kEcvrfP256Sha256Tai;
  Bytes sk;
  Bytes pk;
  Bytes alpha;
  Bytes pi;
  Bytes beta;
};

Bytes Hex(const json& j) {
  auto bytes = HexDecode(j.get<std::string>());
  EXPECT_TRUE(bytes.ok()) << j;
  return bytes.ok() ? *bytes : Bytes();
}

json LoadVectors() {
  auto data = ReadFile(kVectorFile);
  EXPECT_TRUE(data.ok()) << kVectorFile;
  if (!data.ok()) return json::array();
  json doc = json::parse(AsStringView(*data), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(doc.is_array()) << kVectorFile;
  return doc.is_array() ? doc : json::array();
}

// TaiExamples returns the examples of `suite` in the vector file.
std::vector<Example> TaiExamples(VrfSuite suite) {
  std::vector<Example> out;
  for (const json& e : LoadVectors()) {
    if (e.at("suite_id").get<int>() != static_cast<int>(suite)) continue;
    out.push_back({e.at("example").get<int>(), suite, Hex(e.at("sk")), Hex(e.at("pk")),
                   Hex(e.at("alpha")), Hex(e.at("pi")), Hex(e.at("beta"))});
  }
  return out;
}

Example FirstExample(VrfSuite suite) {
  std::vector<Example> examples = TaiExamples(suite);
  EXPECT_FALSE(examples.empty());
  return examples.empty() ? Example{} : examples.front();
}

void ExpectVerifyFailed(const Result<Bytes>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed) << what;
  EXPECT_EQ(r.error().message, VerifyFailed().message) << what;
}

constexpr VrfSuite kSuites[] = {VrfSuite::kEcvrfP256Sha256Tai,
                                VrfSuite::kEcvrfEdwards25519Sha512Tai};

TEST(VrfTest, Rfc9381AppendixBVectors) {
  struct Tally {
    int num_run = 0;
    int num_passed = 0;
    bool ours = false;
  };
  std::map<std::string, Tally> tallies;
  for (const json& e : LoadVectors()) {
    const std::string name = e.at("suite").get<std::string>();
    const int suite_id = e.at("suite_id").get<int>();
    Tally& tally = tallies[name];
    if (suite_id != 0x01 && suite_id != 0x03) {
      ++tally.num_run;  // counted, not run: SSWU and ELL2 are not our suites
      continue;
    }
    tally.ours = true;
    ++tally.num_run;
    const auto suite = static_cast<VrfSuite>(suite_id);
    const std::string where = name + " example " + std::to_string(e.at("example").get<int>());
    const Bytes pk = Hex(e.at("pk"));
    const Bytes alpha = Hex(e.at("alpha"));
    const Bytes pi = Hex(e.at("pi"));
    const Bytes beta = Hex(e.at("beta"));
    auto key = VrfPrivateKey::FromBytes(suite, Hex(e.at("sk")));
    ASSERT_TRUE(key.ok()) << where;
    const bool pk_ok = key->public_key() == pk;
    const Bytes proof = key->Prove(alpha);
    const bool pi_ok = proof == pi;
    auto verified = VrfVerify(suite, pk, alpha, pi);
    const bool verify_ok = verified.ok() && *verified == beta;
    auto hashed = VrfProofToHash(suite, pi);
    const bool hash_ok = hashed.ok() && *hashed == beta && key->Evaluate(alpha) == beta;
    EXPECT_TRUE(pk_ok) << where << ": pk " << HexEncode(key->public_key());
    EXPECT_TRUE(pi_ok) << where << ": pi " << HexEncode(proof);
    EXPECT_TRUE(verify_ok) << where;
    EXPECT_TRUE(hash_ok) << where << " (proof_to_hash and Evaluate must give beta)";
    EXPECT_EQ(proof.size(), VrfProofSize(suite)) << where;
    if (pk_ok && pi_ok && verify_ok && hash_ok) ++tally.num_passed;
  }
  int num_ours = 0;
  for (const auto& [name, tally] : tallies) {
    if (tally.ours) {
      std::printf("[vrf vectors] %s: %d cases run / %d passed\n", name.c_str(), tally.num_run,
                  tally.num_passed);
      EXPECT_EQ(tally.num_passed, tally.num_run) << name;
      num_ours += tally.num_run;
    } else {
      std::printf("[vrf vectors] %s: %d examples not our suite (we implement TAI only)\n",
                  name.c_str(), tally.num_run);
    }
  }
  ASSERT_GT(tallies["ECVRF-P256-SHA256-TAI"].num_run, 0);
  ASSERT_GT(tallies["ECVRF-EDWARDS25519-SHA512-TAI"].num_run, 0);
  ASSERT_GT(num_ours, 0);
}

TEST(VrfTest, EveryBitFlipOfProofIsRejected) {
  for (VrfSuite suite : kSuites) {
    const Example ex = FirstExample(suite);
    ASSERT_FALSE(ex.pi.empty());
    int num_flips = 0;
    for (size_t i = 0; i < ex.pi.size() * 8; ++i) {
      Bytes pi = ex.pi;
      pi[i / 8] ^= static_cast<uint8_t>(1U << (i % 8));
      ExpectVerifyFailed(VrfVerify(suite, ex.pk, ex.alpha, pi), "bit " + std::to_string(i));
      ++num_flips;
    }
    std::printf("[vrf] suite 0x%02x example %d: %d bit flips run / rejected\n",
                static_cast<int>(suite), ex.example, num_flips);
    ASSERT_GT(num_flips, 0);
  }
}

TEST(VrfTest, WrongAlphaOtherKeyAndBadLengthsAreRejected) {
  for (VrfSuite suite : kSuites) {
    const std::vector<Example> examples = TaiExamples(suite);
    ASSERT_GE(examples.size(), 2U);
    const Example& ex = examples[0];
    ASSERT_TRUE(VrfVerify(suite, ex.pk, ex.alpha, ex.pi).ok());
    Bytes alpha = ex.alpha;
    alpha.push_back('!');
    ExpectVerifyFailed(VrfVerify(suite, ex.pk, alpha, ex.pi), "longer alpha");
    ExpectVerifyFailed(VrfVerify(suite, ex.pk, AsBytes("other"), ex.pi), "other alpha");
    for (const Example& other : examples) {
      if (other.pk == ex.pk) continue;
      ExpectVerifyFailed(VrfVerify(suite, other.pk, ex.alpha, ex.pi), "other key");
    }
    Bytes truncated(ex.pi.begin(), ex.pi.end() - 1);
    ExpectVerifyFailed(VrfVerify(suite, ex.pk, ex.alpha, truncated), "truncated proof");
    ExpectVerifyFailed(VrfProofToHash(suite, truncated), "truncated proof (hash)");
    Bytes extended = ex.pi;
    extended.push_back(0);
    ExpectVerifyFailed(VrfVerify(suite, ex.pk, ex.alpha, extended), "extended proof");
    ExpectVerifyFailed(VrfProofToHash(suite, extended), "extended proof (hash)");
    ExpectVerifyFailed(VrfVerify(suite, ex.pk, ex.alpha, {}), "empty proof");
    Bytes short_pk(ex.pk.begin(), ex.pk.end() - 1);
    ExpectVerifyFailed(VrfVerify(suite, short_pk, ex.alpha, ex.pi), "short key");
  }
}

// Replaces s (the last 32 bytes of the proof).
Bytes WithS(const Bytes& pi, const Bytes& s) {
  Bytes out(pi.begin(), pi.end() - 32);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

TEST(VrfTest, ScalarSNotBelowOrderIsRejected) {
  // P-256: s = q and s = 2^256 - 1 (big-endian).
  {
    const Example ex = FirstExample(VrfSuite::kEcvrfP256Sha256Tai);
    const Bytes q = *HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    for (const Bytes& s : {q, Bytes(32, 0xff)}) {
      const Bytes pi = WithS(ex.pi, s);
      ExpectVerifyFailed(VrfVerify(ex.suite, ex.pk, ex.alpha, pi), "P-256 s >= q");
      ExpectVerifyFailed(VrfProofToHash(ex.suite, pi), "P-256 s >= q (hash)");
    }
  }
  // Ed25519: s = L, and s + L, which would pass the group equations if it were not rejected.
  {
    const Example ex = FirstExample(VrfSuite::kEcvrfEdwards25519Sha512Tai);
    const Bytes l = *HexDecode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    Bytes s_plus_l(ex.pi.end() - 32, ex.pi.end());
    unsigned carry = 0;
    for (size_t i = 0; i < 32; ++i) {
      const unsigned sum = unsigned{s_plus_l[i]} + unsigned{l[i]} + carry;
      s_plus_l[i] = static_cast<uint8_t>(sum);
      carry = sum >> 8;
    }
    ASSERT_EQ(carry, 0U);
    for (const Bytes& s : {l, s_plus_l}) {
      const Bytes pi = WithS(ex.pi, s);
      ExpectVerifyFailed(VrfVerify(ex.suite, ex.pk, ex.alpha, pi), "Ed25519 s >= L");
      ExpectVerifyFailed(VrfProofToHash(ex.suite, pi), "Ed25519 s >= L (hash)");
    }
  }
}

TEST(VrfTest, InvalidAndSmallOrderPublicKeysAreRejected) {
  {
    const Example ex = FirstExample(VrfSuite::kEcvrfEdwards25519Sha512Tai);
    const char* bad_keys[] = {
        // identity (0, 1); (0, -1) of order 2; x = 0 with the sign bit set (RFC 8032 rejects it)
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0100000000000000000000000000000000000000000000000000000000000080",
        // y = 0 (order 4), and its non-canonical twin y = p
        "0000000000000000000000000000000000000000000000000000000000000000",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // y = 2 has no x on the curve
        "0200000000000000000000000000000000000000000000000000000000000000",
    };
    for (const char* hex : bad_keys) {
      ExpectVerifyFailed(VrfVerify(ex.suite, *HexDecode(hex), ex.alpha, ex.pi), hex);
    }
  }
  {
    const Example ex = FirstExample(VrfSuite::kEcvrfP256Sha256Tai);
    const char* bad_keys[] = {
        // x = 1 is not the x of a point on P-256; x = 2^256 - 1 is >= p
        "020000000000000000000000000000000000000000000000000000000000000001",
        "02ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        // a valid x with an invalid SEC1 prefix
        "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "0060fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
    };
    for (const char* hex : bad_keys) {
      ExpectVerifyFailed(VrfVerify(ex.suite, *HexDecode(hex), ex.alpha, ex.pi), hex);
    }
  }
}

// AddOrderTwoPoint returns the encoding of P + (0, -1) = (-x, -y) for the point P = (x, y)
// encoded by `pk`: p - y with the sign bit flipped (x, y != 0 assumed).
Bytes AddOrderTwoPoint(const Bytes& pk) {
  static const Bytes kP =
      *HexDecode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  Bytes y = pk;
  const uint8_t sign = y[31] & 0x80;
  y[31] &= 0x7f;
  Bytes out(32);
  unsigned borrow = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned diff = unsigned{kP[i]} - unsigned{y[i]} - borrow;
    out[i] = static_cast<uint8_t>(diff);
    borrow = (diff >> 8) & 1;
  }
  out[31] |= static_cast<uint8_t>(sign ^ 0x80);
  return out;
}

// A public key Y + T with T = (0, -1) of order 2 is not of small order, so RFC 9381 verification
// (validate_key = TRUE) computes U = s*B - c*(Y + T) = U_honest - c*T in the full group: a proof
// made for that key string verifies exactly when c is even. This drives the torsion path of the
// verifier, which honest keys never reach.
TEST(VrfTest, Ed25519MixedOrderKeyFollowsTheFullGroupEquations) {
  const Example ex = FirstExample(VrfSuite::kEcvrfEdwards25519Sha512Tai);
  const Bytes mixed_pk = AddOrderTwoPoint(ex.pk);
  int num_even = 0;
  int num_odd = 0;
  for (int i = 0; i < 64 && (num_even < 4 || num_odd < 4); ++i) {
    const Bytes alpha = {static_cast<uint8_t>(i)};
    const Bytes pi = vrf_internal::Ed25519Prove(ex.sk, mixed_pk, alpha);
    auto beta = VrfVerify(ex.suite, mixed_pk, alpha, pi);
    if ((pi[32] & 1) == 0) {
      ++num_even;
      ASSERT_TRUE(beta.ok()) << "alpha " << i;
      EXPECT_EQ(*beta, *VrfProofToHash(ex.suite, pi));
    } else {
      ++num_odd;
      ExpectVerifyFailed(beta, "odd c, alpha " + std::to_string(i));
    }
    // The honest key does not verify a proof made for the mixed key string.
    ExpectVerifyFailed(VrfVerify(ex.suite, ex.pk, alpha, pi), "honest key");
  }
  std::printf("[vrf] mixed-order key: %d even-c proofs accepted, %d odd-c proofs rejected\n",
              num_even, num_odd);
  ASSERT_GT(num_even, 0);
  ASSERT_GT(num_odd, 0);
}

TEST(VrfTest, GenerateRoundTrip) {
  for (VrfSuite suite : kSuites) {
    VrfPrivateKey key = VrfPrivateKey::Generate(suite);
    EXPECT_EQ(key.suite(), suite);
    const Bytes alpha = {1, 2, 3};
    const Bytes pi = key.Prove(alpha);
    EXPECT_EQ(pi.size(), VrfProofSize(suite));
    EXPECT_EQ(key.Prove(alpha), pi);  // deterministic
    auto beta = VrfVerify(suite, key.public_key(), alpha, pi);
    ASSERT_TRUE(beta.ok());
    auto hashed = VrfProofToHash(suite, pi);
    ASSERT_TRUE(hashed.ok());
    EXPECT_EQ(*beta, *hashed);
    EXPECT_EQ(beta->size(), suite == VrfSuite::kEcvrfP256Sha256Tai ? 32U : 64U);
    auto other = VrfVerify(suite, key.public_key(), {}, key.Prove({}));
    ASSERT_TRUE(other.ok());
    EXPECT_NE(*other, *beta);
    // The key reloads from its bytes to the same public key.
    auto again = VrfPrivateKey::FromBytes(suite, key.private_key());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->public_key(), key.public_key());
    // A fresh key does not verify the first key's proof.
    VrfPrivateKey stranger = VrfPrivateKey::Generate(suite);
    ExpectVerifyFailed(VrfVerify(suite, stranger.public_key(), alpha, pi), "stranger");
  }
}

// Verifiers remember the last public key they decoded (per thread): alternating keys, and an
// invalid key between valid ones, must not let a proof pass under the wrong key.
TEST(VrfTest, AlternatingKeysVerifyOnlyTheirOwnProofs) {
  for (VrfSuite suite : kSuites) {
    const VrfPrivateKey a = VrfPrivateKey::Generate(suite);
    const VrfPrivateKey b = VrfPrivateKey::Generate(suite);
    const Bytes alpha = {7};
    const Bytes pa = a.Prove(alpha);
    const Bytes pb = b.Prove(alpha);
    Bytes not_a_key = a.public_key();
    not_a_key.back() ^= 0x01;
    for (int round = 0; round < 3; ++round) {
      EXPECT_TRUE(VrfVerify(suite, a.public_key(), alpha, pa).ok());
      EXPECT_FALSE(VrfVerify(suite, b.public_key(), alpha, pa).ok());
      EXPECT_TRUE(VrfVerify(suite, b.public_key(), alpha, pb).ok());
      EXPECT_FALSE(VrfVerify(suite, not_a_key, alpha, pa).ok());
      EXPECT_FALSE(VrfVerify(suite, a.public_key(), alpha, pb).ok());
    }
  }
}

TEST(VrfTest, FromBytesRejectsBadKeys) {
  for (VrfSuite suite : kSuites) {
    EXPECT_EQ(VrfPrivateKey::FromBytes(suite, Bytes(31)).error().code, Errc::kMalformed);
    EXPECT_EQ(VrfPrivateKey::FromBytes(suite, Bytes(33)).error().code, Errc::kMalformed);
  }
  const auto p256 = VrfSuite::kEcvrfP256Sha256Tai;
  EXPECT_EQ(VrfPrivateKey::FromBytes(p256, Bytes(32, 0)).error().code, Errc::kMalformed);
  EXPECT_EQ(VrfPrivateKey::FromBytes(p256, Bytes(32, 0xff)).error().code, Errc::kMalformed);
  const Bytes q = *HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  EXPECT_EQ(VrfPrivateKey::FromBytes(p256, q).error().code, Errc::kMalformed);
  Bytes q_minus_1 = q;
  q_minus_1.back() = 0x50;
  EXPECT_TRUE(VrfPrivateKey::FromBytes(p256, q_minus_1).ok());
  Bytes one(32, 0);
  one.back() = 1;
  EXPECT_TRUE(VrfPrivateKey::FromBytes(p256, one).ok());
  const auto unknown = static_cast<VrfSuite>(0x02);
  EXPECT_EQ(VrfPrivateKey::FromBytes(unknown, Bytes(32, 1)).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VrfVerify(unknown, Bytes(33), {}, Bytes(81)).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VrfProofToHash(unknown, Bytes(81)).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(VrfProofSize(VrfSuite::kEcvrfP256Sha256Tai), 81U);
  EXPECT_EQ(VrfProofSize(VrfSuite::kEcvrfEdwards25519Sha512Tai), 80U);
}

}  // namespace
}  // namespace candor::crypto
