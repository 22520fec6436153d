// The directory and the client verifier end to end, in both cipher suites: owners publish and
// monitor their labels, contacts search and monitor them, every response is verified, every
// client state survives an Encode/Decode round trip, and a directory reopened from its store
// serves the same tree.
#include "candor/kt/directory.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "candor/kt/stored_proofs.h"
#include "candor/kt/verifier.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;

class DirectoryTest : public testing::DirectoryHarness {
 protected:
  // FollowerOptions opens a follower of this fixture's directory: it counts the heads logged.
  DirectoryOptions FollowerOptions() {
    DirectoryOptions follow;
    follow.follower = true;
    follow.logged_heads = [this] { return static_cast<uint64_t>(heads_.size()); };
    return follow;
  }
};

TEST_P(DirectoryTest, OwnersPublishContactsSearchAndEveryoneMonitors) {
  Heartbeat();
  ClientState alice;
  ClientState bob;
  ClientState carol;
  InitOwner(alice, "alice");
  InitOwner(bob, "bob");
  UpdateResult a0 = Publish(alice, "alice", {"alice devices v0"});
  EXPECT_EQ(a0.new_versions, std::vector<uint32_t>{0});
  EXPECT_TRUE(a0.foreign_versions.empty());
  Publish(bob, "bob", {"bob devices v0", "bob devices v1"});
  for (int i = 0; i < 5; ++i) Heartbeat();

  auto found = Search(carol, "alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->version, 0u);
  EXPECT_EQ(found->value.value, B("alice devices v0"));
  auto bob_found = Search(carol, "bob");
  ASSERT_TRUE(bob_found.ok()) << bob_found.error().message;
  EXPECT_EQ(bob_found->version, 1u);
  EXPECT_EQ(bob_found->value.value, B("bob devices v1"));
  auto bob_v0 = Search(carol, "bob", 0);
  ASSERT_TRUE(bob_v0.ok()) << bob_v0.error().message;
  EXPECT_EQ(bob_v0->value.value, B("bob devices v0"));

  // Time passes; alice adds a device; everyone keeps monitoring.
  for (int round = 0; round < 12; ++round) {
    if (round == 4) Publish(alice, "alice", {"alice devices v1"});
    for (int i = 0; i < 3; ++i) Heartbeat();
    auto mine = MonitorOwner(alice, "alice");
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    EXPECT_TRUE(mine->caught_up);
    auto bobs = MonitorOwner(bob, "bob");
    ASSERT_TRUE(bobs.ok()) << bobs.error().message;
    Status contact = MonitorContact(carol, "alice");
    ASSERT_TRUE(contact.ok()) << contact.error().message;
  }
  EXPECT_TRUE(carol.contacts[B("alice")].monitor.empty());
  auto latest = Search(carol, "alice");
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_EQ(latest->value.value, B("alice devices v1"));
  EXPECT_EQ(heads_.size(), dir_->size());
}

TEST_P(DirectoryTest, ReopenedDirectoryServesTheSameTree) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"v0"});
  Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());
  auto before = dir_->Head();
  ASSERT_TRUE(before.ok());
  Reopen();
  auto after = dir_->Head();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->second, before->second);
  EXPECT_EQ(dir_->size(), before->first.tree_size);
  Heartbeat();
  auto again = Search(carol, "alice");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->value.value, B("v0"));
  Publish(alice, "alice", {"v1"});
}

// A cluster's front node: a follower over the store the publisher writes serves what the
// publisher logged, verified by the client like the publisher's own answers, and never an
// entry whose head is not logged yet.
TEST_P(DirectoryTest, AFollowerServesWhatThePublisherLoggedAndNothingMore) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"v0"});
  const DirectoryOptions follow = FollowerOptions();
  std::unique_ptr<Directory> front = OpenDirectory(store_, 0, follow);
  ASSERT_TRUE(front);
  EXPECT_EQ(front->size(), dir_->size());
  Publish(alice, "alice", {"v1"});
  Heartbeat();
  EXPECT_EQ(front->size() + 2, dir_->size());  // nothing new until it follows
  auto followed = front->Follow(heads_.size());
  ASSERT_TRUE(followed.ok()) << followed.error().message;
  EXPECT_EQ(*followed, dir_->size());
  SearchRequest req = Plain(verifier_->MakeSearch(carol, B("alice"), std::nullopt));
  auto from_publisher = dir_->Search(req);
  auto from_front = front->Search(req);
  ASSERT_TRUE(from_publisher.ok() && from_front.ok());
  if (GetParam() == CipherSuite::KT_128_SHA256_Ed25519) {
    // Deterministic signatures: the very same bytes.
    EXPECT_EQ(EncodeIn(*from_front, verifier_->wire()),
              EncodeIn(*from_publisher, verifier_->wire()));
  }
  auto found = Search(*front, carol, "alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("v1"));

  // The publisher stores an entry but fails to log its head: the follower does not read it.
  sink_hook_ = [] { return MakeError(Errc::kUnavailable, "the head log is down"); };
  Queue(alice, "alice", {"v2"});
  Tick(200);
  EXPECT_FALSE(dir_->Publish().ok());
  EXPECT_EQ(*store_.EntryCount(), heads_.size() + 1);
  EXPECT_EQ(*front->Follow(heads_.size()), heads_.size());
  EXPECT_EQ(front->LatestValue(B("alice"))->second, B("v1"));
  sink_hook_ = nullptr;
  Heartbeat();  // logs v2's head, then the heartbeat's
  EXPECT_EQ(*front->Follow(heads_.size()), dir_->size());
  EXPECT_EQ(front->LatestValue(B("alice"))->second, B("v2"));
  // A follower neither publishes nor takes updates.
  EXPECT_EQ(front->Publish().error().code, Errc::kInternal);
  UpdateRequest update{std::nullopt, B("bob"), std::nullopt, {LabelValue{B("k")}}};
  EXPECT_EQ(front->SubmitUpdate(update).error().code, Errc::kUnavailable);
}

// A cluster's standby sequencer: a follower kept warm, promoted when the publisher is gone,
// reads what the publisher stored after its last logged head, logs that head, and publishes on
// from there; clients that followed the old publisher verify its answers.
TEST_P(DirectoryTest, APromotedFollowerPublishesOnWhereThePublisherStopped) {
  Heartbeat();
  ClientState alice;
  ClientState bob;
  ClientState carol;
  InitOwner(alice, "alice");
  InitOwner(bob, "bob");
  Publish(alice, "alice", {"v0"});
  const DirectoryOptions follow = FollowerOptions();
  std::unique_ptr<Directory> standby = OpenDirectory(store_, 0, follow);
  ASSERT_TRUE(standby);
  ASSERT_TRUE(Search(carol, "alice").ok());
  EXPECT_EQ(standby->Promote(nullptr, follow.logged_heads).error().code, Errc::kInvalidArgument);

  // The publisher goes on, then stores an entry and dies before logging its head.
  Publish(alice, "alice", {"v1"});
  sink_hook_ = [] { return MakeError(Errc::kUnavailable, "the publisher died"); };
  Queue(bob, "bob", {"b0"});
  Tick(200);
  EXPECT_FALSE(dir_->Publish().ok());
  sink_hook_ = nullptr;
  const uint64_t stored = *store_.EntryCount();
  ASSERT_EQ(stored, heads_.size() + 1);
  EXPECT_LT(standby->size(), stored);

  ASSERT_TRUE(standby->Promote(HeadsSink(), follow.logged_heads).ok());
  EXPECT_EQ(heads_.size(), stored);  // the missing head is logged, once
  EXPECT_EQ(standby->size(), stored);
  EXPECT_EQ(standby->LatestValue(B("alice"))->second, B("v1"));
  EXPECT_EQ(standby->LatestValue(B("bob"))->second, B("b0"));
  EXPECT_EQ(standby->Follow(heads_.size()).error().code, Errc::kInternal);
  EXPECT_EQ(standby->Promote(HeadsSink(), follow.logged_heads).error().code, Errc::kInternal);

  // The promoted directory is the publisher now; the client's view stays consistent.
  dir_ = std::move(standby);
  Publish(alice, "alice", {"v2"});
  Heartbeat();
  auto found = Search(carol, "alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("v2"));
  auto bobs = Search(carol, "bob");
  ASSERT_TRUE(bobs.ok()) << bobs.error().message;
  EXPECT_EQ(bobs->value.value, B("b0"));
  auto mine = MonitorOwner(alice, "alice");
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  EXPECT_EQ(heads_.size(), dir_->size());
}

// A head log that lags the store by more than the one head a crash can leave is refused.
TEST_P(DirectoryTest, PromoteRefusesALogFarBehindTheStore) {
  Heartbeat();
  Heartbeat();
  const DirectoryOptions follow = FollowerOptions();
  std::unique_ptr<Directory> standby = OpenDirectory(store_, 0, follow);
  ASSERT_TRUE(standby);
  auto promoted = standby->Promote(HeadsSink(), [] { return uint64_t{0}; });
  ASSERT_FALSE(promoted.ok());
  EXPECT_EQ(promoted.error().code, Errc::kInternal);
}

// With prove_at_publish every version is stored with its VRF proof, and each label's greatest
// version with the proofs of the versions its ladder proves absent. Searches, monitoring and
// update answers made from them verify, after a reopen too (the proofs then come from the
// store), and they are what the directory sends: a store holding another label's proofs makes
// the client reject the answer, one holding proofs of the wrong length does not open.
TEST_P(DirectoryTest, ProofsMadeAtPublishAreStoredAndAnswerSearches) {
  directory_options_.prove_at_publish = true;
  Reopen();
  Heartbeat();
  ClientState alice;
  ClientState bob;
  ClientState carol;
  InitOwner(alice, "alice");
  InitOwner(bob, "bob");
  Publish(alice, "alice", {"a0"});
  Publish(bob, "bob", {"b0", "b1", "b2"});  // three versions in one entry
  Heartbeat();
  auto params = GetCipherSuite(static_cast<uint16_t>(GetParam()));
  ASSERT_TRUE(params.ok());
  const size_t np = params->vrf_proof_size;
  auto stored = [this](const char* label, uint32_t v) {
    auto sv = store_.GetVersion(B(label), v);
    EXPECT_TRUE(sv.ok());
    return sv.ok() ? sv->vrf_proofs : Bytes{};
  };
  EXPECT_EQ(stored("alice", 0).size(), StoredProofsSize(np, 0, true));
  EXPECT_EQ(stored("bob", 0).size(), np);
  EXPECT_EQ(stored("bob", 1).size(), np);
  EXPECT_EQ(stored("bob", 2).size(), StoredProofsSize(np, 2, true));

  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(Search(carol, "alice").ok());
    ASSERT_TRUE(Search(carol, "bob").ok());
    for (uint32_t v = 0; v < 3; ++v) ASSERT_TRUE(Search(carol, "bob", v).ok()) << v;
    ASSERT_TRUE(MonitorContact(carol, "bob").ok());
    ASSERT_TRUE(MonitorOwner(bob, "bob").ok());
    Reopen();
    Heartbeat();
  }
  for (int i = 1; i <= 4; ++i) {  // alice's greatest version climbs the ladder: 1, 2, 3, 4
    Publish(alice, "alice", {"a" + std::to_string(i)});
    auto found = Search(carol, "alice");
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_EQ(found->value.value, B("a" + std::to_string(i)));
    ASSERT_TRUE(MonitorOwner(alice, "alice").ok());
    ASSERT_TRUE(MonitorContact(carol, "alice").ok());
  }

  // CopyEditing copies store_ into `to`, passing every stored version through `edit`.
  auto copy_editing = [this](MemoryDirectoryStore& to,
                             const std::function<void(StoredVersion&)>& edit) {
    return store_.LoadEntries([&](StoredEntry&& e) -> Status {
      for (StoredVersion& v : e.versions) edit(v);
      return to.AppendEntry(e);
    });
  };
  // A store whose alice versions carry mallory's proofs (made with the same key, right length).
  const Bytes mallory = MakeStoredProofs(keys_->vrf, B("mallory"), 4, true).vrf_proofs;
  MemoryDirectoryStore swapped;
  ASSERT_TRUE(copy_editing(swapped, [&mallory](StoredVersion& v) {
                if (v.label == B("alice") && v.version == 4) v.vrf_proofs = mallory;
              }).ok());
  std::unique_ptr<Directory> lying = OpenDirectory(swapped, 0, directory_options_);
  ASSERT_TRUE(lying);
  ClientState dave;
  auto rejected = Search(*lying, dave, "alice");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, Errc::kVerifyFailed) << rejected.error().message;

  MemoryDirectoryStore truncated;
  ASSERT_TRUE(copy_editing(truncated, [](StoredVersion& v) {
                if (v.label == B("bob") && v.version == 2) v.vrf_proofs.pop_back();
              }).ok());
  auto sig = crypto::SignaturePrivateKey::FromBytes(keys_->signature.scheme(),
                                                    keys_->signature.private_key());
  auto vrf = crypto::VrfPrivateKey::FromBytes(keys_->vrf.suite(), keys_->vrf.private_key());
  ASSERT_TRUE(sig.ok() && vrf.ok());
  auto refused = Directory::Open(
      keys_->config, std::move(*sig), std::move(*vrf), truncated, [this] { return now_; },
      HeadsSink(), directory_options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kInternal);
  EXPECT_NE(refused.error().message.find("VRF proofs"), std::string::npos)
      << refused.error().message;
}

TEST_P(DirectoryTest, RequestErrorsAreTyped) {
  ClientState carol;
  EXPECT_EQ(dir_->Search(verifier_->MakeSearch(carol, B("nobody"), std::nullopt)).error().code,
            Errc::kNotFound);
  Heartbeat();
  EXPECT_EQ(dir_->Search(verifier_->MakeSearch(carol, B("nobody"), std::nullopt)).error().code,
            Errc::kNotFound);
  ClientState alice;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"v0"});
  EXPECT_EQ(dir_->Search(verifier_->MakeSearch(carol, B("alice"), 5)).error().code,
            Errc::kNotFound);
  SearchRequest future = verifier_->MakeSearch(carol, B("alice"), std::nullopt);
  future.last = 1000;
  EXPECT_EQ(dir_->Search(future).error().code, Errc::kInvalidArgument);
  // A stale greatest_version is a conflict; one ahead of the label is invalid.
  UpdateRequest stale = verifier_->MakeUpdate(ClientState{}, B("alice"), {B("x")});
  EXPECT_EQ(dir_->SubmitUpdate(stale).error().code, Errc::kConflict);
  UpdateRequest ahead = stale;
  ahead.greatest_version = 7;
  EXPECT_EQ(dir_->SubmitUpdate(ahead).error().code, Errc::kInvalidArgument);
  UpdateRequest empty = verifier_->MakeUpdate(alice, B("alice"), {});
  EXPECT_EQ(dir_->SubmitUpdate(empty).error().code, Errc::kInvalidArgument);
  // Two updates of one label in one batch: the second waits.
  UpdateRequest first = verifier_->MakeUpdate(alice, B("alice"), {B("v1")});
  ASSERT_TRUE(dir_->SubmitUpdate(first).ok());
  EXPECT_EQ(dir_->SubmitUpdate(first).error().code, Errc::kConflict);
  // Auditor tree heads belong to the thirdPartyAuditing mode only.
  EXPECT_EQ(dir_->SetAuditorTreeHead(AuditorTreeHead{1, 1, {}}).error().code,
            Errc::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Suites, DirectoryTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_Ed25519,
                                           CipherSuite::KT_128_SHA256_P256));

}  // namespace
}  // namespace candor::kt
