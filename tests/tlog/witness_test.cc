#include "candor/tlog/witness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "candor/base/encoding.h"
#include "candor/crypto/sha256.h"
#include "candor/tlog/merkle.h"

namespace candor::tlog {
namespace {

class WitnessTest : public ::testing::Test {
 protected:
  WitnessTest()
      : log_key_("example.com/log", crypto::Ed25519PrivateKey::Generate()),
        witness_(Cosigner("witness.example/w1", crypto::Ed25519PrivateKey::Generate()),
                 {TrustedLog{"example.com/log", std::shared_ptr<const NoteVerifier>(std::move(
                                                    *ParseVerifierKey(log_key_.VerifierKey())))}},
                 std::make_unique<MemoryWitnessStore>(), [] { return uint64_t{1700000000000}; }) {
    for (int i = 0; i < 20; ++i) tree_.AppendLeafHash(HashLeaf(AsBytes(std::to_string(i))));
  }

  std::string SignedCheckpoint(uint64_t size, const Ed25519NoteSigner& key) {
    Checkpoint cp{"example.com/log", size, *TreeRoot(size, tree_), {}};
    Note n{cp.Text(), {{key.name(), key.key_id(), key.Sign(cp.Text())}}};
    return n.Format();
  }

  AddCheckpointOutcome Add(uint64_t old_size, uint64_t size) {
    AddCheckpointRequest req;
    req.old_size = old_size;
    if (old_size > 0 && old_size <= size) req.proof = *ProveConsistency(old_size, size, tree_);
    req.checkpoint = SignedCheckpoint(size, log_key_);
    return witness_.AddCheckpoint(req.Format());
  }

  Ed25519NoteSigner log_key_;
  Witness witness_;
  MemoryTree tree_;
};

TEST_F(WitnessTest, CosignsConsistentCheckpointsInOrder) {
  AddCheckpointOutcome r = Add(0, 5);
  ASSERT_EQ(r.verdict, WitnessVerdict::kCosigned) << r.detail;
  // The returned line verifies as a cosignature on the checkpoint.
  auto wv = ParseVerifierKey(witness_.cosigner().VerifierKey());
  const NoteVerifier* vs[] = {wv->get()};
  auto cosigned = OpenNote(SignedCheckpoint(5, log_key_) + r.cosignature, vs);
  ASSERT_TRUE(cosigned.ok());
  // Its timestamp is the injected clock's time (milliseconds) in POSIX seconds.
  ASSERT_EQ(cosigned->verified.size(), 1u);
  EXPECT_EQ(*CosignatureTimestamp(cosigned->verified[0].signature), 1700000000u);
  EXPECT_EQ(Add(5, 12).verdict, WitnessVerdict::kCosigned);
  EXPECT_EQ(Add(12, 12).verdict, WitnessVerdict::kCosigned);
  // The monitoring endpoint serves the latest cosigned checkpoint.
  auto latest = witness_.LatestCheckpoint(HexEncode(crypto::Sha256(AsBytes("example.com/log"))));
  ASSERT_TRUE(latest.ok());
  auto opened = OpenNote(*latest, vs);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(ParseCheckpoint(opened->note.text)->size, 12u);
  EXPECT_EQ(witness_.LatestCheckpoint(std::string(64, '0')).error().code, Errc::kNotFound);
}

TEST_F(WitnessTest, OldSizeZeroNeedsEmptyProofAndEmptyRoot) {
  AddCheckpointRequest req{0, {Hash32{}}, SignedCheckpoint(3, log_key_)};
  EXPECT_EQ(witness_.AddCheckpoint(req.Format()).verdict, WitnessVerdict::kInconsistent);
  Checkpoint bad{"example.com/log", 0, Hash32{}, {}};
  Note n{bad.Text(), {{log_key_.name(), log_key_.key_id(), log_key_.Sign(bad.Text())}}};
  EXPECT_EQ(witness_.AddCheckpoint(AddCheckpointRequest{0, {}, n.Format()}.Format()).verdict,
            WitnessVerdict::kInconsistent);
}

TEST_F(WitnessTest, AnswersSpecErrorCodes) {
  ASSERT_EQ(Add(0, 5).verdict, WitnessVerdict::kCosigned);
  // Stale old size: 409 with the known size.
  AddCheckpointOutcome conflict = Add(0, 8);
  EXPECT_EQ(conflict.verdict, WitnessVerdict::kOldSizeMismatch);
  EXPECT_EQ(conflict.known_size, 5u);
  // Rollback: old size above the checkpoint size is a bad request.
  EXPECT_EQ(Add(5, 3).verdict, WitnessVerdict::kMalformed);
  // Inconsistent proof: 422.
  AddCheckpointRequest req;
  req.old_size = 5;
  req.proof = *ProveConsistency(5, 9, tree_);
  req.proof[0][0] ^= 1;
  req.checkpoint = SignedCheckpoint(9, log_key_);
  EXPECT_EQ(witness_.AddCheckpoint(req.Format()).verdict, WitnessVerdict::kInconsistent);
  // A fork at the same size: a different root for size 5 is refused (422).
  Checkpoint fork{"example.com/log", 5, {}, {}};
  fork.root[0] = 1;
  Note forked{fork.Text(), {{log_key_.name(), log_key_.key_id(), log_key_.Sign(fork.Text())}}};
  req = AddCheckpointRequest{5, {}, forked.Format()};
  EXPECT_EQ(witness_.AddCheckpoint(req.Format()).verdict, WitnessVerdict::kInconsistent);
  // Signed by another key: 403. Unknown origin: 404. Garbage: 400.
  Ed25519NoteSigner other("example.com/log", crypto::Ed25519PrivateKey::Generate());
  req = AddCheckpointRequest{5, {}, SignedCheckpoint(5, other)};
  EXPECT_EQ(witness_.AddCheckpoint(req.Format()).verdict, WitnessVerdict::kBadSignature);
  Ed25519NoteSigner stranger("example.com/other", crypto::Ed25519PrivateKey::Generate());
  Checkpoint scp{"example.com/other", 0, EmptyRoot(), {}};
  Note sn{scp.Text(), {{stranger.name(), stranger.key_id(), stranger.Sign(scp.Text())}}};
  EXPECT_EQ(witness_.AddCheckpoint(AddCheckpointRequest{0, {}, sn.Format()}.Format()).verdict,
            WitnessVerdict::kUnknownLog);
  EXPECT_EQ(witness_.AddCheckpoint("old 05\n\n").verdict, WitnessVerdict::kMalformed);
  EXPECT_EQ(witness_.AddCheckpoint("").verdict, WitnessVerdict::kMalformed);
  // Re-submitting the same checkpoint is consistent.
  EXPECT_EQ(Add(5, 5).verdict, WitnessVerdict::kCosigned);
}

TEST_F(WitnessTest, FileStoreRemembersAcrossRestarts) {
  const std::string dir = ::testing::TempDir() + "candor_witness_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  const Bytes seed(32, 9);
  auto make = [&] {
    return std::make_unique<Witness>(
        Cosigner("w.example", std::move(*crypto::Ed25519PrivateKey::FromSeed(seed))),
        std::vector<TrustedLog>{TrustedLog{
            "example.com/log", std::shared_ptr<const NoteVerifier>(
                                   std::move(*ParseVerifierKey(log_key_.VerifierKey())))}},
        std::make_unique<FileWitnessStore>(dir), [] { return uint64_t{1700000000000}; });
  };
  auto first = make();
  AddCheckpointRequest req{0, {}, SignedCheckpoint(7, log_key_)};
  ASSERT_EQ(first->AddCheckpoint(req.Format()).verdict, WitnessVerdict::kCosigned);
  first.reset();
  // A new process over the same directory knows size 7: a fresh "old 0" gets 409 "7".
  auto second = make();
  AddCheckpointOutcome r = second->AddCheckpoint(req.Format());
  EXPECT_EQ(r.verdict, WitnessVerdict::kOldSizeMismatch);
  EXPECT_EQ(r.known_size, 7u);
  req = AddCheckpointRequest{7, *ProveConsistency(7, 15, tree_), SignedCheckpoint(15, log_key_)};
  EXPECT_EQ(second->AddCheckpoint(req.Format()).verdict, WitnessVerdict::kCosigned);
  std::filesystem::remove_all(dir);
}

TEST_F(WitnessTest, RequestParserIsStrict) {
  EXPECT_TRUE(ParseAddCheckpointRequest("old 0\n\nx").ok());
  for (const char* bad :
       {"old 0\nx", "old -1\n\n", "old  1\n\n", "new 1\n\n", "old 1\nAAAA\n\n", "old 1"}) {
    EXPECT_EQ(ParseAddCheckpointRequest(bad).error().code, Errc::kMalformed) << bad;
  }
  std::string many = "old 1\n";
  for (int i = 0; i < 64; ++i) many += "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
  EXPECT_FALSE(ParseAddCheckpointRequest(many + "\n").ok());
}

}  // namespace
}  // namespace candor::tlog
