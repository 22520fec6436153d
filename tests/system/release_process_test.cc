// System test of binary transparency: a real candord hosting a release log that two real
// candor-witness processes cosign, and the real `candor release` commands. A build is
// published and verifies offline and against the log; the attacks of issue 14 §4 that reach a
// user's machine are refused, each with its reason and exit status 3. `candor update` takes its
// files from mirrors served by this test (net::HttpServer over a folder), and reads the log
// directly or through a proxy that shows it an old checkpoint.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "candor/base/file.h"
#include "candor/crypto/ed25519.h"
#include "candor/net/http_client.h"
#include "candor/net/http_server.h"
#include "candor/net/router.h"
#include "candor/release/release_proof.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/witness.h"
#include "process.h"
#include "stack.h"

namespace candor::testing {
namespace {

// Mirror serves the files under a folder, as a plain static mirror would.
class Mirror {
 public:
  explicit Mirror(std::string root) : root_(std::move(root)) {
    router_.Add("GET", "/{path...}", {0, false, true},
                [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
                  CANDOR_ASSIGN_OR_RETURN(Bytes b, ReadFile(root_ + "/" + req.Param("path")));
                  return net::MakeResponse(200, "application/octet-stream",
                                           std::string(AsStringView(b)));
                });
    auto server = net::HttpServer::Start({}, router_);
    EXPECT_TRUE(server.ok());
    if (server.ok()) server_ = std::move(*server);
  }
  ~Mirror() {
    if (server_) server_->Stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/"; }

 private:
  std::string root_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

// FrozenLog serves the release log with its checkpoint frozen at `note`: tiles come from the
// real log, the checkpoint never changes (a view kept old for one machine).
class FrozenLog {
 public:
  FrozenLog(net::Url upstream, std::string note)
      : upstream_(std::move(upstream)), note_(std::move(note)) {
    router_.Add("GET", "/logs/main/checkpoint", {0, false, false},
                [this](const net::RouteRequest&) -> Result<net::HttpResponse> {
                  return net::MakeResponse(200, "text/plain; charset=utf-8", note_);
                });
    router_.Add("GET", "/logs/main/tile/{path...}", {0, false, true},
                [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
                  std::lock_guard<std::mutex> lock(mu_);
                  return http_.Get(upstream_.Join("tile/" + req.Param("path")));
                });
    auto server = net::HttpServer::Start({}, router_);
    EXPECT_TRUE(server.ok());
    if (server.ok()) server_ = std::move(*server);
  }
  ~FrozenLog() {
    if (server_) server_->Stop();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/logs/main/";
  }

 private:
  net::Url upstream_;
  std::string note_;
  std::mutex mu_;
  net::HttpClient http_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

class ReleaseProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The log cosigns its unchanged checkpoint again every second, so a policy can require
    // recent cosignatures.
    StackOptions options;
    options.server_args = {"--cosign-refresh-ms", "1000"};
    auto s = Stack::Create("release", options);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
    dir_ = stack_->dir() + "/release";
    ASSERT_TRUE(MakeDirs(dir_ + "/dist").ok());
    ASSERT_TRUE(WriteFileDurable(dir_ + "/token", AsBytes(stack_->append_token() + "\n")).ok());
    CommandResult key = Candor({"release", "keygen", "--name", "release.candor.test", "--key-file",
                                dir_ + "/release.key"});
    ASSERT_EQ(key.status, 0) << key.output;
    release_vkey_ = key.output.substr(0, key.output.find('\n'));
    policy_ = WritePolicy("policy.json", stack_->log_url().ToString(), 0);
  }

  // WritePolicy writes a release policy for the stack's log served at `log_url`.
  std::string WritePolicy(const std::string& name, const std::string& log_url,
                          uint64_t max_age_seconds) {
    nlohmann::json policy = {{"release_key", release_vkey_},
                             {"log_url", log_url},
                             {"log_key", stack_->log_vkey()},
                             {"witnesses", stack_->witness_vkeys()},
                             {"quorum", 2}};
    if (max_age_seconds > 0) policy["max_checkpoint_age_seconds"] = max_age_seconds;
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileDurable(path, AsBytes(policy.dump())).ok());
    return path;
  }

  // Update runs `candor update` of the artifact "candor" for debian12-amd64 into bin/candor.
  CommandResult Update(const std::string& policy, const std::string& state,
                       const std::vector<std::string>& mirrors,
                       std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"update",
                                     "--policy",
                                     policy,
                                     "--state",
                                     state,
                                     "--platform",
                                     "debian12-amd64",
                                     "--artifact",
                                     "candor",
                                     "--install",
                                     dir_ + "/bin/candor"};
    for (const std::string& m : mirrors) {
      args.push_back("--mirror");
      args.push_back(m);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return Candor(args);
  }

  std::string Installed() const {
    auto b = ReadFile(dir_ + "/bin/candor");
    return b.ok() ? std::string(AsStringView(*b)) : std::string();
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
                        const std::vector<std::string>& files, const std::string& proof,
                        const std::string& mirror_out = "") {
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
    if (!mirror_out.empty()) {
      args.push_back("--mirror-out");
      args.push_back(mirror_out);
    }
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

// A compelled operator forks the release log for one user: with the log's own key it signs a
// checkpoint of a log whose entry 0 is a build for that user (its manifest signed with the real
// release key). The real witnesses, which cosigned the real log, refuse to cosign the fork
// whatever old size is claimed; with the log's signature alone the user's machine refuses it.
TEST_F(ReleaseProcessTest, AForkedReleaseLogGetsNoCosignatureAndIsRefused) {
  const std::string deb = Build("candor_0.19.0_amd64.deb", "the real package");
  ASSERT_EQ(Publish("0.19.0", "debian12-amd64", {deb}, dir_ + "/real.proof").status, 0);

  auto release_secret = tlog::LoadSecretKeyFile(dir_ + "/release.key", tlog::kSigTypeEd25519);
  ASSERT_TRUE(release_secret.ok());
  tlog::Ed25519NoteSigner release_key(release_secret->name, std::move(release_secret->key));
  const std::string targeted = dir_ + "/targeted/candor_0.19.0_amd64.deb";
  ASSERT_TRUE(WriteFileDurable(targeted, AsBytes("a package for one user")).ok());
  auto digest = release::HashFile(targeted);
  ASSERT_TRUE(digest.ok());
  release::ReleaseManifest m;
  m.product = "candor";
  m.version = "0.19.0";
  m.platform = "debian12-amd64";
  m.commit = std::string(40, 'a');
  m.recipe = "cmake-preset-release";
  m.artifacts = {{"candor_0.19.0_amd64.deb", *digest}};
  auto entry = release::SignManifest(m, release_key);
  ASSERT_TRUE(entry.ok());

  auto log_secret = tlog::LoadSecretKeyFile(stack_->log_dir() + "/log.key", tlog::kSigTypeEd25519);
  ASSERT_TRUE(log_secret.ok()) << log_secret.error().ToString();
  tlog::Ed25519NoteSigner log_key(log_secret->name, std::move(log_secret->key));
  tlog::MemoryTree fork;
  fork.AppendLeafHash(tlog::HashLeaf(AsBytes(*entry)));
  auto root = tlog::TreeRoot(1, fork);
  ASSERT_TRUE(root.ok());
  tlog::Note note{tlog::Checkpoint{log_key.name(), 1, *root, {}}.Text(), {}};
  note.signatures.push_back({log_key.name(), log_key.key_id(), log_key.Sign(note.text)});

  net::HttpClient http;
  for (size_t w = 0; w < 2; ++w) {
    net::Url witness;
    witness.host = "127.0.0.1";
    witness.port = stack_->witness_port(w);
    for (uint64_t old_size : {uint64_t{0}, uint64_t{1}}) {
      tlog::AddCheckpointRequest req;
      req.old_size = old_size;
      req.checkpoint = note.Format();
      auto answer = http.Request("POST", witness.Join("add-checkpoint"), req.Format());
      ASSERT_TRUE(answer.ok()) << answer.error().ToString();
      EXPECT_TRUE(answer->status == 409 || answer->status == 422)
          << "witness " << w << " answered " << answer->status << ": " << answer->body;
    }
  }
  auto inclusion = tlog::ProveInclusion(0, 1, fork);
  ASSERT_TRUE(inclusion.ok());
  ASSERT_TRUE(WriteFileDurable(dir_ + "/forked.proof", AsBytes(release::MakeReleaseProof(
                                                           *entry, 0, *inclusion, note.Format())))
                  .ok());
  ExpectRefused(Verify(targeted, dir_ + "/forked.proof"),
                "the release log's checkpoint does not verify");
  // The real release still verifies.
  EXPECT_EQ(Verify(deb, dir_ + "/real.proof").status, 0);
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

TEST_F(ReleaseProcessTest, UpdateInstallsOnlyTheNewestLoggedBuildFromAnyMirror) {
  const std::string good = dir_ + "/mirror-good";
  Mirror good_mirror(good);
  const std::string evil = dir_ + "/mirror-evil";
  Mirror evil_mirror(evil);
  const std::string state = dir_ + "/updater.json";
  const std::string bin = dir_ + "/bin/candor";

  // Nothing logged yet: nothing to install.
  CommandResult none = Update(policy_, state, {good_mirror.url()});
  EXPECT_EQ(none.status, 0) << none.output;
  EXPECT_NE(none.output.find("no release of candor for debian12-amd64"), std::string::npos)
      << none.output;

  ASSERT_EQ(Publish("0.19.0", "debian12-amd64", {Build("candor", "candor 0.19.0")},
                    dir_ + "/0.19.0.proof", good)
                .status,
            0);
  // A mirror that serves another file is refused; the next one serves the logged bytes.
  ASSERT_TRUE(WriteFileDurable(evil + "/candor/0.19.0/debian12-amd64/candor",
                               AsBytes("candor 0.19.0 with a backdoor"))
                  .ok());
  CommandResult first = Update(policy_, state, {evil_mirror.url(), good_mirror.url()});
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("installed candor 0.19.0 for debian12-amd64 (entry 0"),
            std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("refused a mirror: " + evil_mirror.url() +
                              " served a file the release log does not hold for debian12-amd64"),
            std::string::npos)
      << first.output;
  EXPECT_EQ(Installed(), "candor 0.19.0");
  // The proof written beside it verifies offline.
  CommandResult verified = Verify(bin, bin + ".tlog-proof", {"--platform", "debian12-amd64"});
  EXPECT_EQ(verified.status, 0) << verified.output;
  CommandResult again = Update(policy_, state, {good_mirror.url()});
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("up to date: candor 0.19.0 (entry 0)"), std::string::npos)
      << again.output;

  // 0.20.0 is logged; a build for another platform after it does not count.
  ASSERT_EQ(Publish("0.20.0", "debian12-amd64", {Build("candor", "candor 0.20.0")},
                    dir_ + "/0.20.0.proof", good)
                .status,
            0);
  ASSERT_EQ(Publish("0.21.0", "debian12-arm64", {Build("candor", "candor 0.21.0 for arm")},
                    dir_ + "/0.21.0.proof", good)
                .status,
            0);
  CommandResult check = Update(policy_, state, {}, {"--check"});
  EXPECT_EQ(check.status, 0) << check.output;
  EXPECT_NE(check.output.find("update available: candor 0.20.0 (entry 1)"), std::string::npos)
      << check.output;

  // The evil mirror serves the older logged build as 0.20.0 (a rollback), then a build the log
  // never held (a targeted one): both refused, nothing installed.
  auto old_build = ReadFile(good + "/candor/0.19.0/debian12-amd64/candor");
  ASSERT_TRUE(old_build.ok());
  ASSERT_TRUE(WriteFileDurable(evil + "/candor/0.20.0/debian12-amd64/candor", *old_build).ok());
  ExpectRefused(Update(policy_, state, {evil_mirror.url()}),
                "served candor 0.19.0 (entry 0), an older release: a rollback");
  ASSERT_TRUE(WriteFileDurable(evil + "/candor/0.20.0/debian12-amd64/candor",
                               AsBytes("candor 0.20.0 for one user"))
                  .ok());
  ExpectRefused(Update(policy_, state, {evil_mirror.url()}), "(a tampered or targeted build)");
  EXPECT_EQ(Installed(), "candor 0.19.0");
  // An unreachable mirror is a failure, not a refusal.
  CommandResult down = Update(policy_, state, {"http://127.0.0.1:9/"});
  EXPECT_EQ(down.status, 1) << down.output;
  EXPECT_NE(down.output.find("no mirror could be read"), std::string::npos) << down.output;

  CommandResult second = Update(policy_, state, {good_mirror.url()}, {"--json"});
  ASSERT_EQ(second.status, 0) << second.output;
  auto j = nlohmann::json::parse(second.output.substr(second.output.find('{')), nullptr, false);
  ASSERT_TRUE(j.is_object()) << second.output;
  EXPECT_EQ(j["status"], "installed");
  EXPECT_EQ(j["version"], "0.20.0");
  EXPECT_EQ(Installed(), "candor 0.20.0");
  EXPECT_EQ(std::filesystem::status(bin).permissions() & std::filesystem::perms::owner_exec,
            std::filesystem::perms::owner_exec);
  // A deleted installation is installed again (the same release), never an older one.
  std::filesystem::remove(bin);
  CommandResult reinstalled = Update(policy_, state, {good_mirror.url()});
  EXPECT_EQ(reinstalled.status, 0) << reinstalled.output;
  EXPECT_EQ(Installed(), "candor 0.20.0");
}

TEST_F(ReleaseProcessTest, UpdateRefusesAStaleOrRolledBackLogView) {
  const std::string good = dir_ + "/mirror";
  Mirror mirror(good);
  ASSERT_EQ(Publish("0.19.0", "debian12-amd64", {Build("candor", "candor 0.19.0")},
                    dir_ + "/0.19.0.proof", good)
                .status,
            0);
  net::HttpClient http;
  auto old = http.Get(stack_->log_url().Join("checkpoint"));
  ASSERT_TRUE(old.ok() && old->status == 200);
  ASSERT_EQ(Publish("0.20.0", "debian12-amd64", {Build("candor", "candor 0.20.0")},
                    dir_ + "/0.20.0.proof", good)
                .status,
            0);
  FrozenLog frozen(stack_->log_url(), old->body);

  // A machine that never saw the log is shown the checkpoint from before 0.20.0. Its policy
  // wants cosignatures at most 5 s old: by now the frozen ones are older.
  std::this_thread::sleep_for(std::chrono::seconds(7));
  const std::string fresh_policy = WritePolicy("fresh.json", frozen.url(), 5);
  ExpectRefused(Update(fresh_policy, dir_ + "/a.json", {mirror.url()}),
                "more than the policy's 5 s: a view frozen for this machine could hide a newer "
                "release");
  EXPECT_EQ(Installed(), "");
  // The real log cosigns its head again every second: it is fresh, and 0.20.0 is installed.
  const std::string live_policy = WritePolicy("live.json", stack_->log_url().ToString(), 5);
  CommandResult live = Update(live_policy, dir_ + "/a.json", {mirror.url()});
  ASSERT_EQ(live.status, 0) << live.output;
  EXPECT_EQ(Installed(), "candor 0.20.0");

  // This machine saw size 2; the frozen view of size 1 is a rollback even without an age limit.
  const std::string frozen_policy = WritePolicy("frozen.json", frozen.url(), 0);
  ExpectRefused(Update(frozen_policy, dir_ + "/a.json", {mirror.url()}),
                "not consistent with the one this machine saw (size 2): a fork or a rollback");
  EXPECT_EQ(Installed(), "candor 0.20.0");
}

// rebuild-check refuses before building anything when the manifest does not verify or names a
// recipe this program cannot run. (The rebuild itself is `ctest -L repro`.)
TEST_F(ReleaseProcessTest, RebuildCheckRefusesAnUnverifiedManifestOrAnUnknownRecipe) {
  const std::string bin = Build("candor", "candor 0.20.0");
  auto manifest = [&](const std::string& recipe, const std::string& out) {
    return Candor({"release", "manifest", "--key-file", dir_ + "/release.key", "--product",
                   "candor", "--version", "0.20.0", "--platform", "debian12-amd64", "--commit",
                   std::string(40, 'a'), "--recipe", recipe, "--out", out, bin});
  };
  ASSERT_EQ(manifest("release-build.sh/v1", dir_ + "/good.note").status, 0);
  ASSERT_EQ(manifest("make-by-hand", dir_ + "/other.note").status, 0);
  const std::string other_key =
      tlog::Ed25519NoteSigner("release.candor.test", crypto::Ed25519PrivateKey::Generate())
          .VerifierKey();
  ExpectRefused(Candor({"release", "rebuild-check", dir_ + "/good.note", "--release-key", other_key,
                        "--source", dir_}),
                "candor: refused:");
  ExpectRefused(Candor({"release", "rebuild-check", dir_ + "/other.note", "--release-key",
                        release_vkey_, "--source", dir_}),
                "built with recipe make-by-hand; this program rebuilds release-build.sh/v1 only");
  // A clone that fails is a failure (exit 1) that names the build log.
  CommandResult no_repo = Candor({"release", "rebuild-check", dir_ + "/good.note", "--release-key",
                                  release_vkey_, "--source", dir_ + "/no-such-repo"});
  EXPECT_EQ(no_repo.status, 1) << no_repo.output;
  EXPECT_NE(no_repo.output.find("git clone of " + dir_ + "/no-such-repo failed"), std::string::npos)
      << no_repo.output;
}

}  // namespace
}  // namespace candor::testing
