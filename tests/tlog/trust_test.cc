// VerifyCosignedCheckpoint: the log's signature, the witness quorum, and how fresh the quorum's
// cosignatures are.
#include "candor/tlog/trust.h"

#include <gtest/gtest.h>

#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"

namespace candor::tlog {
namespace {

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"w1.example", "w2.example", "w3.example"}) {
      witnesses_.emplace_back(name, crypto::Ed25519PrivateKey::Generate());
      vkeys_.push_back(witnesses_.back().VerifierKey());
    }
    checkpoint_.origin = "example.com/log";
    checkpoint_.size = 0;
    checkpoint_.root = EmptyRoot();
  }

  // Signed returns the checkpoint signed by the log and cosigned by witness i at times[i]
  // (a witness with no time does not cosign).
  std::string Signed(const std::vector<std::optional<uint64_t>>& times) const {
    Note note{checkpoint_.Text(), {}};
    note.signatures.push_back({log_.name(), log_.key_id(), log_.Sign(note.text)});
    for (size_t i = 0; i < times.size(); ++i) {
      if (times[i]) note.signatures.push_back(witnesses_[i].Cosign(note.text, *times[i]));
    }
    return note.Format();
  }

  LogTrust Trust(size_t quorum) const {
    auto t = ParseLogTrust(log_.VerifierKey(), vkeys_, quorum);
    EXPECT_TRUE(t.ok()) << t.error().ToString();
    return std::move(*t);
  }

  Ed25519NoteSigner log_{"example.com/log", crypto::Ed25519PrivateKey::Generate()};
  std::vector<Cosigner> witnesses_;
  std::vector<std::string> vkeys_;
  Checkpoint checkpoint_;
};

TEST_F(TrustTest, QuorumCosignedAtIsTheQuorumthNewestWitnessTime) {
  auto cp = VerifyCosignedCheckpoint(Signed({1000, 3000, 2000}), Trust(2));
  ASSERT_TRUE(cp.ok()) << cp.error().ToString();
  EXPECT_EQ(cp->cosigners.size(), 3u);
  EXPECT_EQ(cp->quorum_cosigned_at, 2000u);  // w2 and w3 had both cosigned by 2000
  cp = VerifyCosignedCheckpoint(Signed({1000, 3000, 2000}), Trust(3));
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->quorum_cosigned_at, 1000u);
  cp = VerifyCosignedCheckpoint(Signed({1000, 3000, 2000}), Trust(1));
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->quorum_cosigned_at, 3000u);
  cp = VerifyCosignedCheckpoint(Signed({1000, 3000, 2000}), Trust(0));
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->quorum_cosigned_at, 0u);
}

TEST_F(TrustTest, ShortOfAQuorumOrWithoutTheLogIsRefused) {
  EXPECT_EQ(
      VerifyCosignedCheckpoint(Signed({1000, std::nullopt, std::nullopt}), Trust(2)).error().code,
      Errc::kVerifyFailed);
  Note unsigned_by_log{checkpoint_.Text(), {witnesses_[0].Cosign(checkpoint_.Text(), 1)}};
  EXPECT_EQ(VerifyCosignedCheckpoint(unsigned_by_log.Format(), Trust(1)).error().code,
            Errc::kVerifyFailed);
}

}  // namespace
}  // namespace candor::tlog
