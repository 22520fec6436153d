// directory_bench_monitor.cc: the `monitor` mode of kt_directory_bench (bytes a client downloads in
// a day to monitor its label and 100 contacts, for a reasonable monitoring window and deployment
// mode). The stand-in labels sit in entries of 255 (what one AuditorUpdate can prove, so that
// both modes run over the same log); with an auditor, it follows every entry, and contact
// monitoring is skipped (the verifier's default in that mode).
#include "directory_bench_util.h"

namespace candor::kt::bench {

int RunMonitor(CipherSuite suite, uint64_t labels, uint64_t rmw_ms, bool audited) {
  const Keys k = MakeKeys(suite, rmw_ms, audited);
  std::printf("# monitor suite=%s labels=%llu rmw=%llu ms mode=%s load=%s\n",
              suite == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519",
              static_cast<unsigned long long>(labels), static_cast<unsigned long long>(rmw_ms),
              audited ? "thirdPartyAuditing" : "contactMonitoring", LoadAverage().c_str());
  const uint64_t standin_entries = (labels + 254) / 255;
  constexpr int kContacts = 100;
  constexpr uint64_t kDay = 86'400;
  const uint64_t rmw_entries = rmw_ms / kEntryMs;
  const Bytes owner_label = Label("owner", 0);
  Rng rng(13);
  std::map<uint64_t, std::vector<StoredVersion>> real;
  std::vector<Bytes> contacts;
  for (int i = 0; i < kContacts; ++i) {
    contacts.push_back(Label("peer", static_cast<uint64_t>(i)));
    real[standin_entries].push_back(Real(k, contacts.back(), 0, rng));
  }
  GeneratedStore store(labels, standin_entries, standin_entries + 1, std::move(real));
  uint64_t now = kStartMs + standin_entries * kEntryMs + 500;
  std::unique_ptr<Directory> dir = OpenDirectory(k, store, &now, 2);
  std::unique_ptr<Auditor> auditor = audited ? MakeAuditor(k) : nullptr;
  auto audit = [&] {
    if (auditor) AuditNew(*auditor, *dir);
  };
  const auto audit_start = SteadyClock::now();
  audit();
  if (auditor) {
    std::printf("auditor followed %llu entries in %.1f s\n",
                static_cast<unsigned long long>(auditor->size()), SecondsSince(audit_start));
  }
  VerifierOptions verifier_options;
  verifier_options.executor = &BenchHelper();  // a client's VRF checks on two threads
  auto verifier = Verifier::Create(
      k.config, [&now] { return now; }, verifier_options);
  CANDOR_CHECK(verifier.ok());
  const WireContext& wire = verifier->wire();

  ClientState st;
  uint64_t setup_bytes = 0;
  // Owner: walk the distinguished entries, then OwnerInit from the rightmost.
  {
    const DistinguishedRequest req = verifier->MakeDistinguished(st);
    auto resp = dir->Distinguished(req);
    CANDOR_CHECK(resp.ok());
    setup_bytes += EncodeIn(*resp, wire).size();
    auto walked = verifier->VerifyDistinguished(st, req, *resp);
    CANDOR_CHECK(walked.ok() && !walked->second.empty());
    st = walked->first;
    const OwnerInitRequest init = verifier->MakeOwnerInit(st, owner_label, walked->second.back());
    auto init_resp = dir->OwnerInit(init);
    CANDOR_CHECK(init_resp.ok());
    setup_bytes += EncodeIn(*init_resp, wire).size();
    auto next = verifier->VerifyOwnerInit(st, init, *init_resp);
    CANDOR_CHECK(next.ok());
    st = std::move(*next);
    // The owner then creates version 0 of its label (a real SubmitUpdate + Publish).
    const UpdateRequest up = verifier->MakeUpdate(st, owner_label, {Bytes(kValueSize, 0x42)});
    auto ticket = dir->SubmitUpdate(up);
    CANDOR_CHECK(ticket.ok());
    now += kEntryMs;
    CANDOR_CHECK(dir->Publish().ok());
    audit();
    auto up_resp = dir->UpdateResult(*ticket, up.last);
    CANDOR_CHECK(up_resp.ok());
    setup_bytes += EncodeIn(*up_resp, wire).size();
    auto updated = verifier->VerifyUpdate(st, up, *up_resp);
    CANDOR_CHECK(updated.ok());
    st = std::move(updated->state);
  }
  uint64_t search_bytes = 0;
  for (const Bytes& c : contacts) {
    const SearchRequest req = verifier->MakeSearch(st, c, std::nullopt);
    auto resp = dir->Search(req);
    CANDOR_CHECK(resp.ok());
    search_bytes += EncodeIn(*resp, wire).size();
    auto out = verifier->VerifySearch(st, req, *resp);
    CANDOR_CHECK(out.ok());
    st = std::move(out->state);
  }
  uint64_t owner_bytes = 0, contact_bytes = 0, owner_requests = 0, contact_requests = 0;
  uint64_t request_bytes = 0;
  std::vector<uint64_t> contact_bytes_by_hour;
  const auto t0 = SteadyClock::now();
  for (uint64_t i = 1; i <= kDay; ++i) {
    now += kEntryMs;
    CANDOR_CHECK(dir->Publish().ok());
    audit();
    if (i % rmw_entries != 0) continue;
    const OwnerMonitorRequest oreq = verifier->MakeOwnerMonitor(st, owner_label);
    request_bytes += tls::Encode(oreq).size();
    auto oresp = dir->OwnerMonitor(oreq);
    CANDOR_CHECK(oresp.ok());
    owner_bytes += EncodeIn(*oresp, wire).size();
    if (owner_requests == 0 || owner_requests == 12) {
      std::printf("  OwnerMonitor #%llu: %zu B, %s\n",
                  static_cast<unsigned long long>(owner_requests) + 1,
                  EncodeIn(*oresp, wire).size(), ProofShape(oresp->monitor).c_str());
    }
    ++owner_requests;
    auto oout = verifier->VerifyOwnerMonitor(st, oreq, *oresp);
    if (!oout.ok()) {
      (void)std::fprintf(stderr, "VerifyOwnerMonitor: %s\n", oout.error().message.c_str());
      return 1;
    }
    CANDOR_CHECK(oout->caught_up);
    st = std::move(oout->state);
    uint64_t hour = 0;
    for (const Bytes& c : contacts) {
      if (st.contacts[c].monitor.empty()) continue;
      const ContactMonitorRequest creq = verifier->MakeContactMonitor(st, c);
      request_bytes += tls::Encode(creq).size();
      auto cresp = dir->ContactMonitor(creq);
      CANDOR_CHECK(cresp.ok());
      hour += EncodeIn(*cresp, wire).size();
      ++contact_requests;
      auto next = verifier->VerifyContactMonitor(st, creq, *cresp);
      if (!next.ok()) {
        (void)std::fprintf(stderr, "VerifyContactMonitor: %s\n", next.error().message.c_str());
        return 1;
      }
      st = std::move(*next);
    }
    contact_bytes += hour;
    contact_bytes_by_hour.push_back(hour);
  }
  std::printf("simulated %llu entries (RMW %llu entries) in %.1f s, load %s\n",
              static_cast<unsigned long long>(kDay), static_cast<unsigned long long>(rmw_entries),
              SecondsSince(t0), LoadAverage().c_str());
  std::printf("| owner setup (Distinguished + OwnerInit + UpdateResponse of its v0) | %llu B |\n",
              static_cast<unsigned long long>(setup_bytes));
  std::printf("| 100 contact searches (once) | %llu B |\n",
              static_cast<unsigned long long>(search_bytes));
  std::printf("| owner monitoring, %llu OwnerMonitor responses | %llu B/day |\n",
              static_cast<unsigned long long>(owner_requests),
              static_cast<unsigned long long>(owner_bytes));
  std::printf("| contact monitoring, %llu ContactMonitor responses | %llu B/day |\n",
              static_cast<unsigned long long>(contact_requests),
              static_cast<unsigned long long>(contact_bytes));
  std::printf("| all monitoring requests (uploaded) | %llu B/day |\n",
              static_cast<unsigned long long>(request_bytes));
  std::printf("contact bytes by hour:");
  for (uint64_t h : contact_bytes_by_hour) std::printf(" %llu", static_cast<unsigned long long>(h));
  std::printf("\nclient state %zu B\n", tls::Encode(st).size());
  return 0;
}

}  // namespace candor::kt::bench
