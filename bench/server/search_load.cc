// search_load: KEYTRANS searches through candord's HTTP API (issue 11 §8: searches/s and p99
// at 1M labels). Worker threads with keep-alive connections post SearchRequests for random
// labels among the searchable stand-ins of directory_fill ("standin-<i>", i < --labels), as a
// fresh client would (no `last`: the answer carries the full proofs), as fast as they go or
// paced to --rate in all (latency then counts from each request's scheduled time, so a stall
// is not hidden). Every --verify-every-th answer is verified with the kt Verifier like a client
// would (proofs, commitments, signature); a failure is counted and reported. Prints one JSON
// line.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/kt/verifier.h"
#include "candor/net/http_client.h"
#include "common/paced_load.h"
#include "common/percentile.h"

namespace {

using namespace candor;  // NOLINT(google-build-using-namespace): a driver's main file
using bench::Percentile;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"search_load: KEYTRANS searches through candord's HTTP API"};
  std::string url_text;
  std::string trust_file;
  uint64_t labels = 10'000;
  int connections = 16;
  double seconds = 10;
  double rate = 0;
  uint64_t verify_every = 100;
  app.add_option("--url", url_text, "candord's base URL")->required();
  app.add_option("--trust", trust_file, "client-trust.json (its kt_config)")->required();
  app.add_option("--labels", labels, "search standin-0 .. standin-(N-1)")
      ->check(CLI::Range(1, 100'000'000));
  app.add_option("--connections", connections, "threads, one keep-alive connection each")
      ->check(CLI::Range(1, 1000));
  app.add_option("--seconds", seconds, "duration");
  app.add_option("--rate", rate, "searches/s in all (0: as fast as they go)");
  app.add_option("--verify-every", verify_every, "verify one answer in N")
      ->check(CLI::Range(1, 1'000'000));
  CLI11_PARSE(app, argc, argv);

  auto url = net::ParseUrl(url_text);
  auto raw_trust = ReadFile(trust_file);
  if (!url.ok() || !raw_trust.ok()) {
    std::fprintf(stderr, "search_load: bad --url or --trust\n");
    return 1;
  }
  const nlohmann::json trust = nlohmann::json::parse(AsStringView(*raw_trust), nullptr, false);
  auto config_bytes = trust.is_object() && trust.contains("kt_config")
                          ? Base64Decode(trust["kt_config"].get<std::string>())
                          : Result<Bytes>(MakeError(Errc::kMalformed, "no kt_config"));
  if (!config_bytes.ok()) {
    std::fprintf(stderr, "search_load: %s has no kt_config\n", trust_file.c_str());
    return 1;
  }
  auto config = tls::DecodeExact<kt::Configuration>(*config_bytes);
  if (!config.ok()) {
    std::fprintf(stderr, "search_load: kt_config: %s\n", config.error().ToString().c_str());
    return 1;
  }
  auto verifier = kt::Verifier::Create(*config, NowMs);
  if (!verifier.ok()) {
    std::fprintf(stderr, "search_load: %s\n", verifier.error().ToString().c_str());
    return 1;
  }
  const net::Url search_url = url->Join("v1/directory/search");

  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> verified{0};
  std::atomic<uint64_t> verify_failures{0};
  std::mutex verify_mu;
  std::string verify_error;
  const bench::LoadTotals totals = bench::RunPacedLoad(connections, seconds, rate, [&](int t) {
    auto http = std::make_shared<net::HttpClient>();
    http->set_timeout(std::chrono::seconds(10));
    http->set_max_response_bytes(1 << 20);
    auto rng = std::make_shared<std::mt19937_64>(static_cast<uint64_t>(t) + 1);
    return [&, http, rng]() -> Status {
      const std::string label = "standin-" + std::to_string((*rng)() % labels);
      const kt::ClientState fresh;
      const kt::SearchRequest request = verifier->MakeSearch(fresh, AsBytes(label), std::nullopt);
      const Bytes body = tls::Encode(request);
      CANDOR_ASSIGN_OR_RETURN(
          net::HttpResponse answer,
          http->Request("POST", search_url, std::string(body.begin(), body.end()),
                        {{"Content-Type", "application/octet-stream"}}));
      if (answer.status != 200) {
        return MakeError(Errc::kInternal, std::to_string(answer.status) + " " + answer.body);
      }
      if (sent.fetch_add(1) % verify_every != 0) return OkStatus();
      auto response =
          kt::DecodeExactIn<kt::SearchResponse>(AsBytes(answer.body), verifier->wire(), false);
      auto result = response.ok() ? verifier->VerifySearch(fresh, request, *response)
                                  : Result<kt::SearchResult>(std::move(response).error());
      if (result.ok()) {
        ++verified;
      } else {
        ++verify_failures;
        std::lock_guard<std::mutex> lock(verify_mu);
        if (verify_error.empty()) verify_error = "verify: " + result.error().ToString();
      }
      return OkStatus();
    };
  });
  const nlohmann::json out = {
      {"labels", labels},
      {"connections", connections},
      {"rate", rate},
      {"searches", totals.latency_ms.size()},
      {"searches_per_s", static_cast<double>(totals.latency_ms.size()) / totals.elapsed_s},
      {"p50_ms", Percentile(totals.latency_ms, 0.50)},
      {"p99_ms", Percentile(totals.latency_ms, 0.99)},
      {"max_ms", Percentile(totals.latency_ms, 1)},
      {"errors", totals.errors},
      {"verified", verified.load()},
      {"verify_failures", verify_failures.load()},
      {"first_error", totals.first_error.empty() ? verify_error : totals.first_error}};
  std::printf("%s\n", out.dump().c_str());
  return totals.errors == 0 && verify_failures == 0 && verified > 0 ? 0 : 1;
}
