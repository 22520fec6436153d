// wire_test_util.h: helpers shared by the KEYTRANS codec tests (wire_test, tree_head_test,
// update_value_test): the round-trip / truncation / trailing-byte check every Decode gets
// (house style H9), the contexts the tests sweep (both suites x all three modes), and small
// fixed values.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/kt/messages.h"
#include "candor/kt/proofs.h"

namespace candor::kt::testing {

// CheckCodec encodes `value` (with `context...`), requires it to decode back to an equal value
// that re-encodes to the same bytes, every proper prefix to fail with kMalformed and a message,
// and one trailing byte to fail with kMalformed. Returns the encoding.
template <class T, class... Context>
Bytes CheckCodec(const T& value, const Context&... context) {
  const Bytes wire = EncodeIn(value, context...);
  auto back = DecodeExactIn<T>(wire, context...);
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error().ToString());
  if (!back.ok()) return wire;
  EXPECT_TRUE(*back == value);
  EXPECT_EQ(EncodeIn(*back, context...), wire);
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    auto truncated = DecodeExactIn<T>(ByteView(wire).first(cut), context...);
    EXPECT_FALSE(truncated.ok()) << "prefix " << cut << " of " << wire.size();
    if (truncated.ok()) continue;
    EXPECT_EQ(truncated.error().code, Errc::kMalformed);
    EXPECT_FALSE(truncated.error().message.empty());
  }
  Bytes trailing = wire;
  trailing.push_back(0);
  auto extra = DecodeExactIn<T>(trailing, context...);
  EXPECT_FALSE(extra.ok());
  if (!extra.ok()) EXPECT_EQ(extra.error().code, Errc::kMalformed);
  return wire;
}

// H returns a HashValue filled with `b`.
inline HashValue H(uint8_t b) {
  HashValue h{};
  h.fill(b);
  return h;
}

// B returns `n` bytes of value `b`.
inline Bytes B(size_t n, uint8_t b) { return Bytes(n, b); }

// AllContexts: both suites (VRF.Np 81 and 80) x the three deployment modes.
inline std::vector<WireContext> AllContexts() {
  std::vector<WireContext> out;
  for (size_t np : {size_t{81}, size_t{80}}) {
    for (DeploymentMode mode :
         {DeploymentMode::contactMonitoring, DeploymentMode::thirdPartyManagement,
          DeploymentMode::thirdPartyAuditing}) {
      out.push_back(WireContext{mode, np});
    }
  }
  return out;
}

// ContextName describes a context for failure messages.
inline std::string ContextName(const WireContext& ctx) {
  return "mode " + std::to_string(static_cast<int>(ctx.mode)) + ", VRF.Np " +
         std::to_string(ctx.vrf_proof_size);
}

// SampleCombinedProof is a CombinedTreeProof with every field and result type populated.
inline CombinedTreeProof SampleCombinedProof() {
  CombinedTreeProof p;
  p.timestamps = {1, 0x0102030405060708};
  PrefixProof prefix;
  PrefixSearchResult inclusion;
  inclusion.result_type = PrefixSearchResultType::inclusion;
  inclusion.depth = 3;
  PrefixSearchResult leaf;
  leaf.result_type = PrefixSearchResultType::nonInclusionLeaf;
  leaf.leaf = PrefixLeaf{H(0x11), H(0x12)};
  leaf.depth = 2;
  PrefixSearchResult parent;
  parent.result_type = PrefixSearchResultType::nonInclusionParent;
  parent.depth = 5;
  prefix.results = {inclusion, leaf, parent};
  prefix.elements = {H(0x21), H(0x22)};
  p.prefix_proofs = {prefix, PrefixProof{}};
  p.prefix_roots = {H(0x31)};
  p.inclusion.elements = {H(0x41), H(0x42), H(0x43)};
  return p;
}

// SampleFullTreeHead is an `updated` head, with an auditor head in thirdPartyAuditing mode.
inline FullTreeHead SampleFullTreeHead(DeploymentMode mode) {
  FullTreeHead h;
  h.head_type = FullTreeHeadType::updated;
  h.tree_head = TreeHead{1000, B(64, 0x51)};
  if (mode == DeploymentMode::thirdPartyAuditing) {
    h.auditor_tree_head = AuditorTreeHead{1700000000000, 990, B(64, 0x52)};
  }
  return h;
}

// SampleUpdateValue has a suffix signature exactly in thirdPartyManagement mode.
inline UpdateValue SampleUpdateValue(DeploymentMode mode, uint8_t b) {
  UpdateValue v;
  v.value = B(5, b);
  if (mode == DeploymentMode::thirdPartyManagement)
    v.suffix.signature = B(64, static_cast<uint8_t>(b + 1));
  return v;
}

}  // namespace candor::kt::testing
