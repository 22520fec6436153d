// HPKE (RFC 9180): every Appendix A vector (tests/vectors/hpke/, see its README), then
// round trips for all KEMs including X448 and P-384, and the failure paths.
#include "candor/crypto/hpke.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/aead.h"

namespace candor::crypto {
namespace {

using nlohmann::json;

const std::string kVectors =
    std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/hpke/rfc9180-appendix-a.json";

constexpr KemId kAllKems[] = {KemId::kP256, KemId::kP384, KemId::kP521, KemId::kX25519,
                              KemId::kX448};

Bytes Hex(const json& j, const char* field) {
  if (!j.contains(field)) return {};
  auto b = HexDecode(j.at(field).get<std::string>());
  EXPECT_TRUE(b.ok()) << field;
  return b.ok() ? *b : Bytes();
}

std::string HexOf(ByteView b) { return HexEncode(b); }

// CheckVector runs one Appendix A entry; it returns true when every check passed.
bool CheckVector(const json& v) {
  bool ok = true;
  auto expect = [&ok](bool cond, const std::string& what) {
    if (!cond) {
      ok = false;
      ADD_FAILURE() << what;
    }
  };
  const HpkeSuite suite{static_cast<KemId>(v.at("kem_id").get<uint16_t>()),
                        static_cast<KdfId>(v.at("kdf_id").get<uint16_t>()),
                        static_cast<AeadId>(v.at("aead_id").get<uint16_t>())};
  const auto mode = static_cast<HpkeMode>(v.at("mode").get<uint8_t>());
  const std::string name =
      v.at("suite_name").get<std::string>() + " mode " + std::to_string(static_cast<int>(mode));

  // DeriveKeyPair gives the listed keys.
  for (const char* who : {"E", "R", "S"}) {
    const std::string ikm_field = std::string("ikm") + who;
    if (!v.contains(ikm_field)) continue;
    auto pair = DeriveKeyPair(suite.kem, Hex(v, ikm_field.c_str()));
    expect(pair.ok(), name + ": DeriveKeyPair " + who);
    if (!pair.ok()) return false;
    expect(HexOf(pair->private_key.view()) == v.at(std::string("sk") + who + "m"),
           name + ": sk" + who + "m");
    expect(HexOf(pair->public_key) == v.at(std::string("pk") + who + "m"),
           name + ": pk" + who + "m");
    auto pub = PublicKeyFromPrivate(suite.kem, pair->private_key.view());
    expect(pub.ok() && HexOf(*pub) == v.at(std::string("pk") + who + "m"),
           name + ": PublicKeyFromPrivate " + who);
  }

  const Bytes info = Hex(v, "info"), psk = Hex(v, "psk"), psk_id = Hex(v, "psk_id");
  const Bytes sk_s = Hex(v, "skSm"), pk_s = Hex(v, "pkSm");
  HpkeSetupParams send_params{mode, psk, psk_id, sk_s, {}};
  HpkeSetupParams recv_params{mode, psk, psk_id, {}, pk_s};
  const HpkeSetup setup(suite);
  auto sender = setup.SetupSDeterministic(Hex(v, "pkRm"), info, Hex(v, "ikmE"), send_params);
  expect(sender.ok(), name + ": SetupS " + (sender.ok() ? "" : sender.error().ToString()));
  auto receiver = setup.SetupR(Hex(v, "enc"), Hex(v, "skRm"), info, recv_params);
  expect(receiver.ok(), name + ": SetupR " + (receiver.ok() ? "" : receiver.error().ToString()));
  if (!sender.ok() || !receiver.ok()) return false;
  expect(HexOf(sender->enc) == v.at("enc"), name + ": enc");

  // The AEAD alone against the listed key and nonces.
  const Bytes key = Hex(v, "key");
  const json encryptions = v.value("encryptions", json::array());
  for (const json& e : encryptions) {
    auto ct = AeadSeal(suite.aead, key, Hex(e, "nonce"), Hex(e, "aad"), Hex(e, "pt"));
    expect(ct.ok() && HexOf(*ct) == e.at("ct"), name + ": AeadSeal seq " + e.at("seq").dump());
  }

  // Contexts: seal and open in lockstep up to the last listed sequence number; intermediate
  // messages use the same pt and the aad "Count-<seq>".
  uint64_t last_seq = 0;
  for (const json& e : encryptions) last_seq = std::max(last_seq, e.at("seq").get<uint64_t>());
  size_t next = 0;
  for (uint64_t seq = 0; !encryptions.empty() && seq <= last_seq; ++seq) {
    const bool listed = next < encryptions.size() && encryptions[next].at("seq") == seq;
    const Bytes pt = Hex(encryptions[0], "pt");
    const std::string aad = "Count-" + std::to_string(seq);
    auto ct = sender->context.Seal(AsBytes(aad), pt);
    expect(ct.ok(), name + ": Seal");
    if (!ct.ok()) return false;
    if (listed) {
      expect(HexOf(AsBytes(aad)) == encryptions[next].at("aad"), name + ": aad");
      expect(HexOf(*ct) == encryptions[next].at("ct"), name + ": ct seq " + std::to_string(seq));
      ++next;
    }
    auto back = receiver->Open(AsBytes(aad), *ct);
    expect(back.ok() && HexOf(back->view()) == HexOf(pt), name + ": Open");
  }
  expect(next == encryptions.size(), name + ": all listed encryptions reached");
  if (encryptions.empty()) {
    expect(sender->context.Seal({}, {}).error().code == Errc::kInvalidArgument,
           name + ": export-only Seal");
    expect(receiver->Open({}, Bytes(16)).error().code == Errc::kInvalidArgument,
           name + ": export-only Open");
  }

  for (const json& x : v.at("exports")) {
    const size_t len = x.at("L").get<size_t>();
    auto s = sender->context.Export(Hex(x, "exporter_context"), len);
    auto r = receiver->Export(Hex(x, "exporter_context"), len);
    expect(s.ok() && HexOf(s->view()) == x.at("exported_value"), name + ": sender Export");
    expect(r.ok() && HexOf(r->view()) == x.at("exported_value"), name + ": receiver Export");
  }
  return ok;
}

TEST(HpkeVectorsTest, Rfc9180AppendixA) {
  auto data = ReadFile(kVectors);
  ASSERT_TRUE(data.ok()) << kVectors;
  const json all = json::parse(AsStringView(*data));
  size_t num_cases = 0, num_passed = 0, num_encryptions = 0, num_exports = 0;
  for (const json& v : all) {
    ++num_cases;
    num_encryptions += v.value("encryptions", json::array()).size();
    num_exports += v.at("exports").size();
    if (CheckVector(v)) ++num_passed;
  }
  std::printf(
      "hpke rfc9180-appendix-a.json: %zu cases run / %zu passed (%zu encryptions, %zu exports)\n",
      num_cases, num_passed, num_encryptions, num_exports);
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_passed, num_cases);
}

// The single-shot paths (HpkeBaseSealer and HpkeOpenBase, which skip exporter_secret and
// compute the key schedule context once) against every Base-mode vector with a listed first
// message: the same enc and seq-0 ciphertext as the vector, and the vector's ciphertext opens
// to its plaintext.
TEST(HpkeVectorsTest, BaseSealerMatchesAppendixA) {
  auto data = ReadFile(kVectors);
  ASSERT_TRUE(data.ok()) << kVectors;
  const json all = json::parse(AsStringView(*data));
  size_t num_cases = 0, num_passed = 0;
  for (const json& v : all) {
    if (v.at("mode").get<int>() != static_cast<int>(HpkeMode::kBase)) continue;
    const json encryptions = v.value("encryptions", json::array());
    if (encryptions.empty() || encryptions[0].at("seq") != 0) continue;
    ++num_cases;
    const HpkeSuite suite{static_cast<KemId>(v.at("kem_id").get<uint16_t>()),
                          static_cast<KdfId>(v.at("kdf_id").get<uint16_t>()),
                          static_cast<AeadId>(v.at("aead_id").get<uint16_t>())};
    auto sealer = HpkeBaseSealer::Create(suite, Hex(v, "info"));
    ASSERT_TRUE(sealer.ok()) << v.at("suite_name");
    const json& e = encryptions[0];
    auto ct =
        sealer->SealDeterministic(Hex(v, "pkRm"), Hex(v, "ikmE"), Hex(e, "aad"), Hex(e, "pt"));
    auto pt = HpkeOpenBase(suite, Hex(v, "enc"), Hex(v, "skRm"), Hex(v, "info"), Hex(e, "aad"),
                           Hex(e, "ct"));
    const bool ok = ct.ok() && HexOf(ct->kem_output) == v.at("enc") &&
                    HexOf(ct->ciphertext) == e.at("ct") && pt.ok() &&
                    HexOf(pt->view()) == e.at("pt");
    EXPECT_TRUE(ok) << v.at("suite_name");
    if (ok) ++num_passed;
  }
  std::printf(
      "hpke rfc9180-appendix-a.json (HpkeBaseSealer + HpkeOpenBase, Base mode, seq 0): %zu cases "
      "run / "
      "%zu passed\n",
      num_cases, num_passed);
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_passed, num_cases);
}

// A receiver sees exactly what a sender sealed, in every mode and KEM (X448 and P-384 have no
// RFC vectors, so this is their main check).
TEST(HpkeTest, RoundTripAllKemsAndModes) {
  for (KemId kem : kAllKems) {
    for (HpkeMode mode : {HpkeMode::kBase, HpkeMode::kPsk, HpkeMode::kAuth, HpkeMode::kAuthPsk}) {
      const HpkeSuite suite{kem, KdfId::kHkdfSha384, AeadId::kAes256Gcm};
      HpkeKeyPair r = GenerateKeyPair(kem);
      HpkeKeyPair s = GenerateKeyPair(kem);
      const bool psk_mode = mode == HpkeMode::kPsk || mode == HpkeMode::kAuthPsk;
      const bool auth_mode = mode == HpkeMode::kAuth || mode == HpkeMode::kAuthPsk;
      const Bytes psk(32, 0x11), psk_id = {'i', 'd'};
      HpkeSetupParams send;
      HpkeSetupParams recv;
      send.mode = recv.mode = mode;
      if (psk_mode) {
        send.psk = recv.psk = psk;
        send.psk_id = recv.psk_id = psk_id;
      }
      if (auth_mode) {
        send.sender_private_key = s.private_key.view();
        recv.sender_public_key = s.public_key;
      }
      const HpkeSetup setup(suite);
      auto sender = setup.SetupS(r.public_key, AsBytes("info"), send);
      ASSERT_TRUE(sender.ok()) << sender.error().ToString();
      auto receiver = setup.SetupR(sender->enc, r.private_key.view(), AsBytes("info"), recv);
      ASSERT_TRUE(receiver.ok()) << receiver.error().ToString();
      for (int i = 0; i < 3; ++i) {
        auto ct = sender->context.Seal(AsBytes("aad"), AsBytes("hello"));
        ASSERT_TRUE(ct.ok());
        auto pt = receiver->Open(AsBytes("aad"), *ct);
        ASSERT_TRUE(pt.ok());
        EXPECT_EQ(AsStringView(pt->view()), "hello");
      }
      auto e1 = sender->context.Export(AsBytes("ctx"), 17);
      auto e2 = receiver->Export(AsBytes("ctx"), 17);
      ASSERT_TRUE(e1.ok() && e2.ok());
      EXPECT_EQ(HexOf(e1->view()), HexOf(e2->view()));
      // A different info gives a receiver that cannot open.
      auto wrong = setup.SetupR(sender->enc, r.private_key.view(), AsBytes("other"), recv);
      ASSERT_TRUE(wrong.ok());
      auto ct = sender->context.Seal({}, AsBytes("x"));
      ASSERT_TRUE(ct.ok());
      EXPECT_EQ(wrong->Open({}, *ct).error().code, Errc::kVerifyFailed);
    }
  }
}

TEST(HpkeTest, SingleShotBase) {
  for (KemId kem : kAllKems) {
    const HpkeSuite suite{kem, KdfId::kHkdfSha256, AeadId::kChaCha20Poly1305};
    HpkeKeyPair r = GenerateKeyPair(kem);
    auto sealed =
        HpkeSealBase(suite, r.public_key, AsBytes("info"), AsBytes("aad"), AsBytes("message"));
    ASSERT_TRUE(sealed.ok());
    auto opened = HpkeOpenBase(suite, sealed->kem_output, r.private_key.view(), AsBytes("info"),
                               AsBytes("aad"), sealed->ciphertext);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(AsStringView(opened->view()), "message");
    Bytes bad = sealed->ciphertext;
    bad.back() ^= 1;
    auto r2 = HpkeOpenBase(suite, sealed->kem_output, r.private_key.view(), AsBytes("info"),
                           AsBytes("aad"), bad);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().code, Errc::kVerifyFailed);
  }
}

// HpkeBaseSealer hashes `info` once; its output opens with HpkeOpenBase under the same info
// and fails under another, for every KEM.
TEST(HpkeTest, BaseSealerMatchesSingleShot) {
  const Bytes info(100000, 0x5a);
  for (KemId kem : {KemId::kP256, KemId::kP384, KemId::kP521, KemId::kX25519, KemId::kX448}) {
    const HpkeSuite suite{kem, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
    auto sealer = HpkeBaseSealer::Create(suite, info);
    ASSERT_TRUE(sealer.ok());
    for (int i = 0; i < 3; ++i) {
      HpkeKeyPair r = GenerateKeyPair(kem);
      auto ct = sealer->Seal(r.public_key, AsBytes("aad"), AsBytes("secret"));
      ASSERT_TRUE(ct.ok());
      auto pt = HpkeOpenBase(suite, ct->kem_output, r.private_key.view(), info, AsBytes("aad"),
                             ct->ciphertext);
      ASSERT_TRUE(pt.ok());
      EXPECT_EQ(AsStringView(pt->view()), "secret");
      Bytes other_info = info;
      other_info.back() ^= 1;
      EXPECT_EQ(HpkeOpenBase(suite, ct->kem_output, r.private_key.view(), other_info,
                             AsBytes("aad"), ct->ciphertext)
                    .error()
                    .code,
                Errc::kVerifyFailed);
    }
    EXPECT_EQ(sealer->Seal(Bytes(3, 1), {}, {}).error().code, Errc::kMalformed);
  }
  const HpkeSuite unknown{static_cast<KemId>(0x99), KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  EXPECT_EQ(HpkeBaseSealer::Create(unknown, info).error().code, Errc::kInvalidArgument);
}

TEST(HpkeTest, OpenFailureDoesNotAdvance) {
  const HpkeSuite suite{KemId::kX25519, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  HpkeKeyPair r = GenerateKeyPair(KemId::kX25519);
  auto sender = HpkeSetup(suite).SetupS(r.public_key, {});
  ASSERT_TRUE(sender.ok());
  auto receiver = HpkeSetup(suite).SetupR(sender->enc, r.private_key.view(), {});
  ASSERT_TRUE(receiver.ok());
  auto ct = sender->context.Seal({}, AsBytes("one"));
  ASSERT_TRUE(ct.ok());
  Bytes bad = *ct;
  bad[0] ^= 1;
  EXPECT_EQ(receiver->Open({}, bad).error().code, Errc::kVerifyFailed);
  auto pt = receiver->Open({}, *ct);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(AsStringView(pt->view()), "one");
  // Replaying the same ciphertext fails: the receiver has moved to the next nonce.
  EXPECT_EQ(receiver->Open({}, *ct).error().code, Errc::kVerifyFailed);
}

TEST(HpkeTest, KeyValidation) {
  // Lengths: Npk and Nsk per KEM.
  const std::pair<KemId, std::pair<size_t, size_t>> sizes[] = {{KemId::kP256, {65, 32}},
                                                               {KemId::kP384, {97, 48}},
                                                               {KemId::kP521, {133, 66}},
                                                               {KemId::kX25519, {32, 32}},
                                                               {KemId::kX448, {56, 56}}};
  for (const auto& [kem, n] : sizes) {
    HpkeKeyPair pair = GenerateKeyPair(kem);
    EXPECT_EQ(pair.public_key.size(), n.first);
    EXPECT_EQ(pair.private_key.size(), n.second);
    EXPECT_TRUE(ValidatePublicKey(kem, pair.public_key).ok());
    Bytes longer = pair.public_key;
    longer.push_back(0);
    EXPECT_EQ(ValidatePublicKey(kem, longer).error().code, Errc::kMalformed);
    EXPECT_EQ(ValidatePublicKey(kem, ByteView(pair.public_key).first(n.first - 1)).error().code,
              Errc::kMalformed);
    EXPECT_EQ(PublicKeyFromPrivate(kem, Bytes(n.second + 1, 1)).error().code, Errc::kMalformed);
    // A short ikm is allowed (RFC 9180 §7.1.3 says SHOULD); it still derives a valid pair.
    auto derived = DeriveKeyPair(kem, Bytes(n.second - 1, 1));
    ASSERT_TRUE(derived.ok());
    EXPECT_TRUE(ValidatePublicKey(kem, derived->public_key).ok());
  }
  // NIST curves: a point off the curve, a compressed point, the zero and order scalars.
  for (KemId kem : {KemId::kP256, KemId::kP384, KemId::kP521}) {
    HpkeKeyPair pair = GenerateKeyPair(kem);
    Bytes off = pair.public_key;
    off.back() ^= 1;
    EXPECT_EQ(ValidatePublicKey(kem, off).error().code, Errc::kMalformed);
    Bytes compressed = pair.public_key;
    compressed[0] = 0x02;
    EXPECT_EQ(ValidatePublicKey(kem, compressed).error().code, Errc::kMalformed);
    EXPECT_EQ(ValidatePublicKey(kem, Bytes(pair.public_key.size(), 0)).error().code,
              Errc::kMalformed);
    EXPECT_EQ(PublicKeyFromPrivate(kem, Bytes(pair.private_key.size(), 0)).error().code,
              Errc::kMalformed);
    EXPECT_EQ(PublicKeyFromPrivate(kem, Bytes(pair.private_key.size(), 0xff)).error().code,
              Errc::kMalformed);
    // A bad enc is kMalformed at the receiver.
    const HpkeSuite suite{kem, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
    auto r = HpkeSetup(suite).SetupR(off, pair.private_key.view(), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kMalformed);
  }
  // P-256 order n: rejected; n - 1: accepted.
  auto order = HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(PublicKeyFromPrivate(KemId::kP256, *order).error().code, Errc::kMalformed);
  Bytes n_minus_1 = *order;
  n_minus_1.back() -= 1;
  EXPECT_TRUE(PublicKeyFromPrivate(KemId::kP256, n_minus_1).ok());
}

// X25519 and X448 public keys of small order give an all-zero shared secret, which §7.1.4
// requires us to refuse.
TEST(HpkeTest, SmallOrderPointsRefused) {
  for (KemId kem : {KemId::kX25519, KemId::kX448}) {
    const HpkeSuite suite{kem, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
    HpkeKeyPair r = GenerateKeyPair(kem);
    const Bytes zero(r.public_key.size(), 0);
    Bytes one(r.public_key.size(), 0);
    one[0] = 1;
    for (const Bytes& bad : {zero, one}) {
      auto s = HpkeSetup(suite).SetupS(bad, {});
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code, Errc::kMalformed);
      auto rr = HpkeSetup(suite).SetupR(bad, r.private_key.view(), {});
      ASSERT_FALSE(rr.ok());
      EXPECT_EQ(rr.error().code, Errc::kMalformed);
    }
  }
}

TEST(HpkeTest, ParamsMisuse) {
  const HpkeSuite suite{KemId::kX25519, KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  HpkeKeyPair r = GenerateKeyPair(KemId::kX25519);
  HpkeKeyPair s = GenerateKeyPair(KemId::kX25519);
  const Bytes psk(32, 1), psk_id = {1};
  const HpkeSetupParams bad[] = {
      {HpkeMode::kBase, psk, psk_id, {}, {}},               // PSK in Base
      {HpkeMode::kPsk, {}, {}, {}, {}},                     // no PSK in PSK mode
      {HpkeMode::kPsk, psk, {}, {}, {}},                    // psk without psk_id
      {HpkeMode::kPsk, {}, psk_id, {}, {}},                 // psk_id without psk
      {HpkeMode::kAuth, {}, {}, {}, {}},                    // no sender key in Auth
      {HpkeMode::kBase, {}, {}, s.private_key.view(), {}},  // sender key in Base
      {static_cast<HpkeMode>(9), {}, {}, {}, {}},           // unknown mode
  };
  for (const HpkeSetupParams& p : bad) {
    auto out = HpkeSetup(suite).SetupS(r.public_key, {}, p);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, Errc::kInvalidArgument);
  }
  const HpkeSuite unknown_kem{static_cast<KemId>(0x99), KdfId::kHkdfSha256, AeadId::kAes128Gcm};
  EXPECT_EQ(HpkeSetup(unknown_kem).SetupS(r.public_key, {}).error().code, Errc::kInvalidArgument);
  const HpkeSuite unknown_kdf{KemId::kX25519, static_cast<KdfId>(9), AeadId::kAes128Gcm};
  EXPECT_EQ(HpkeSetup(unknown_kdf).SetupS(r.public_key, {}).error().code, Errc::kInvalidArgument);
  // Export length limit: 255 * Nh.
  auto sender = HpkeSetup(suite).SetupS(r.public_key, {});
  ASSERT_TRUE(sender.ok());
  EXPECT_TRUE(sender->context.Export({}, 255 * 32).ok());
  EXPECT_EQ(sender->context.Export({}, 255 * 32 + 1).error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
