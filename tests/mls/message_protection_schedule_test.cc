// message_protection.h end to end against the official message-protection.json vectors (all 7
// suites). For each of proposal, commit and application: UnprotectPrivate / UnprotectPublic of
// the vector's *_priv / *_pub MLSMessage (sender data, secret-tree key and reuse guard,
// membership tag, signature) must give back the vector's content; then the same content is
// protected by us (SignFramedContent, ProtectPrivate / ProtectPublic, with the vector's signing
// key) and unprotected again. Messages are parsed with the codec structs (mls_message.h).
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/message_protection.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/secret_tree.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;

// The vectors' group has two members (mlswg test-vectors.md, message-protection).
constexpr uint32_t kNumLeaves = 2;

struct Case {
  const CipherSuiteParams* cs = nullptr;
  GroupContext context;
  Bytes signature_pub;
  Bytes signature_priv;
  Bytes encryption_secret;
  Bytes sender_data_secret;
  Bytes membership_key;
};

SignatureKeyLookup LookupFor(const Case& c) {
  return [&c](const Sender& s) -> Result<Bytes> {
    if (s.sender_type != SenderType::member || s.leaf_index >= kNumLeaves) {
      return MakeError(Errc::kNotFound, "no such member");
    }
    return c.signature_pub;
  };
}

// Body decodes the vector's content field for `type`: the raw application data, or an encoded
// Proposal / Commit.
Result<ContentBody> Body(ContentType type, const Bytes& raw) {
  switch (type) {
    case ContentType::application:
      return ContentBody(raw);
    case ContentType::proposal: {
      CANDOR_ASSIGN_OR_RETURN(Proposal p, tls::DecodeExact<Proposal>(raw));
      return ContentBody(std::move(p));
    }
    case ContentType::commit: {
      CANDOR_ASSIGN_OR_RETURN(Commit c, tls::DecodeExact<Commit>(raw));
      return ContentBody(std::move(c));
    }
  }
  return MakeError(Errc::kInvalidArgument, "content type");
}

template <class T>
Result<T> MessageOf(const Bytes& wire) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage m, tls::DecodeExact<MLSMessage>(wire));
  if (!std::holds_alternative<T>(m.message)) {
    return MakeError(Errc::kMalformed, "unexpected wire_format");
  }
  return std::get<T>(std::move(m.message));
}

// OpenVectorPrivate unprotects the vector's PrivateMessage and checks its content; the key must
// be gone afterwards.
bool OpenVectorPrivate(const Case& c, const Bytes& wire, const ContentBody& want) {
  auto msg = MessageOf<PrivateMessage>(wire);
  EXPECT_TRUE(msg.ok()) << msg.error().ToString();
  if (!msg.ok()) return false;
  auto tree = SecretTree::Create(*c.cs, c.encryption_secret, kNumLeaves);
  EXPECT_TRUE(tree.ok());
  if (!tree.ok()) return false;
  auto ac = UnprotectPrivate(*c.cs, *msg, c.context, *tree, c.sender_data_secret, LookupFor(c));
  EXPECT_TRUE(ac.ok()) << ac.error().ToString();
  if (!ac.ok()) return false;
  const bool same = ac->content.content == want && ac->content.epoch == c.context.epoch &&
                    ac->wire_format == WireFormat::mls_private_message;
  EXPECT_TRUE(same) << "decrypted content differs from the vector's";
  auto again = UnprotectPrivate(*c.cs, *msg, c.context, *tree, c.sender_data_secret, LookupFor(c));
  EXPECT_FALSE(again.ok()) << "the generation's key must be deleted after use";
  return same && !again.ok();
}

// CheckVectorPublic unprotects the vector's PublicMessage and checks its content; a flipped
// membership tag must fail.
bool CheckVectorPublic(const Case& c, const Bytes& wire, const ContentBody& want) {
  auto msg = MessageOf<PublicMessage>(wire);
  EXPECT_TRUE(msg.ok()) << msg.error().ToString();
  if (!msg.ok()) return false;
  auto ac = UnprotectPublic(*c.cs, *msg, c.context, c.membership_key, LookupFor(c));
  EXPECT_TRUE(ac.ok()) << ac.error().ToString();
  if (!ac.ok()) return false;
  const bool same = ac->content.content == want;
  EXPECT_TRUE(same) << "content differs from the vector's";
  PublicMessage bad = *msg;
  bad.membership_tag.back() ^= 1;
  auto rejected = UnprotectPublic(*c.cs, bad, c.context, c.membership_key, LookupFor(c));
  EXPECT_FALSE(rejected.ok());
  return same && !rejected.ok() && rejected.error().code == Errc::kVerifyFailed;
}

// RoundTrip protects `body` ourselves (sender leaf 1) as a PrivateMessage and, unless it is
// application data, as a PublicMessage, and unprotects both.
bool RoundTrip(const Case& c, const ContentBody& body) {
  const CipherSuiteParams& cs = *c.cs;
  // The vectors drop leading zero bytes of ECDSA scalars (suite 5 gives 65 of P-521's 66).
  Bytes sig_priv = c.signature_priv;
  if (cs.signature == crypto::SignatureScheme::kEcdsaSecp521r1Sha512 && sig_priv.size() < 66) {
    sig_priv.insert(sig_priv.begin(), 66 - sig_priv.size(), 0);
  }
  auto key = crypto::SignaturePrivateKey::FromBytes(cs.signature, sig_priv);
  EXPECT_TRUE(key.ok());
  if (!key.ok()) return false;
  FramedContent fc;
  fc.group_id = c.context.group_id;
  fc.epoch = c.context.epoch;
  fc.sender = Sender{SenderType::member, 1, 0};
  fc.authenticated_data = {0xAD, 0x01};
  fc.content = body;
  const bool is_commit = ContentTypeOf(body) == ContentType::commit;
  bool ok = true;

  auto signed_priv = SignFramedContent(cs, WireFormat::mls_private_message, fc, c.context, *key);
  EXPECT_TRUE(signed_priv.ok());
  if (!signed_priv.ok()) return false;
  if (is_commit) signed_priv->auth.confirmation_tag = Bytes(cs.nh, 0x5C);
  auto send_tree = SecretTree::Create(cs, c.encryption_secret, kNumLeaves);
  auto recv_tree = SecretTree::Create(cs, c.encryption_secret, kNumLeaves);
  EXPECT_TRUE(send_tree.ok() && recv_tree.ok());
  if (!send_tree.ok() || !recv_tree.ok()) return false;
  auto priv = ProtectPrivate(cs, *signed_priv, c.context, *send_tree, c.sender_data_secret, 7);
  EXPECT_TRUE(priv.ok()) << priv.error().ToString();
  if (!priv.ok()) return false;
  // Through the wire and back.
  MLSMessage wire_msg;
  wire_msg.message = *priv;
  auto reparsed = MessageOf<PrivateMessage>(tls::Encode(wire_msg));
  EXPECT_TRUE(reparsed.ok());
  if (!reparsed.ok()) return false;
  auto opened =
      UnprotectPrivate(cs, *reparsed, c.context, *recv_tree, c.sender_data_secret, LookupFor(c));
  EXPECT_TRUE(opened.ok()) << opened.error().ToString();
  ok = ok && opened.ok() && *opened == *signed_priv;

  if (ContentTypeOf(body) != ContentType::application) {
    auto signed_pub = SignFramedContent(cs, WireFormat::mls_public_message, fc, c.context, *key);
    EXPECT_TRUE(signed_pub.ok());
    if (!signed_pub.ok()) return false;
    if (is_commit) signed_pub->auth.confirmation_tag = Bytes(cs.nh, 0x5C);
    auto pub = ProtectPublic(cs, *signed_pub, c.context, c.membership_key);
    EXPECT_TRUE(pub.ok()) << pub.error().ToString();
    if (!pub.ok()) return false;
    auto checked = UnprotectPublic(cs, *pub, c.context, c.membership_key, LookupFor(c));
    EXPECT_TRUE(checked.ok()) << checked.error().ToString();
    ok = ok && checked.ok() && *checked == *signed_pub;
  }
  EXPECT_TRUE(ok) << "round trip";
  return ok;
}

TEST(MlsMessageProtectionScheduleTest, OfficialVectors) {
  const json cases = testing::LoadVectors("message-protection.json");
  testing::Tally vectors("message-protection.json (vector messages)");
  testing::Tally ours("message-protection.json (our own messages)");
  for (const json& j : cases) {
    Case c;
    c.cs = testing::Suite(j);
    ASSERT_NE(c.cs, nullptr);
    const auto suite = static_cast<uint16_t>(c.cs->suite);
    SCOPED_TRACE("suite " + std::to_string(suite));
    c.context.cipher_suite = c.cs->suite;
    c.context.group_id = Hex(j.at("group_id"));
    c.context.epoch = j.at("epoch").get<uint64_t>();
    c.context.tree_hash = Hex(j.at("tree_hash"));
    c.context.confirmed_transcript_hash = Hex(j.at("confirmed_transcript_hash"));
    c.signature_pub = Hex(j.at("signature_pub"));
    c.signature_priv = Hex(j.at("signature_priv"));
    c.encryption_secret = Hex(j.at("encryption_secret"));
    c.sender_data_secret = Hex(j.at("sender_data_secret"));
    c.membership_key = Hex(j.at("membership_key"));

    auto proposal = Body(ContentType::proposal, Hex(j.at("proposal")));
    auto commit = Body(ContentType::commit, Hex(j.at("commit")));
    auto application = Body(ContentType::application, Hex(j.at("application")));
    ASSERT_TRUE(proposal.ok() && commit.ok() && application.ok());
    vectors.Add(suite, OpenVectorPrivate(c, Hex(j.at("proposal_priv")), *proposal));
    vectors.Add(suite, OpenVectorPrivate(c, Hex(j.at("commit_priv")), *commit));
    vectors.Add(suite, OpenVectorPrivate(c, Hex(j.at("application_priv")), *application));
    vectors.Add(suite, CheckVectorPublic(c, Hex(j.at("proposal_pub")), *proposal));
    vectors.Add(suite, CheckVectorPublic(c, Hex(j.at("commit_pub")), *commit));
    ours.Add(suite, RoundTrip(c, *proposal));
    ours.Add(suite, RoundTrip(c, *commit));
    ours.Add(suite, RoundTrip(c, *application));
  }
  vectors.Report();
  ours.Report();
  ASSERT_GT(vectors.run(), 0u);
  ASSERT_GT(ours.run(), 0u);
}

}  // namespace
}  // namespace candor::mls
