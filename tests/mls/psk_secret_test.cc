// RFC 9420 §8.4 psk_secret against the official psk_secret.json vectors (77 cases, 7 suites).
#include "candor/mls/psk_secret.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "candor/base/tls.h"
#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

// EncodeExternalPskId builds RFC 9420 §8.4 PreSharedKeyID {psktype = external(1),
// opaque psk_id<V>, opaque psk_nonce<V>}.
Bytes EncodeExternalPskId(ByteView psk_id, ByteView psk_nonce) {
  tls::Writer w;
  w.U8(1);
  w.OpaqueV(psk_id);
  w.OpaqueV(psk_nonce);
  return w.Take();
}

TEST(MlsPskSecretTest, OfficialVectors) {
  const json cases = testing::LoadVectors("psk_secret.json");
  testing::Tally tally("psk_secret.json");
  size_t num_empty = 0;
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    std::vector<Bytes> ids;
    std::vector<Bytes> values;
    for (const json& p : c.at("psks")) {
      ids.push_back(EncodeExternalPskId(Hex(p.at("psk_id")), Hex(p.at("psk_nonce"))));
      values.push_back(Hex(p.at("psk")));
    }
    std::vector<PskInput> inputs;
    for (size_t i = 0; i < ids.size(); ++i) inputs.push_back({ids[i], values[i]});
    if (inputs.empty()) ++num_empty;
    auto secret = PskSecret(*cs, inputs);
    EXPECT_TRUE(secret.ok());
    const bool ok = secret.ok() && Same(secret->view(), c.at("psk_secret"), "psk_secret");
    tally.Add(static_cast<uint16_t>(cs->suite), ok);
  }
  std::printf("psk_secret.json: %zu of the cases have no PSK\n", num_empty);
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
}

TEST(MlsPskSecretTest, NoPsksIsAllZeroNh) {
  for (uint16_t code : {uint16_t{1}, uint16_t{4}, uint16_t{7}}) {
    const CipherSuiteParams& cs = **GetCipherSuiteParams(code);
    auto secret = PskSecret(cs, {});
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(Bytes(secret->view().begin(), secret->view().end()), Bytes(cs.nh, 0));
  }
}

TEST(MlsPskSecretTest, OrderMatters) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes id_a = EncodeExternalPskId(AsBytes("a"), Bytes(32, 1));
  const Bytes id_b = EncodeExternalPskId(AsBytes("b"), Bytes(32, 2));
  const Bytes psk(32, 7);
  const std::vector<PskInput> ab = {{id_a, psk}, {id_b, psk}};
  const std::vector<PskInput> ba = {{id_b, psk}, {id_a, psk}};
  auto x = PskSecret(cs, ab);
  auto y = PskSecret(cs, ba);
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_NE(Bytes(x->view().begin(), x->view().end()), Bytes(y->view().begin(), y->view().end()));
}

}  // namespace
}  // namespace candor::mls
