// directory_harness.h: a KEYTRANS directory over a memory store with a manual clock, a
// verifier for its configuration, and helpers that run each user operation through the wire
// encoding and the verifier (shared by the directory and malicious-directory tests).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "candor/kt/auditor.h"
#include "candor/kt/directory.h"
#include "candor/kt/verifier.h"

namespace candor::kt::testing {

inline Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

struct Keys {
  CipherSuite suite;
  crypto::SignaturePrivateKey signature;
  crypto::VrfPrivateKey vrf;
  Configuration config;
};

inline Keys MakeKeys(CipherSuite suite) {
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

// ExpectRejected checks that `st` is a kVerifyFailed whose message names `reason`.
inline void ExpectRejected(const Status& st, const std::string& reason) {
  ASSERT_FALSE(st.ok()) << "expected rejection: " << reason;
  EXPECT_EQ(st.error().code, Errc::kVerifyFailed) << st.error().message;
  EXPECT_NE(st.error().message.find(reason), std::string::npos) << st.error().message;
}

// StatusOf drops a result's value.
template <class T>
Status StatusOf(const Result<T>& r) {
  if (r.ok()) return OkStatus();
  return r.error();
}

// CopyStore copies the first `entries` entries of `from` (the start of a fork).
inline void CopyStore(DirectoryStore& from, DirectoryStore& to, uint64_t entries) {
  Status st = from.LoadEntries([&](StoredEntry&& e) -> Status {
    if (e.position >= entries) return OkStatus();
    return to.AppendEntry(e);
  });
  ASSERT_TRUE(st.ok());
}

// Fixture: a directory over a memory store, a manual clock, and helpers that run each
// operation through the verifier and round-trip the client state through its encoding. A
// derived fixture that sets `mode_` to thirdPartyAuditing before SetUp gets a log deployed with
// a Third-Party Auditor (`log_auditor_`), which Heartbeat and Publish feed every new entry
// (unless `auto_audit_` is false).
class DirectoryHarness : public ::testing::TestWithParam<CipherSuite> {
 public:
  void SetUp() override {
    keys_ = std::make_unique<Keys>(MakeKeys(GetParam()));
    if (mode_ == DeploymentMode::thirdPartyAuditing) SetUpAuditor();
    Reopen();
    auto v = Verifier::Create(
        keys_->config, [this] { return now_; }, verifier_options_);
    ASSERT_TRUE(v.ok()) << v.error().message;
    verifier_ = std::make_unique<Verifier>(std::move(*v));
  }

  void SetUpAuditor() {
    auto params = GetCipherSuite(static_cast<uint16_t>(GetParam()));
    ASSERT_TRUE(params.ok());
    auto key = crypto::SignaturePrivateKey::Generate(params->signature);
    keys_->config.mode = DeploymentMode::thirdPartyAuditing;
    keys_->config.max_auditor_lag = 10'000;
    keys_->config.auditor_start_pos = 0;
    keys_->config.auditor_public_key = key.public_key();
    auto a = Auditor::Create(keys_->config, std::move(key));
    ASSERT_TRUE(a.ok()) << a.error().message;
    log_auditor_ = std::make_unique<Auditor>(std::move(*a));
  }

  // Audit feeds the auditor every entry of `d` it has not processed and gives `d` the newest
  // auditor tree head.
  void Audit(Directory& d) {
    std::optional<AuditorTreeHead> head;
    while (log_auditor_->size() < d.size()) {
      auto update = d.AuditorUpdateFor(log_auditor_->size());
      ASSERT_TRUE(update.ok()) << update.error().message;
      auto signed_head = log_auditor_->Process(*update);
      ASSERT_TRUE(signed_head.ok()) << signed_head.error().message;
      head = *signed_head;
    }
    if (head) {
      Status st = d.SetAuditorTreeHead(*head);
      EXPECT_TRUE(st.ok()) << st.error().message;
      last_auditor_head_ = head;
    }
  }
  void AutoAudit(Directory& d) {
    if (log_auditor_ && auto_audit_) Audit(d);
  }

  void Reopen() {
    dir_.reset();
    dir_ = OpenDirectory(store_, 0, directory_options_);
  }

  // OpenDirectory opens a directory with this fixture's keys over `store`, its clock running
  // `skew_ms` ahead of the users' clock (an operator can run several, e.g. to fork the log).
  std::unique_ptr<Directory> OpenDirectory(DirectoryStore& store, uint64_t skew_ms,
                                           DirectoryOptions options = {}) {
    auto sig = crypto::SignaturePrivateKey::FromBytes(keys_->signature.scheme(),
                                                      keys_->signature.private_key());
    auto vrf = crypto::VrfPrivateKey::FromBytes(keys_->vrf.suite(), keys_->vrf.private_key());
    EXPECT_TRUE(sig.ok() && vrf.ok());
    auto d = Directory::Open(
        keys_->config, std::move(*sig), std::move(*vrf), store,
        [this, skew_ms] { return now_ + skew_ms; }, HeadsSink(), std::move(options));
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? std::move(*d) : nullptr;
  }

  // HeadsSink appends every head it gets to heads_ (the tree-head log), after sink_hook_.
  Directory::HeadSink HeadsSink() {
    return [this](ByteView tbs, ByteView sig_bytes) -> Status {
      if (sink_hook_) CANDOR_TRY(sink_hook_());
      heads_.emplace_back(Bytes(tbs.begin(), tbs.end()), Bytes(sig_bytes.begin(), sig_bytes.end()));
      return OkStatus();
    };
  }

  // Wire round trips every message, as a real client and server would.
  template <class T>
  T Wire(const T& value) {
    auto back = DecodeExactIn<T>(EncodeIn(value, verifier_->wire()), verifier_->wire());
    EXPECT_TRUE(back.ok()) << back.error().message;
    return *back;
  }
  SearchResponse WireSearch(const SearchResponse& value, bool request_had_version) {
    Bytes wire = EncodeIn(value, verifier_->wire());
    tls::Reader r(wire);
    auto back = SearchResponse::Decode(r, verifier_->wire(), request_had_version);
    EXPECT_TRUE(back.ok() && r.empty());
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

  uint64_t Heartbeat() { return Heartbeat(*dir_); }
  uint64_t Heartbeat(Directory& d) {
    Tick(300);
    auto p = d.Publish();
    EXPECT_TRUE(p.ok()) << p.error().message;
    AutoAudit(d);
    return p.ok() ? *p : 0;
  }

  // Queue has the owner queue `values` as new versions of `label`; returns the request and
  // its ticket.
  std::pair<UpdateRequest, Result<UpdateTicket>> Queue(ClientState& owner, const std::string& label,
                                                       const std::vector<std::string>& values) {
    std::vector<Bytes> bytes;
    for (const std::string& v : values) bytes.push_back(B(v));
    UpdateRequest req = Plain(verifier_->MakeUpdate(owner, B(label), bytes));
    auto ticket = dir_->SubmitUpdate(req);
    EXPECT_TRUE(ticket.ok()) << ticket.error().message;
    return {std::move(req), std::move(ticket)};
  }

  // Owner publishes `values` as new versions of `label`.
  UpdateResult Publish(ClientState& owner, const std::string& label,
                       const std::vector<std::string>& values) {
    auto [req, ticket] = Queue(owner, label, values);
    Tick(200);
    auto published = dir_->Publish();
    EXPECT_TRUE(published.ok()) << published.error().message;
    AutoAudit(*dir_);
    auto resp = dir_->UpdateResult(*ticket, req.last);
    EXPECT_TRUE(resp.ok()) << resp.error().message;
    auto verified = verifier_->VerifyUpdate(owner, req, Wire(*resp));
    EXPECT_TRUE(verified.ok()) << verified.error().message;
    owner = Persist(verified->state);
    return *verified;
  }

  // SplitView starts a fork of the log as it is now (a second directory over `fork_store`), then
  // publishes `value` as the owner's next version of `label` on the honest log and an
  // eavesdropper's key under the same label on the fork. Returns the fork.
  std::unique_ptr<Directory> SplitView(ClientState& owner, const std::string& label,
                                       const std::string& value, MemoryDirectoryStore& fork_store) {
    CopyStore(store_, fork_store, dir_->size());
    std::unique_ptr<Directory> fork = OpenDirectory(fork_store, 0);
    EXPECT_TRUE(fork);
    if (!fork) return nullptr;
    Publish(owner, label, {value});
    UpdateRequest ghost{
        std::nullopt, B(label), std::nullopt, {LabelValue{B("eavesdropper's key")}}};
    EXPECT_TRUE(fork->SubmitUpdate(ghost).ok());
    EXPECT_TRUE(fork->Publish().ok());
    return fork;
  }

  Result<SearchResult> Search(ClientState& who, const std::string& label,
                              std::optional<uint32_t> version = std::nullopt) {
    return Search(*dir_, who, label, version);
  }
  Result<SearchResult> Search(Directory& d, ClientState& who, const std::string& label,
                              std::optional<uint32_t> version = std::nullopt) {
    SearchRequest req = Plain(verifier_->MakeSearch(who, B(label), version));
    CANDOR_ASSIGN_OR_RETURN(SearchResponse resp, d.Search(req));
    CANDOR_ASSIGN_OR_RETURN(
        SearchResult out, verifier_->VerifySearch(who, req, WireSearch(resp, version.has_value())));
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
    return MonitorContact(*dir_, who, label);
  }
  Status MonitorContact(Directory& d, ClientState& who, const std::string& label) {
    ContactMonitorRequest req = Plain(verifier_->MakeContactMonitor(who, B(label)));
    CANDOR_ASSIGN_OR_RETURN(ContactMonitorResponse resp, d.ContactMonitor(req));
    CANDOR_ASSIGN_OR_RETURN(ClientState next,
                            verifier_->VerifyContactMonitor(who, req, Wire(resp)));
    who = Persist(next);
    return OkStatus();
  }

  uint64_t now_ = 1'700'000'000'000;
  // sink_hook_, if set, runs first in the head sink of every directory this fixture opens: a
  // test blocks it, or fails it, to play a slow or failing transparency log.
  std::function<Status()> sink_hook_;
  std::unique_ptr<Keys> keys_;
  MemoryDirectoryStore store_;
  std::unique_ptr<Directory> dir_;
  std::unique_ptr<Verifier> verifier_;
  std::vector<std::pair<Bytes, Bytes>> heads_;
  DeploymentMode mode_ = DeploymentMode::contactMonitoring;
  VerifierOptions verifier_options_;
  DirectoryOptions directory_options_;  // the options Reopen opens dir_ with
  std::unique_ptr<Auditor> log_auditor_;
  std::optional<AuditorTreeHead> last_auditor_head_;
  bool auto_audit_ = true;
};

}  // namespace candor::kt::testing
