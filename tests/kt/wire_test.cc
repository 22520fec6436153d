// Codec tests of messages.h: every request/response struct round-trips in both suites and all
// three deployment modes, every prefix and one trailing byte are kMalformed, a few hand-written
// byte strings pin the layout, and bad enums / presence octets / oversized counts are refused.
#include <gtest/gtest.h>

#include <string>

#include "candor/base/encoding.h"
#include "candor/kt/messages.h"
#include "wire_test_util.h"

namespace candor::kt {
namespace {

using testing::AllContexts;
using testing::B;
using testing::CheckCodec;
using testing::ContextName;
using testing::H;
using testing::SampleCombinedProof;
using testing::SampleFullTreeHead;
using testing::SampleUpdateValue;

Bytes Hex(std::string_view s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes();
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

BinaryLadderStep Step(const WireContext& ctx, uint8_t b, bool with_commitment) {
  BinaryLadderStep s;
  s.proof = B(ctx.vrf_proof_size, b);
  if (with_commitment) s.commitment = H(b);
  return s;
}

// Tallies structs checked, so the test output states how many round trips ran.
struct Tally {
  int num_cases = 0;
  template <class T, class... Context>
  void Check(const T& value, const Context&... context) {
    CheckCodec(value, context...);
    ++num_cases;
  }
};

TEST(KtWireTest, RequestsRoundTrip) {
  Tally t;
  for (const auto& last : {std::optional<uint64_t>(), std::optional<uint64_t>(42)}) {
    t.Check(SearchRequest{last, Bytes{'a', 'b'}, std::nullopt});
    t.Check(SearchRequest{last, B(255, 0x61), 7u});
    t.Check(SearchRequest{last, Bytes{}, 0u});
    t.Check(ContactMonitorRequest{last, Bytes{'x'}, {}});
    t.Check(ContactMonitorRequest{last, Bytes{'x'}, {{1, 0}, {5, 2}, {0xffffffffffffffff, 9}}});
    t.Check(OwnerInitRequest{last, Bytes{'o'}, 12345});
    t.Check(OwnerMonitorRequest{last, Bytes{'o'}, {{3, 1}}, 77, std::nullopt});
    t.Check(OwnerMonitorRequest{last, Bytes{}, {}, 0, 4u});
    t.Check(UpdateRequest{last, Bytes{'u'}, std::nullopt, {}});
    t.Check(UpdateRequest{last, Bytes{'u'}, 3u, {LabelValue{Bytes{}}, LabelValue{B(300, 1)}}});
    t.Check(DistinguishedRequest{last, std::nullopt});
    t.Check(DistinguishedRequest{last, 99u});
  }
  t.Check(MonitorMapEntry{0x0102030405060708, 0x0a0b0c0d});
  t.Check(LabelValue{B(70000, 3)});  // over 2^16: the 4-byte length is needed
  t.Check(DistinguishedHead{});
  t.Check(DistinguishedHead{{H(1), H(2), H(3)}});
  t.Check(CredentialUpdate{SampleCombinedProof()});
  t.Check(CredentialUpdate{});
  AuditorUpdate au;
  au.timestamp = 1700000000000;
  au.added = {PrefixLeaf{H(1), H(2)}, PrefixLeaf{H(3), H(4)}};
  au.removed = {PrefixLeaf{H(5), H(6)}};
  au.proof = SampleCombinedProof().prefix_proofs[0];
  t.Check(au);
  t.Check(AuditorUpdate{});
  std::printf("KtWireTest.RequestsRoundTrip: %d cases run, %d passed\n", t.num_cases,
              HasFailure() ? 0 : t.num_cases);
  ASSERT_GT(t.num_cases, 0);
}

TEST(KtWireTest, ResponsesRoundTripInEveryContext) {
  Tally t;
  for (const WireContext& ctx : AllContexts()) {
    SCOPED_TRACE(ContextName(ctx));
    const FullTreeHead head = SampleFullTreeHead(ctx.mode);
    const FullTreeHead same{FullTreeHeadType::same, {}, {}};
    t.Check(Step(ctx, 0x71, true), ctx);
    t.Check(Step(ctx, 0x72, false), ctx);
    t.Check(ContactMonitorResponse{head, SampleCombinedProof()}, ctx);
    t.Check(ContactMonitorResponse{same, {}}, ctx);
    t.Check(
        OwnerInitResponse{
            head, {9, 8, 7}, {Step(ctx, 1, true), Step(ctx, 2, false)}, SampleCombinedProof()},
        ctx);
    t.Check(OwnerInitResponse{same, {}, {}, {}}, ctx);
    t.Check(OwnerMonitorResponse{head, SampleCombinedProof()}, ctx);
    t.Check(DistinguishedResponse{head, SampleCombinedProof()}, ctx);
    t.Check(DistinguishedResponse{same, {}}, ctx);
    UpdateInfo info;
    info.opening.fill(0x33);
    if (ctx.mode == DeploymentMode::thirdPartyManagement) info.suffix.signature = B(64, 0x34);
    t.Check(info, ctx);
    UpdateResponse ur;
    ur.full_tree_head = head;
    ur.position = 1234;
    if (ctx.mode == DeploymentMode::thirdPartyManagement) ur.skipped_versions = 2;
    ur.values = {LabelValue{Bytes{'v'}}};
    ur.info = {info, info};
    ur.binary_ladder = {Step(ctx, 5, true), Step(ctx, 6, false)};
    ur.update = SampleCombinedProof();
    t.Check(ur, ctx);
    t.Check(UpdateResponse{same, 0, 0, {}, {}, {}, {}}, ctx);
    ManagerUpdateRequest mr;
    mr.last = 10;
    mr.label = Bytes{'m'};
    mr.greatest_version = 4;
    mr.values = {SampleUpdateValue(ctx.mode, 1), SampleUpdateValue(ctx.mode, 2)};
    mr.signed_version = 5;
    t.Check(mr, ctx);
    t.Check(ManagerUpdateRequest{}, ctx);
    Credential standard;
    standard.label = Bytes{'c', 'r'};
    standard.version = 3;
    standard.opening.fill(0x44);
    standard.value = SampleUpdateValue(ctx.mode, 0x45);
    standard.binary_ladder = {Step(ctx, 7, true), Step(ctx, 8, false)};
    standard.position = 512;
    standard.credential_type = CredentialType::standard;
    standard.distinguished = SampleCombinedProof().prefix_proofs[0];
    t.Check(standard, ctx);
    Credential provisional = standard;
    provisional.credential_type = CredentialType::provisional;
    provisional.distinguished = {};
    provisional.tree_head = TreeHead{600, B(64, 0x46)};
    provisional.search = SampleCombinedProof();
    t.Check(provisional, ctx);
  }
  std::printf("KtWireTest.ResponsesRoundTripInEveryContext: %d cases run, %d passed\n", t.num_cases,
              HasFailure() ? 0 : t.num_cases);
  ASSERT_GT(t.num_cases, 0);
}

// SearchResponse's layout depends on the request: `version` is on the wire only when the
// request had none.
TEST(KtWireTest, SearchResponseVersionFollowsTheRequest) {
  int num_cases = 0;
  for (const WireContext& ctx : AllContexts()) {
    SCOPED_TRACE(ContextName(ctx));
    for (bool request_had_version : {false, true}) {
      SearchResponse resp;
      resp.full_tree_head = SampleFullTreeHead(ctx.mode);
      if (!request_had_version) resp.version = 17;
      resp.opening.fill(0x61);
      resp.value = SampleUpdateValue(ctx.mode, 0x62);
      resp.binary_ladder = {Step(ctx, 1, true), Step(ctx, 2, false), Step(ctx, 3, true)};
      resp.search = SampleCombinedProof();
      const Bytes wire = EncodeIn(resp, ctx);
      auto back = DecodeExactIn<SearchResponse>(wire, ctx, request_had_version);
      ASSERT_TRUE(back.ok()) << back.error().ToString();
      EXPECT_TRUE(*back == resp);
      EXPECT_EQ(EncodeIn(*back, ctx), wire);
      for (size_t cut = 0; cut < wire.size(); ++cut) {
        auto bad =
            DecodeExactIn<SearchResponse>(ByteView(wire).first(cut), ctx, request_had_version);
        ASSERT_FALSE(bad.ok()) << cut;
        EXPECT_EQ(bad.error().code, Errc::kMalformed);
      }
      Bytes trailing = wire;
      trailing.push_back(0);
      EXPECT_FALSE(DecodeExactIn<SearchResponse>(trailing, ctx, request_had_version).ok());
      // Decoded under the other request shape it does not come back unchanged.
      auto other = DecodeExactIn<SearchResponse>(wire, ctx, !request_had_version);
      EXPECT_FALSE(other.ok() && *other == resp);
      ++num_cases;
    }
  }
  std::printf("KtWireTest.SearchResponseVersionFollowsTheRequest: %d cases run, %d passed\n",
              num_cases, HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

// Byte layouts written by hand from the draft's struct definitions.
TEST(KtWireTest, HandWrittenLayouts) {
  // SearchRequest{last = 5, label = "ab", version absent}.
  const Bytes search =
      Hex("01"
          "0000000000000005"
          "02"
          "6162"
          "00");
  auto sr = tls::DecodeExact<SearchRequest>(search);
  ASSERT_TRUE(sr.ok()) << sr.error().ToString();
  EXPECT_EQ(sr->last, std::optional<uint64_t>(5));
  EXPECT_EQ(sr->label, (Bytes{'a', 'b'}));
  EXPECT_FALSE(sr->version.has_value());
  EXPECT_EQ(tls::Encode(*sr), search);

  // BinaryLadderStep: proof[VRF.Np] with no length prefix, then optional<HashValue>.
  const WireContext ed{DeploymentMode::contactMonitoring, 80};
  const Bytes step = Cat({B(80, 0xaa), Hex("01"), B(32, 0x01)});
  auto st = DecodeExactIn<BinaryLadderStep>(step, ed);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->proof, B(80, 0xaa));
  EXPECT_EQ(st->commitment, std::optional<HashValue>(H(1)));
  // The same bytes under VRF.Np = 81 (P-256) read a different proof and fail.
  EXPECT_FALSE(DecodeExactIn<BinaryLadderStep>(step, WireContext{ed.mode, 81}).ok());

  // DistinguishedRequest{last absent, stop = 7}.
  const Bytes dist =
      Hex("00"
          "01"
          "0000000000000007");
  auto dr = tls::DecodeExact<DistinguishedRequest>(dist);
  ASSERT_TRUE(dr.ok());
  EXPECT_FALSE(dr->last.has_value());
  EXPECT_EQ(dr->stop, std::optional<uint64_t>(7));

  // UpdateResponse in thirdPartyManagement mode: head `same`, position 9, skipped_versions 1,
  // one LabelValue "xy" (4-byte length), one UpdateInfo (opening, 2-byte signature), no
  // ladder, empty CombinedTreeProof (three 1-byte counts and a 2-byte count).
  const WireContext mgmt{DeploymentMode::thirdPartyManagement, 81};
  const Bytes update = Cat({Hex("01"
                                "0000000000000009"
                                "00000001"
                                "01"
                                "00000002"
                                "7879"
                                "01"),
                            B(16, 0xcc),
                            Hex("0002"
                                "5353"
                                "00"
                                "00"
                                "00"
                                "00"
                                "0000")});
  auto ur = DecodeExactIn<UpdateResponse>(update, mgmt);
  ASSERT_TRUE(ur.ok()) << ur.error().ToString();
  EXPECT_EQ(ur->full_tree_head.head_type, FullTreeHeadType::same);
  EXPECT_EQ(ur->position, 9u);
  EXPECT_EQ(ur->skipped_versions, 1u);
  ASSERT_EQ(ur->values.size(), 1u);
  EXPECT_EQ(ur->values[0].value, (Bytes{'x', 'y'}));
  ASSERT_EQ(ur->info.size(), 1u);
  EXPECT_EQ(ur->info[0].suffix.signature, (Bytes{'S', 'S'}));
  EXPECT_EQ(EncodeIn(*ur, mgmt), update);
  // Outside thirdPartyManagement there is no skipped_versions and no suffix: the same bytes
  // do not parse.
  EXPECT_FALSE(
      DecodeExactIn<UpdateResponse>(update, WireContext{DeploymentMode::contactMonitoring, 81})
          .ok());

  // AuditorUpdate: 2-byte counts of 64-byte PrefixLeafs.
  const Bytes audit = Cat({Hex("0000000000000001"
                               "0001"),
                           B(32, 2), B(32, 3),
                           Hex("0000"
                               "00"
                               "0000")});
  auto au = tls::DecodeExact<AuditorUpdate>(audit);
  ASSERT_TRUE(au.ok()) << au.error().ToString();
  ASSERT_EQ(au->added.size(), 1u);
  EXPECT_EQ(au->added[0].vrf_output, H(2));
  EXPECT_EQ(au->added[0].commitment, H(3));
  EXPECT_TRUE(au->removed.empty());

  // Credential, provisional: ... position, type 2, TreeHead, CombinedTreeProof.
  const Bytes cred = Cat({Hex("01"
                              "63"
                              "00000003"),
                          B(16, 0x10),
                          Hex("00000000"
                              "00"
                              "0000000000000040"
                              "02"
                              "0000000000000041"
                              "0000"
                              "00"
                              "00"
                              "00"
                              "0000")});
  auto cr = DecodeExactIn<Credential>(cred, ed);
  ASSERT_TRUE(cr.ok()) << cr.error().ToString();
  EXPECT_EQ(cr->credential_type, CredentialType::provisional);
  EXPECT_EQ(cr->position, 0x40u);
  EXPECT_EQ(cr->tree_head.tree_size, 0x41u);
}

TEST(KtWireTest, RejectsBadEnumsAndPresenceOctets) {
  // Presence octet 2 in SearchRequest.last.
  auto bad_last =
      tls::DecodeExact<SearchRequest>(Hex("02"
                                          "0000000000000005"
                                          "00"
                                          "00"));
  ASSERT_FALSE(bad_last.ok());
  EXPECT_EQ(bad_last.error().code, Errc::kMalformed);
  EXPECT_NE(bad_last.error().message.find("SearchRequest.last"), std::string::npos);
  // Presence octet 2 in BinaryLadderStep.commitment.
  const WireContext ed{DeploymentMode::contactMonitoring, 80};
  auto bad_commitment = DecodeExactIn<BinaryLadderStep>(Cat({B(80, 0), Hex("02")}), ed);
  ASSERT_FALSE(bad_commitment.ok());
  EXPECT_NE(bad_commitment.error().message.find("BinaryLadderStep.commitment"), std::string::npos);
  // Credential.credential_type reserved(0) and unknown(3).
  for (const char* type : {"00", "03"}) {
    const Bytes cred = Cat({Hex("00"
                                "00000000"),
                            B(16, 0),
                            Hex(std::string("00000000"
                                            "00"
                                            "0000000000000000") +
                                type)});
    auto cr = DecodeExactIn<Credential>(cred, ed);
    ASSERT_FALSE(cr.ok()) << type;
    EXPECT_EQ(cr.error().code, Errc::kMalformed);
    EXPECT_NE(cr.error().message.find("Credential.credential_type"), std::string::npos);
  }
  // FullTreeHead.head_type inside a response.
  auto head = DecodeExactIn<DistinguishedResponse>(Hex("03"
                                                       "00000000"
                                                       "00"),
                                                   ed);
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.error().message.find("FullTreeHead.head_type"), std::string::npos);
}

// Counts larger than the input fail on truncation; nothing is allocated from them.
TEST(KtWireTest, RejectsCountsOverTheInput) {
  const WireContext ed{DeploymentMode::contactMonitoring, 80};
  EXPECT_EQ(tls::DecodeExact<DistinguishedHead>(Hex("ff")).error().code, Errc::kMalformed);
  EXPECT_EQ(tls::DecodeExact<AuditorUpdate>(Hex("0000000000000000"
                                                "ffff"))
                .error()
                .code,
            Errc::kMalformed);
  EXPECT_EQ(tls::DecodeExact<LabelValue>(Hex("ffffffff"
                                             "00"))
                .error()
                .code,
            Errc::kMalformed);
  EXPECT_EQ(DecodeExactIn<OwnerInitResponse>(Hex("01"
                                                 "00"
                                                 "ffff"),
                                             ed)
                .error()
                .code,
            Errc::kMalformed);
  EXPECT_EQ(tls::DecodeExact<UpdateRequest>(Hex("00"
                                                "00"
                                                "00"
                                                "ff"))
                .error()
                .code,
            Errc::kMalformed);
}

TEST(KtWireTest, WireContextFromConfiguration) {
  Configuration config;
  config.ciphersuite = CipherSuite::KT_128_SHA256_P256;
  config.mode = DeploymentMode::thirdPartyAuditing;
  auto ctx = WireContext::For(config);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->mode, DeploymentMode::thirdPartyAuditing);
  EXPECT_EQ(ctx->vrf_proof_size, 81u);
  config.ciphersuite = CipherSuite::KT_128_SHA256_Ed25519;
  EXPECT_EQ(WireContext::For(config)->vrf_proof_size, 80u);
}

}  // namespace
}  // namespace candor::kt
