// message_protection.h: negative tests. Every tampered field, wrong epoch or group, replayed
// generation, unknown sender and bad tag is rejected with kVerifyFailed (or kMalformed for bad
// structure), and a failed UnprotectPrivate leaves the SecretTree as it was: the genuine message
// still opens afterwards. Suite 1 with fresh keys.
#include "candor/mls/message_protection.h"

#include <gtest/gtest.h>

#include <utility>

#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/secret_tree.h"

namespace candor::mls {
namespace {

constexpr uint32_t kNumLeaves = 4;
constexpr uint32_t kSenderLeaf = 2;

class MessageProtectionTest : public ::testing::Test {
 protected:
  MessageProtectionTest()
      : cs_(**GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519)),
        key_(crypto::SignaturePrivateKey::Generate(cs_.signature)) {
    context_.cipher_suite = cs_.suite;
    context_.group_id = {'g', 'r', 'o', 'u', 'p'};
    context_.epoch = 7;
    context_.tree_hash = Bytes(cs_.nh, 0x11);
    context_.confirmed_transcript_hash = Bytes(cs_.nh, 0x22);
  }

  SecretTree Tree() const { return std::move(*SecretTree::Create(cs_, secret_, kNumLeaves)); }

  SignatureKeyLookup Lookup() const {
    return [this](const Sender& s) -> Result<Bytes> {
      if (s.sender_type == SenderType::member && s.leaf_index == kSenderLeaf) {
        return key_.public_key();
      }
      return MakeError(Errc::kNotFound, "unknown sender");
    };
  }

  FramedContent Content(ContentBody body) const {
    FramedContent fc;
    fc.group_id = context_.group_id;
    fc.epoch = context_.epoch;
    fc.sender = Sender{SenderType::member, kSenderLeaf, 0};
    fc.authenticated_data = {1, 2, 3};
    fc.content = std::move(body);
    return fc;
  }

  AuthenticatedContent Signed(WireFormat wf, ContentBody body) const {
    auto ac = SignFramedContent(cs_, wf, Content(std::move(body)), context_, key_);
    EXPECT_TRUE(ac.ok());
    return std::move(*ac);
  }

  PrivateMessage Private(SecretTree& tree, Bytes data) const {
    auto m = ProtectPrivate(cs_, Signed(WireFormat::mls_private_message, std::move(data)), context_,
                            tree, sender_data_secret_, 3);
    EXPECT_TRUE(m.ok());
    return std::move(*m);
  }

  PublicMessage Public() const {
    Proposal p;
    p.proposal = Remove{1};
    auto m =
        ProtectPublic(cs_, Signed(WireFormat::mls_public_message, p), context_, membership_key_);
    EXPECT_TRUE(m.ok());
    return std::move(*m);
  }

  // ExpectRejectedKeepsTree checks that `bad` fails with `code` and that `tree` still opens
  // `good` afterwards.
  void ExpectRejectedKeepsTree(const PrivateMessage& bad, const PrivateMessage& good,
                               Errc code = Errc::kVerifyFailed) {
    SecretTree tree = Tree();
    auto r = UnprotectPrivate(cs_, bad, context_, tree, sender_data_secret_, Lookup());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << r.error().ToString();
    EXPECT_EQ(tree.num_retained_keys(kSenderLeaf, RatchetType::kApplication), 0u);
    EXPECT_TRUE(UnprotectPrivate(cs_, good, context_, tree, sender_data_secret_, Lookup()).ok());
  }

  const CipherSuiteParams& cs_;
  crypto::SignaturePrivateKey key_;
  GroupContext context_;
  Bytes secret_ = Bytes(32, 0x33);
  Bytes sender_data_secret_ = Bytes(32, 0x44);
  Bytes membership_key_ = Bytes(32, 0x55);
};

TEST_F(MessageProtectionTest, PrivateRoundTripAndReplay) {
  SecretTree send = Tree();
  SecretTree recv = Tree();
  const PrivateMessage m0 = Private(send, {'h', 'i'});
  const PrivateMessage m1 = Private(send, {'y', 'o'});
  // Out of order: m1 first keeps m0's key; then m0; replays of either fail.
  auto r1 = UnprotectPrivate(cs_, m1, context_, recv, sender_data_secret_, Lookup());
  ASSERT_TRUE(r1.ok()) << r1.error().ToString();
  EXPECT_EQ(std::get<Bytes>(r1->content.content), (Bytes{'y', 'o'}));
  EXPECT_EQ(recv.num_retained_keys(kSenderLeaf, RatchetType::kApplication), 1u);
  ASSERT_TRUE(UnprotectPrivate(cs_, m0, context_, recv, sender_data_secret_, Lookup()).ok());
  for (const PrivateMessage* m : {&m0, &m1}) {
    auto replay = UnprotectPrivate(cs_, *m, context_, recv, sender_data_secret_, Lookup());
    ASSERT_FALSE(replay.ok());
    EXPECT_EQ(replay.error().code, Errc::kVerifyFailed);
  }
}

TEST_F(MessageProtectionTest, PrivateTamperingIsRejectedAndTreeUnchanged) {
  SecretTree send = Tree();
  const PrivateMessage good = Private(send, {'m', 's', 'g'});

  PrivateMessage bad = good;
  bad.ciphertext.back() ^= 1;
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.ciphertext.front() ^= 1;  // also changes the sender-data key (ciphertext sample)
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.encrypted_sender_data.back() ^= 1;
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.authenticated_data.push_back(9);
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.content_type = ContentType::proposal;
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.epoch += 1;
  ExpectRejectedKeepsTree(bad, good);
  bad = good;
  bad.group_id.push_back('x');
  ExpectRejectedKeepsTree(bad, good);
}

TEST_F(MessageProtectionTest, PrivateBadSignatureOrUnknownSenderKeepsTree) {
  SecretTree send = Tree();
  AuthenticatedContent ac = Signed(WireFormat::mls_private_message, Bytes{'x'});
  ac.auth.signature.back() ^= 1;
  auto bad = ProtectPrivate(cs_, ac, context_, send, sender_data_secret_);
  ASSERT_TRUE(bad.ok());
  const PrivateMessage good = Private(send, {'o', 'k'});
  // The bad message holds generation 0, the good one generation 1.
  SecretTree recv = Tree();
  auto r = UnprotectPrivate(cs_, *bad, context_, recv, sender_data_secret_, Lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
  EXPECT_EQ(recv.num_retained_keys(kSenderLeaf, RatchetType::kApplication), 0u);
  // Generation 0 is still there (its message failed), so nothing was consumed.
  EXPECT_TRUE(recv.PeekReceiveKey(kSenderLeaf, RatchetType::kApplication, 0).ok());

  SignatureKeyLookup nobody = [](const Sender&) -> Result<Bytes> {
    return MakeError(Errc::kNotFound, "x");
  };
  auto unknown = UnprotectPrivate(cs_, good, context_, recv, sender_data_secret_, nobody);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kVerifyFailed);
  EXPECT_TRUE(UnprotectPrivate(cs_, good, context_, recv, sender_data_secret_, Lookup()).ok());
}

TEST_F(MessageProtectionTest, PublicTamperingIsRejected) {
  const PublicMessage good = Public();
  ASSERT_TRUE(UnprotectPublic(cs_, good, context_, membership_key_, Lookup()).ok());

  auto expect_code = [&](const PublicMessage& m, Errc code) {
    auto r = UnprotectPublic(cs_, m, context_, membership_key_, Lookup());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << r.error().ToString();
  };
  PublicMessage bad = good;
  bad.membership_tag.front() ^= 1;
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.membership_tag.clear();
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.auth.signature.front() ^= 1;
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.content.epoch += 1;
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.content.group_id = {'o', 't', 'h', 'e', 'r'};
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.content.authenticated_data.clear();
  expect_code(bad, Errc::kVerifyFailed);
  bad = good;
  bad.content.content = Bytes{'a', 'p', 'p'};  // application data is never public
  expect_code(bad, Errc::kMalformed);

  // A correct membership tag under another key: kVerifyFailed too.
  auto r = UnprotectPublic(cs_, good, context_, Bytes(32, 0x56), Lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
}

TEST_F(MessageProtectionTest, CommitNeedsConfirmationTag) {
  Commit commit;
  AuthenticatedContent ac = Signed(WireFormat::mls_public_message, commit);
  EXPECT_EQ(ProtectPublic(cs_, ac, context_, membership_key_).error().code, Errc::kInvalidArgument);
  ac.auth.confirmation_tag = Bytes(cs_.nh, 0x66);
  auto pub = ProtectPublic(cs_, ac, context_, membership_key_);
  ASSERT_TRUE(pub.ok());
  PublicMessage shortened = *pub;
  shortened.auth.confirmation_tag.pop_back();
  EXPECT_EQ(UnprotectPublic(cs_, shortened, context_, membership_key_, Lookup()).error().code,
            Errc::kMalformed);
  auto ok = UnprotectPublic(cs_, *pub, context_, membership_key_, Lookup());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->auth.confirmation_tag, ac.auth.confirmation_tag);
}

TEST_F(MessageProtectionTest, MisuseIsInvalidArgument) {
  SecretTree tree = Tree();
  // Public content given to ProtectPrivate and the other way round.
  auto pub_ac = Signed(WireFormat::mls_public_message, Bytes{'x'});
  EXPECT_EQ(ProtectPrivate(cs_, pub_ac, context_, tree, sender_data_secret_).error().code,
            Errc::kInvalidArgument);
  auto priv_ac = Signed(WireFormat::mls_private_message, Bytes{'x'});
  EXPECT_EQ(ProtectPublic(cs_, priv_ac, context_, membership_key_).error().code,
            Errc::kInvalidArgument);
  // Content of another epoch.
  FramedContent fc = Content(Bytes{'x'});
  fc.epoch += 1;
  EXPECT_EQ(
      SignFramedContent(cs_, WireFormat::mls_private_message, fc, context_, key_).error().code,
      Errc::kInvalidArgument);
  // A private message from a non-member.
  fc = Content(Bytes{'x'});
  fc.sender = Sender{SenderType::external, 0, 0};
  EXPECT_EQ(
      SignFramedContent(cs_, WireFormat::mls_private_message, fc, context_, key_).error().code,
      Errc::kInvalidArgument);
  EXPECT_EQ(SignFramedContent(cs_, WireFormat::mls_welcome, Content(Bytes{}), context_, key_)
                .error()
                .code,
            Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::mls
