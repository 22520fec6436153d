// first_message: time to the first message to a new contact, through candord on loopback, with
// the real client engine (one device a side). For each of --pairs fresh pairs of accounts (made
// beforehand, not measured) it times, one pair at a time:
//   contact  alice's verified lookup of bob (KEYTRANS search, proofs, the cosigned head)
//   send     alice's first Send to bob (KeyPackage claim and check, group creation, commit with
//            Welcome, the message; every answer verified, every state change fsynced)
//   receive  bob's Receive until the message is read (Welcome, member checks, decryption)
// and prints p50/p99/max of each stage and of their sum as one JSON line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "candor/base/file.h"
#include "candor/client/engine.h"
#include "candor/net/worker_pool.h"

namespace {

using Clock = std::chrono::steady_clock;
using candor::client::Engine;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

nlohmann::json Summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&v](double p) {
    return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
  };
  return {{"p50_ms", at(0.5)}, {"p99_ms", at(0.99)}, {"max_ms", v.back()}};
}

int Fail(const std::string& what, const candor::Error& e) {
  (void)std::fprintf(stderr, "first_message: %s: %s\n", what.c_str(), e.ToString().c_str());
  return 1;
}

int Run(int argc, char** argv) {
  CLI::App app{"first_message: time to the first message to a new contact"};
  std::string trust_file, work;
  size_t pairs = 50;
  app.add_option("--trust", trust_file, "candord's client-trust.json")->required();
  app.add_option("--work", work, "folder for the profiles")->required();
  app.add_option("--pairs", pairs, "pairs of new accounts");
  CLI11_PARSE(app, argc, argv);
  if (pairs == 0) return 1;
  auto raw = candor::ReadFile(trust_file);
  if (!raw.ok()) return Fail("trust file", raw.error());
  auto trust = candor::client::ParseClientTrust(candor::AsStringView(*raw));
  if (!trust.ok()) return Fail("trust file", trust.error());

  candor::net::WorkerPool pool(2);  // the engines' executor, as the CLI lends it
  std::vector<std::unique_ptr<Engine>> alices, bobs;
  for (size_t i = 0; i < pairs; ++i) {
    for (auto* side : {&alices, &bobs}) {
      const std::string handle = (side == &alices ? "a" : "b") + std::to_string(i);
      auto e = Engine::CreateAccount({work + "/" + handle, nullptr, &pool, candor::SystemClock()},
                                     *trust, handle, "d1");
      if (!e.ok()) return Fail("set-up of " + handle, e.error());
      side->push_back(std::move(*e));
    }
  }
  std::vector<double> contact, send, receive, total;
  for (size_t i = 0; i < pairs; ++i) {
    Engine& alice = *alices[i];
    Engine& bob = *bobs[i];
    const auto t0 = Clock::now();
    auto added = alice.AddContact(bob.handle());
    if (!added.ok()) return Fail("contact", added.error());
    const auto t1 = Clock::now();
    auto sent = alice.Send(bob.handle(), "hello");
    if (!sent.ok()) return Fail("send", sent.error());
    if (sent->queued != 0) {
      return Fail("send", candor::MakeError(candor::Errc::kUnavailable, "not confirmed"));
    }
    const auto t2 = Clock::now();
    bool got = false;
    for (int tries = 0; tries < 100 && !got; ++tries) {
      auto r = bob.Receive();
      if (!r.ok()) return Fail("receive", r.error());
      for (const auto& m : r->messages) got = got || m.text == "hello";
    }
    if (!got) return Fail("receive", candor::MakeError(candor::Errc::kNotFound, "no message"));
    const auto t3 = Clock::now();
    contact.push_back(Ms(t0, t1));
    send.push_back(Ms(t1, t2));
    receive.push_back(Ms(t2, t3));
    total.push_back(Ms(t0, t3));
  }
  const nlohmann::json out = {{"pairs", pairs},
                              {"devices_per_side", 1},
                              {"contact", Summary(contact)},
                              {"send", Summary(send)},
                              {"receive", Summary(receive)},
                              {"first_message_read", Summary(total)}};
  (void)std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
