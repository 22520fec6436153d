// Release proofs (c2sp.org/tlog-proof@v1): the format is strict and canonical, and a proof
// verifies offline only for a manifest the release key signed, included in a checkpoint the log
// signed and the witness quorum cosigned. The attacks of issue 14 §4 that a proof alone can
// show are each refused with a sentence that says why.
#include "candor/release/release_proof.h"

#include <gtest/gtest.h>

#include "candor/crypto/ed25519.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"

namespace candor::release {
namespace {

ReleaseManifest Manifest(const std::string& version, uint8_t fill) {
  ReleaseManifest m;
  m.product = "candor";
  m.version = version;
  m.platform = "debian12-amd64";
  m.commit = std::string(40, 'c');
  m.recipe = "cmake-preset-release";
  Artifact a{"candor.deb", {}};
  a.sha256.fill(fill);
  m.artifacts = {a};
  return m;
}

// A release log in memory, with its key and two witnesses.
class ReleaseProofTest : public ::testing::Test {
 protected:
  ReleaseProofTest()
      : release_("release.candor.test", crypto::Ed25519PrivateKey::Generate()),
        log_("candor.test/releases", crypto::Ed25519PrivateKey::Generate()),
        w1_("w1.test", crypto::Ed25519PrivateKey::Generate()),
        w2_("w2.test", crypto::Ed25519PrivateKey::Generate()) {
    auto trust = tlog::ParseLogTrust(log_.VerifierKey(), {w1_.VerifierKey(), w2_.VerifierKey()}, 2);
    EXPECT_TRUE(trust.ok());
    auto key = tlog::ParseVerifierKey(release_.VerifierKey());
    EXPECT_TRUE(key.ok());
    policy_ = {std::shared_ptr<const tlog::NoteVerifier>(std::move(*key)), std::move(*trust)};
  }

  uint64_t Append(const std::string& entry) {
    entries_.push_back(entry);
    return tree_.AppendLeafHash(tlog::HashLeaf(AsBytes(entry)));
  }

  // Checkpoint signs the current tree, cosigned by `witnesses` of {w1, w2}.
  std::string Checkpoint(int witnesses) {
    tlog::Checkpoint cp;
    cp.origin = log_.name();
    cp.size = tree_.size();
    cp.root = *tlog::TreeRoot(cp.size, tree_);
    tlog::Note note;
    note.text = cp.Text();
    note.signatures.push_back({log_.name(), log_.key_id(), log_.Sign(note.text)});
    if (witnesses >= 1) note.signatures.push_back(w1_.Cosign(note.text, 1'700'000'000));
    if (witnesses >= 2) note.signatures.push_back(w2_.Cosign(note.text, 1'700'000'000));
    return note.Format();
  }

  std::string Proof(uint64_t index, const std::string& checkpoint) {
    auto inclusion = tlog::ProveInclusion(index, tree_.size(), tree_);
    EXPECT_TRUE(inclusion.ok());
    return MakeReleaseProof(entries_[index], index, *inclusion, checkpoint);
  }

  static void ExpectRefused(const Result<VerifiedRelease>& r, const std::string& why) {
    ASSERT_FALSE(r.ok()) << "accepted; expected: " << why;
    EXPECT_EQ(r.error().code, Errc::kVerifyFailed) << r.error().ToString();
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  }

  tlog::Ed25519NoteSigner release_;
  tlog::Ed25519NoteSigner log_;
  tlog::Cosigner w1_;
  tlog::Cosigner w2_;
  ReleasePolicy policy_;
  tlog::MemoryTree tree_;
  std::vector<std::string> entries_;
};

TEST_F(ReleaseProofTest, ALoggedWitnessedReleaseVerifiesOffline) {
  Append(*SignManifest(Manifest("0.18.0", 0x18), release_));
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x19), release_));
  Append(*SignManifest(Manifest("0.19.1", 0x20), release_));
  const std::string proof = Proof(index, Checkpoint(2));
  auto v = VerifyReleaseProof(proof, policy_);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->manifest, Manifest("0.19.0", 0x19));
  EXPECT_EQ(v->index, index);
  EXPECT_EQ(v->checkpoint.checkpoint.size, 3u);
  EXPECT_EQ(v->checkpoint.cosigners.size(), 2u);
  Hash32 digest;
  digest.fill(0x19);
  EXPECT_TRUE(CheckArtifact(v->manifest, "candor.deb", digest).ok());

  // The format round-trips byte for byte.
  auto parsed = ParseTlogProof(proof);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(FormatTlogProof(*parsed), proof);
}

TEST_F(ReleaseProofTest, AReplacedArtifactOrAnotherFileIsRefused) {
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x19), release_));
  auto v = VerifyReleaseProof(Proof(index, Checkpoint(2)), policy_);
  ASSERT_TRUE(v.ok());
  Hash32 other;
  other.fill(0x66);
  Status replaced = CheckArtifact(v->manifest, "candor.deb", other);
  ASSERT_FALSE(replaced.ok());
  EXPECT_NE(replaced.error().message.find("is not the one the release log holds"),
            std::string::npos);
  Status unknown = CheckArtifact(v->manifest, "candor-evil.deb", other);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no artifact named"), std::string::npos);
}

TEST_F(ReleaseProofTest, ATargetedBuildSignedButNotLoggedIsRefused) {
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x19), release_));
  const std::string checkpoint = Checkpoint(2);
  // The release key signs a special build for one user; it never enters the log, so the proof
  // can only borrow another entry's position.
  const std::string targeted = *SignManifest(Manifest("0.19.0", 0x66), release_);
  auto inclusion = tlog::ProveInclusion(index, tree_.size(), tree_);
  ASSERT_TRUE(inclusion.ok());
  ExpectRefused(
      VerifyReleaseProof(MakeReleaseProof(targeted, index, *inclusion, checkpoint), policy_),
      "is not in the release log");
}

TEST_F(ReleaseProofTest, AForkedLogShownToOneUserLacksTheWitnessQuorum) {
  // The operator signs a checkpoint of a fork holding the targeted build; one witness at most
  // would cosign it (the others saw the real log), so the quorum of two is not met.
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x66), release_));
  ExpectRefused(VerifyReleaseProof(Proof(index, Checkpoint(1)), policy_),
                "checkpoint does not verify");
  ExpectRefused(VerifyReleaseProof(Proof(index, Checkpoint(0)), policy_),
                "checkpoint does not verify");
}

TEST_F(ReleaseProofTest, AManifestNotSignedByTheReleaseKeyIsRefused) {
  tlog::Ed25519NoteSigner impostor(release_.name(), crypto::Ed25519PrivateKey::Generate());
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x19), impostor));
  ExpectRefused(VerifyReleaseProof(Proof(index, Checkpoint(2)), policy_),
                "not signed by the release key");
}

TEST_F(ReleaseProofTest, AProofThatDoesNotLeadToTheRootIsRefused) {
  Append("another entry");
  const uint64_t index = Append(*SignManifest(Manifest("0.19.0", 0x19), release_));
  const std::string checkpoint = Checkpoint(2);
  auto good = ParseTlogProof(Proof(index, checkpoint));
  ASSERT_TRUE(good.ok());
  TlogProof wrong_index = *good;
  wrong_index.index = 0;
  ExpectRefused(VerifyReleaseProof(FormatTlogProof(wrong_index), policy_),
                "is not in the release log at index 0");
  TlogProof flipped = *good;
  flipped.inclusion[0][0] ^= 1;
  ExpectRefused(VerifyReleaseProof(FormatTlogProof(flipped), policy_), "is not in the release log");
  TlogProof beyond = *good;
  beyond.index = 9;
  ExpectRefused(VerifyReleaseProof(FormatTlogProof(beyond), policy_), "outside the checkpoint");
}

TEST(TlogProofFormatTest, StrictParsing) {
  const std::string checkpoint =
      "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
      "\u2014 example.com/log "
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
      "\n";
  const std::string hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  auto ok =
      ParseTlogProof("c2sp.org/tlog-proof@v1\nextra AQI=\nindex 0\n" + hash + "\n" + checkpoint);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->extra, (Bytes{1, 2}));
  EXPECT_EQ(ok->inclusion.size(), 1u);
  EXPECT_TRUE(ParseTlogProof("c2sp.org/tlog-proof@v1\nindex 7\n\n" + checkpoint).ok());
  for (const std::string& bad : {
           "c2sp.org/tlog-proof@v2\nindex 0\n\n" + checkpoint,              // another version
           "c2sp.org/tlog-proof@v1\nindex 01\n\n" + checkpoint,             // leading zero
           "c2sp.org/tlog-proof@v1\nindex -1\n\n" + checkpoint,             // not a decimal
           "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\n" + checkpoint,    // bad base64
           "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n" + checkpoint,        // short hash
           "c2sp.org/tlog-proof@v1\nindex 0\n" + hash,                      // no empty line
           std::string("c2sp.org/tlog-proof@v1\nindex 0\n\nnot a note\n"),  // no checkpoint note
           "c2sp.org/tlog-proof@v1\n\nindex 0\n\n" + checkpoint,            // blank before index
       }) {
    auto r = ParseTlogProof(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace candor::release
