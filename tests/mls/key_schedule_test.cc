// RFC 9420 §8 key schedule against the official key-schedule.json vectors (all epochs of all 7
// suites), the §8.2 transcript hashes against transcript-hashes.json, and misuse tests.
#include "candor/mls/key_schedule.h"

#include <gtest/gtest.h>

#include <string>

#include "candor/base/tls.h"
#include "candor/mls/secret_tree.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

// EncodeGroupContext builds RFC 9420 §8.1 GroupContext {version = mls10, cipher_suite,
// group_id<V>, epoch, tree_hash<V>, confirmed_transcript_hash<V>, extensions<V> (empty)}.
Bytes EncodeGroupContext(uint16_t suite, ByteView group_id, uint64_t epoch, ByteView tree_hash,
                         ByteView confirmed_transcript_hash) {
  tls::Writer w;
  w.U16(static_cast<uint16_t>(ProtocolVersion::mls10));
  w.U16(suite);
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.OpaqueV(tree_hash);
  w.OpaqueV(confirmed_transcript_hash);
  w.OpaqueV({});
  return w.Take();
}

TEST(MlsKeyScheduleTest, OfficialVectors) {
  const json cases = testing::LoadVectors("key-schedule.json");
  testing::Tally tally("key-schedule.json (epochs)");
  size_t num_external_checked = 0;
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    const auto suite = static_cast<uint16_t>(cs->suite);
    const Bytes group_id = Hex(c.at("group_id"));
    SecretBytes init_secret(Hex(c.at("initial_init_secret")));
    uint64_t epoch_number = 0;
    for (const json& ep : c.at("epochs")) {
      SCOPED_TRACE("suite " + std::to_string(suite) + " epoch " + std::to_string(epoch_number));
      bool ok = true;
      const Bytes group_context =
          EncodeGroupContext(suite, group_id, epoch_number, Hex(ep.at("tree_hash")),
                             Hex(ep.at("confirmed_transcript_hash")));
      ok = Same(group_context, ep.at("group_context"), "group_context") && ok;

      auto e = KeyScheduleEpoch::Create(*cs, init_secret.view(), Hex(ep.at("commit_secret")),
                                        Hex(ep.at("psk_secret")), group_context);
      ASSERT_TRUE(e.ok()) << e.error().ToString();
      ok = Same(e->joiner_secret(), ep.at("joiner_secret"), "joiner_secret") && ok;
      ok = Same(e->welcome_secret(), ep.at("welcome_secret"), "welcome_secret") && ok;
      ok = Same(e->init_secret(), ep.at("init_secret"), "init_secret") && ok;
      ok = Same(e->sender_data_secret(), ep.at("sender_data_secret"), "sender_data_secret") && ok;
      ok = Same(e->encryption_secret(), ep.at("encryption_secret"), "encryption_secret") && ok;
      ok = Same(e->exporter_secret(), ep.at("exporter_secret"), "exporter_secret") && ok;
      ok =
          Same(e->epoch_authenticator(), ep.at("epoch_authenticator"), "epoch_authenticator") && ok;
      ok = Same(e->external_secret(), ep.at("external_secret"), "external_secret") && ok;
      ok = Same(e->confirmation_key(), ep.at("confirmation_key"), "confirmation_key") && ok;
      ok = Same(e->membership_key(), ep.at("membership_key"), "membership_key") && ok;
      ok = Same(e->resumption_psk(), ep.at("resumption_psk"), "resumption_psk") && ok;
      auto external = e->ExternalKeyPair();
      if (external.ok()) {
        ok = Same(external->public_key, ep.at("external_pub"), "external_pub") && ok;
        ++num_external_checked;
      } else {
        ADD_FAILURE() << "ExternalKeyPair: " << external.error().ToString();
        ok = false;
      }

      const json& ex = ep.at("exporter");
      // The generator passes the label's JSON text itself (hex digits) as the Label bytes;
      // mlspp and OpenMLS read it the same way.
      const std::string label = ex.at("label").get<std::string>();
      auto exported =
          e->MlsExporter(AsBytes(label), Hex(ex.at("context")), ex.at("length").get<uint16_t>());
      ASSERT_TRUE(exported.ok());
      ok = Same(exported->view(), ex.at("secret"), "MLS-Exporter") && ok;

      // The joiner's path from joiner_secret reaches the same epoch.
      auto welcome = WelcomeSecret(*cs, e->joiner_secret(), Hex(ep.at("psk_secret")));
      ok = welcome.ok() && Same(welcome->view(), ep.at("welcome_secret"), "WelcomeSecret") && ok;
      auto joined = KeyScheduleEpoch::FromJoinerSecret(*cs, e->joiner_secret(),
                                                       Hex(ep.at("psk_secret")), group_context);
      ok = joined.ok() &&
           Same(joined->epoch_authenticator(), ep.at("epoch_authenticator"), "joiner path") && ok;

      tally.Add(suite, ok);
      init_secret = SecretBytes(e->init_secret());
      ++epoch_number;
    }
  }
  std::printf("key-schedule.json external_pub: checked %zu\n", num_external_checked);
  EXPECT_GT(num_external_checked, 0u);
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

// transcript-hashes.json gives the encoded AuthenticatedContent of a Commit:
//   struct { WireFormat wire_format; FramedContent content; FramedContentAuthData auth; }
// where auth = { opaque signature<V>; MAC confirmation_tag; } for a commit, MAC being
// opaque<V> of Nh bytes behind a varint of p bytes (p = 1 for Nh < 64, 2 for Nh = 64). Hence,
// by slicing from the end:
//   ConfirmedTranscriptHashInput = bytes[0 .. len - p - Nh)   (wire_format, content, signature)
//   InterimTranscriptHashInput   = bytes[len - p - Nh .. len) (the confirmation_tag<V>)
TEST(MlsKeyScheduleTest, TranscriptHashVectors) {
  const json cases = testing::LoadVectors("transcript-hashes.json");
  testing::Tally tally("transcript-hashes.json");
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    const auto suite = static_cast<uint16_t>(cs->suite);
    SCOPED_TRACE("suite " + std::to_string(suite));
    const Bytes ac = Hex(c.at("authenticated_content"));
    // Nh < 64 takes a one-byte varint (Nh); Nh = 64 a two-byte one (0x40 0x40).
    const size_t prefix_len = cs->nh < 64 ? 1 : 2;
    ASSERT_GT(ac.size(), cs->nh + prefix_len);
    const size_t split = ac.size() - prefix_len - cs->nh;
    tls::Reader prefix(ByteView(ac).subspan(split, prefix_len));
    auto tag_len = prefix.Varint("confirmation_tag length");
    ASSERT_TRUE(tag_len.ok() && *tag_len == cs->nh) << "confirmation_tag length prefix";
    const ByteView confirmed_input = ByteView(ac).first(split);
    const ByteView interim_input = ByteView(ac).subspan(split);
    const ByteView tag = interim_input.subspan(prefix_len);

    bool ok = true;
    const Bytes confirmed =
        ConfirmedTranscriptHash(*cs, Hex(c.at("interim_transcript_hash_before")), confirmed_input);
    ok = Same(confirmed, c.at("confirmed_transcript_hash_after"), "confirmed hash") && ok;
    const Bytes interim = InterimTranscriptHash(*cs, confirmed, interim_input);
    ok = Same(interim, c.at("interim_transcript_hash_after"), "interim hash") && ok;
    const Bytes key = Hex(c.at("confirmation_key"));
    // The tag inside the AuthenticatedContent is MAC(confirmation_key, confirmed hash).
    ok = Same(ConfirmationTag(*cs, key, confirmed), json(HexEncode(tag)), "confirmation_tag") && ok;
    const bool verifies = VerifyConfirmationTag(*cs, key, confirmed, tag).ok();
    EXPECT_TRUE(verifies);
    Bytes bad_tag(tag.begin(), tag.end());
    bad_tag[0] ^= 0x80;
    Status bad = VerifyConfirmationTag(*cs, key, confirmed, bad_tag);
    ok = ok && verifies && !bad.ok() && bad.error().code == Errc::kVerifyFailed;
    tally.Add(suite, ok);
  }
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

TEST(MlsKeyScheduleTest, RejectsWrongSecretLengths) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes nh(32, 0x01);
  const Bytes short_secret(31, 0x01);
  const auto expect_invalid = [](const Result<KeyScheduleEpoch>& r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  };
  expect_invalid(KeyScheduleEpoch::Create(cs, short_secret, nh, nh, {}));
  expect_invalid(KeyScheduleEpoch::Create(cs, nh, short_secret, nh, {}));
  expect_invalid(KeyScheduleEpoch::Create(cs, nh, nh, short_secret, {}));
  expect_invalid(KeyScheduleEpoch::FromJoinerSecret(cs, short_secret, nh, {}));
}

TEST(MlsKeyScheduleTest, ExporterRejectsOverlongOutput) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes nh(32, 0x01);
  auto e = KeyScheduleEpoch::Create(cs, nh, nh, nh, {});
  ASSERT_TRUE(e.ok());
  auto out = e->MlsExporter(AsBytes("label"), {}, 255 * 32 + 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::kInvalidArgument);
}

TEST(MlsKeyScheduleTest, TakeEncryptionSecretLeavesNoCopy) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes nh(32, 0x09);
  auto e = KeyScheduleEpoch::Create(cs, nh, nh, nh, {});
  ASSERT_TRUE(e.ok());
  const Bytes before(e->encryption_secret().begin(), e->encryption_secret().end());
  SecretBytes taken = e->TakeEncryptionSecret();
  EXPECT_EQ(Bytes(taken.view().begin(), taken.view().end()), before);
  EXPECT_TRUE(e->encryption_secret().empty());
  EXPECT_TRUE(e->TakeEncryptionSecret().empty());
  EXPECT_TRUE(SecretTree::Create(cs, taken.view(), 4).ok());
}

TEST(MlsKeyScheduleTest, ExternalInitRoundTrip) {
  for (uint16_t code : {uint16_t{1}, uint16_t{2}, uint16_t{4}, uint16_t{7}}) {
    const CipherSuiteParams& cs = **GetCipherSuiteParams(code);
    const Bytes nh(cs.nh, 0x07);
    auto e = KeyScheduleEpoch::Create(cs, nh, nh, nh, AsBytes("group context"));
    ASSERT_TRUE(e.ok());
    auto external = e->ExternalKeyPair();
    ASSERT_TRUE(external.ok()) << code;
    auto joiner = ExternalInitSender(cs, external->public_key);
    ASSERT_TRUE(joiner.ok()) << code;
    EXPECT_EQ(joiner->init_secret.size(), cs.nh);
    auto member = ExternalInitReceiver(cs, external->private_key.view(), joiner->kem_output);
    ASSERT_TRUE(member.ok()) << code;
    EXPECT_EQ(Bytes(member->view().begin(), member->view().end()),
              Bytes(joiner->init_secret.view().begin(), joiner->init_secret.view().end()));
    // Another epoch's key pair yields a different secret.
    auto other = KeyScheduleEpoch::Create(cs, nh, nh, nh, AsBytes("other context"));
    ASSERT_TRUE(other.ok());
    auto other_pair = other->ExternalKeyPair();
    ASSERT_TRUE(other_pair.ok());
    auto wrong = ExternalInitReceiver(cs, other_pair->private_key.view(), joiner->kem_output);
    ASSERT_TRUE(wrong.ok());
    EXPECT_NE(Bytes(wrong->view().begin(), wrong->view().end()),
              Bytes(joiner->init_secret.view().begin(), joiner->init_secret.view().end()));
  }
  auto bad = ExternalInitSender(**GetCipherSuiteParams(2), Bytes(65, 0x04));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kMalformed);
}

TEST(MlsKeyScheduleTest, MembershipTagVerifiesInConstantTimeCompare) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(7);
  const Bytes key(48, 0x42);
  const Bytes tbm = {1, 2, 3};
  const Bytes tag = MembershipTag(cs, key, tbm);
  EXPECT_EQ(tag.size(), 48u);
  EXPECT_TRUE(VerifyMembershipTag(cs, key, tbm, tag).ok());
  Status st = VerifyMembershipTag(cs, key, Bytes{1, 2, 4}, tag);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
}

}  // namespace
}  // namespace candor::mls
