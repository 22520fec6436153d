// Tests of update_value.h: UpdateValue / UpdateTBS / CommitmentValue codecs, commitments against
// the Python model's commitment.json (tests/vectors/kt/, see its README), VrfInput, the VRF
// helpers in both suites (Ed25519 output truncated to 32 bytes) and update signatures.
#include "candor/kt/update_value.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/hash.h"
#include "wire_test_util.h"

namespace candor::kt {
namespace {

using nlohmann::json;
using testing::B;
using testing::CheckCodec;
using testing::H;
using testing::SampleUpdateValue;

const std::string kVectorDir = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/kt/";

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

constexpr DeploymentMode kModes[] = {DeploymentMode::contactMonitoring,
                                     DeploymentMode::thirdPartyManagement,
                                     DeploymentMode::thirdPartyAuditing};

TEST(KtUpdateValueTest, CodecsRoundTrip) {
  int num_cases = 0;
  Configuration config;
  config.ciphersuite = CipherSuite::KT_128_SHA256_P256;
  config.mode = DeploymentMode::thirdPartyManagement;
  config.signature_public_key = B(65, 4);
  config.vrf_public_key = B(33, 2);
  config.leaf_public_key = B(65, 4);
  config.reasonable_monitoring_window = 10;
  for (DeploymentMode mode : kModes) {
    SCOPED_TRACE(static_cast<int>(mode));
    CheckCodec(SampleUpdateValue(mode, 7), mode);
    CheckCodec(UpdateValue{}, mode);
    UpdateSuffix suffix;
    if (mode == DeploymentMode::thirdPartyManagement) suffix.signature = B(64, 9);
    CheckCodec(suffix, mode);
    CommitmentValue cv;
    cv.opening.fill(0x0f);
    cv.label = Bytes{'l'};
    cv.version = 0xfffffffe;
    cv.update = SampleUpdateValue(mode, 3);
    CheckCodec(cv, mode);
    num_cases += 4;
  }
  CheckCodec(UpdateTBS{config, Bytes{'a'}, 1, B(3, 5)});
  CheckCodec(UpdateTBS{config, B(255, 1), 0, {}});
  num_cases += 2;
  std::printf("KtUpdateValueTest.CodecsRoundTrip: %d cases run, %d passed\n", num_cases,
              HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

// UpdateValue layout by hand: uint32 length, value, then (thirdPartyManagement only) the
// suffix's 2-byte-length signature.
TEST(KtUpdateValueTest, UpdateValueHandWrittenLayout) {
  const Bytes mgmt =
      Hex("00000002"
          "abcd"
          "0001"
          "ee");
  auto v = DecodeExactIn<UpdateValue>(mgmt, DeploymentMode::thirdPartyManagement);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->value, (Bytes{0xab, 0xcd}));
  EXPECT_EQ(v->suffix.signature, Bytes{0xee});
  EXPECT_FALSE(DecodeExactIn<UpdateValue>(mgmt, DeploymentMode::contactMonitoring).ok());
  auto plain = DecodeExactIn<UpdateValue>(Hex("00000002"
                                              "abcd"),
                                          DeploymentMode::thirdPartyAuditing);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->suffix.signature.empty());
}

// commitment.json (Python model): CommitmentValue bytes and HMAC-SHA256(Kc, .) for the
// contact-monitoring encoding (empty UpdateSuffix), and VrfInput bytes. Its `log_entry` cases
// check the log tree's leaf hash, which belongs to the log-tree code (tested there), so they are
// counted but not run here.
TEST(KtUpdateValueTest, CommitmentVectors) {
  auto data = ReadFile(kVectorDir + "commitment.json");
  ASSERT_TRUE(data.ok()) << kVectorDir << "commitment.json";
  const json doc = json::parse(AsStringView(*data), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  int num_run = 0;
  int num_passed = 0;
  int num_not_ours = 0;
  for (const json& c : doc.at("cases")) {
    const std::string kind = c.at("kind").get<std::string>();
    if (kind == "commitment") {
      ++num_run;
      const Bytes opening = Hex(c.at("opening").get<std::string>());
      const Bytes label = Hex(c.at("label").get<std::string>());
      const auto version = c.at("version").get<uint32_t>();
      UpdateValue update;
      update.value = Hex(c.at("value").get<std::string>());
      ASSERT_EQ(opening.size(), kOpeningSize);
      CommitmentValue cv;
      std::copy(opening.begin(), opening.end(), cv.opening.begin());
      cv.label = label;
      cv.version = version;
      cv.update = update;
      const Bytes encoded = EncodeIn(cv, DeploymentMode::contactMonitoring);
      const Bytes want_encoded = Hex(c.at("commitment_value").get<std::string>());
      EXPECT_EQ(HexEncode(encoded), HexEncode(want_encoded));
      auto decoded =
          DecodeExactIn<CommitmentValue>(want_encoded, DeploymentMode::contactMonitoring);
      EXPECT_TRUE(decoded.ok() && *decoded == cv);
      const HashValue commitment =
          Commit(opening, label, version, update, DeploymentMode::contactMonitoring);
      const std::string want = c.at("commitment").get<std::string>();
      EXPECT_EQ(HexEncode(commitment), want);
      if (encoded == want_encoded && HexEncode(commitment) == want) ++num_passed;
    } else if (kind == "vrf_stand_in") {
      ++num_run;
      const Bytes label = Hex(c.at("label").get<std::string>());
      const Bytes input = VrfInput(label, c.at("version").get<uint32_t>());
      EXPECT_EQ(HexEncode(input), c.at("vrf_input").get<std::string>());
      if (HexEncode(input) == c.at("vrf_input").get<std::string>()) ++num_passed;
    } else {
      ++num_not_ours;
    }
  }
  std::printf(
      "commitment.json: %d cases run, %d passed (%d log_entry cases belong to the log-tree "
      "tests)\n",
      num_run, num_passed, num_not_ours);
  ASSERT_GT(num_run, 0);
  EXPECT_EQ(num_passed, num_run);
}

// Commit is HMAC-SHA256(Kc, CommitmentValue) in every mode: checked against an independent
// HMAC over the struct's encoding, and the suffix is part of the commitment in management mode.
TEST(KtUpdateValueTest, CommitCoversTheModeEncoding) {
  Opening opening{};
  opening.fill(0x42);
  for (DeploymentMode mode : kModes) {
    const UpdateValue update = SampleUpdateValue(mode, 0x10);
    const CommitmentValue cv{opening, Bytes{'b', 'o', 'b'}, 3, update};
    const Bytes tag = crypto::Hmac(crypto::HashId::kSha256, kCommitmentKey, EncodeIn(cv, mode));
    EXPECT_EQ(HexEncode(Commit(opening, cv.label, 3, update, mode)), HexEncode(tag));
    EXPECT_NE(Commit(opening, cv.label, 4, update, mode),
              Commit(opening, cv.label, 3, update, mode));
  }
  UpdateValue a = SampleUpdateValue(DeploymentMode::thirdPartyManagement, 1);
  UpdateValue b = a;
  b.suffix.signature[0] ^= 1;
  EXPECT_NE(Commit(opening, {}, 0, a, DeploymentMode::thirdPartyManagement),
            Commit(opening, {}, 0, b, DeploymentMode::thirdPartyManagement));
  // Outside management mode the (unused) suffix is not encoded, so it does not matter.
  EXPECT_EQ(Commit(opening, {}, 0, a, DeploymentMode::contactMonitoring),
            Commit(opening, {}, 0, b, DeploymentMode::contactMonitoring));
}

TEST(KtUpdateValueTest, VrfEvaluateAndVerifyBothSuites) {
  int num_cases = 0;
  for (CipherSuite suite : {CipherSuite::KT_128_SHA256_P256, CipherSuite::KT_128_SHA256_Ed25519}) {
    auto params = GetCipherSuite(static_cast<uint16_t>(suite));
    ASSERT_TRUE(params.ok());
    const auto key = crypto::VrfPrivateKey::Generate(params->vrf);
    const Bytes label = {'a', 'l', 'i', 'c', 'e'};
    const VrfResult r = VrfEvaluate(key, label, 7);
    EXPECT_EQ(r.proof.size(), params->vrf_proof_size);
    // The output is the first 32 bytes of ECVRF_proof_to_hash (64 bytes for Ed25519).
    auto beta = crypto::VrfProofToHash(params->vrf, r.proof);
    ASSERT_TRUE(beta.ok());
    EXPECT_EQ(Bytes(beta->begin(), beta->begin() + 32), Bytes(r.output.begin(), r.output.end()));
    auto out = VrfVerifyOutput(*params, key.public_key(), label, 7, r.proof);
    ASSERT_TRUE(out.ok()) << out.error().ToString();
    EXPECT_EQ(*out, r.output);
    // Deterministic; distinct versions give distinct outputs.
    EXPECT_EQ(VrfEvaluate(key, label, 7).output, r.output);
    EXPECT_NE(VrfEvaluate(key, label, 8).output, r.output);

    auto expect_rejected = [](const Result<Hash32>& res) {
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error().code, Errc::kVerifyFailed);
    };
    expect_rejected(VrfVerifyOutput(*params, key.public_key(), label, 8, r.proof));
    expect_rejected(VrfVerifyOutput(*params, key.public_key(), Bytes{'b'}, 7, r.proof));
    Bytes flipped = r.proof;
    flipped[flipped.size() / 2] ^= 1;
    expect_rejected(VrfVerifyOutput(*params, key.public_key(), label, 7, flipped));
    Bytes longer = r.proof;
    longer.push_back(0);
    expect_rejected(VrfVerifyOutput(*params, key.public_key(), label, 7, longer));
    const auto other = crypto::VrfPrivateKey::Generate(params->vrf);
    expect_rejected(VrfVerifyOutput(*params, other.public_key(), label, 7, r.proof));
    expect_rejected(VrfVerifyOutput(*params, Bytes{}, label, 7, r.proof));
    EXPECT_EQ(VrfVerifyOutput(*params, key.public_key(), B(256, 0), 7, r.proof).error().code,
              Errc::kInvalidArgument);
    ++num_cases;
  }
  std::printf("KtUpdateValueTest.VrfEvaluateAndVerifyBothSuites: %d cases run, %d passed\n",
              num_cases, HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

TEST(KtUpdateValueTest, VrfInputLayout) {
  EXPECT_EQ(HexEncode(VrfInput(Bytes{'a', 'b'}, 0x01020304)), "02616201020304");
  EXPECT_EQ(HexEncode(VrfInput({}, 0)), "0000000000");
}

TEST(KtUpdateValueTest, UpdateSignatureBothSuites) {
  for (CipherSuite suite : {CipherSuite::KT_128_SHA256_P256, CipherSuite::KT_128_SHA256_Ed25519}) {
    auto params = GetCipherSuite(static_cast<uint16_t>(suite));
    ASSERT_TRUE(params.ok());
    const auto log_key = crypto::SignaturePrivateKey::Generate(params->signature);
    const auto leaf_key = crypto::SignaturePrivateKey::Generate(params->signature);
    const auto vrf_key = crypto::VrfPrivateKey::Generate(params->vrf);
    Configuration config;
    config.ciphersuite = suite;
    config.mode = DeploymentMode::thirdPartyManagement;
    config.signature_public_key = log_key.public_key();
    config.vrf_public_key = vrf_key.public_key();
    config.leaf_public_key = leaf_key.public_key();
    config.reasonable_monitoring_window = 1000;
    ASSERT_TRUE(ValidateConfiguration(config).ok());
    const Bytes label = {'l'};
    UpdateValue update;
    update.value = {1, 2, 3};
    update.suffix.signature = SignUpdate(leaf_key, config, label, 5, update.value);
    EXPECT_EQ(update.suffix.signature.size(), 64u);
    EXPECT_TRUE(VerifyUpdate(config, label, 5, update).ok());
    auto expect_rejected = [](Status st) {
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
    };
    expect_rejected(VerifyUpdate(config, label, 6, update));
    expect_rejected(VerifyUpdate(config, Bytes{'m'}, 5, update));
    expect_rejected(VerifyUpdate(config, B(256, 0), 5, update));
    UpdateValue other = update;
    other.value.push_back(4);
    expect_rejected(VerifyUpdate(config, label, 5, other));
    other = update;
    other.suffix.signature[10] ^= 1;
    expect_rejected(VerifyUpdate(config, label, 5, other));
    // Signed by the log's tree-head key instead of the leaf key.
    other = update;
    other.suffix.signature = SignUpdate(log_key, config, label, 5, update.value);
    expect_rejected(VerifyUpdate(config, label, 5, other));
  }
}

}  // namespace
}  // namespace candor::kt
