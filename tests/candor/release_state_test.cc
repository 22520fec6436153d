// The state files of `candor release monitor` and `candor update`: what they hold survives a
// round trip, and a state that is damaged, of another target or with a checkpoint of another
// log is refused rather than read as empty.
#include "src/candor/release_state.h"

#include <gtest/gtest.h>

#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"

namespace candor::cli {
namespace {

class ReleaseStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = tlog::ParseLogTrust(log_.VerifierKey(), {witness_.VerifierKey()}, 1);
    ASSERT_TRUE(t.ok());
    trust_ = std::move(*t);
    tlog::Checkpoint cp{log_.name(), 3, {}, {}};
    cp.root.fill(7);
    tlog::Note note{cp.Text(), {}};
    note.signatures.push_back({log_.name(), log_.key_id(), log_.Sign(note.text)});
    note.signatures.push_back(witness_.Cosign(note.text, 1'700'000'000));
    auto verified = tlog::VerifyCosignedCheckpoint(note.Format(), trust_);
    ASSERT_TRUE(verified.ok());
    checkpoint_ = *verified;
  }

  UpdaterState Updater() const {
    UpdaterState s;
    s.checkpoint = checkpoint_;
    s.releases = {{0, "0.19.0", std::string(64, 'a')}, {2, "0.20.0", std::string(64, 'b')}};
    s.installed = s.releases[1];
    return s;
  }

  tlog::Ed25519NoteSigner log_{"candor.test/releases", crypto::Ed25519PrivateKey::Generate()};
  tlog::Cosigner witness_{"w1.test", crypto::Ed25519PrivateKey::Generate()};
  tlog::LogTrust trust_;
  tlog::VerifiedCheckpoint checkpoint_;
  UpdaterTarget target_{"candor", "debian12-amd64", "candor"};
};

TEST_F(ReleaseStateTest, AnUpdaterStateRoundTrips) {
  const std::string text = FormatUpdaterState(target_, Updater());
  auto s = ParseUpdaterState(text, target_, trust_);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_TRUE(s->checkpoint.has_value());
  EXPECT_EQ(s->checkpoint->note, checkpoint_.note);
  ASSERT_EQ(s->releases.size(), 2u);
  EXPECT_EQ(s->releases[1].version, "0.20.0");
  ASSERT_TRUE(s->installed.has_value());
  EXPECT_EQ(s->installed->index, 2u);
  EXPECT_EQ(FormatUpdaterState(target_, *s), text);
  // The first run's state: no checkpoint, nothing installed.
  auto empty = ParseUpdaterState(FormatUpdaterState(target_, {}), target_, trust_);
  ASSERT_TRUE(empty.ok()) << empty.error().ToString();
  EXPECT_FALSE(empty->checkpoint.has_value());
  EXPECT_FALSE(empty->installed.has_value());
}

TEST_F(ReleaseStateTest, ADamagedOrForeignUpdaterStateIsRefused) {
  UpdaterTarget arm = target_;
  arm.platform = "debian12-arm64";
  EXPECT_EQ(ParseUpdaterState(FormatUpdaterState(target_, Updater()), arm, trust_).error().code,
            Errc::kInvalidArgument);
  auto other_log = tlog::ParseLogTrust(
      tlog::Ed25519NoteSigner(log_.name(), crypto::Ed25519PrivateKey::Generate()).VerifierKey(),
      {witness_.VerifierKey()}, 1);
  ASSERT_TRUE(other_log.ok());
  EXPECT_EQ(
      ParseUpdaterState(FormatUpdaterState(target_, Updater()), target_, *other_log).error().code,
      Errc::kVerifyFailed);

  UpdaterState s = Updater();
  std::swap(s.releases[0], s.releases[1]);
  EXPECT_EQ(ParseUpdaterState(FormatUpdaterState(target_, s), target_, trust_).error().code,
            Errc::kMalformed);
  s = Updater();
  s.installed->sha256 = std::string(64, 'c');  // not what was recorded
  EXPECT_EQ(ParseUpdaterState(FormatUpdaterState(target_, s), target_, trust_).error().code,
            Errc::kMalformed);
  s = Updater();
  s.releases[1].index = 3;  // past the checkpoint of size 3
  s.installed = s.releases[1];
  EXPECT_EQ(ParseUpdaterState(FormatUpdaterState(target_, s), target_, trust_).error().code,
            Errc::kMalformed);
  std::string text = FormatUpdaterState(target_, Updater());
  text.insert(1, "\"extra\": 1, ");
  EXPECT_EQ(ParseUpdaterState(text, target_, trust_).error().code, Errc::kMalformed);
  EXPECT_EQ(ParseUpdaterState("", target_, trust_).error().code, Errc::kMalformed);
}

TEST_F(ReleaseStateTest, AMonitorStateRoundTripsAndKeepsItsAlarms) {
  MonitorState m;
  m.checkpoint = checkpoint_;
  m.releases = {{1, "candor", "0.19.0", "debian12-amd64", "abc", std::string(64, 'd')}};
  m.alarms = {"entry 0 is not a release manifest signed by the release key"};
  const std::string text = FormatMonitorState(m);
  auto s = ParseMonitorState(text, trust_);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->alarms, m.alarms);
  ASSERT_EQ(s->releases.size(), 1u);
  EXPECT_EQ(s->releases[0].commit, "abc");
  EXPECT_EQ(FormatMonitorState(*s), text);
  m.releases[0].manifest_sha256 = "not hex";
  EXPECT_EQ(ParseMonitorState(FormatMonitorState(m), trust_).error().code, Errc::kMalformed);
}

}  // namespace
}  // namespace candor::cli
