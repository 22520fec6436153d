// A malicious operator against the KEYTRANS verifier and monitors. The operator holds the
// directory's signing and VRF keys and all of its data, so the test double is the operator
// itself: it runs extra Directory instances over copied or altered stores (forks), replays old
// responses, skews clocks, edits responses, and builds proofs with the real prover code but
// dishonest inputs. Each misbehaviour of the issue has its own test, and each must be caught by
// the verifier or by the owner's monitor with a specific error.
#include <gtest/gtest.h>

#include <string>

#include "candor/kt/binary_ladder.h"
#include "candor/kt/device_list.h"
#include "candor/kt/directory_state.h"
#include "candor/kt/update_value.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;
using testing::CopyStore;
using testing::ExpectRejected;
using testing::StatusOf;

// Replica is the operator's own copy of the directory's data, rebuilt from its store.
struct Replica {
  DirectoryState state;
  std::map<Bytes, std::vector<StoredVersion>> labels;
};

std::unique_ptr<Replica> LoadReplica(DirectoryStore& store) {
  auto r = std::make_unique<Replica>();
  Status st = store.LoadEntries([&r](StoredEntry&& e) -> Status {
    std::vector<PrefixLeaf> leaves;
    for (StoredVersion& v : e.versions) {
      leaves.push_back(PrefixLeaf{v.vrf_output, v.commitment});
      r->labels[v.label].push_back(v);
    }
    return r->state.AppendEntry(e.timestamp, leaves).ok() ? OkStatus() : VerifyFailed();
  });
  EXPECT_TRUE(st.ok());
  return r;
}

class MaliciousDirectoryTest : public testing::DirectoryHarness {
 protected:
  // Key returns the search key of a label version as the operator computes it.
  Hash32 Key(const Replica& r, const Bytes& label, uint32_t v) {
    auto it = r.labels.find(label);
    if (it != r.labels.end() && v < it->second.size()) return it->second[v].vrf_output;
    return VrfEvaluate(keys_->vrf, label, v).output;
  }

  TreeParams Params() const {
    return TreeParams{keys_->config.reasonable_monitoring_window, keys_->config.maximum_lifetime};
  }
};

// (a) The directory hides alice's newest version, claiming an older one is the greatest.
TEST_P(MaliciousDirectoryTest, HiddenVersionIsDetected) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"phone"});
  Heartbeat();
  Publish(alice, "alice", {"phone, laptop"});
  Heartbeat();
  auto replica = LoadReplica(store_);
  const Bytes label = B("alice");
  const uint32_t claimed = 0;
  SearchRequest req = verifier_->MakeSearch(carol, label, std::nullopt);
  // The operator's proof: honest data, dishonest claim.
  LabelVersions versions([&](uint32_t v) { return Key(*replica, label, v); });
  ProofSession s = ProofSession::Prover(replica->state, replica->state.size(), 0);
  ASSERT_TRUE(UpdateView(s).ok());
  EXPECT_FALSE(GreatestVersionSearch(s, Params(), claimed, versions).ok());
  SearchResponse resp;
  auto head = dir_->Head();
  ASSERT_TRUE(head.ok());
  resp.full_tree_head.head_type = FullTreeHeadType::updated;
  resp.full_tree_head.tree_head = head->first;
  resp.version = claimed;
  const StoredVersion& old = replica->labels[label][claimed];
  resp.opening = old.opening;
  resp.value = UpdateValue{old.value, {}};
  for (uint32_t v : BaseBinaryLadder(claimed)) {
    BinaryLadderStep step{VrfEvaluate(keys_->vrf, label, v).proof, std::nullopt};
    if (v != claimed && v < replica->labels[label].size()) {
      step.commitment = replica->labels[label][v].commitment;
    }
    resp.binary_ladder.push_back(step);
  }
  resp.search = s.FinishProof();
  ExpectRejected(StatusOf(verifier_->VerifySearch(carol, req, WireSearch(resp, false))),
                 "has a version greater than 0");
  // The honest answer is accepted.
  auto honest = Search(carol, "alice");
  ASSERT_TRUE(honest.ok()) << honest.error().message;
  EXPECT_EQ(honest->version, 1u);
}

// (b) The directory shows carol a different value for bob than it shows dave (a split view).
TEST_P(MaliciousDirectoryTest, DifferentValueForOneClientIsDetected) {
  Heartbeat();
  Heartbeat();
  ClientState bob;
  ClientState carol;
  ClientState dave;
  InitOwner(bob, "bob");
  // Honest tree: bob's own key. Fork: the eavesdropper's key under bob's name.
  MemoryDirectoryStore fork_store;
  std::unique_ptr<Directory> fork = SplitView(bob, "bob", "bob's key", fork_store);
  ASSERT_TRUE(fork);
  for (int i = 0; i < 3; ++i) {
    Heartbeat(*dir_);
    ASSERT_TRUE(fork->Publish().ok());
  }
  auto seen_by_carol = Search(*fork, carol, "bob");
  ASSERT_TRUE(seen_by_carol.ok()) << seen_by_carol.error().message;
  EXPECT_EQ(seen_by_carol->value.value, B("eavesdropper's key"));
  auto seen_by_dave = Search(dave, "bob");
  ASSERT_TRUE(seen_by_dave.ok()) << seen_by_dave.error().message;
  EXPECT_EQ(seen_by_dave->value.value, B("bob's key"));
  // Carol and dave compare views out of band: same size, different roots.
  ExpectRejected(CheckPeerView(carol, dave.view.size, dave.root), "fork");
  // And as soon as carol talks to the honest tree, her own view exposes the fork.
  Heartbeat();
  ExpectRejected(MonitorContact(carol, "bob"), "fork");
}

// (c) The directory rolls carol back to an older tree.
TEST_P(MaliciousDirectoryTest, RollbackIsDetected) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"phone"});
  SearchRequest first = verifier_->MakeSearch(carol, B("alice"), std::nullopt);
  auto old_response = dir_->Search(first);
  ASSERT_TRUE(old_response.ok());
  for (int i = 0; i < 3; ++i) Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());
  SearchRequest later = verifier_->MakeSearch(carol, B("alice"), std::nullopt);
  ExpectRejected(StatusOf(verifier_->VerifySearch(carol, later, WireSearch(*old_response, false))),
                 "rollback");
}

// (d) The directory forks the log: carol's next answer comes from a tree that does not extend
// the one she verified.
TEST_P(MaliciousDirectoryTest, ForkedLogIsDetected) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  const uint64_t fork_point = dir_->size();
  MemoryDirectoryStore fork_store;
  CopyStore(store_, fork_store, fork_point);
  Publish(alice, "alice", {"phone"});
  Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());
  std::unique_ptr<Directory> fork = OpenDirectory(fork_store, 0);
  ASSERT_TRUE(fork);
  ASSERT_TRUE(
      fork
          ->SubmitUpdate(UpdateRequest{
              std::nullopt, B("alice"), std::nullopt, {LabelValue{B("eavesdropper's key")}}})
          .ok());
  for (int i = 0; i < 5; ++i) Heartbeat(*fork);
  ExpectRejected(StatusOf(Search(*fork, carol, "alice")), "fork");
}

// (e) The directory lies about time: an entry from the future, a timestamp moved back, and a
// tree head that stopped advancing.
TEST_P(MaliciousDirectoryTest, TimestampLiesAreDetected) {
  Heartbeat();
  ClientState alice;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"phone"});
  ClientState carol;
  ASSERT_TRUE(Search(carol, "alice").ok());
  const ClientState carol_before = carol;

  // An entry stamped an hour ahead.
  MemoryDirectoryStore ahead_store;
  CopyStore(store_, ahead_store, dir_->size());
  std::unique_ptr<Directory> ahead = OpenDirectory(ahead_store, 3'600'000);
  ASSERT_TRUE(ahead && ahead->Publish().ok());
  ExpectRejected(StatusOf(Search(*ahead, carol, "alice")), "too far in the future");

  // A timestamp moved before one carol retained.
  Heartbeat();
  SearchRequest req = verifier_->MakeSearch(carol, B("alice"), std::nullopt);
  auto resp = dir_->Search(req);
  ASSERT_TRUE(resp.ok());
  ASSERT_FALSE(resp->search.timestamps.empty());
  SearchResponse edited = *resp;
  edited.search.timestamps[0] = carol.view.frontier.rbegin()->second.timestamp - 1;
  ExpectRejected(StatusOf(verifier_->VerifySearch(carol, req, WireSearch(edited, false))),
                 "is earlier than");
  ASSERT_TRUE(verifier_->VerifySearch(carol, req, WireSearch(*resp, false)).ok());

  // The directory freezes: no new entries (not even heartbeats) while time passes.
  auto fresh = Search(carol, "alice");
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  Tick(keys_->config.max_behind + 1);
  ExpectRejected(StatusOf(Search(carol, "alice")), "stale");
  EXPECT_NE(carol, carol_before);
}

// (f) The directory adds a device to alice's entry without her. Alice's values are device lists
// signed by her account key (docs/formats/kt-value.md); the operator cannot sign one.
TEST_P(MaliciousDirectoryTest, GhostDeviceIsDetectedByTheOwner) {
  Heartbeat();
  ClientState alice;
  InitOwner(alice, "alice");
  auto account = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  DeviceListTBS tbs{account.scheme(), account.public_key(), 1, {}};
  tbs.devices.push_back(Device{B("phone"), crypto::SignatureScheme::kEd25519, B("phone key"), 1,
                               B("phone mls key"), now_});
  auto phone = SignDeviceList(account, B("alice"), tbs);
  ASSERT_TRUE(phone.ok());
  const Bytes phone_bytes = tls::Encode(*phone);
  Publish(alice, "alice", {std::string(phone_bytes.begin(), phone_bytes.end())});
  for (int i = 0; i < 4; ++i) Heartbeat();
  auto clean = MonitorOwner(alice, "alice");
  ASSERT_TRUE(clean.ok()) << clean.error().message;
  EXPECT_TRUE(clean->caught_up);
  // The operator inserts version 1 itself: alice's list plus its own device.
  DeviceList ghost = *phone;
  ghost.list.sequence = 2;
  ghost.list.devices.push_back(Device{B("tablet"), crypto::SignatureScheme::kEd25519,
                                      B("eavesdropper key"), 1, B("eavesdropper mls key"), now_});
  ASSERT_TRUE(dir_->SubmitUpdate(
                      UpdateRequest{std::nullopt, B("alice"), 0, {LabelValue{tls::Encode(ghost)}}})
                  .ok());
  Heartbeat();
  for (int i = 0; i < 8; ++i) Heartbeat();

  // A directory that hides the ghost from alice's monitoring cannot build a proof she accepts.
  auto replica = LoadReplica(store_);
  const Bytes label = B("alice");
  OwnerMonitorRequest req = verifier_->MakeOwnerMonitor(alice, label);
  LabelVersions versions([&](uint32_t v) { return Key(*replica, label, v); });
  ProofSession s = ProofSession::Prover(replica->state, replica->state.size(), *req.last);
  ASSERT_TRUE(UpdateView(s).ok());
  MonitoringMap map;
  for (const MonitorMapEntry& e : req.entries) map[e.position] = e.version;
  ASSERT_TRUE(ContactMonitor(s, Params(), map, req.start, versions).ok());
  // The operator answers as if alice's own history were the whole truth.
  const OwnedLabel& belief = alice.owned.at(label);
  auto greatest_at = [&belief](uint64_t x) -> std::optional<uint32_t> {
    auto at = belief.greatest_at.upper_bound(x);
    if (at == belief.greatest_at.begin()) return std::nullopt;
    return std::prev(at)->second;
  };
  // The data contradicts that answer: the prover's own run already fails where alice's will.
  EXPECT_FALSE(OwnerMonitor(s, Params(), req.start, greatest_at, nullptr, versions).ok());
  auto head = dir_->Head();
  ASSERT_TRUE(head.ok());
  OwnerMonitorResponse hidden;
  hidden.full_tree_head.head_type = FullTreeHeadType::updated;
  hidden.full_tree_head.tree_head = head->first;
  hidden.monitor = s.FinishProof();
  ExpectRejected(StatusOf(verifier_->VerifyOwnerMonitor(alice, req, Wire(hidden))),
                 "did not create");

  // The honest directory stops where the ghost appears; alice asks what is new and sees a
  // version she did not create.
  auto monitored = MonitorOwner(alice, "alice");
  ASSERT_TRUE(monitored.ok()) << monitored.error().message;
  EXPECT_FALSE(monitored->caught_up);
  UpdateRequest ask = verifier_->MakeUpdate(alice, label, {});
  auto resp = dir_->ExistingUpdate(ask);
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  auto learned = verifier_->VerifyUpdate(alice, ask, Wire(*resp));
  ASSERT_TRUE(learned.ok()) << learned.error().message;
  EXPECT_EQ(learned->foreign_versions, std::vector<uint32_t>{1});
  // Alice's client checks the version it did not create: the list is not signed by her account.
  auto shown = tls::DecodeExact<DeviceList>(resp->values[0].value);
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  ExpectRejected(VerifyDeviceList(label, *shown, *phone), "not signed by its account key");
}

INSTANTIATE_TEST_SUITE_P(Suites, MaliciousDirectoryTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_Ed25519,
                                           CipherSuite::KT_128_SHA256_P256));

}  // namespace
}  // namespace candor::kt
