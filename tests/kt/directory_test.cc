// The directory and the client verifier end to end, in both cipher suites: owners publish and
// monitor their labels, contacts search and monitor them, every response is verified, every
// client state survives an Encode/Decode round trip, and a directory reopened from its store
// serves the same tree.
#include "candor/kt/directory.h"

#include <gtest/gtest.h>

#include <string>

#include "candor/kt/verifier.h"

namespace candor::kt {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

struct Keys {
  CipherSuite suite;
  crypto::SignaturePrivateKey signature;
  crypto::VrfPrivateKey vrf;
  Configuration config;
};

Keys MakeKeys(CipherSuite suite) {
  auto params = GetCipherSuite(static_cast<uint16_t>(suite));
  EXPECT_TRUE(params.ok());
  Keys k{suite,
         crypto::SignaturePrivateKey::Generate(params->signature),
         crypto::VrfPrivateKey::Generate(params->vrf),
         {}};
  k.config.ciphersuite = suite;
  k.config.mode = DeploymentMode::contactMonitoring;
  k.config.signature_public_key = k.signature.public_key();
  k.config.vrf_public_key = k.vrf.public_key();
  k.config.max_ahead = 5'000;
  k.config.max_behind = 60'000;
  k.config.reasonable_monitoring_window = 1'000;
  k.config.maximum_lifetime = 100'000;
  return k;
}

// Fixture: a directory over a memory store, a manual clock, and helpers that run each
// operation through the verifier and round-trip the client state through its encoding.
class DirectoryTest : public ::testing::TestWithParam<CipherSuite> {
 protected:
  void SetUp() override {
    keys_ = std::make_unique<Keys>(MakeKeys(GetParam()));
    Reopen();
    auto v = Verifier::Create(keys_->config, [this] { return now_; });
    ASSERT_TRUE(v.ok()) << v.error().message;
    verifier_ = std::make_unique<Verifier>(std::move(*v));
  }

  void Reopen() {
    dir_.reset();
    auto sig = crypto::SignaturePrivateKey::FromBytes(keys_->signature.scheme(),
                                                      keys_->signature.private_key());
    auto vrf = crypto::VrfPrivateKey::FromBytes(keys_->vrf.suite(), keys_->vrf.private_key());
    ASSERT_TRUE(sig.ok() && vrf.ok());
    auto d = Directory::Open(
        keys_->config, std::move(*sig), std::move(*vrf), store_, [this] { return now_; },
        [this](ByteView tbs, ByteView sig_bytes) {
          heads_.emplace_back(Bytes(tbs.begin(), tbs.end()),
                              Bytes(sig_bytes.begin(), sig_bytes.end()));
          return OkStatus();
        });
    ASSERT_TRUE(d.ok()) << d.error().message;
    dir_ = std::move(*d);
  }

  // Wire round trips every message, as a real client and server would.
  template <class T>
  T Wire(const T& value) {
    auto back = DecodeExactIn<T>(EncodeIn(value, verifier_->wire()), verifier_->wire());
    EXPECT_TRUE(back.ok()) << back.error().message;
    return *back;
  }
  template <class T>
  T Plain(const T& value) {
    auto back = tls::DecodeExact<T>(tls::Encode(value));
    EXPECT_TRUE(back.ok()) << back.error().message;
    return *back;
  }

  ClientState Persist(const ClientState& s) {
    auto back = tls::DecodeExact<ClientState>(tls::Encode(s));
    EXPECT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
    return *back;
  }

  void Tick(uint64_t ms) { now_ += ms; }

  uint64_t Heartbeat() {
    Tick(300);
    auto p = dir_->Publish();
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : 0;
  }

  // Owner publishes `values` as new versions of `label`.
  UpdateResult Publish(ClientState& owner, const std::string& label,
                       const std::vector<std::string>& values) {
    std::vector<Bytes> bytes;
    for (const std::string& v : values) bytes.push_back(B(v));
    UpdateRequest req = Plain(verifier_->MakeUpdate(owner, B(label), bytes));
    auto ticket = dir_->SubmitUpdate(req);
    EXPECT_TRUE(ticket.ok()) << ticket.error().message;
    Tick(200);
    auto published = dir_->Publish();
    EXPECT_TRUE(published.ok()) << published.error().message;
    auto resp = dir_->UpdateResult(*ticket, req.last);
    EXPECT_TRUE(resp.ok()) << resp.error().message;
    auto verified = verifier_->VerifyUpdate(owner, req, Wire(*resp));
    EXPECT_TRUE(verified.ok()) << verified.error().message;
    owner = Persist(verified->state);
    return *verified;
  }

  Result<SearchResult> Search(ClientState& who, const std::string& label,
                              std::optional<uint32_t> version = std::nullopt) {
    SearchRequest req = Plain(verifier_->MakeSearch(who, B(label), version));
    CANDOR_ASSIGN_OR_RETURN(SearchResponse resp, dir_->Search(req));
    auto wire = EncodeIn(resp, verifier_->wire());
    tls::Reader r(wire);
    CANDOR_ASSIGN_OR_RETURN(SearchResponse decoded,
                            SearchResponse::Decode(r, verifier_->wire(), version.has_value()));
    CANDOR_ASSIGN_OR_RETURN(SearchResult out, verifier_->VerifySearch(who, req, decoded));
    who = Persist(out.state);
    return out;
  }

  void InitOwner(ClientState& owner, const std::string& label) {
    auto walk_req = Plain(verifier_->MakeDistinguished(owner));
    auto walk = dir_->Distinguished(walk_req);
    ASSERT_TRUE(walk.ok()) << walk.error().message;
    auto walked = verifier_->VerifyDistinguished(owner, walk_req, Wire(*walk));
    ASSERT_TRUE(walked.ok()) << walked.error().message;
    ASSERT_FALSE(walked->second.empty());
    owner = walked->first;
    OwnerInitRequest req = Plain(verifier_->MakeOwnerInit(owner, B(label), walked->second.back()));
    auto resp = dir_->OwnerInit(req);
    ASSERT_TRUE(resp.ok()) << resp.error().message;
    auto next = verifier_->VerifyOwnerInit(owner, req, Wire(*resp));
    ASSERT_TRUE(next.ok()) << next.error().message;
    owner = Persist(*next);
  }

  Result<OwnerMonitorResult> MonitorOwner(ClientState& owner, const std::string& label) {
    OwnerMonitorRequest req = Plain(verifier_->MakeOwnerMonitor(owner, B(label)));
    CANDOR_ASSIGN_OR_RETURN(OwnerMonitorResponse resp, dir_->OwnerMonitor(req));
    CANDOR_ASSIGN_OR_RETURN(OwnerMonitorResult out,
                            verifier_->VerifyOwnerMonitor(owner, req, Wire(resp)));
    owner = Persist(out.state);
    return out;
  }

  Status MonitorContact(ClientState& who, const std::string& label) {
    ContactMonitorRequest req = Plain(verifier_->MakeContactMonitor(who, B(label)));
    CANDOR_ASSIGN_OR_RETURN(ContactMonitorResponse resp, dir_->ContactMonitor(req));
    CANDOR_ASSIGN_OR_RETURN(ClientState next,
                            verifier_->VerifyContactMonitor(who, req, Wire(resp)));
    who = Persist(next);
    return OkStatus();
  }

  uint64_t now_ = 1'700'000'000'000;
  std::unique_ptr<Keys> keys_;
  MemoryDirectoryStore store_;
  std::unique_ptr<Directory> dir_;
  std::unique_ptr<Verifier> verifier_;
  std::vector<std::pair<Bytes, Bytes>> heads_;
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
}

INSTANTIATE_TEST_SUITE_P(Suites, DirectoryTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_Ed25519,
                                           CipherSuite::KT_128_SHA256_P256));

}  // namespace
}  // namespace candor::kt
