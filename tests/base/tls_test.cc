#include "candor/base/tls.h"

#include <gtest/gtest.h>

#include <string>

namespace candor::tls {
namespace {

// RFC 9420 §2.1.2 examples.
TEST(TlsTest, VarintRfcExamples) {
  const std::pair<Bytes, uint32_t> cases[] = {
      {{0x25}, 37}, {{0x7b, 0xbd}, 15293}, {{0x9d, 0x7f, 0x3e, 0x7d}, 494878333}};
  for (const auto& [wire, value] : cases) {
    Reader r(wire);
    auto v = r.Varint();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, value);
    EXPECT_TRUE(r.empty());
    Writer w;
    w.Varint(value);
    EXPECT_EQ(w.bytes(), wire);
  }
}

TEST(TlsTest, VarintRejectsNonMinimalAndReserved) {
  for (const Bytes& bad : {Bytes{0x40, 0x25}, Bytes{0x80, 0x00, 0x00, 0x25},
                           Bytes{0x80, 0x00, 0x3f, 0xff}, Bytes{0xc0, 0, 0, 0, 0, 0, 0, 1}}) {
    Reader r(bad);
    auto v = r.Varint();
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, Errc::kMalformed);
  }
}

TEST(TlsTest, IntegersAndVectorsRoundTrip) {
  Writer w;
  w.U8(1);
  w.U16(0x0203);
  w.U32(0x04050607);
  w.U64(0x08090a0b0c0d0e0f);
  const Bytes payload = {9, 8, 7};
  w.OpaqueV(payload);
  w.Opaque8(payload);
  w.Opaque16(payload);
  w.U8(1);  // optional present
  const Bytes wire = w.Take();

  Reader r(wire);
  EXPECT_EQ(*r.U8(), 1);
  EXPECT_EQ(*r.U16(), 0x0203);
  EXPECT_EQ(*r.U32(), 0x04050607u);
  EXPECT_EQ(*r.U64(), 0x08090a0b0c0d0e0fu);
  auto v = r.OpaqueV();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Bytes(v->begin(), v->end()), payload);
  EXPECT_TRUE(r.Opaque8().ok());
  EXPECT_TRUE(r.Opaque16().ok());
  EXPECT_EQ(*r.Optional(), true);
  EXPECT_TRUE(r.ExpectEnd().ok());

  // Truncation at every prefix fails with kMalformed, never reads past the end.
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    Reader t(ByteView(wire).first(cut));
    Status st = [&]() -> Status {
      CANDOR_TRY(t.U8());
      CANDOR_TRY(t.U16());
      CANDOR_TRY(t.U32());
      CANDOR_TRY(t.U64());
      CANDOR_TRY(t.OpaqueV());
      CANDOR_TRY(t.Opaque8());
      CANDOR_TRY(t.Opaque16());
      CANDOR_TRY(t.Optional());
      return OkStatus();
    }();
    ASSERT_FALSE(st.ok()) << cut;
    EXPECT_EQ(st.error().code, Errc::kMalformed);
  }
}

TEST(TlsTest, OptionalRejectsOtherFlags) {
  const Bytes wire = {2};
  Reader r(wire);
  EXPECT_FALSE(r.Optional().ok());
}

TEST(TlsTest, ExpectEndNamesTrailingBytes) {
  const Bytes wire = {1, 2};
  Reader r(wire);
  ASSERT_TRUE(r.U8().ok());
  Status st = r.ExpectEnd("GroupContext");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "GroupContext: 1 trailing bytes");
}

TEST(TlsTest, TruncationErrorNamesField) {
  const Bytes wire = {0x05, 1, 2};
  Reader r(wire);
  auto v = r.OpaqueV("LeafNode.signature_key");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "LeafNode.signature_key: length 5 > 2 remaining");
}

TEST(TlsTest, Opaque32RoundTripAndBounds) {
  Writer w;
  const Bytes payload = {0xaa, 0xbb};
  w.Opaque32(payload);
  const Bytes wire = w.Take();
  EXPECT_EQ(wire, (Bytes{0, 0, 0, 2, 0xaa, 0xbb}));
  Reader r(wire);
  auto v = r.Opaque32("value");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Bytes(v->begin(), v->end()), payload);
  EXPECT_TRUE(r.ExpectEnd().ok());
  // Every truncation, and a length larger than the input, is kMalformed naming the field.
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    Reader t(ByteView(wire).first(cut));
    auto bad = t.Opaque32("value");
    ASSERT_FALSE(bad.ok()) << cut;
    EXPECT_EQ(bad.error().code, Errc::kMalformed);
    EXPECT_NE(bad.error().message.find("value"), std::string::npos);
  }
  const Bytes huge = {0xff, 0xff, 0xff, 0xff, 1};
  Reader h(huge);
  EXPECT_FALSE(h.Opaque32().ok());
}

}  // namespace
}  // namespace candor::tls
