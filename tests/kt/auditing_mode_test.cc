// The Third-Party Auditing deployment mode end to end, in both cipher suites: a directory whose
// every entry a Third-Party Auditor checks and signs, users who verify the auditor tree head of
// every updated response against the log root at the auditor's size (proven in the same combined
// proof), and what a lagging auditor or a forked log looks like to them
// (draft-ietf-keytrans-protocol §"Auditor Tree Head Signature", §"Combining Proofs").
#include <gtest/gtest.h>

#include <string>

#include "candor/kt/directory.h"
#include "candor/kt/verifier.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;
using testing::ExpectRejected;
using testing::StatusOf;

class AuditingModeTest : public testing::DirectoryHarness {
 public:
  void SetUp() override {
    mode_ = DeploymentMode::thirdPartyAuditing;
    testing::DirectoryHarness::SetUp();
  }

  // AuditOne lets the auditor process one more entry and hands its head to the directory.
  void AuditOne() {
    auto update = dir_->AuditorUpdateFor(log_auditor_->size());
    ASSERT_TRUE(update.ok()) << update.error().message;
    auto head = log_auditor_->Process(*update);
    ASSERT_TRUE(head.ok()) << head.error().message;
    ASSERT_TRUE(dir_->SetAuditorTreeHead(*head).ok());
    last_auditor_head_ = *head;
  }

  // UseVerifier replaces the users' verifier (same configuration, other options).
  void UseVerifier(VerifierOptions options) {
    auto v = Verifier::Create(
        keys_->config, [this] { return now_; }, options);
    ASSERT_TRUE(v.ok()) << v.error().message;
    verifier_ = std::make_unique<Verifier>(std::move(*v));
  }
};

TEST_P(AuditingModeTest, UsersVerifyTheAuditorTreeHeadOfEveryResponse) {
  ClientState carol;
  EXPECT_EQ(Search(carol, "alice").error().code, Errc::kNotFound);  // no entries yet
  auto_audit_ = false;
  Heartbeat();
  // Published but not audited yet: users would need an auditor head, so nothing is served.
  EXPECT_EQ(dir_->Distinguished(verifier_->MakeDistinguished(carol)).error().code,
            Errc::kUnavailable);
  auto_audit_ = true;
  Audit(*dir_);
  ClientState alice;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"alice devices v0"});
  for (int i = 0; i < 3; ++i) Heartbeat();

  auto found = Search(carol, "alice");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("alice devices v0"));
  ASSERT_TRUE(carol.auditor_head.has_value());
  EXPECT_EQ(carol.auditor_head->tree_size, dir_->size());

  // The auditor falls three entries behind: the proof gives carol the root at its size too.
  auto_audit_ = false;
  for (int i = 0; i < 3; ++i) Heartbeat();
  auto lagging = Search(carol, "alice");
  ASSERT_TRUE(lagging.ok()) << lagging.error().message;
  EXPECT_EQ(carol.view.size, dir_->size());
  EXPECT_EQ(carol.auditor_head->tree_size, dir_->size() - 3);
  // It catches up by one entry while the log grows by two: the auditor's size now lies inside
  // carol's retained view, whose full subtrees the proof splits to reach it.
  AuditOne();
  for (int i = 0; i < 2; ++i) Heartbeat();
  const uint64_t carols_last = carol.view.size;
  auto inside = Search(carol, "alice");
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  EXPECT_LT(carol.auditor_head->tree_size, carols_last);
  EXPECT_EQ(carol.auditor_head, last_auditor_head_);

  // Nothing new: a `same` head carries no auditor head, and carol keeps hers.
  const AuditorTreeHead kept = *carol.auditor_head;
  auto same = Search(carol, "alice");
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(carol.auditor_head, kept);

  // Owners still monitor (the auditor cannot know which versions the owner made).
  auto_audit_ = true;
  Heartbeat();
  Publish(alice, "alice", {"alice devices v1"});
  for (int i = 0; i < 4; ++i) Heartbeat();
  auto mine = MonitorOwner(alice, "alice");
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  EXPECT_TRUE(mine->caught_up);
  auto latest = Search(carol, "alice");
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_EQ(latest->value.value, B("alice devices v1"));
  EXPECT_EQ(carol.auditor_head->tree_size, dir_->size());

  // A restarted directory has no auditor head until the auditor signs again.
  Reopen();
  EXPECT_EQ(Search(carol, "alice").error().code, Errc::kUnavailable);
  Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());
}

// Contact monitoring is unnecessary with an auditor (draft §"Contact Monitoring"), so by default
// a search records nothing to monitor; a user who also wants to catch the operator and the
// auditor colluding can keep monitoring.
TEST_P(AuditingModeTest, ContactMonitoringIsOptional) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  ClientState dave;
  InitOwner(alice, "alice");
  // The new version lands in entry 6 of 7, which is not distinguished (less than an RMW to the
  // right of the root, entry 3): a search of it needs monitoring (dave shows it below).
  for (int i = 0; i < 5; ++i) Heartbeat();
  Publish(alice, "alice", {"alice devices v0"});
  ASSERT_TRUE(Search(carol, "alice").ok());
  EXPECT_TRUE(carol.contacts[B("alice")].monitor.empty());
  UseVerifier(VerifierOptions{.monitor_contacts_with_auditor = true});
  ASSERT_TRUE(Search(dave, "alice").ok());
  EXPECT_FALSE(dave.contacts[B("alice")].monitor.empty());
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < 3; ++i) Heartbeat();
    Status st = MonitorContact(dave, "alice");
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  EXPECT_TRUE(dave.contacts[B("alice")].monitor.empty());
}

// An operator who stops feeding the auditor (say, because it would refuse the next entry) is
// caught once the auditor lags by more than max_auditor_lag.
TEST_P(AuditingModeTest, AuditorLagBeyondTheBoundIsRefused) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"alice devices v0"});
  ASSERT_TRUE(Search(carol, "alice").ok());
  auto_audit_ = false;
  const uint64_t audited_at = last_auditor_head_->timestamp;
  while (now_ + 300 - audited_at <= keys_->config.max_auditor_lag) Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());  // still within the bound
  Heartbeat();
  const ClientState before = carol;
  ExpectRejected(StatusOf(Search(carol, "alice")), "auditor step 2");
  EXPECT_EQ(carol, before);
  ClientState fresh;
  ExpectRejected(StatusOf(Search(fresh, "alice")), "auditor step 2");
}

// A forked log cannot get the auditor's signature on its entries: it can only keep serving the
// auditor head of the shared prefix, which users accept for max_auditor_lag at most.
TEST_P(AuditingModeTest, ForkedLogIsRefusedOnceTheAuditorHeadIsTooOld) {
  Heartbeat();
  Heartbeat();
  ClientState bob;
  ClientState carol;
  ClientState dave;
  InitOwner(bob, "bob");
  const AuditorTreeHead shared = *last_auditor_head_;
  // Honest log: bob's own key. Fork: the eavesdropper's key under bob's name, served with the
  // auditor head of the shared prefix.
  MemoryDirectoryStore fork_store;
  std::unique_ptr<Directory> fork = SplitView(bob, "bob", "bob's key", fork_store);
  ASSERT_TRUE(fork);
  ASSERT_TRUE(fork->SetAuditorTreeHead(shared).ok());
  // The auditor follows the honest log: it refuses the fork's entry, and its newer heads do not
  // verify over the fork's log.
  auto forked_update = fork->AuditorUpdateFor(fork->size() - 1);
  ASSERT_TRUE(forked_update.ok());
  auto refused = log_auditor_->Process(*forked_update);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("auditor step"), std::string::npos);
  EXPECT_EQ(fork->SetAuditorTreeHead(*last_auditor_head_).error().code, Errc::kInvalidArgument);
  // Within max_auditor_lag the fork's answer passes (the bound the draft puts on a fork's life),
  auto seen_by_carol = Search(*fork, carol, "bob");
  ASSERT_TRUE(seen_by_carol.ok()) << seen_by_carol.error().message;
  EXPECT_EQ(seen_by_carol->value.value, B("eavesdropper's key"));
  EXPECT_EQ(carol.auditor_head, shared);
  // but not once the shared head is older than that.
  while (now_ - shared.timestamp <= keys_->config.max_auditor_lag) {
    Tick(300);
    ASSERT_TRUE(fork->Publish().ok());
  }
  const ClientState before = carol;
  ExpectRejected(StatusOf(Search(*fork, carol, "bob")), "auditor step 2");
  EXPECT_EQ(carol, before);
  // The honest, audited log keeps serving.
  Heartbeat();
  auto seen_by_dave = Search(dave, "bob");
  ASSERT_TRUE(seen_by_dave.ok()) << seen_by_dave.error().message;
  EXPECT_EQ(seen_by_dave->value.value, B("bob's key"));
}

// A response whose auditor head was altered is refused, naming the step, with no state change.
TEST_P(AuditingModeTest, AlteredAuditorTreeHeadIsRefused) {
  Heartbeat();
  ClientState alice;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"alice devices v0"});
  Heartbeat();
  const ClientState carol;
  const SearchRequest req = verifier_->MakeSearch(carol, B("alice"), std::nullopt);
  auto resp = dir_->Search(req);
  ASSERT_TRUE(resp.ok()) << resp.error().message;
  ASSERT_TRUE(verifier_->VerifySearch(carol, req, *resp).ok());
  auto verify_altered = [&](auto alter) {
    SearchResponse bad = *resp;
    alter(bad.full_tree_head.auditor_tree_head);
    return StatusOf(verifier_->VerifySearch(carol, req, bad));
  };
  ExpectRejected(verify_altered([](AuditorTreeHead& h) { h.signature[3] ^= 0x20; }),
                 "auditor step 4");
  ExpectRejected(verify_altered([](AuditorTreeHead& h) { h.timestamp += 1; }), "auditor step 2");
  ExpectRejected(verify_altered([](AuditorTreeHead& h) { h.timestamp -= 1; }), "auditor step 4");
  ExpectRejected(verify_altered([](AuditorTreeHead& h) { h.tree_size += 1; }), "auditor step 3");
  ExpectRejected(verify_altered([](AuditorTreeHead& h) { h.tree_size = 0; }), "auditor step 3");
  // A smaller size changes what the log proof must contain: refused one way or the other.
  const Status smaller = verify_altered([](AuditorTreeHead& h) { h.tree_size -= 1; });
  ASSERT_FALSE(smaller.ok());
  EXPECT_EQ(smaller.error().code, Errc::kVerifyFailed);
  // A head signed by a key other than the configured auditor's.
  auto params = GetCipherSuite(static_cast<uint16_t>(GetParam()));
  ASSERT_TRUE(params.ok());
  const auto other = crypto::SignaturePrivateKey::Generate(params->signature);
  ExpectRejected(verify_altered([&](AuditorTreeHead& h) {
                   h.signature = SignAuditorTreeHead(other, keys_->config, h.timestamp, h.tree_size,
                                                     dir_->Head()->second);
                 }),
                 "auditor step 4");
}

TEST_P(AuditingModeTest, DirectoryChecksTheAuditorTreeHeadsItIsGiven) {
  Heartbeat();
  Heartbeat();
  const AuditorTreeHead good = *last_auditor_head_;
  AuditorTreeHead bad = good;
  bad.tree_size = 0;
  EXPECT_EQ(dir_->SetAuditorTreeHead(bad).error().code, Errc::kInvalidArgument);
  bad.tree_size = dir_->size() + 1;
  EXPECT_EQ(dir_->SetAuditorTreeHead(bad).error().code, Errc::kInvalidArgument);
  bad = good;
  bad.signature[0] ^= 0x01;
  EXPECT_EQ(dir_->SetAuditorTreeHead(bad).error().code, Errc::kInvalidArgument);
  auto_audit_ = false;
  Heartbeat();
  AuditOne();
  EXPECT_EQ(dir_->SetAuditorTreeHead(good).error().code, Errc::kConflict);  // older
  EXPECT_TRUE(dir_->SetAuditorTreeHead(*last_auditor_head_).ok());          // same again
}

// A new auditor takes over at auditor_start_pos (the users get the new Configuration out of
// band). Step 1: a user whose last auditor head, from the previous auditor, is older than that
// position refuses, since nobody vouches for the entries in between; a user who was up to date
// carries on.
TEST_P(AuditingModeTest, NewAuditorStartsWhereTheUsersLastAuditorHeadWas) {
  Heartbeat();
  ClientState alice;
  ClientState carol;
  ClientState dave;
  InitOwner(alice, "alice");
  Publish(alice, "alice", {"alice devices v0"});
  ASSERT_TRUE(Search(dave, "alice").ok());
  const uint64_t daves_auditor_size = dave.auditor_head->tree_size;
  for (int i = 0; i < 4; ++i) Heartbeat();
  ASSERT_TRUE(Search(carol, "alice").ok());
  ASSERT_GT(carol.auditor_head->tree_size, daves_auditor_size);

  auto params = GetCipherSuite(static_cast<uint16_t>(GetParam()));
  ASSERT_TRUE(params.ok());
  auto key = crypto::SignaturePrivateKey::Generate(params->signature);
  keys_->config.auditor_public_key = key.public_key();
  keys_->config.auditor_start_pos = log_auditor_->size();
  // The new auditor starts from the state of the log at its start position (here taken from
  // the previous auditor; in practice obtained and checked out of band).
  auto next = Auditor::Restore(keys_->config, std::move(key), log_auditor_->state());
  ASSERT_TRUE(next.ok()) << next.error().message;
  log_auditor_ = std::make_unique<Auditor>(std::move(*next));
  Reopen();
  UseVerifier({});
  Heartbeat();

  auto carries_on = Search(carol, "alice");
  ASSERT_TRUE(carries_on.ok()) << carries_on.error().message;
  const ClientState before = dave;
  ExpectRejected(StatusOf(Search(dave, "alice")), "auditor step 1");
  EXPECT_EQ(dave, before);
  ClientState fresh;  // advertised no previous head: step 1 does not apply
  ASSERT_TRUE(Search(fresh, "alice").ok());
}

// The auditor gets one AuditorUpdate per entry, with one PrefixProof of at most 255 results, so
// an audited directory never puts more than 255 new versions into one entry; the rest waits for
// the next entry, and the auditor follows both.
TEST_P(AuditingModeTest, EntriesStayWithinWhatOneAuditorUpdateCanProve) {
  Heartbeat();
  for (int i = 0; i < 300; ++i) {
    UpdateRequest req;
    req.label = B("user-" + std::to_string(i));
    req.values.push_back(LabelValue{B("devices")});
    ASSERT_TRUE(dir_->SubmitUpdate(req).ok());
  }
  UpdateRequest too_many;
  too_many.label = B("bulk");
  too_many.values.assign(256, LabelValue{B("devices")});
  EXPECT_EQ(dir_->SubmitUpdate(too_many).error().code, Errc::kInvalidArgument);
  const uint64_t first = Heartbeat();
  EXPECT_EQ(dir_->queued_versions(), 45u);
  const uint64_t second = Heartbeat();
  EXPECT_EQ(dir_->queued_versions(), 0u);
  EXPECT_EQ(dir_->AuditorUpdateFor(first)->added.size(), 255u);
  EXPECT_EQ(dir_->AuditorUpdateFor(second)->added.size(), 45u);
  EXPECT_EQ(log_auditor_->size(), dir_->size());
  ClientState carol;
  auto found = Search(carol, "user-299");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("devices"));
}

INSTANTIATE_TEST_SUITE_P(Suites, AuditingModeTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_P256,
                                           CipherSuite::KT_128_SHA256_Ed25519),
                         [](const ::testing::TestParamInfo<CipherSuite>& info) {
                           return info.param == CipherSuite::KT_128_SHA256_P256 ? "P256"
                                                                                : "Ed25519";
                         });

}  // namespace
}  // namespace candor::kt
