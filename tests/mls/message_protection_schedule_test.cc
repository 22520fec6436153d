// The secret tree, sender-data keys, membership tag and labeled signatures end to end against
// the official message-protection.json vectors (all 7 suites): each PrivateMessage is opened
// (sender data, then content with the ratchet key and the reuse guard) and its signature
// checked; each PublicMessage's membership tag and signature are checked. The wire structs are
// read by hand with tls::Reader (their codecs live with the wire format), quoting RFC 9420.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "candor/base/tls.h"
#include "candor/crypto/aead.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/secret_tree.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;

constexpr uint16_t kPublicMessage = 1;   // WireFormat mls_public_message
constexpr uint16_t kPrivateMessage = 2;  // WireFormat mls_private_message
constexpr uint8_t kApplication = 1;      // ContentType
constexpr uint8_t kProposal = 2;
constexpr uint8_t kCommit = 3;
constexpr uint8_t kMember = 1;  // SenderType
// The vectors' group has two members (mlswg test-vectors.md, message-protection).
constexpr uint32_t kNumLeaves = 2;

size_t Offset(ByteView all, const tls::Reader& r) { return all.size() - r.remaining(); }

struct Case {
  const CipherSuiteParams* cs;
  Bytes group_id;
  uint64_t epoch;
  Bytes group_context;
  Bytes signature_pub;
  Bytes encryption_secret;
  Bytes sender_data_secret;
  Bytes membership_key;
};

// FramedContentTbs is RFC 9420 §6.1 FramedContentTBS { version; wire_format; FramedContent
// content; GroupContext context (member sender) }.
Bytes FramedContentTbs(const Case& c, uint16_t wire_format, ByteView framed_content) {
  tls::Writer w;
  w.U16(1);
  w.U16(wire_format);
  w.Raw(framed_content);
  w.Raw(c.group_context);
  return w.Take();
}

// BodyOf returns the FramedContent body for `content_type`: application_data<V>, or the raw
// encoded Proposal / Commit the vector gives.
Bytes BodyOf(uint8_t content_type, ByteView raw) {
  if (content_type != kApplication) return Bytes(raw.begin(), raw.end());
  tls::Writer w;
  w.OpaqueV(raw);
  return w.Take();
}

// OpenPrivate opens a PrivateMessage and checks its content and signature.
bool OpenPrivate(const Case& c, ByteView message, uint8_t want_type, ByteView want_raw) {
  const CipherSuiteParams& cs = *c.cs;
  // MLSMessage { version; wire_format; PrivateMessage { opaque group_id<V>; uint64 epoch;
  //   ContentType content_type; opaque authenticated_data<V>;
  //   opaque encrypted_sender_data<V>; opaque ciphertext<V>; } }
  tls::Reader r(message);
  auto version = r.U16();
  auto wire_format = r.U16();
  auto group_id = r.OpaqueV();
  auto epoch = r.U64();
  auto content_type = r.U8();
  auto authenticated_data = r.OpaqueV();
  auto encrypted_sender_data = r.OpaqueV();
  auto ciphertext = r.OpaqueV();
  const bool parsed = version.ok() && wire_format.ok() && *wire_format == kPrivateMessage &&
                      group_id.ok() && epoch.ok() && *epoch == c.epoch && content_type.ok() &&
                      *content_type == want_type && authenticated_data.ok() &&
                      encrypted_sender_data.ok() && ciphertext.ok() && r.ExpectEnd().ok();
  EXPECT_TRUE(parsed);
  if (!parsed) return false;

  // SenderDataAAD { opaque group_id<V>; uint64 epoch; ContentType content_type; }
  tls::Writer sd_aad;
  sd_aad.OpaqueV(*group_id);
  sd_aad.U64(*epoch);
  sd_aad.U8(*content_type);
  auto sd_key = SenderDataKey(cs, c.sender_data_secret, *ciphertext);
  auto sd_nonce = SenderDataNonce(cs, c.sender_data_secret, *ciphertext);
  EXPECT_TRUE(sd_key.ok() && sd_nonce.ok());
  if (!sd_key.ok() || !sd_nonce.ok()) return false;
  auto sender_data = crypto::AeadOpen(cs.aead, sd_key->view(), sd_nonce->view(), sd_aad.bytes(),
                                      *encrypted_sender_data);
  EXPECT_TRUE(sender_data.ok()) << "sender data AEAD";
  if (!sender_data.ok()) return false;

  // SenderData { uint32 leaf_index; uint32 generation; opaque reuse_guard[4]; }
  tls::Reader sd(sender_data->view());
  auto leaf_index = sd.U32();
  auto generation = sd.U32();
  auto reuse_guard = sd.Fixed(4);
  EXPECT_TRUE(leaf_index.ok() && generation.ok() && reuse_guard.ok() && sd.ExpectEnd().ok());
  if (!leaf_index.ok() || !generation.ok() || !reuse_guard.ok()) return false;

  auto tree = SecretTree::Create(cs, c.encryption_secret, kNumLeaves);
  EXPECT_TRUE(tree.ok());
  if (!tree.ok()) return false;
  const RatchetType type =
      *content_type == kApplication ? RatchetType::kApplication : RatchetType::kHandshake;
  auto kn = tree->ReceiveKey(*leaf_index, type, *generation);
  EXPECT_TRUE(kn.ok()) << "leaf " << *leaf_index << " generation " << *generation;
  if (!kn.ok()) return false;
  // RFC 9420 §6.3.1: the first four bytes of the nonce are XORed with the reuse guard.
  SecretBytes nonce = kn->nonce.Clone();
  for (size_t i = 0; i < 4; ++i) nonce.data()[i] ^= (*reuse_guard)[i];

  // PrivateContentAAD { group_id<V>; epoch; content_type; opaque authenticated_data<V>; }
  tls::Writer aad;
  aad.OpaqueV(*group_id);
  aad.U64(*epoch);
  aad.U8(*content_type);
  aad.OpaqueV(*authenticated_data);
  auto content = crypto::AeadOpen(cs.aead, kn->key.view(), nonce.view(), aad.bytes(), *ciphertext);
  EXPECT_TRUE(content.ok()) << "content AEAD";
  if (!content.ok()) return false;

  // PrivateMessageContent { body; FramedContentAuthData auth { opaque signature<V>;
  //   MAC confirmation_tag (commit only) }; opaque padding[...] (zeros) }
  const Bytes body = BodyOf(want_type, want_raw);
  const ByteView pt = content->view();
  EXPECT_GE(pt.size(), body.size());
  if (pt.size() < body.size() || !std::equal(body.begin(), body.end(), pt.begin())) {
    ADD_FAILURE() << "decrypted content differs from the vector's";
    return false;
  }
  tls::Reader rest(pt.subspan(body.size()));
  auto signature = rest.OpaqueV();
  EXPECT_TRUE(signature.ok());
  if (!signature.ok()) return false;
  if (want_type == kCommit) EXPECT_TRUE(rest.OpaqueV().ok());
  while (!rest.empty()) {
    auto b = rest.U8();
    EXPECT_TRUE(b.ok() && *b == 0) << "padding";
    if (!b.ok() || *b != 0) return false;
  }

  // FramedContent { group_id<V>; epoch; Sender { member, leaf_index }; authenticated_data<V>;
  //   content_type; body }
  tls::Writer fc;
  fc.OpaqueV(*group_id);
  fc.U64(*epoch);
  fc.U8(kMember);
  fc.U32(*leaf_index);
  fc.OpaqueV(*authenticated_data);
  fc.U8(*content_type);
  fc.Raw(body);
  const bool sig_ok = VerifyWithLabel(cs, c.signature_pub, "FramedContentTBS",
                                      FramedContentTbs(c, kPrivateMessage, fc.bytes()), *signature)
                          .ok();
  EXPECT_TRUE(sig_ok) << "PrivateMessage signature";
  // The key is gone after use.
  EXPECT_FALSE(tree->ReceiveKey(*leaf_index, type, *generation).ok());
  return sig_ok;
}

// CheckPublic checks a PublicMessage's membership tag and signature.
bool CheckPublic(const Case& c, ByteView message, uint8_t want_type, ByteView want_raw) {
  const CipherSuiteParams& cs = *c.cs;
  // MLSMessage { version; wire_format; PublicMessage { FramedContent content;
  //   FramedContentAuthData auth; MAC membership_tag (member sender); } }
  tls::Reader r(message);
  const bool header_ok = r.U16().ok() && r.U16().ok();
  const size_t content_start = Offset(message, r);
  auto group_id = r.OpaqueV();
  auto epoch = r.U64();
  auto sender_type = r.U8();
  auto leaf_index = r.U32();
  auto authenticated_data = r.OpaqueV();
  auto content_type = r.U8();
  const Bytes body = BodyOf(want_type, want_raw);
  auto body_seen = r.Fixed(body.size());
  const size_t content_end = Offset(message, r);
  auto signature = r.OpaqueV();
  bool tag_ok = true;
  if (want_type == kCommit) tag_ok = r.OpaqueV().ok();
  const size_t auth_end = Offset(message, r);
  auto membership_tag = r.OpaqueV();
  const bool parsed = header_ok && group_id.ok() && epoch.ok() && *epoch == c.epoch &&
                      sender_type.ok() && *sender_type == kMember && leaf_index.ok() &&
                      authenticated_data.ok() && content_type.ok() && *content_type == want_type &&
                      body_seen.ok() && Bytes(body_seen->begin(), body_seen->end()) == body &&
                      signature.ok() && tag_ok && membership_tag.ok() && r.ExpectEnd().ok();
  EXPECT_TRUE(parsed);
  if (!parsed) return false;

  const ByteView framed_content = message.subspan(content_start, content_end - content_start);
  const Bytes tbs = FramedContentTbs(c, kPublicMessage, framed_content);
  // AuthenticatedContentTBM { FramedContentTBS content_tbs; FramedContentAuthData auth; }
  Bytes tbm = tbs;
  const ByteView auth = message.subspan(content_end, auth_end - content_end);
  tbm.insert(tbm.end(), auth.begin(), auth.end());
  const bool mac_ok = VerifyMembershipTag(cs, c.membership_key, tbm, *membership_tag).ok();
  EXPECT_TRUE(mac_ok) << "membership_tag";
  Bytes bad = tbm;
  bad.back() ^= 1;
  EXPECT_FALSE(VerifyMembershipTag(cs, c.membership_key, bad, *membership_tag).ok());
  const bool sig_ok =
      VerifyWithLabel(cs, c.signature_pub, "FramedContentTBS", tbs, *signature).ok();
  EXPECT_TRUE(sig_ok) << "PublicMessage signature";
  return mac_ok && sig_ok;
}

TEST(MlsMessageProtectionScheduleTest, OfficialVectors) {
  const json cases = testing::LoadVectors("message-protection.json");
  testing::Tally tally("message-protection.json (messages)");
  for (const json& j : cases) {
    Case c;
    c.cs = testing::Suite(j);
    ASSERT_NE(c.cs, nullptr);
    const auto suite = static_cast<uint16_t>(c.cs->suite);
    SCOPED_TRACE("suite " + std::to_string(suite));
    c.group_id = Hex(j.at("group_id"));
    c.epoch = j.at("epoch").get<uint64_t>();
    // GroupContext { mls10; cipher_suite; group_id<V>; epoch; tree_hash<V>;
    //   confirmed_transcript_hash<V>; extensions<V> (empty) }
    tls::Writer gc;
    gc.U16(1);
    gc.U16(suite);
    gc.OpaqueV(c.group_id);
    gc.U64(c.epoch);
    gc.OpaqueV(Hex(j.at("tree_hash")));
    gc.OpaqueV(Hex(j.at("confirmed_transcript_hash")));
    gc.OpaqueV({});
    c.group_context = gc.Take();
    c.signature_pub = Hex(j.at("signature_pub"));
    c.encryption_secret = Hex(j.at("encryption_secret"));
    c.sender_data_secret = Hex(j.at("sender_data_secret"));
    c.membership_key = Hex(j.at("membership_key"));

    const Bytes proposal = Hex(j.at("proposal"));
    const Bytes commit = Hex(j.at("commit"));
    const Bytes application = Hex(j.at("application"));
    tally.Add(suite, OpenPrivate(c, Hex(j.at("proposal_priv")), kProposal, proposal));
    tally.Add(suite, OpenPrivate(c, Hex(j.at("commit_priv")), kCommit, commit));
    tally.Add(suite, OpenPrivate(c, Hex(j.at("application_priv")), kApplication, application));
    tally.Add(suite, CheckPublic(c, Hex(j.at("proposal_pub")), kProposal, proposal));
    tally.Add(suite, CheckPublic(c, Hex(j.at("commit_pub")), kCommit, commit));
  }
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

}  // namespace
}  // namespace candor::mls
