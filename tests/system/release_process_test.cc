// System test of binary transparency: a real candord hosting a release log that two real
// candor-witness processes cosign, and the real `candor release` commands. A build is
// published and verifies offline and against the log; the attacks of issue 14 §4 that reach a
// user's machine are refused, each with its reason and exit status 3.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "candor/base/file.h"
#include "candor/crypto/ed25519.h"
#include "candor/release/release_proof.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"
#include "process.h"
#include "stack.h"

namespace candor::testing {
namespace {

class ReleaseProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Stack::Create("release", StackOptions{});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
    dir_ = stack_->dir() + "/release";
    ASSERT_TRUE(MakeDirs(dir_ + "/dist").ok());
    ASSERT_TRUE(WriteFileDurable(dir_ + "/token", AsBytes(stack_->append_token() + "\n")).ok());
    CommandResult key = Candor({"release", "keygen", "--name", "release.candor.test", "--key-file",
                                dir_ + "/release.key"});
    ASSERT_EQ(key.status, 0) << key.output;
    release_vkey_ = key.output.substr(0, key.output.find('\n'));
    policy_ = dir_ + "/policy.json";
    nlohmann::json policy = {{"release_key", release_vkey_},
                             {"log_url", stack_->log_url().ToString()},
                             {"log_key", stack_->log_vkey()},
                             {"witnesses", stack_->witness_vkeys()},
                             {"quorum", 2}};
    ASSERT_TRUE(WriteFileDurable(policy_, AsBytes(policy.dump())).ok());
  }

  static CommandResult Candor(std::vector<std::string> args) {
    args.insert(args.begin(), CANDOR_PATH);
    return RunCommand(args);
  }

  // Build writes a file of the release into dist/.
  std::string Build(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/dist/" + name;
    EXPECT_TRUE(WriteFileDurable(path, AsBytes(content)).ok());
    return path;
  }

  CommandResult Publish(const std::string& version, const std::string& platform,
                        const std::vector<std::string>& files, const std::string& proof) {
    std::vector<std::string> args = {"release",      "publish",
                                     "--policy",     policy_,
                                     "--key-file",   dir_ + "/release.key",
                                     "--token-file", dir_ + "/token",
                                     "--product",    "candor",
                                     "--version",    version,
                                     "--platform",   platform,
                                     "--commit",     std::string(40, 'a'),
                                     "--recipe",     "cmake-preset-release",
                                     "--proof-out",  proof};
    args.insert(args.end(), files.begin(), files.end());
    return Candor(args);
  }

  CommandResult Verify(const std::string& file, const std::string& proof,
                       std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"release", "verify",   file,   "--proof",
                                     proof,     "--policy", policy_};
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(args);
  }

  static void ExpectRefused(const CommandResult& r, const std::string& why) {
    EXPECT_EQ(r.status, 3) << r.output;
    EXPECT_NE(r.output.find(why), std::string::npos) << r.output;
  }

  std::unique_ptr<Stack> stack_;
  std::string dir_;
  std::string policy_;
  std::string release_vkey_;
};

TEST_F(ReleaseProcessTest, APublishedBuildVerifiesAndTamperingIsRefused) {
  const std::string deb = Build("candor_0.19.0_amd64.deb", "the real package");
  const std::string bin = Build("candord", "the real server");
  const std::string proof = dir_ + "/0.19.0.tlog-proof";
  CommandResult published = Publish("0.19.0", "debian12-amd64", {deb, bin}, proof);
  ASSERT_EQ(published.status, 0) << published.output;
  EXPECT_NE(published.output.find("cosigned by 2 witnesses"), std::string::npos)
      << published.output;

  // Offline, and against the log's newest checkpoint (recorded as this machine's state).
  CommandResult offline = Verify(deb, proof);
  EXPECT_EQ(offline.status, 0) << offline.output;
  EXPECT_NE(offline.output.find("verified: candor_0.19.0_amd64.deb is candor 0.19.0"),
            std::string::npos)
      << offline.output;
  CommandResult online =
      Verify(bin, proof, {"--state", dir_ + "/seen", "--platform", "debian12-amd64"});
  EXPECT_EQ(online.status, 0) << online.output;
  EXPECT_TRUE(FileExists(dir_ + "/seen"));

  // A replaced artifact on the mirror.
  const std::string evil = dir_ + "/mirror/candor_0.19.0_amd64.deb";
  ASSERT_TRUE(WriteFileDurable(evil, AsBytes("a backdoored package")).ok());
  ExpectRefused(Verify(evil, proof), "is not the one the release log holds");
  // A file the release does not have.
  ExpectRefused(Verify(Build("candor-evil", "x"), proof), "has no artifact named candor-evil");
  // A proof for another platform.
  ExpectRefused(Verify(deb, proof, {"--platform", "debian12-arm64"}),
                "the release is for debian12-amd64, not debian12-arm64");
  // A proof whose inclusion path was altered.
  auto text = ReadFile(proof);
  ASSERT_TRUE(text.ok());
  auto parsed = release::ParseTlogProof(AsStringView(*text));
  ASSERT_TRUE(parsed.ok());
  release::TlogProof altered = *parsed;
  if (altered.inclusion.empty())
    altered.index += 1;
  else
    altered.inclusion[0][0] ^= 1;
  ASSERT_TRUE(
      WriteFileDurable(dir_ + "/altered.tlog-proof", AsBytes(release::FormatTlogProof(altered)))
          .ok());
  CommandResult refused = Verify(deb, dir_ + "/altered.tlog-proof");
  EXPECT_EQ(refused.status, 3) << refused.output;
}

TEST_F(ReleaseProcessTest, ATargetedBuildWithAValidSignatureButNoLogEntryIsRefused) {
  const std::string deb = Build("candor_0.19.0_amd64.deb", "the real package");
  const std::string proof = dir_ + "/0.19.0.tlog-proof";
  ASSERT_EQ(Publish("0.19.0", "debian12-amd64", {deb}, proof).status, 0);
  // The compelled vendor signs a special build for one user with the real release key and
  // dresses it in the real proof's checkpoint and path: the log never held it.
  auto key = tlog::LoadSecretKeyFile(dir_ + "/release.key", tlog::kSigTypeEd25519);
  ASSERT_TRUE(key.ok());
  tlog::Ed25519NoteSigner signer(key->name, std::move(key->key));
  auto text = ReadFile(proof);
  ASSERT_TRUE(text.ok());
  auto real = release::ParseTlogProof(AsStringView(*text));
  ASSERT_TRUE(real.ok() && real->extra);
  auto manifest = release::ParseManifest(
      AsStringView(*real->extra).substr(0, AsStringView(*real->extra).find("\n\n") + 1));
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  const std::string targeted_file = dir_ + "/targeted/candor_0.19.0_amd64.deb";
  ASSERT_TRUE(WriteFileDurable(targeted_file, AsBytes("a package for one user")).ok());
  auto digest = release::HashFile(targeted_file);
  ASSERT_TRUE(digest.ok());
  manifest->artifacts[0].sha256 = *digest;
  auto forged_entry = release::SignManifest(*manifest, signer);
  ASSERT_TRUE(forged_entry.ok());
  release::TlogProof forged = *real;
  forged.extra = Bytes(forged_entry->begin(), forged_entry->end());
  ASSERT_TRUE(
      WriteFileDurable(dir_ + "/targeted.tlog-proof", AsBytes(release::FormatTlogProof(forged)))
          .ok());
  ExpectRefused(Verify(targeted_file, dir_ + "/targeted.tlog-proof"),
                "is not in the release log at index");
}

TEST_F(ReleaseProcessTest, TheMonitorListsEveryReleaseAndRaisesItsAlarms) {
  const std::string state = dir_ + "/monitor.json";
  auto monitor = [&] {
    return Candor({"release", "monitor", "--policy", policy_, "--state", state, "--platform",
                   "debian12-amd64"});
  };
  const std::string deb = Build("candor.deb", "release 0.19.0");
  ASSERT_EQ(Publish("0.19.0", "debian12-amd64", {deb}, dir_ + "/a.proof").status, 0);
  CommandResult first = monitor();
  EXPECT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("new release: entry 0: candor 0.19.0 for debian12-amd64"),
            std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("1 releases in the release log (1 new); 0 alarms"), std::string::npos)
      << first.output;

  // The next run starts from its durable state: only the new release is new.
  ASSERT_EQ(Publish("0.19.1", "debian12-amd64", {Build("candor.deb", "release 0.19.1")},
                    dir_ + "/b.proof")
                .status,
            0);
  CommandResult second = monitor();
  EXPECT_EQ(second.status, 0) << second.output;
  EXPECT_NE(second.output.find("2 releases in the release log (1 new)"), std::string::npos)
      << second.output;

  // 0.19.1 logged again with another file (a build for someone), a release for a platform
  // nobody announced, and an entry that is no release at all: three alarms.
  ASSERT_EQ(Publish("0.19.1", "debian12-amd64", {Build("candor.deb", "special 0.19.1")},
                    dir_ + "/c.proof")
                .status,
            0);
  ASSERT_EQ(
      Publish("0.19.1", "plan9-mips", {Build("candor.deb", "0.19.1 for plan 9")}, dir_ + "/d.proof")
          .status,
      0);
  ASSERT_TRUE(stack_->Append({"not a release"}).ok());
  ASSERT_TRUE(stack_->WaitForPublished(5, std::chrono::seconds(30)).ok());
  CommandResult third = monitor();
  EXPECT_EQ(third.status, 3) << third.output;
  EXPECT_NE(third.output.find("entry 2 logs candor 0.19.1 for debian12-amd64 again with other "
                              "contents (first at entry 1)"),
            std::string::npos)
      << third.output;
  EXPECT_NE(third.output.find("entry 3 is a release for plan9-mips, a platform nobody announced"),
            std::string::npos)
      << third.output;
  EXPECT_NE(third.output.find("entry 4 is not a release manifest signed by the release key"),
            std::string::npos)
      << third.output;
  // Alarms stay on record.
  CommandResult fourth = monitor();
  EXPECT_EQ(fourth.status, 3) << fourth.output;
  EXPECT_NE(fourth.output.find("3 alarms (0 new)"), std::string::npos) << fourth.output;
}

}  // namespace
}  // namespace candor::testing
