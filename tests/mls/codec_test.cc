// Targeted checks of the RFC 9420 codecs that the vectors do not reach: strict rejections
// (optional flags, unknown select values, non-minimal varints inside structs, padding),
// GREASE acceptance, and round trips of the signed/MACed/AAD structs built by hand.
#include <gtest/gtest.h>

#include <string>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "candor/mls/commit.h"
#include "candor/mls/extension_bodies.h"
#include "candor/mls/framing.h"
#include "candor/mls/group_info.h"
#include "candor/mls/key_package.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "candor/mls/welcome.h"

namespace candor::mls {
namespace {

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes();
}

// ExpectMalformed decodes `hex` as a T and expects kMalformed naming `field`.
template <class T>
void ExpectMalformed(std::string_view hex, std::string_view field) {
  auto got = tls::DecodeExact<T>(Hex(hex));
  ASSERT_FALSE(got.ok()) << hex;
  EXPECT_EQ(got.error().code, Errc::kMalformed);
  EXPECT_NE(got.error().message.find(field), std::string::npos) << got.error().message;
}

// ExpectRoundTrip encodes `value`, decodes it back and expects the same value and bytes.
template <class T>
void ExpectRoundTrip(const T& value) {
  const Bytes wire = tls::Encode(value);
  auto back = tls::DecodeExact<T>(wire);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(*back == value);
  EXPECT_EQ(tls::Encode(*back), wire);
}

LeafNode SampleLeaf(LeafNodeSource source) {
  LeafNode leaf;
  leaf.encryption_key = Hex("0102");
  leaf.signature_key = Hex("0304");
  leaf.credential.credential_type = CredentialType::basic;
  leaf.credential.identity = Hex("616c696365");
  leaf.capabilities.versions = {ProtocolVersion::mls10};
  leaf.capabilities.cipher_suites = {CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519,
                                     static_cast<CipherSuite>(0x2a2a)};
  leaf.capabilities.extensions = {0x0a0a};
  leaf.capabilities.proposals = {0xeaea};
  leaf.capabilities.credentials = {1, 0x3a3a};
  leaf.leaf_node_source = source;
  leaf.lifetime = {1, 2};
  if (source != LeafNodeSource::key_package) leaf.lifetime = {};
  if (source == LeafNodeSource::commit) leaf.parent_hash = Hex("aabb");
  leaf.extensions = {Extension{0x1a1a, Hex("00")}};
  leaf.signature = Hex("5151");
  return leaf;
}

GroupContext SampleContext() {
  GroupContext gc;
  gc.group_id = Hex("67");
  gc.epoch = 7;
  gc.tree_hash = Hex("7474");
  gc.confirmed_transcript_hash = Hex("6363");
  gc.extensions = {Extension{kRequiredCapabilities, Hex("0000000000")}};
  return gc;
}

TEST(MlsCodecTest, BadOptionalFlagRejected) {
  ExpectMalformed<Commit>("0002", "Commit.path");
  ExpectMalformed<RatchetTree>("0102", "ratchet_tree.node");
  ExpectMalformed<LeafNodeHashInput>("0000000002", "LeafNodeHashInput.leaf_node");
  ExpectMalformed<GroupSecrets>("0100ff00", "GroupSecrets.path_secret");
  ExpectRoundTrip(Commit{});
  EXPECT_EQ(tls::Encode(Commit{}), Hex("0000"));
}

TEST(MlsCodecTest, UnknownSelectValuesRejected) {
  ExpectMalformed<Proposal>("000800000005", "Proposal.proposal_type");
  ExpectMalformed<Proposal>("0a0a00000005", "Proposal.proposal_type");  // GREASE not allowed
  ExpectMalformed<Proposal>("000000000005", "Proposal.proposal_type");
  auto remove = tls::DecodeExact<Proposal>(Hex("000300000005"));
  ASSERT_TRUE(remove.ok());
  EXPECT_EQ(remove->proposal_type(), ProposalType::remove);
  EXPECT_EQ(std::get<Remove>(remove->proposal).removed, 5u);

  ExpectMalformed<Sender>("05", "Sender.sender_type");
  ExpectMalformed<Sender>("00", "Sender.sender_type");
  ExpectMalformed<PrivateMessage>("00000000000000000004", "PrivateMessage.content_type");
  ExpectMalformed<FramedContent>("000000000000000000030000", "FramedContent.content_type");
  ExpectMalformed<MLSMessage>("00010006", "MLSMessage.wire_format");
  ExpectMalformed<MLSMessage>("00020001", "MLSMessage.version");
  ExpectMalformed<Credential>("000300", "Credential.credential_type");
  ExpectMalformed<Node>("03", "Node.node_type");
  ExpectMalformed<ProposalOrRef>("0300", "ProposalOrRef.type");
  ExpectMalformed<PreSharedKeyID>("0300", "PreSharedKeyID.psktype");
  ExpectMalformed<PreSharedKeyID>("020400", "PreSharedKeyID.usage");
  ExpectMalformed<GroupContext>("00020001", "GroupContext.version");
  // LeafNode with an unknown leaf_node_source (4) after otherwise valid fields.
  ExpectMalformed<LeafNode>(
      "0000"
      "000100"
      "0000000000"
      "04",
      "LeafNode.leaf_node_source");
}

TEST(MlsCodecTest, NonMinimalVarintInsideStructRejected) {
  ExpectMalformed<ExternalInit>("4001aa", "ExternalInit.kem_output");
  ExpectMalformed<Commit>("400000", "Commit.proposals");
  ExpectMalformed<Extension>("00018000000100", "Extension.extension_data");
  auto ok = tls::DecodeExact<ExternalInit>(Hex("01aa"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->kem_output, Hex("aa"));
}

TEST(MlsCodecTest, VectorElementMustFitItsVector) {
  // proposals<V> claims 2 bytes but the Remove inside needs 7: the sub-reader stops it.
  ExpectMalformed<Commit>(
      "0201000300000005"
      "00",
      "Proposal.proposal_type");
}

TEST(MlsCodecTest, GreaseAcceptedWhereAllowed) {
  EXPECT_TRUE(IsGrease(0x0a0a));
  EXPECT_TRUE(IsGrease(0xeaea));
  EXPECT_FALSE(IsGrease(0xfafa));
  EXPECT_FALSE(IsGrease(0x0a0b));
  EXPECT_FALSE(IsGrease(0x0001));
  ExpectRoundTrip(SampleLeaf(LeafNodeSource::key_package));
  ExpectRoundTrip(Extension{0xdada, Hex("010203")});
  ExpectRoundTrip(GroupContextExtensions{{Extension{0x5a5a, {}}, Extension{kApplicationId, {}}}});
}

TEST(MlsCodecTest, HandBuiltStructsRoundTrip) {
  for (LeafNodeSource s :
       {LeafNodeSource::key_package, LeafNodeSource::update, LeafNodeSource::commit}) {
    ExpectRoundTrip(SampleLeaf(s));
    LeafNodeTBS tbs{SampleLeaf(s), Hex("6767"), 3};
    tbs.leaf_node.signature.clear();
    if (s == LeafNodeSource::key_package) {
      tbs.group_id.clear();
      tbs.leaf_index = 0;
    }
    ExpectRoundTrip(tbs);
  }

  Credential x509;
  x509.credential_type = CredentialType::x509;
  x509.certificates = {Certificate{Hex("3082")}, Certificate{Hex("3083")}};
  ExpectRoundTrip(x509);

  KeyPackage kp{ProtocolVersion::mls10,
                CipherSuite::MLS_128_DHKEMP256_AES128GCM_SHA256_P256,
                Hex("1111"),
                SampleLeaf(LeafNodeSource::key_package),
                {Extension{0x0a0a, Hex("ff")}},
                Hex("2222")};
  ExpectRoundTrip(kp);
  ExpectRoundTrip(KeyPackageTBS::Of(kp));
  // KeyPackage = KeyPackageTBS || signature<V>.
  Bytes want = tls::Encode(KeyPackageTBS::Of(kp));
  want.insert(want.end(), {0x02, 0x22, 0x22});
  EXPECT_EQ(tls::Encode(kp), want);

  GroupInfo info{SampleContext(), {Extension{kExternalPub, Hex("01")}}, Hex("c0"), 9, Hex("5a")};
  ExpectRoundTrip(info);
  ExpectRoundTrip(GroupInfoTBS::Of(info));

  ParentNode parent{Hex("0909"), Hex("0808"), {1, 2, 7}};
  ExpectRoundTrip(parent);
  RatchetTree tree;
  tree.nodes = {Node{SampleLeaf(LeafNodeSource::commit)}, Node{parent}, std::nullopt, std::nullopt,
                Node{SampleLeaf(LeafNodeSource::update)}};
  ExpectRoundTrip(tree);
  ExpectRoundTrip(TreeHashInput{LeafNodeHashInput{2, std::nullopt}});
  ExpectRoundTrip(TreeHashInput{LeafNodeHashInput{0, SampleLeaf(LeafNodeSource::update)}});
  ExpectRoundTrip(TreeHashInput{ParentNodeHashInput{parent, Hex("01"), Hex("02")}});
  ExpectRoundTrip(TreeHashInput{ParentNodeHashInput{std::nullopt, {}, {}}});
  ExpectRoundTrip(ParentHashInput{Hex("0909"), {}, Hex("0303")});
  // TreeHashInput(leaf, blank) = node_type 1 || leaf_index || optional flag 0.
  EXPECT_EQ(tls::Encode(TreeHashInput{LeafNodeHashInput{2, std::nullopt}}), Hex("010000000200"));

  PreSharedKeyID resumption{PSKType::resumption, {}, ResumptionPSKUsage::branch,
                            Hex("6767"),         42, Hex("0000")};
  ExpectRoundTrip(resumption);
  ExpectRoundTrip(ReInit{
      Hex("67"), ProtocolVersion::mls10, CipherSuite::MLS_256_DHKEMP384_AES256GCM_SHA384_P384, {}});

  UpdatePath path{SampleLeaf(LeafNodeSource::commit),
                  {UpdatePathNode{Hex("0a"), {HPKECiphertext{Hex("0b"), Hex("0c")}}}}};
  Commit commit{
      {ProposalOrRef{ProposalRef{Hex("5252")}}, ProposalOrRef{Proposal{PreSharedKey{resumption}}}},
      path};
  ExpectRoundTrip(commit);

  FramedContent content{Hex("67"), 7, Sender{SenderType::member, 3, 0}, Hex("ad"), commit};
  FramedContentAuthData auth{Hex("5353"), Hex("c0c0")};
  ExpectRoundTrip(FramedContentTBS{ProtocolVersion::mls10, WireFormat::mls_public_message, content,
                                   SampleContext()});
  FramedContent external{Hex("67"), 7, Sender{SenderType::external, 0, 4}, {}, Proposal{Remove{1}}};
  ExpectRoundTrip(FramedContentTBS{ProtocolVersion::mls10, WireFormat::mls_private_message,
                                   external, GroupContext{}});
  ExpectRoundTrip(AuthenticatedContent{WireFormat::mls_public_message, content, auth});
  ExpectRoundTrip(AuthenticatedContentTBM{
      FramedContentTBS{ProtocolVersion::mls10, WireFormat::mls_public_message, content,
                       SampleContext()},
      auth});
  ExpectRoundTrip(MLSMessage{ProtocolVersion::mls10, PublicMessage{content, auth, Hex("7777")}});
  ExpectRoundTrip(PrivateContentAAD{Hex("67"), 1, ContentType::commit, Hex("ad")});
  ExpectRoundTrip(SenderData{5, 6, {1, 2, 3, 4}});
  ExpectRoundTrip(SenderDataAAD{Hex("67"), 1, ContentType::proposal});
  EXPECT_EQ(tls::Encode(SenderData{5, 6, {1, 2, 3, 4}}), Hex("000000050000000601020304"));
}

TEST(MlsCodecTest, AuthenticatedContentOnlyForFramedWireFormats) {
  // wire_format mls_welcome (3) cannot frame content.
  ExpectMalformed<AuthenticatedContent>("0003", "AuthenticatedContent.wire_format");
  ExpectMalformed<FramedContentTBS>("00010003", "FramedContentTBS.wire_format");
}

TEST(MlsCodecTest, PrivateMessageContentPadding) {
  // application_data "hi", signature "ss", two zero padding bytes.
  const Bytes plain =
      Hex("02686902737300"
          "00");
  auto c = PrivateMessageContent::Decode(plain, ContentType::application);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->length_of_padding, 2u);
  EXPECT_EQ(std::get<0>(c->content), Hex("6869"));
  EXPECT_EQ(tls::Encode(*c), plain);

  auto bad = PrivateMessageContent::Decode(Hex("0268690273730001"), ContentType::application);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kMalformed);
  EXPECT_NE(bad.error().message.find("padding"), std::string::npos);

  // A commit needs a confirmation_tag after the signature.
  auto commit = PrivateMessageContent::Decode(Hex("0000"
                                                  "0173"
                                                  "0174"),
                                              ContentType::commit);
  ASSERT_TRUE(commit.ok()) << commit.error().ToString();
  EXPECT_EQ(commit->auth.confirmation_tag, Hex("74"));
  EXPECT_EQ(commit->length_of_padding, 0u);
  auto truncated = PrivateMessageContent::Decode(Hex("0000"
                                                     "0173"),
                                                 ContentType::commit);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, Errc::kMalformed);
}

TEST(MlsCodecTest, GroupSecretsHoldSecretsAndRoundTrip) {
  const Bytes wire =
      Hex("02aaaa"
          "01"
          "02bbbb"
          "00");
  auto gs = tls::DecodeExact<GroupSecrets>(wire);
  ASSERT_TRUE(gs.ok()) << gs.error().ToString();
  EXPECT_EQ(gs->joiner_secret.size(), 2u);
  ASSERT_TRUE(gs->path_secret.has_value());
  EXPECT_EQ(gs->path_secret->path_secret.size(), 2u);
  EXPECT_TRUE(gs->psks.empty());
  EXPECT_EQ(tls::Encode(*gs), wire);
}

TEST(MlsCodecTest, ExtensionBodiesRoundTrip) {
  ExpectRoundTrip(RequiredCapabilities{{kRatchetTree, 0x0a0a}, {4, 0xff00}, {1, 2}});
  ExpectRoundTrip(ExternalPub{Hex("0102")});
  Credential basic;
  basic.identity = Hex("62");
  ExpectRoundTrip(ExternalSenders{{ExternalSender{Hex("05"), basic}}});
  EXPECT_EQ(tls::Encode(ExternalPub{Hex("0102")}), Hex("020102"));
  ExpectMalformed<ExternalSenders>("0401050009", "Credential.credential_type");
}

TEST(MlsCodecTest, TranscriptHashInputs) {
  FramedContent content{Hex("67"), 7, Sender{SenderType::new_member_commit, 0, 0}, {}, Commit{}};
  ExpectRoundTrip(ConfirmedTranscriptHashInput{WireFormat::mls_public_message, content, Hex("99")});
  ExpectRoundTrip(InterimTranscriptHashInput{Hex("c0")});
  // Proposal content is not a commit.
  FramedContent proposal{Hex("67"), 7, Sender{SenderType::member, 1, 0}, {}, Proposal{Remove{2}}};
  tls::Writer w;
  ConfirmedTranscriptHashInput{WireFormat::mls_public_message, proposal, {}}.Encode(w);
  auto got = tls::DecodeExact<ConfirmedTranscriptHashInput>(w.bytes());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::kMalformed);
}

}  // namespace
}  // namespace candor::mls
