// keypackage_load: KeyPackage claims per second through candord's HTTP API (issue 11 §8: >=
// 10,000/s), beside a named bound measured in the same run: an authenticated request that
// reads at most one row (`GET v1/queue?after=0&limit=1`, the caller's empty queue), and the
// caller's own KeyPackage count (which reads its whole stock).
//
// Set-up (not measured): --accounts accounts of one device each, made with the real client
// engine (which uploads 20 KeyPackages and a last-resort one), then each device's stock is
// topped up to --stock with KeyPackages made here with the device's MLS key from its profile
// (their private keys are dropped: nobody joins a group with them) and uploaded 100 at a time,
// through the same checks as any upload.
//
// Load: --connections threads with keep-alive connections, as fast as they go for --seconds,
// then paced at half of the claim peak. A claim names a random account and is sent with
// another account's session token, as a device that starts a conversation does. Every claimed
// KeyPackage is checked to be handed out only once (its KeyPackageRef is new), and every
// --verify-every-th one is verified as the client does (RFC 9420 §10.1 checks, the credential
// names the claimed account, the leaf is signed by that device's MLS key). Last-resort answers
// (the stock ran out) are counted apart. Prints one JSON line per phase.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/client/trust.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"
#include "candor/net/http_client.h"
#include "common/paced_load.h"
#include "common/percentile.h"
#include "engine_accounts.h"

namespace {

using namespace candor;  // NOLINT(google-build-using-namespace): a driver's main file
using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;

// Candor devices' MLS cipher suite (what the engine makes its keys for).
constexpr mls::CipherSuite kSuite = mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
constexpr size_t kUploadBatch = 100;  // the server's limit per upload

struct Account {
  std::string handle;
  std::string token;
  Bytes mls_public_key;
};

double SecondsSince(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

// Call sends an authenticated request and returns its JSON answer (non-200: an error).
Result<Json> Call(net::HttpClient& http, const std::string& method, const net::Url& url,
                  const std::string& token, const std::string& body) {
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      http.Request(method, url, body,
                   {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}}));
  if (r.status != 200) {
    return MakeError(Errc::kInternal, method + " " + url.path + ": " + std::to_string(r.status) +
                                          " " + r.body.substr(0, 200));
  }
  Json j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return MakeError(Errc::kMalformed, url.path + ": not JSON");
  return j;
}

// TopUp reads `a`'s token and MLS key from its profile and uploads KeyPackages until the
// server holds `stock` ordinary ones for it.
Status TopUp(const std::string& profile, const net::Url& server, size_t stock, Account& a) {
  CANDOR_ASSIGN_OR_RETURN(a.token, bench::ReadSessionToken(profile));
  CANDOR_ASSIGN_OR_RETURN(const mls::CipherSuiteParams* cs, mls::GetCipherSuiteParams(kSuite));
  CANDOR_ASSIGN_OR_RETURN(crypto::SignaturePrivateKey key,
                          bench::ReadMlsKey(profile, cs->signature));
  a.mls_public_key = key.public_key();
  CANDOR_ASSIGN_OR_RETURN(Bytes identity, mls::EncodeCandorIdentity({a.handle, "d"}));
  net::HttpClient http;
  CANDOR_ASSIGN_OR_RETURN(Json count,
                          Call(http, "GET", server.Join("v1/keypackages/count"), a.token, ""));
  size_t have = count.value("available", size_t{0});
  const auto now_s = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  const mls::Lifetime life{now_s - 3600, now_s + 7 * 24 * 3600};
  while (have < stock) {
    Json upload = {{"key_packages", Json::array()}};
    for (size_t i = 0; i < kUploadBatch && have + i < stock; ++i) {
      mls::Credential credential;
      credential.identity = identity;
      CANDOR_ASSIGN_OR_RETURN(mls::KeyPackageWithKeys kp,
                              mls::CreateKeyPackage(*cs, key, credential, life));
      mls::MLSMessage msg;
      msg.message = kp.key_package;
      upload["key_packages"].push_back(Base64Encode(tls::Encode(msg)));
    }
    CANDOR_ASSIGN_OR_RETURN(
        Json after, Call(http, "POST", server.Join("v1/keypackages"), a.token, upload.dump()));
    const size_t now_have = after.value("available", size_t{0});
    if (now_have <= have) return MakeError(Errc::kInternal, "an upload added nothing");
    have = now_have;
  }
  return OkStatus();
}

// CheckClaimed verifies a claimed KeyPackage as the client does before it uses it.
Status CheckClaimed(const mls::CipherSuiteParams& cs, const Bytes& wire, const Account& owner,
                    uint64_t now_s) {
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage msg, tls::DecodeExact<mls::MLSMessage>(wire));
  const auto* kp = std::get_if<mls::KeyPackage>(&msg.message);
  if (kp == nullptr) return MakeError(Errc::kMalformed, "a claim is not a KeyPackage");
  CANDOR_TRY(mls::ValidateKeyPackage(cs, *kp, now_s));
  CANDOR_ASSIGN_OR_RETURN(mls::CandorIdentity id,
                          mls::DecodeCandorIdentity(kp->leaf_node.credential.identity));
  if (id.handle != owner.handle || kp->leaf_node.signature_key != owner.mls_public_key) {
    return MakeError(Errc::kVerifyFailed, "a claimed KeyPackage is not the claimed device's");
  }
  return OkStatus();
}

struct ClaimCounts {
  std::atomic<uint64_t> ordinary{0};
  std::atomic<uint64_t> last_resort{0};
  std::atomic<uint64_t> verified{0};
  std::atomic<uint64_t> handed_out_twice{0};
  std::mutex mu;
  std::set<Bytes> refs;  // every ordinary KeyPackageRef handed out
};

Json PhaseLine(const std::string& phase, double rate, const bench::LoadTotals& t) {
  return {{"phase", phase},
          {"rate", rate},
          {"requests", t.latency_ms.size()},
          {"requests_per_s", static_cast<double>(t.latency_ms.size()) / t.elapsed_s},
          {"p50_ms", bench::Percentile(t.latency_ms, 0.50)},
          {"p99_ms", bench::Percentile(t.latency_ms, 0.99)},
          {"max_ms", bench::Percentile(t.latency_ms, 1)},
          {"errors", t.errors},
          {"first_error", t.first_error}};
}

int Run(int argc, char** argv) {
  CLI::App app{"keypackage_load: KeyPackage claims per second through candord's HTTP API"};
  std::string trust_file;
  std::string work;
  size_t accounts = 200;
  size_t stock = 1000;
  int connections = 16;
  double seconds = 10;
  uint64_t verify_every = 100;
  int setup_threads = 8;
  app.add_option("--trust", trust_file, "client-trust.json of the server")->required();
  app.add_option("--work", work, "a folder for the accounts' profiles")->required();
  app.add_option("--accounts", accounts, "accounts of one device each")
      ->check(CLI::Range(2, 100'000));
  app.add_option("--stock", stock, "KeyPackages per device before the load")
      ->check(CLI::Range(20, 1000));
  app.add_option("--connections", connections, "load threads, one connection each")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seconds", seconds, "duration of each phase");
  app.add_option("--verify-every", verify_every, "verify one claimed KeyPackage in N")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--setup-threads", setup_threads, "threads making accounts")
      ->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  auto raw = ReadFile(trust_file);
  auto trust = raw.ok() ? client::ParseClientTrust(AsStringView(*raw))
                        : Result<client::ClientTrust>(raw.error());
  auto cs = mls::GetCipherSuiteParams(kSuite);
  if (!trust.ok() || !cs.ok()) {
    (void)std::fprintf(stderr, "keypackage_load: bad --trust %s\n", trust_file.c_str());
    return 1;
  }
  const net::Url server = trust->server;

  auto t0 = Steady::now();
  auto handles = bench::CreateEngineAccounts(*trust, work, "kp", accounts, setup_threads);
  if (!handles.ok()) {
    (void)std::fprintf(stderr, "keypackage_load: %s\n", handles.error().message.c_str());
    return 1;
  }
  const double create_s = SecondsSince(t0);
  std::vector<Account> all(accounts);
  t0 = Steady::now();
  Status topped = bench::RunOnThreads(accounts, 2, [&](size_t i) {
    all[i].handle = (*handles)[i];
    return TopUp(work + "/" + all[i].handle, server, stock, all[i]);
  });
  if (!topped.ok()) {
    (void)std::fprintf(stderr, "keypackage_load: stock: %s\n", topped.error().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", Json({{"phase", "set-up"},
                            {"accounts", accounts},
                            {"accounts_s", create_s},
                            {"stock_per_device", stock},
                            {"stock_s", SecondsSince(t0)}})
                          .dump()
                          .c_str());
  (void)std::fflush(stdout);

  // Authenticated requests that write nothing, with the caller's own token: the bound reads
  // at most one row (the caller's empty queue); the count reads the caller's whole stock.
  auto run_reads = [&](const std::string& phase, const net::Url& url) {
    const bench::LoadTotals t = bench::RunPacedLoad(connections, seconds, 0, [&](int c) {
      auto http = std::make_shared<net::HttpClient>();
      auto next = std::make_shared<size_t>(static_cast<size_t>(c));
      return [&, http, next]() -> Status {
        const Account& me = all[(*next)++ % all.size()];
        CANDOR_TRY(Call(*http, "GET", url, me.token, ""));
        return OkStatus();
      };
    });
    std::printf("%s\n", PhaseLine(phase, 0, t).dump().c_str());
    (void)std::fflush(stdout);
    return t;
  };
  const bench::LoadTotals bound =
      run_reads("queue, one row (bound)", server.Join("v1/queue?after=0&limit=1"));
  const bench::LoadTotals count = run_reads("count", server.Join("v1/keypackages/count"));

  const net::Url claim_url = server.Join("v1/keypackages/claim");
  ClaimCounts counts;
  std::string verify_error;
  const uint64_t now_s =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  auto claims = [&](int t) -> bench::Request {
    auto http = std::make_shared<net::HttpClient>();
    auto rng = std::make_shared<std::mt19937_64>(static_cast<uint64_t>(t) + 7);
    return [&, http, rng]() -> Status {
      const size_t owner = (*rng)() % all.size();
      const size_t caller = (owner + 1 + (*rng)() % (all.size() - 1)) % all.size();
      CANDOR_ASSIGN_OR_RETURN(Json answer, Call(*http, "POST", claim_url, all[caller].token,
                                                Json({{"handle", all[owner].handle}}).dump()));
      const Json& kps = answer["key_packages"];
      if (!kps.is_array() || kps.size() != 1) {
        return MakeError(Errc::kInternal, "a claim answered " + answer.dump().substr(0, 200));
      }
      if (kps[0].value("last_resort", false)) {
        ++counts.last_resort;
        return OkStatus();
      }
      CANDOR_ASSIGN_OR_RETURN(Bytes wire, Base64Decode(kps[0].value("key_package", "")));
      CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage msg, tls::DecodeExact<mls::MLSMessage>(wire));
      const auto* kp = std::get_if<mls::KeyPackage>(&msg.message);
      if (kp == nullptr) return MakeError(Errc::kMalformed, "a claim is not a KeyPackage");
      const Bytes ref = mls::MakeKeyPackageRef(**cs, *kp);
      {
        std::lock_guard<std::mutex> lock(counts.mu);
        if (!counts.refs.insert(ref).second) ++counts.handed_out_twice;
      }
      if (counts.ordinary++ % verify_every == 0) {
        Status st = CheckClaimed(**cs, wire, all[owner], now_s);
        if (!st.ok()) return st;
        ++counts.verified;
      }
      return OkStatus();
    };
  };
  // RunClaims runs one claim phase and prints it; the KeyPackages it handed out are counted
  // apart from the earlier phases' (the twice-handed-out check spans every phase).
  auto run_claims = [&](const std::string& phase, double rate) {
    const uint64_t ordinary_before = counts.ordinary.load();
    const uint64_t last_resort_before = counts.last_resort.load();
    bench::LoadTotals t = bench::RunPacedLoad(connections, seconds, rate, claims);
    const uint64_t ordinary = counts.ordinary.load() - ordinary_before;
    Json line = PhaseLine(phase, rate, t);
    line["ordinary_claimed"] = ordinary;
    line["ordinary_claimed_per_s"] = static_cast<double>(ordinary) / t.elapsed_s;
    line["last_resort_claimed"] = counts.last_resort.load() - last_resort_before;
    line["verified_so_far"] = counts.verified.load();
    line["handed_out_twice_so_far"] = counts.handed_out_twice.load();
    std::printf("%s\n", line.dump().c_str());
    (void)std::fflush(stdout);
    return t;
  };
  const bench::LoadTotals peak = run_claims("claim", 0);
  const double half = static_cast<double>(peak.latency_ms.size()) / peak.elapsed_s / 2;
  const bench::LoadTotals paced = run_claims("claim at half the peak", half);
  const bool ok = bound.errors == 0 && count.errors == 0 && peak.errors == 0 && paced.errors == 0 &&
                  counts.handed_out_twice == 0 && counts.verified > 0;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
