// Tests of tree_head.h: Configuration and tree-head codecs (all modes, both suites, hand-written
// layout), ValidateConfiguration, and tree-head / auditor-tree-head signatures in both suites
// (P-256 as r||s), with every tamper refused as kVerifyFailed.
#include "candor/kt/tree_head.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/vrf.h"
#include "candor/kt/update_value.h"
#include "wire_test_util.h"

namespace candor::kt {
namespace {

using testing::B;
using testing::CheckCodec;
using testing::H;

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

// Keys is one log's key set for a suite.
struct Keys {
  crypto::SignaturePrivateKey log;
  crypto::SignaturePrivateKey leaf;
  crypto::SignaturePrivateKey auditor;
  crypto::VrfPrivateKey vrf;
};

// ConfigFromJson builds a Configuration from tree_head.json's `config` object.
Configuration ConfigFromJson(const nlohmann::json& j) {
  Configuration c;
  c.ciphersuite = static_cast<CipherSuite>(j.at("ciphersuite").get<uint16_t>());
  c.mode = static_cast<DeploymentMode>(j.at("mode").get<uint8_t>());
  c.signature_public_key = Hex(j.at("signature_public_key").get<std::string>());
  c.vrf_public_key = Hex(j.at("vrf_public_key").get<std::string>());
  if (j.contains("leaf_public_key")) {
    c.leaf_public_key = Hex(j.at("leaf_public_key").get<std::string>());
  }
  if (j.contains("auditor_public_key")) {
    c.max_auditor_lag = j.at("max_auditor_lag").get<uint64_t>();
    c.auditor_start_pos = j.at("auditor_start_pos").get<uint64_t>();
    c.auditor_public_key = Hex(j.at("auditor_public_key").get<std::string>());
  }
  c.max_ahead = j.at("max_ahead").get<uint64_t>();
  c.max_behind = j.at("max_behind").get<uint64_t>();
  c.reasonable_monitoring_window = j.at("reasonable_monitoring_window").get<uint64_t>();
  if (!j.at("maximum_lifetime").is_null()) {
    c.maximum_lifetime = j.at("maximum_lifetime").get<uint64_t>();
  }
  return c;
}

HashValue HashFromHex(const std::string& hex) {
  const Bytes b = Hex(hex);
  HashValue h{};
  EXPECT_EQ(b.size(), h.size());
  if (b.size() == h.size()) std::copy(b.begin(), b.end(), h.begin());
  return h;
}

Keys MakeKeys(CipherSuite suite) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  EXPECT_TRUE(params.ok());
  return Keys{crypto::SignaturePrivateKey::Generate(params->signature),
              crypto::SignaturePrivateKey::Generate(params->signature),
              crypto::SignaturePrivateKey::Generate(params->signature),
              crypto::VrfPrivateKey::Generate(params->vrf)};
}

Configuration MakeConfig(CipherSuite suite, DeploymentMode mode, const Keys& keys) {
  Configuration c;
  c.ciphersuite = suite;
  c.mode = mode;
  c.signature_public_key = keys.log.public_key();
  c.vrf_public_key = keys.vrf.public_key();
  if (mode == DeploymentMode::thirdPartyManagement) c.leaf_public_key = keys.leaf.public_key();
  if (mode == DeploymentMode::thirdPartyAuditing) {
    c.max_auditor_lag = 60000;
    c.auditor_start_pos = 17;
    c.auditor_public_key = keys.auditor.public_key();
  }
  c.max_ahead = 10000;
  c.max_behind = 86400000;
  c.reasonable_monitoring_window = 604800000;
  c.maximum_lifetime = 2592000000;
  return c;
}

constexpr CipherSuite kSuites[] = {CipherSuite::KT_128_SHA256_P256,
                                   CipherSuite::KT_128_SHA256_Ed25519};
constexpr DeploymentMode kModes[] = {DeploymentMode::contactMonitoring,
                                     DeploymentMode::thirdPartyManagement,
                                     DeploymentMode::thirdPartyAuditing};

TEST(KtTreeHeadTest, CodecsRoundTrip) {
  int num_cases = 0;
  for (CipherSuite suite : kSuites) {
    const Keys keys = MakeKeys(suite);
    for (DeploymentMode mode : kModes) {
      SCOPED_TRACE(static_cast<int>(mode));
      Configuration config = MakeConfig(suite, mode, keys);
      ASSERT_TRUE(ValidateConfiguration(config).ok());
      CheckCodec(config);
      config.maximum_lifetime.reset();
      CheckCodec(config);
      CheckCodec(TreeHeadTBS{config, 5, H(9)});
      CheckCodec(AuditorTreeHeadTBS{config, 1700000000000, 5, H(9)});
      CheckCodec(FullTreeHead{}, mode);
      CheckCodec(testing::SampleFullTreeHead(mode), mode);
      num_cases += 6;
    }
  }
  CheckCodec(TreeHead{0, {}});
  CheckCodec(TreeHead{0xffffffffffffffff, B(64, 1)});
  CheckCodec(AuditorTreeHead{1, 2, B(64, 3)});
  num_cases += 3;
  std::printf("KtTreeHeadTest.CodecsRoundTrip: %d cases run, %d passed\n", num_cases,
              HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

// Configuration layout by hand: Ed25519 suite, thirdPartyAuditing, 2-byte key lengths, the
// auditing fields between the keys and max_ahead, optional<uint64> at the end.
TEST(KtTreeHeadTest, ConfigurationHandWrittenLayout) {
  const Bytes wire =
      Hex("0002"
          "03"
          "0001"
          "aa"
          "0002"
          "bbbb"
          "0000000000000005"
          "0000000000000006"
          "0001"
          "cc"
          "0000000000000001"
          "0000000000000002"
          "0000000000000003"
          "01"
          "0000000000000004");
  auto c = tls::DecodeExact<Configuration>(wire);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->ciphersuite, CipherSuite::KT_128_SHA256_Ed25519);
  EXPECT_EQ(c->mode, DeploymentMode::thirdPartyAuditing);
  EXPECT_EQ(c->signature_public_key, Bytes{0xaa});
  EXPECT_EQ(c->vrf_public_key, (Bytes{0xbb, 0xbb}));
  EXPECT_EQ(c->max_auditor_lag, 5u);
  EXPECT_EQ(c->auditor_start_pos, 6u);
  EXPECT_EQ(c->auditor_public_key, Bytes{0xcc});
  EXPECT_EQ(c->max_ahead, 1u);
  EXPECT_EQ(c->max_behind, 2u);
  EXPECT_EQ(c->reasonable_monitoring_window, 3u);
  EXPECT_EQ(c->maximum_lifetime, std::optional<uint64_t>(4));
  EXPECT_EQ(tls::Encode(*c), wire);

  // The FullTreeHead of an auditing log carries the AuditorTreeHead after the TreeHead.
  const Bytes full =
      Hex("02"
          "0000000000000007"
          "0001"
          "ee"
          "0000000000000008"
          "0000000000000006"
          "0000");
  auto h = DecodeExactIn<FullTreeHead>(full, DeploymentMode::thirdPartyAuditing);
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->tree_head.tree_size, 7u);
  EXPECT_EQ(h->auditor_tree_head.timestamp, 8u);
  EXPECT_EQ(h->auditor_tree_head.tree_size, 6u);
  EXPECT_FALSE(DecodeExactIn<FullTreeHead>(full, DeploymentMode::contactMonitoring).ok());
}

TEST(KtTreeHeadTest, DecodeRejectsBadEnums) {
  // Cipher suite 0 (reserved) and 3 (unknown); mode 0 and 4; presence octet 2.
  const std::string tail =
      "0000"
      "0000"
      "0000000000000000"
      "0000000000000000"
      "0000000000000000";
  for (const std::string& bad : {"0000"
                                 "01" +
                                     tail + "00",
                                 "0003"
                                 "01" +
                                     tail + "00",
                                 "0001"
                                 "00" +
                                     tail + "00",
                                 "0001"
                                 "04" +
                                     tail + "00",
                                 "0001"
                                 "01" +
                                     tail + "02"}) {
    auto c = tls::DecodeExact<Configuration>(Hex(bad));
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, Errc::kMalformed);
    EXPECT_NE(c.error().message.find("Configuration."), std::string::npos) << c.error().message;
  }
  EXPECT_TRUE(tls::DecodeExact<Configuration>(Hex("0001"
                                                  "01" +
                                                  tail + "00"))
                  .ok());
  for (const char* type : {"00", "03", "ff"}) {
    auto h = DecodeExactIn<FullTreeHead>(Hex(type), DeploymentMode::contactMonitoring);
    ASSERT_FALSE(h.ok());
    EXPECT_NE(h.error().message.find("FullTreeHead.head_type"), std::string::npos);
  }
}

TEST(KtTreeHeadTest, ValidateConfiguration) {
  for (CipherSuite suite : kSuites) {
    const Keys keys = MakeKeys(suite);
    for (DeploymentMode mode : kModes) {
      const Configuration good = MakeConfig(suite, mode, keys);
      EXPECT_TRUE(ValidateConfiguration(good).ok());
      auto expect_invalid = [](const Configuration& c, const char* field) {
        Status st = ValidateConfiguration(c);
        ASSERT_FALSE(st.ok()) << field;
        EXPECT_EQ(st.error().code, Errc::kInvalidArgument);
        EXPECT_NE(st.error().message.find(field), std::string::npos) << st.error().message;
      };
      Configuration c = good;
      c.signature_public_key.pop_back();
      expect_invalid(c, "signature_public_key");
      c = good;
      c.vrf_public_key.push_back(0);
      expect_invalid(c, "vrf_public_key");
      c = good;
      c.maximum_lifetime = c.reasonable_monitoring_window;
      expect_invalid(c, "maximum_lifetime");
      c = good;
      c.reasonable_monitoring_window = 0;
      c.maximum_lifetime.reset();
      expect_invalid(c, "reasonable_monitoring_window");
      c = good;
      c.ciphersuite = static_cast<CipherSuite>(7);
      expect_invalid(c, "ciphersuite");
      c = good;
      if (mode == DeploymentMode::thirdPartyManagement) {
        c.leaf_public_key.clear();
      } else {
        c.leaf_public_key = keys.leaf.public_key();
      }
      expect_invalid(c, "leaf_public_key");
      c = good;
      if (mode == DeploymentMode::thirdPartyAuditing) {
        c.auditor_public_key.clear();
      } else {
        c.max_auditor_lag = 1;
      }
      expect_invalid(c, "auditor");
    }
  }
}

TEST(KtTreeHeadTest, TreeHeadSignVerifyBothSuites) {
  int num_cases = 0;
  for (CipherSuite suite : kSuites) {
    const Keys keys = MakeKeys(suite);
    for (DeploymentMode mode : kModes) {
      SCOPED_TRACE(static_cast<int>(suite) * 10 + static_cast<int>(mode));
      const Configuration config = MakeConfig(suite, mode, keys);
      const HashValue root = H(0x5a);
      const TreeHead head{77, SignTreeHead(keys.log, config, 77, root)};
      EXPECT_EQ(head.signature.size(), 64u);  // Ed25519, and P-256 as r||s (not DER)
      EXPECT_TRUE(VerifyTreeHead(config, head, root).ok());

      auto expect_rejected = [](Status st) {
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
      };
      expect_rejected(VerifyTreeHead(config, head, H(0x5b)));
      TreeHead other_size = head;
      other_size.tree_size = 78;
      expect_rejected(VerifyTreeHead(config, other_size, root));
      for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
        TreeHead flipped = head;
        flipped.signature[i] ^= 0x01;
        expect_rejected(VerifyTreeHead(config, flipped, root));
      }
      TreeHead short_sig = head;
      short_sig.signature.pop_back();
      expect_rejected(VerifyTreeHead(config, short_sig, root));
      expect_rejected(VerifyTreeHead(config, TreeHead{77, {}}, root));
      Configuration other_config = config;
      other_config.max_ahead += 1;  // the signature covers the whole configuration
      expect_rejected(VerifyTreeHead(other_config, head, root));
      // A signature by another key (the auditor's) does not verify as the log's.
      const TreeHead wrong_key{77, SignTreeHead(keys.auditor, config, 77, root)};
      expect_rejected(VerifyTreeHead(config, wrong_key, root));

      const AuditorTreeHead aud{1700000000000, 70,
                                SignAuditorTreeHead(keys.auditor, config, 1700000000000, 70, root)};
      if (mode == DeploymentMode::thirdPartyAuditing) {
        EXPECT_TRUE(VerifyAuditorTreeHead(config, aud, root).ok());
        AuditorTreeHead later = aud;
        later.timestamp += 1;
        expect_rejected(VerifyAuditorTreeHead(config, later, root));
        AuditorTreeHead smaller = aud;
        smaller.tree_size -= 1;
        expect_rejected(VerifyAuditorTreeHead(config, smaller, root));
        expect_rejected(VerifyAuditorTreeHead(config, aud, H(0)));
        // The log's tree-head signature is not an auditor signature (different TBS).
        expect_rejected(
            VerifyAuditorTreeHead(config, AuditorTreeHead{0, 77, head.signature}, root));
      } else {
        // No auditor key outside auditing mode: nothing verifies.
        expect_rejected(VerifyAuditorTreeHead(config, aud, root));
      }
      num_cases += 1;
    }
  }
  std::printf("KtTreeHeadTest.TreeHeadSignVerifyBothSuites: %d cases run, %d passed\n", num_cases,
              HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

// The P-256 suite's signatures are r||s: a DER signature over the same TBS is refused, and
// SuiteVerify accepts exactly what SuiteSign produced.
TEST(KtTreeHeadTest, P256SignaturesAreRawNotDer) {
  const Keys keys = MakeKeys(CipherSuite::KT_128_SHA256_P256);
  const Configuration config =
      MakeConfig(CipherSuite::KT_128_SHA256_P256, DeploymentMode::contactMonitoring, keys);
  const HashValue root = H(1);
  const Bytes tbs = tls::Encode(TreeHeadTBS{config, 3, root});
  const Bytes der = keys.log.Sign(tbs);
  EXPECT_TRUE(crypto::SignatureVerify(crypto::SignatureScheme::kEcdsaSecp256r1Sha256,
                                      config.signature_public_key, tbs, der)
                  .ok());
  auto st = VerifyTreeHead(config, TreeHead{3, der}, root);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
  auto raw = crypto::EcdsaSignatureToRaw(crypto::SignatureScheme::kEcdsaSecp256r1Sha256, der);
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(VerifyTreeHead(config, TreeHead{3, *raw}, root).ok());
  EXPECT_TRUE(SuiteVerify(CipherSuite::KT_128_SHA256_P256, config.signature_public_key, tbs,
                          SuiteSign(CipherSuite::KT_128_SHA256_P256, keys.log, tbs))
                  .ok());
}

// tree_head.json (tests/kt/gen_tree_head_vectors.py): TreeHeadTBS, AuditorTreeHeadTBS and
// UpdateTBS encoded independently in Python from the draft and signed with python3-cryptography
// (P-256 as r||s). Our encodings must match byte for byte and the signatures must verify.
TEST(KtTreeHeadTest, PythonSignedVectors) {
  const std::string path = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/kt/tree_head.json";
  auto data = ReadFile(path);
  ASSERT_TRUE(data.ok()) << path;
  const nlohmann::json doc = nlohmann::json::parse(AsStringView(*data), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  int num_run = 0;
  int num_passed = 0;
  for (const nlohmann::json& c : doc.at("cases")) {
    ++num_run;
    const bool had_failure = HasFailure();
    const Configuration config = ConfigFromJson(c.at("config"));
    EXPECT_TRUE(ValidateConfiguration(config).ok());
    EXPECT_EQ(HexEncode(tls::Encode(config)), c.at("config_encoding").get<std::string>());
    auto decoded = tls::DecodeExact<Configuration>(Hex(c.at("config_encoding").get<std::string>()));
    EXPECT_TRUE(decoded.ok() && *decoded == config);
    const auto tree_size = c.at("tree_size").get<uint64_t>();
    const HashValue root = HashFromHex(c.at("root").get<std::string>());
    EXPECT_EQ(HexEncode(tls::Encode(TreeHeadTBS{config, tree_size, root})),
              c.at("tree_head_tbs").get<std::string>());
    const TreeHead head{tree_size, Hex(c.at("tree_head_signature").get<std::string>())};
    EXPECT_TRUE(VerifyTreeHead(config, head, root).ok());
    EXPECT_FALSE(VerifyTreeHead(config, TreeHead{tree_size + 1, head.signature}, root).ok());
    if (c.contains("auditor")) {
      const nlohmann::json& a = c.at("auditor");
      const AuditorTreeHead aud{a.at("timestamp").get<uint64_t>(),
                                a.at("tree_size").get<uint64_t>(),
                                Hex(a.at("signature").get<std::string>())};
      EXPECT_EQ(
          HexEncode(tls::Encode(AuditorTreeHeadTBS{config, aud.timestamp, aud.tree_size, root})),
          a.at("auditor_tree_head_tbs").get<std::string>());
      EXPECT_TRUE(VerifyAuditorTreeHead(config, aud, root).ok());
    }
    if (c.contains("update")) {
      const nlohmann::json& u = c.at("update");
      const Bytes label = Hex(u.at("label").get<std::string>());
      const auto version = u.at("version").get<uint32_t>();
      UpdateValue update;
      update.value = Hex(u.at("value").get<std::string>());
      update.suffix.signature = Hex(u.at("signature").get<std::string>());
      EXPECT_EQ(HexEncode(tls::Encode(UpdateTBS{config, label, version, update.value})),
                u.at("update_tbs").get<std::string>());
      EXPECT_TRUE(VerifyUpdate(config, label, version, update).ok());
      // The commitment to the signed UpdateValue (suffix included) in this mode.
      const Bytes opening = Hex(u.at("opening").get<std::string>());
      CommitmentValue cv;
      ASSERT_EQ(opening.size(), cv.opening.size());
      std::copy(opening.begin(), opening.end(), cv.opening.begin());
      cv.label = label;
      cv.version = version;
      cv.update = update;
      EXPECT_EQ(HexEncode(EncodeIn(cv, config.mode)), u.at("commitment_value").get<std::string>());
      EXPECT_EQ(HexEncode(Commit(opening, label, version, update, config.mode)),
                u.at("commitment").get<std::string>());
    }
    if (!had_failure && !HasFailure()) ++num_passed;
  }
  std::printf("tree_head.json: %d cases run, %d passed\n", num_run, num_passed);
  ASSERT_GT(num_run, 0);
  EXPECT_EQ(num_passed, num_run);
}

}  // namespace
}  // namespace candor::kt
