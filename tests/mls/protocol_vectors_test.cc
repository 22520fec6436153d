// Every TLS-encoded struct inside the other official MLS vector files (tests/vectors/mls/,
// see its README) decodes and re-encodes to the same bytes. These are real, signed protocol
// objects, so they complement messages.json. Only the encoding is checked here; the crypto
// in these files is for the layers above.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/mls/commit.h"
#include "candor/mls/framing.h"
#include "candor/mls/mls_message.h"
#include "candor/mls/proposals.h"
#include "candor/mls/ratchet_tree_nodes.h"

namespace candor::mls {
namespace {

using nlohmann::json;

const std::string kDir = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/mls/";

// Tally counts cases per file and prints "run / passed" when it goes out of scope.
class Tally {
 public:
  explicit Tally(std::string file) : file_(std::move(file)) {}
  ~Tally() {
    std::printf("%-38s %zu run / %zu passed\n", file_.c_str(), run_, passed_);
    EXPECT_GT(run_, 0u) << file_;
    EXPECT_EQ(run_, passed_) << file_;
  }
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;

  // Check round-trips the hex string `hex` as a T; `where` locates it in failures.
  template <class T>
  void Check(const json& hex, const std::string& where) {
    ++run_;
    auto wire = HexDecode(hex.get<std::string>());
    ASSERT_TRUE(wire.ok()) << where;
    auto decoded = tls::DecodeExact<T>(*wire);
    ASSERT_TRUE(decoded.ok()) << where << ": " << decoded.error().ToString();
    ASSERT_EQ(tls::Encode(*decoded), *wire) << where;
    ++passed_;
  }

 private:
  std::string file_;
  size_t run_ = 0;
  size_t passed_ = 0;
};

json Load(const std::string& name) {
  auto data = ReadFile(kDir + name);
  EXPECT_TRUE(data.ok()) << kDir + name;
  if (!data.ok()) return json::array();
  json j = json::parse(AsStringView(*data), nullptr, false);
  EXPECT_TRUE(j.is_array()) << name;
  return j.is_array() ? j : json::array();
}

TEST(MlsProtocolVectorsTest, TranscriptHashes) {
  Tally t("transcript-hashes.json");
  for (const json& v : Load("transcript-hashes.json")) {
    t.Check<AuthenticatedContent>(v.at("authenticated_content"), "authenticated_content");
  }
}

TEST(MlsProtocolVectorsTest, Welcome) {
  Tally t("welcome.json");
  for (const json& v : Load("welcome.json")) {
    t.Check<MLSMessage>(v.at("key_package"), "key_package");
    t.Check<MLSMessage>(v.at("welcome"), "welcome");
  }
}

TEST(MlsProtocolVectorsTest, TreeOperations) {
  Tally t("tree-operations.json");
  for (const json& v : Load("tree-operations.json")) {
    t.Check<RatchetTree>(v.at("tree_before"), "tree_before");
    t.Check<RatchetTree>(v.at("tree_after"), "tree_after");
    t.Check<Proposal>(v.at("proposal"), "proposal");
  }
}

TEST(MlsProtocolVectorsTest, MessageProtection) {
  Tally t("message-protection.json");
  for (const json& v : Load("message-protection.json")) {
    t.Check<Proposal>(v.at("proposal"), "proposal");
    t.Check<Commit>(v.at("commit"), "commit");
    for (const char* field :
         {"proposal_pub", "proposal_priv", "commit_pub", "commit_priv", "application_priv"}) {
      t.Check<MLSMessage>(v.at(field), field);
    }
  }
}

TEST(MlsProtocolVectorsTest, TreeKem) {
  Tally t("treekem.json");
  for (const json& v : Load("treekem.json")) {
    t.Check<RatchetTree>(v.at("ratchet_tree"), "ratchet_tree");
    for (const json& p : v.at("update_paths")) t.Check<UpdatePath>(p.at("update_path"), "path");
  }
}

TEST(MlsProtocolVectorsTest, TreeValidation) {
  Tally t("tree-validation.json");
  for (const json& v : Load("tree-validation.json")) t.Check<RatchetTree>(v.at("tree"), "tree");
}

// PassiveClient covers both passive-client files: key package, welcome, optional ratchet tree,
// and every epoch's proposals and commit (all MLSMessage).
void PassiveClient(const std::string& file) {
  Tally t(file);
  for (const json& v : Load(file)) {
    t.Check<MLSMessage>(v.at("key_package"), "key_package");
    t.Check<MLSMessage>(v.at("welcome"), "welcome");
    if (!v.at("ratchet_tree").is_null()) t.Check<RatchetTree>(v.at("ratchet_tree"), "tree");
    for (const json& epoch : v.at("epochs")) {
      for (const json& p : epoch.at("proposals")) t.Check<MLSMessage>(p, "epoch proposal");
      t.Check<MLSMessage>(epoch.at("commit"), "epoch commit");
    }
  }
}

TEST(MlsProtocolVectorsTest, PassiveClientWelcome) { PassiveClient("passive-client-welcome.json"); }

TEST(MlsProtocolVectorsTest, PassiveClientHandlingCommit) {
  PassiveClient("passive-client-handling-commit.json");
}

}  // namespace
}  // namespace candor::mls
