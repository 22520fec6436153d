// first_message: time to the first message to a new contact, through candord on loopback, with
// the real client engine, with --devices (1 or 2) devices a side. For each of --pairs fresh
// pairs of accounts (made, and their second devices linked, beforehand, not measured) it
// times, one pair at a time:
//   contact  alice's verified lookup of bob (KEYTRANS search, proofs, the cosigned head)
//   send     alice's first Send to bob (KeyPackage claim and check, group creation, commit with
//            Welcome, the message; every answer verified, every state change fsynced)
//   receive  Receive on each of bob's devices until all of them read the message (Welcome,
//            member checks, decryption)
// and prints p50/p99/max of each stage and of their sum as one JSON line. With --sustained N,
// the first pair then goes on: alice sends N messages back to back (each confirmed by the
// server) and bob's device(s) read them all; it adds the sustained rates of both sides.
// The second Receive waits for the first here: on one machine the engines share the cores.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
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
  size_t devices = 1;
  app.add_option("--devices", devices, "devices per account")->check(CLI::Range(1, 2));
  size_t sustained = 0;
  app.add_option("--sustained", sustained, "messages alice sends back to back after the first");
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
  // The second device of each account, linked by the first (FinishLink and JoinByLink meet
  // through the server's link mailbox).
  std::vector<std::unique_ptr<Engine>> seconds;  // a0's, b0's, a1's, b1's, ...
  for (size_t i = 0; i < pairs && devices == 2; ++i) {
    for (Engine* first : {alices[i].get(), bobs[i].get()}) {
      auto code = first->StartLink();
      if (!code.ok()) return Fail("link code", code.error());
      candor::Result<std::string> linked = candor::MakeError(candor::Errc::kInternal, "not run");
      std::thread existing(
          [&] { linked = first->FinishLink(*code, std::chrono::seconds(30), nullptr); });
      auto second = Engine::JoinByLink(
          {work + "/" + first->handle() + "-d2", nullptr, &pool, candor::SystemClock()}, *trust,
          *code, "d2", std::chrono::seconds(30));
      existing.join();
      if (!linked.ok()) return Fail("link of " + first->handle(), linked.error());
      if (!second.ok()) return Fail("join of " + first->handle(), second.error());
      seconds.push_back(std::move(*second));
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
    std::vector<Engine*> readers = {&bob};
    if (devices == 2) readers.push_back(seconds[2 * i + 1].get());
    for (Engine* reader : readers) {
      bool got = false;
      for (int tries = 0; tries < 100 && !got; ++tries) {
        auto r = reader->Receive();
        if (!r.ok()) return Fail("receive", r.error());
        for (const auto& m : r->messages) got = got || m.text == "hello";
      }
      if (!got) return Fail("receive", candor::MakeError(candor::Errc::kNotFound, "no message"));
    }
    const auto t3 = Clock::now();
    contact.push_back(Ms(t0, t1));
    send.push_back(Ms(t1, t2));
    receive.push_back(Ms(t2, t3));
    total.push_back(Ms(t0, t3));
  }
  nlohmann::json rates;
  if (sustained > 0) {
    Engine& alice = *alices[0];
    std::vector<Engine*> readers = {bobs[0].get()};
    if (devices == 2) readers.push_back(seconds[1].get());
    const auto t0 = Clock::now();
    for (size_t n = 0; n < sustained; ++n) {
      auto sent = alice.Send(bobs[0]->handle(), "m" + std::to_string(n));
      if (!sent.ok()) return Fail("sustained send", sent.error());
    }
    const auto t1 = Clock::now();
    for (Engine* reader : readers) {
      size_t got = 0;
      for (int tries = 0; tries < 1000 && got < sustained; ++tries) {
        auto r = reader->Receive();
        if (!r.ok()) return Fail("sustained receive", r.error());
        got += r->messages.size();
      }
      if (got != sustained) {
        return Fail("sustained receive", candor::MakeError(candor::Errc::kNotFound, "missing"));
      }
    }
    const auto t2 = Clock::now();
    const auto per_s = [&](Clock::time_point a, Clock::time_point b) {
      return static_cast<double>(sustained) * 1000.0 / Ms(a, b);
    };
    rates = {{"messages", sustained},
             {"send_per_s", per_s(t0, t1)},
             {"reads_per_s", per_s(t1, t2) * static_cast<double>(readers.size())}};
  }
  nlohmann::json out = {{"pairs", pairs},
                        {"devices_per_side", devices},
                        {"contact", Summary(contact)},
                        {"send", Summary(send)},
                        {"receive", Summary(receive)},
                        {"first_message_read", Summary(total)}};
  if (sustained > 0) out["sustained"] = rates;
  (void)std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
