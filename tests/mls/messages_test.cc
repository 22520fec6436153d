// Conformance of the RFC 9420 codecs against tests/vectors/mls/ (see its README):
// - messages.json: for every entry and every field, decoding and re-encoding gives the same
//   bytes (MLSMessage of each wire format, RatchetTree, GroupSecrets, each proposal, Commit);
// - deserialization.json: each vlbytes_header varint decodes to its length;
// - for the first entry's value of every field: every proper prefix and the value plus one
//   trailing byte are kMalformed.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/mls/commit.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/proposals.h"
#include "candor/mls/ratchet_tree_nodes.h"
#include "candor/mls/welcome.h"

namespace candor::mls {
namespace {

using nlohmann::json;

const std::string kDir = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/mls/";

json LoadJson(const std::string& name) {
  auto data = ReadFile(kDir + name);
  EXPECT_TRUE(data.ok()) << kDir + name;
  if (!data.ok()) return json();
  return json::parse(AsStringView(*data), nullptr, false);
}

// RoundTrip decodes `wire` as exactly one T and re-encodes it; "" on success, else why not.
template <class T>
std::string RoundTrip(ByteView wire) {
  auto decoded = tls::DecodeExact<T>(wire);
  if (!decoded.ok()) return decoded.error().ToString();
  const Bytes again = tls::Encode(*decoded);
  if (again != Bytes(wire.begin(), wire.end())) return "re-encoding differs";
  return "";
}

// MessageOf checks that `wire` is an MLSMessage of wire format `want`, then round-trips it.
std::string MessageOf(ByteView wire, WireFormat want) {
  auto decoded = tls::DecodeExact<MLSMessage>(wire);
  if (!decoded.ok()) return decoded.error().ToString();
  if (decoded->wire_format() != want) return "wrong wire_format";
  return RoundTrip<MLSMessage>(wire);
}

// PublicOf additionally checks the content type of a PublicMessage.
std::string PublicOf(ByteView wire, ContentType want) {
  auto decoded = tls::DecodeExact<MLSMessage>(wire);
  if (!decoded.ok()) return decoded.error().ToString();
  const auto* pub = std::get_if<PublicMessage>(&decoded->message);
  if (pub == nullptr) return "not a PublicMessage";
  if (pub->content.content_type() != want) return "wrong content_type";
  return RoundTrip<MLSMessage>(wire);
}

// Rejects reports whether decoding `wire` as a T fails with kMalformed.
template <class T>
bool Rejects(ByteView wire) {
  auto decoded = tls::DecodeExact<T>(wire);
  return !decoded.ok() && decoded.error().code == Errc::kMalformed &&
         !decoded.error().message.empty();
}

struct FieldCodec {
  std::function<std::string(ByteView)> round_trip;
  std::function<bool(ByteView)> rejects;
};

// kFields maps every messages.json field to its codec (test-vectors.md "Messages").
const std::map<std::string, FieldCodec>& Fields() {
  static const auto* fields = new std::map<std::string, FieldCodec>{
      {"mls_welcome",
       {[](ByteView b) { return MessageOf(b, WireFormat::mls_welcome); }, Rejects<MLSMessage>}},
      {"mls_group_info",
       {[](ByteView b) { return MessageOf(b, WireFormat::mls_group_info); }, Rejects<MLSMessage>}},
      {"mls_key_package",
       {[](ByteView b) { return MessageOf(b, WireFormat::mls_key_package); }, Rejects<MLSMessage>}},
      {"ratchet_tree", {RoundTrip<RatchetTree>, Rejects<RatchetTree>}},
      {"group_secrets", {RoundTrip<GroupSecrets>, Rejects<GroupSecrets>}},
      {"add_proposal", {RoundTrip<Add>, Rejects<Add>}},
      {"update_proposal", {RoundTrip<Update>, Rejects<Update>}},
      {"remove_proposal", {RoundTrip<Remove>, Rejects<Remove>}},
      {"pre_shared_key_proposal", {RoundTrip<PreSharedKey>, Rejects<PreSharedKey>}},
      {"re_init_proposal", {RoundTrip<ReInit>, Rejects<ReInit>}},
      {"external_init_proposal", {RoundTrip<ExternalInit>, Rejects<ExternalInit>}},
      {"group_context_extensions_proposal",
       {RoundTrip<GroupContextExtensions>, Rejects<GroupContextExtensions>}},
      {"commit", {RoundTrip<Commit>, Rejects<Commit>}},
      {"public_message_application",
       {[](ByteView b) { return PublicOf(b, ContentType::application); }, Rejects<MLSMessage>}},
      {"public_message_proposal",
       {[](ByteView b) { return PublicOf(b, ContentType::proposal); }, Rejects<MLSMessage>}},
      {"public_message_commit",
       {[](ByteView b) { return PublicOf(b, ContentType::commit); }, Rejects<MLSMessage>}},
      {"private_message",
       {[](ByteView b) { return MessageOf(b, WireFormat::mls_private_message); },
        Rejects<MLSMessage>}},
  };
  return *fields;
}

TEST(MlsMessagesVectorsTest, EveryEntryEveryFieldRoundTrips) {
  const json vectors = LoadJson("messages.json");
  ASSERT_TRUE(vectors.is_array());
  std::map<std::string, std::pair<size_t, size_t>> counts;  // field -> run, passed
  size_t num_cases = 0;
  for (size_t i = 0; i < vectors.size(); ++i) {
    for (const auto& [field, value] : vectors[i].items()) {
      const auto it = Fields().find(field);
      ASSERT_NE(it, Fields().end()) << "unknown field " << field;
      auto wire = HexDecode(value.get<std::string>());
      ASSERT_TRUE(wire.ok()) << field;
      ++num_cases;
      ++counts[field].first;
      const std::string why = it->second.round_trip(*wire);
      EXPECT_EQ(why, "") << "entry " << i << " " << field;
      if (why.empty()) ++counts[field].second;
    }
  }
  for (const auto& [field, c] : counts) {
    std::printf("messages.json %-34s %zu run / %zu passed\n", field.c_str(), c.first, c.second);
    EXPECT_EQ(c.first, c.second) << field;
  }
  EXPECT_EQ(counts.size(), Fields().size()) << "a field never appeared";
  ASSERT_GT(num_cases, 0u);
}

TEST(MlsMessagesVectorsTest, TruncationAndTrailingByteRejected) {
  const json vectors = LoadJson("messages.json");
  ASSERT_TRUE(vectors.is_array());
  ASSERT_FALSE(vectors.empty());
  size_t num_cases = 0, num_passed = 0;
  for (const auto& [field, codec] : Fields()) {
    ASSERT_TRUE(vectors[0].contains(field)) << field;
    auto wire = HexDecode(vectors[0][field].get<std::string>());
    ASSERT_TRUE(wire.ok());
    size_t run = 0, passed = 0;
    for (size_t len = 0; len < wire->size(); ++len) {
      ++run;
      const bool ok = codec.rejects(ByteView(*wire).first(len));
      EXPECT_TRUE(ok) << field << " prefix " << len;
      if (ok) ++passed;
    }
    Bytes longer = *wire;
    longer.push_back(0);
    ++run;
    const bool ok = codec.rejects(longer);
    EXPECT_TRUE(ok) << field << " trailing byte";
    if (ok) ++passed;
    std::printf("truncation %-34s %zu run / %zu passed\n", field.c_str(), run, passed);
    num_cases += run;
    num_passed += passed;
  }
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_cases, num_passed);
}

TEST(MlsMessagesVectorsTest, DeserializationVarints) {
  const json vectors = LoadJson("deserialization.json");
  ASSERT_TRUE(vectors.is_array());
  size_t num_cases = 0, num_passed = 0;
  for (const json& v : vectors) {
    ++num_cases;
    auto header = HexDecode(v.at("vlbytes_header").get<std::string>());
    ASSERT_TRUE(header.ok());
    tls::Reader r(*header);
    auto length = r.Varint("vlbytes_header");
    const bool ok = length.ok() && r.empty() && *length == v.at("length").get<uint64_t>();
    EXPECT_TRUE(ok) << v.dump();
    if (!ok) continue;
    tls::Writer w;  // minimal encoding both ways
    w.Varint(*length);
    EXPECT_EQ(w.bytes(), *header) << v.dump();
    if (w.bytes() == *header) ++num_passed;
  }
  std::printf("deserialization.json: %zu run / %zu passed\n", num_cases, num_passed);
  ASSERT_GT(num_cases, 0u);
  EXPECT_EQ(num_cases, num_passed);
}

}  // namespace
}  // namespace candor::mls
