// The official passive-client vectors (RFC 9420 test-vectors.md "Passive Client"): a client
// joins from a Welcome with its KeyPackage's private keys, then follows the group through each
// epoch's proposals and commit; its epoch_authenticator must match after the join and after
// every commit. passive-client-welcome.json (56 cases, 7 suites) exercises the join,
// passive-client-handling-commit.json (91 cases) and passive-client-random.json the commits.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "../mls/schedule_test_util.h"
#include "candor/base/tls.h"
#include "candor/mls/group_state.h"
#include "candor/mls/mls_message.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;

// DecodeMessage decodes a hex MLSMessage field; nullopt (and a test failure) on error.
std::optional<MLSMessage> DecodeMessage(const json& field, const std::string& what) {
  auto m = tls::DecodeExact<MLSMessage>(Hex(field));
  EXPECT_TRUE(m.ok()) << what << ": " << (m.ok() ? "" : m.error().ToString());
  if (!m.ok()) return std::nullopt;
  return std::move(m).value();
}

// PrivateKey reads a private key field. The P-521 (suite 5) keys in these vectors are
// sometimes written without their leading zero bytes (65 bytes); RFC 9180 §7.1.2
// SerializePrivateKey and our crypto layer use the fixed 66-byte form, so they are left-padded.
SecretBytes PrivateKey(const json& c, const char* field) {
  Bytes key = Hex(c.at(field));
  if (c.at("cipher_suite").get<uint16_t>() == 5 && key.size() < 66) {
    key.insert(key.begin(), 66 - key.size(), 0);
  }
  return SecretBytes(key);
}

// RunCase runs one passive-client case; returns true if every epoch authenticator matched.
// `num_epochs` counts the commits processed.
bool RunCase(const json& c, size_t index, size_t& num_epochs) {
  const std::string tag = "case " + std::to_string(index);
  auto kp_msg = DecodeMessage(c.at("key_package"), tag + " key_package");
  auto welcome_msg = DecodeMessage(c.at("welcome"), tag + " welcome");
  if (!kp_msg || !welcome_msg) return false;
  const auto* kp = std::get_if<KeyPackage>(&kp_msg->message);
  const auto* welcome = std::get_if<Welcome>(&welcome_msg->message);
  EXPECT_TRUE(kp != nullptr && welcome != nullptr) << tag;
  if (kp == nullptr || welcome == nullptr) return false;

  KeyPackagePrivateKeys keys{PrivateKey(c, "init_priv"), PrivateKey(c, "encryption_priv"),
                             PrivateKey(c, "signature_priv")};
  std::optional<RatchetTree> tree;
  if (!c.at("ratchet_tree").is_null()) {
    auto t = tls::DecodeExact<RatchetTree>(Hex(c.at("ratchet_tree")));
    EXPECT_TRUE(t.ok()) << tag;
    if (!t.ok()) return false;
    tree = std::move(t).value();
  }
  std::vector<ExternalPsk> psks;
  for (const json& p : c.at("external_psks")) {
    psks.push_back({Hex(p.at("psk_id")), SecretBytes(Hex(p.at("psk")))});
  }

  auto state = GroupState::JoinFromWelcome(*kp, keys, *welcome, tree, psks);
  EXPECT_TRUE(state.ok()) << tag << " join: " << (state.ok() ? "" : state.error().ToString());
  if (!state.ok()) return false;
  if (!testing::Same(state->epoch_authenticator(), c.at("initial_epoch_authenticator"),
                     tag + " initial_epoch_authenticator")) {
    return false;
  }

  size_t epoch_index = 0;
  for (const json& e : c.at("epochs")) {
    const std::string etag = tag + " epoch " + std::to_string(epoch_index++);
    for (const json& p : e.at("proposals")) {
      auto msg = DecodeMessage(p, etag + " proposal");
      if (!msg) return false;
      auto handled = state->HandleProposal(*msg);
      EXPECT_TRUE(handled.ok()) << etag << " proposal: "
                                << (handled.ok() ? "" : handled.error().ToString());
      if (!handled.ok()) return false;
    }
    auto commit = DecodeMessage(e.at("commit"), etag + " commit");
    if (!commit) return false;
    auto next = state->HandleCommit(*commit, psks);
    EXPECT_TRUE(next.ok()) << etag << " commit: " << (next.ok() ? "" : next.error().ToString());
    if (!next.ok()) return false;
    state = std::move(next).value();
    ++num_epochs;
    if (!testing::Same(state->epoch_authenticator(), e.at("epoch_authenticator"),
                       etag + " epoch_authenticator")) {
      return false;
    }
  }
  return true;
}

// RunFile runs every case of `name` and prints the per-suite tally.
void RunFile(const std::string& name) {
  const json cases = testing::LoadVectors(name);
  testing::Tally tally(name);
  size_t num_epochs = 0;
  size_t index = 0;
  for (const json& c : cases) {
    const bool passed = RunCase(c, index++, num_epochs);
    tally.Add(c.at("cipher_suite").get<uint16_t>(), passed);
  }
  tally.Report();
  std::printf("%s: %zu commits processed\n", name.c_str(), num_epochs);
  ASSERT_GT(tally.run(), 0u);
  EXPECT_EQ(tally.run(), tally.passed());
}

TEST(PassiveClientTest, Welcome) { RunFile("passive-client-welcome.json"); }

TEST(PassiveClientTest, HandlingCommit) { RunFile("passive-client-handling-commit.json"); }

TEST(PassiveClientTest, Random) { RunFile("passive-client-random.json"); }

}  // namespace
}  // namespace candor::mls
