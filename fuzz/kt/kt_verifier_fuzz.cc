// kt_verifier_fuzz: the KEYTRANS verifier must reject every response it should not accept with
// kVerifyFailed (or kMalformed when it does not decode), never crash, and never change the state
// it was given.
//
// At start-up the target builds a small directory (fixed keys, a fixed clock) with two owners and
// a contact, and records one genuine response of each kind together with the client state it
// answers. Input byte 0 picks the kind; if bit 7 of byte 0 is set the rest of the input is the
// whole response encoding, otherwise it is a list of 3-byte edits (offset high, offset low, xor)
// applied to the genuine response — so the fuzzer reaches deep verification paths quickly.
// Selector 6 decodes a ClientState instead (round-trip property; an owner's, or an audited
// user's with its auditor head), 7 a LoggedTreeHead, 8 a DeviceList, 9 an AuditorState.
// Selector 10 is a search response of a second directory deployed with a Third-Party Auditor
// that lags behind (its AuditorTreeHead and the log root at its size).
#include <memory>
#include <vector>

#include "candor/kt/auditor.h"
#include "candor/kt/device_list.h"
#include "candor/kt/directory.h"
#include "candor/kt/tlog_head_sink.h"
#include "candor/kt/verifier.h"
#include "fuzz/fuzz_target.h"

namespace candor::kt {
namespace {

Bytes B(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

struct Scenario {
  uint64_t now = 1'700'000'000'000;
  MemoryDirectoryStore store;
  std::unique_ptr<Directory> dir;
  std::unique_ptr<Verifier> verifier;
  ClientState alice;
  ClientState carol;
  // Genuine exchanges.
  SearchRequest search_req;
  Bytes search_resp;
  ClientState search_state;
  ContactMonitorRequest contact_req;
  Bytes contact_resp;
  OwnerMonitorRequest owner_req;
  Bytes owner_resp;
  UpdateRequest update_req;
  Bytes update_resp;
  DistinguishedRequest walk_req;
  Bytes walk_resp;
  OwnerInitRequest init_req;
  Bytes init_resp;
  ClientState init_state;
  Bytes device_list;    // an account-signed device list (the value model)
  Bytes auditor_state;  // an auditor's persistent state after following the log
  // The thirdPartyAuditing deployment (selector 10).
  MemoryDirectoryStore audited_store;
  std::unique_ptr<Directory> audited_dir;
  std::unique_ptr<Verifier> audited_verifier;
  std::unique_ptr<Auditor> auditor;
  SearchRequest audited_req;
  Bytes audited_resp;
  ClientState audited_state;
};

template <class T>
T Must(Result<T> r) {
  FUZZ_REQUIRE(r.ok());
  return std::move(r).value();
}

void Publish(Scenario& s, ClientState& owner, const char* label, const char* value) {
  UpdateRequest req = s.verifier->MakeUpdate(owner, B(label), {B(value)});
  UpdateTicket ticket = Must(s.dir->SubmitUpdate(req));
  s.now += 200;
  Must(s.dir->Publish());
  UpdateResponse resp = Must(s.dir->UpdateResult(ticket, req.last));
  owner = Must(s.verifier->VerifyUpdate(owner, req, resp)).state;
}

void Heartbeat(Scenario& s) {
  s.now += 400;
  Must(s.dir->Publish());
}

void InitOwner(Scenario& s, ClientState& owner, const char* label, OwnerInitRequest* keep_req,
               Bytes* keep_resp, ClientState* keep_state) {
  DistinguishedRequest walk_req = s.verifier->MakeDistinguished(owner);
  DistinguishedResponse walk = Must(s.dir->Distinguished(walk_req));
  auto walked = Must(s.verifier->VerifyDistinguished(owner, walk_req, walk));
  owner = walked.first;
  OwnerInitRequest req = s.verifier->MakeOwnerInit(owner, B(label), walked.second.back());
  OwnerInitResponse resp = Must(s.dir->OwnerInit(req));
  *keep_req = req;
  *keep_resp = EncodeIn(resp, s.verifier->wire());
  *keep_state = owner;
  owner = Must(s.verifier->VerifyOwnerInit(owner, req, resp));
}

// AuditorStateAfter follows the scenario's directory with an auditor and returns its state.
Bytes AuditorStateAfter(Scenario& s, const Configuration& directory_config) {
  auto key = Must(
      crypto::SignaturePrivateKey::FromBytes(crypto::SignatureScheme::kEd25519, Bytes(32, 0x44)));
  Configuration config = directory_config;
  config.mode = DeploymentMode::thirdPartyAuditing;
  config.max_auditor_lag = 10'000;
  config.auditor_public_key = key.public_key();
  Auditor auditor = Must(Auditor::Create(config, std::move(key)));
  for (uint64_t p = 0; p < s.dir->size(); ++p) {
    Must(auditor.Process(Must(s.dir->AuditorUpdateFor(p))));
  }
  return tls::Encode(auditor.state());
}

// AuditOne lets the auditor process the audited directory's next entry and hands over its head.
void AuditOne(Scenario& s) {
  const AuditorTreeHead head =
      Must(s.auditor->Process(Must(s.audited_dir->AuditorUpdateFor(s.auditor->size()))));
  FUZZ_REQUIRE(s.audited_dir->SetAuditorTreeHead(head).ok());
}

// BuildAudited deploys a second directory (same keys) with a Third-Party Auditor and records a
// returning user's search answered while the auditor's tree size lies inside the user's
// retained view.
void BuildAudited(Scenario& s, Configuration config, crypto::SignaturePrivateKey sig,
                  crypto::VrfPrivateKey vrf) {
  auto auditor_key = Must(
      crypto::SignaturePrivateKey::FromBytes(crypto::SignatureScheme::kEd25519, Bytes(32, 0x55)));
  config.mode = DeploymentMode::thirdPartyAuditing;
  config.max_auditor_lag = 60'000;
  config.auditor_public_key = auditor_key.public_key();
  s.auditor = std::make_unique<Auditor>(Must(Auditor::Create(config, std::move(auditor_key))));
  s.audited_verifier =
      std::make_unique<Verifier>(Must(Verifier::Create(config, [p = &s] { return p->now; })));
  s.audited_dir = Must(Directory::Open(
      config, std::move(sig), std::move(vrf), s.audited_store, [p = &s] { return p->now; },
      [](ByteView, ByteView) { return OkStatus(); }));
  const Verifier& v = *s.audited_verifier;
  UpdateRequest req = v.MakeUpdate(ClientState{}, B("bob"), {B("bob's phone")});
  Must(s.audited_dir->SubmitUpdate(req));
  // Entries 0-2 audited, 3-4 not yet: dave's first view has 5 entries, the auditor's 3.
  for (int i = 0; i < 5; ++i) {
    s.now += 400;
    Must(s.audited_dir->Publish());
    if (i < 3) AuditOne(s);
  }
  ClientState dave;
  SearchRequest first = v.MakeSearch(dave, B("bob"), std::nullopt);
  dave = Must(v.VerifySearch(dave, first, Must(s.audited_dir->Search(first)))).state;
  // Three more entries, one more audited: the auditor's size (4) is inside dave's view (5).
  for (int i = 0; i < 3; ++i) {
    s.now += 400;
    Must(s.audited_dir->Publish());
  }
  AuditOne(s);
  s.audited_state = dave;
  s.audited_req = v.MakeSearch(dave, B("bob"), std::nullopt);
  s.audited_resp = EncodeIn(Must(s.audited_dir->Search(s.audited_req)), v.wire());
  Must(v.VerifySearch(s.audited_state, s.audited_req,
                      Must(DecodeExactIn<SearchResponse>(s.audited_resp, v.wire(), false))));
}

Scenario* Build() {
  auto* s = new Scenario;
  const auto suite = CipherSuite::KT_128_SHA256_Ed25519;
  const CipherSuiteParams params = Must(GetCipherSuite(static_cast<uint16_t>(suite)));
  const Bytes sig_seed(32, 0x11);
  const Bytes vrf_seed(32, 0x22);
  auto sig = Must(crypto::SignaturePrivateKey::FromBytes(params.signature, sig_seed));
  auto vrf = Must(crypto::VrfPrivateKey::FromBytes(params.vrf, vrf_seed));
  Configuration config;
  config.ciphersuite = suite;
  config.signature_public_key = sig.public_key();
  config.vrf_public_key = vrf.public_key();
  config.max_ahead = 5'000;
  config.max_behind = 600'000;
  config.reasonable_monitoring_window = 1'000;
  config.maximum_lifetime = 1'000'000;
  s->verifier = std::make_unique<Verifier>(Must(Verifier::Create(config, [s] { return s->now; })));
  s->dir = Must(Directory::Open(
      config, std::move(sig), std::move(vrf), s->store, [s] { return s->now; },
      [](ByteView, ByteView) { return OkStatus(); }));
  BuildAudited(*s, config, Must(crypto::SignaturePrivateKey::FromBytes(params.signature, sig_seed)),
               Must(crypto::VrfPrivateKey::FromBytes(params.vrf, vrf_seed)));
  Heartbeat(*s);
  InitOwner(*s, s->alice, "alice", &s->init_req, &s->init_resp, &s->init_state);
  Publish(*s, s->alice, "alice", "phone");
  for (int i = 0; i < 4; ++i) Heartbeat(*s);
  Publish(*s, s->alice, "alice", "phone, laptop");
  Heartbeat(*s);
  // carol: a search from a retained view, then contact monitoring.
  SearchRequest first = s->verifier->MakeSearch(s->carol, B("alice"), std::nullopt);
  s->carol = Must(s->verifier->VerifySearch(s->carol, first, Must(s->dir->Search(first)))).state;
  Heartbeat(*s);
  s->search_state = s->carol;
  s->search_req = s->verifier->MakeSearch(s->carol, B("alice"), 0);
  s->search_resp = EncodeIn(Must(s->dir->Search(s->search_req)), s->verifier->wire());
  s->contact_req = s->verifier->MakeContactMonitor(s->carol, B("alice"));
  s->contact_resp = EncodeIn(Must(s->dir->ContactMonitor(s->contact_req)), s->verifier->wire());
  s->owner_req = s->verifier->MakeOwnerMonitor(s->alice, B("alice"));
  s->owner_resp = EncodeIn(Must(s->dir->OwnerMonitor(s->owner_req)), s->verifier->wire());
  s->walk_req = s->verifier->MakeDistinguished(s->carol);
  s->walk_resp = EncodeIn(Must(s->dir->Distinguished(s->walk_req)), s->verifier->wire());
  // alice learns of a version created elsewhere (another of her devices).
  ClientState other = s->alice;
  Publish(*s, other, "alice", "phone, laptop, tablet");
  Heartbeat(*s);
  s->update_req = s->verifier->MakeUpdate(s->alice, B("alice"), {});
  s->update_resp = EncodeIn(Must(s->dir->ExistingUpdate(s->update_req)), s->verifier->wire());
  // A device list and an auditor state, the other two encodings users and auditors keep.
  auto account = Must(
      crypto::SignaturePrivateKey::FromBytes(crypto::SignatureScheme::kEd25519, Bytes(32, 0x33)));
  DeviceListTBS tbs{account.scheme(), account.public_key(), 1, {}};
  tbs.devices.push_back(Device{B("phone"), crypto::SignatureScheme::kEd25519, B("phone key"), 1,
                               B("phone mls key"), s->now});
  s->device_list = tls::Encode(Must(SignDeviceList(account, B("alice"), tbs)));
  s->auditor_state = AuditorStateAfter(*s, config);
  // Every genuine response verifies, so unedited inputs reach the end of verification.
  const WireContext& ctx = s->verifier->wire();
  const Verifier& v = *s->verifier;
  Must(v.VerifySearch(s->search_state, s->search_req,
                      Must(DecodeExactIn<SearchResponse>(s->search_resp, ctx, true))));
  Must(v.VerifyContactMonitor(s->carol, s->contact_req,
                              Must(DecodeExactIn<ContactMonitorResponse>(s->contact_resp, ctx))));
  Must(v.VerifyOwnerMonitor(s->alice, s->owner_req,
                            Must(DecodeExactIn<OwnerMonitorResponse>(s->owner_resp, ctx))));
  Must(v.VerifyUpdate(s->alice, s->update_req,
                      Must(DecodeExactIn<UpdateResponse>(s->update_resp, ctx))));
  Must(v.VerifyDistinguished(s->carol, s->walk_req,
                             Must(DecodeExactIn<DistinguishedResponse>(s->walk_resp, ctx))));
  Must(v.VerifyOwnerInit(s->init_state, s->init_req,
                         Must(DecodeExactIn<OwnerInitResponse>(s->init_resp, ctx))));
  return s;
}

// Checked runs one verification and checks the contract: only kVerifyFailed (or kMalformed from
// decoding) and an untouched input state.
template <class Run>
void Checked(const ClientState& state, Run&& run) {
  const ClientState before = state;
  Status st = run();
  if (!st.ok()) {
    FUZZ_REQUIRE(st.error().code == Errc::kVerifyFailed || st.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!st.error().message.empty());
  }
  FUZZ_REQUIRE(state == before);
}

template <class T>
Status Outcome(const Result<T>& r) {
  return r.ok() ? OkStatus() : Status(r.error());
}

// CheckResponse decodes `wire` as a T of `ctx` (`args`: the extra decoding arguments) and
// verifies it against `state` with `verify`, under the contract of Checked.
template <class T, class Verify, class... DecodeArgs>
void CheckResponse(const Bytes& wire, const ClientState& state, const WireContext& ctx,
                   Verify&& verify, DecodeArgs... args) {
  Checked(state, [&]() -> Status {
    CANDOR_ASSIGN_OR_RETURN(T r, DecodeExactIn<T>(wire, ctx, args...));
    return Outcome(verify(r));
  });
}

// CheckCanonical: a T decodes strictly (kMalformed otherwise) and re-encodes to the same bytes.
template <class T>
void CheckCanonical(const Bytes& wire) {
  auto decoded = tls::DecodeExact<T>(wire);
  if (decoded.ok()) {
    FUZZ_REQUIRE(fuzz::SameBytes(tls::Encode(*decoded), wire));
  } else {
    FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
  }
}

Bytes Mutate(ByteView base, ByteView edits) {
  Bytes out(base.begin(), base.end());
  for (size_t i = 0; i + 2 < edits.size(); i += 3) {
    if (out.empty()) break;
    const size_t at = ((size_t{edits[i]} << 8) | edits[i + 1]) % out.size();
    out[at] ^= edits[i + 2];
  }
  return out;
}

}  // namespace
}  // namespace candor::kt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace candor;
  using namespace candor::kt;
  static Scenario* s = Build();
  if (size == 0) return 0;
  const bool raw = (data[0] & 0x80) != 0;
  const int kind = (data[0] & 0x7f) % 11;
  const ByteView rest(data + 1, size - 1);
  auto input = [&](const Bytes& genuine) {
    return raw ? Bytes(rest.begin(), rest.end()) : Mutate(genuine, rest);
  };
  const WireContext& ctx = s->verifier->wire();
  const Verifier& v = *s->verifier;
  switch (kind) {
    case 0:
      CheckResponse<SearchResponse>(
          input(s->search_resp), s->search_state, ctx,
          [&](const SearchResponse& r) {
            return v.VerifySearch(s->search_state, s->search_req, r);
          },
          true);
      break;
    case 1:
      CheckResponse<ContactMonitorResponse>(
          input(s->contact_resp), s->carol, ctx, [&](const ContactMonitorResponse& r) {
            return v.VerifyContactMonitor(s->carol, s->contact_req, r);
          });
      break;
    case 2:
      CheckResponse<OwnerMonitorResponse>(input(s->owner_resp), s->alice, ctx,
                                          [&](const OwnerMonitorResponse& r) {
                                            return v.VerifyOwnerMonitor(s->alice, s->owner_req, r);
                                          });
      break;
    case 3:
      CheckResponse<UpdateResponse>(
          input(s->update_resp), s->alice, ctx,
          [&](const UpdateResponse& r) { return v.VerifyUpdate(s->alice, s->update_req, r); });
      break;
    case 4:
      CheckResponse<DistinguishedResponse>(input(s->walk_resp), s->carol, ctx,
                                           [&](const DistinguishedResponse& r) {
                                             return v.VerifyDistinguished(s->carol, s->walk_req, r);
                                           });
      break;
    case 5:
      CheckResponse<OwnerInitResponse>(input(s->init_resp), s->init_state, ctx,
                                       [&](const OwnerInitResponse& r) {
                                         return v.VerifyOwnerInit(s->init_state, s->init_req, r);
                                       });
      break;
    case 7: {
      Bytes wire = input(tls::Encode(LoggedTreeHead{s->search_resp, s->walk_resp}));
      auto decoded = tls::DecodeExact<LoggedTreeHead>(wire);
      if (decoded.ok()) {
        FUZZ_REQUIRE(fuzz::SameBytes(tls::Encode(*decoded), wire));
        auto checked = VerifyLoggedTreeHead(s->verifier->config(), *decoded);
        FUZZ_REQUIRE(checked.ok() || checked.error().code == Errc::kMalformed ||
                     checked.error().code == Errc::kVerifyFailed);
      } else {
        FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
      }
      break;
    }
    case 8: {
      CheckCanonical<DeviceList>(input(s->device_list));
      break;
    }
    case 9: {
      CheckCanonical<AuditorState>(input(s->auditor_state));
      break;
    }
    case 10: {
      const Verifier& audited = *s->audited_verifier;
      CheckResponse<SearchResponse>(
          input(s->audited_resp), s->audited_state, audited.wire(),
          [&](const SearchResponse& r) {
            return audited.VerifySearch(s->audited_state, s->audited_req, r);
          },
          false);
      break;
    }
    default: {
      // Byte 1 picks the genuine state: an owner's, or an audited user's (with an auditor head).
      const ClientState& genuine = !rest.empty() && rest[0] % 2 == 1 ? s->audited_state : s->alice;
      Bytes wire = input(tls::Encode(genuine));
      auto decoded = tls::DecodeExact<ClientState>(wire);
      if (decoded.ok()) {
        const Bytes again = tls::Encode(*decoded);
        FUZZ_REQUIRE(fuzz::SameBytes(again, wire));
      } else {
        FUZZ_REQUIRE(decoded.error().code == Errc::kMalformed);
      }
      break;
    }
  }
  return 0;
}
