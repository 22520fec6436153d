// Hostile and unlucky clients against the real candord and candor-witness (issue: "a hostile
// client can stop the log"): descriptor limits, idle connection holders, descriptor exhaustion
// and large responses. Each test acts as the attacker did in the report and checks that honest
// clients are still served and that nothing latches.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/client/engine.h"
#include "candor/crypto/sha256.h"
#include "candor/net/http_client.h"
#include "candor/tlog/tile.h"
#include "messaging_stack.h"
#include "raw_client.h"
#include "stack.h"

namespace candor::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// RssBytes is the resident memory of process `pid`.
uint64_t RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// CpuSeconds is the user + system time process `pid` has used.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t OpenDescriptors(pid_t pid) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

net::Url Url(uint16_t port, const std::string& path) {
  net::Url u;
  u.host = "127.0.0.1";
  u.port = port;
  u.path = path;
  return u;
}

// HonestHealthz counts how many of `n` fresh clients get an answer to GET /healthz.
int HonestHealthz(uint16_t port, int n, int* num_ok = nullptr) {
  int answered = 0;
  for (int i = 0; i < n; ++i) {
    net::HttpClient c;
    c.set_timeout(seconds(5));
    auto r = c.Get(Url(port, "/healthz"));
    if (r.ok()) ++answered;
    if (r.ok() && r->status == 200 && num_ok != nullptr) ++*num_ok;
  }
  return answered;
}

// OpenIdle opens `n` connections from `source` that never send a byte.
std::vector<std::unique_ptr<RawClient>> OpenIdle(uint16_t port, int n, const std::string& source) {
  std::vector<std::unique_ptr<RawClient>> out;
  for (int i = 0; i < n; ++i) {
    auto c = RawClient::Connect(port, source);
    if (c != nullptr) out.push_back(std::move(c));
  }
  return out;
}

// ExhaustDescriptors lowers `pid`'s descriptor limit to 40 above what it uses (the old limit
// goes to `old`) and opens 400 idle connections to `port` into `idle`, so that it runs out.
void ExhaustDescriptors(pid_t pid, uint16_t port, rlimit& old,
                        std::vector<std::unique_ptr<RawClient>>& idle) {
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &old), 0);
  const rlimit low{static_cast<rlim_t>(OpenDescriptors(pid) + 40), old.rlim_max};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0);
  idle = OpenIdle(port, 400, "127.0.0.2");
  std::this_thread::sleep_for(milliseconds(300));
}

class ServerLimitsTest : public ::testing::Test {
 protected:
  // The idle-holder test opens 12,000 sockets.
  void SetUp() override { ASSERT_GE(RaiseOwnDescriptorLimit(32768), 13000u); }
};

// candord under systemd's usual 1,024-descriptor limit, 1,100 idle connections from one host
// allowed to hold them all: the connection limit leaves descriptors for files, so appends and
// new clients are served, /healthz is truthful, and the accept loop does not spin.
TEST_F(ServerLimitsTest, IdleConnectionsUnderTheDescriptorLimit) {
  StackOptions opts;
  opts.server_nofile_limit = 1024;
  opts.server_args = {"--max-connections-per-client", "100000"};
  auto stack = Stack::Create("fdlimit", opts);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  ASSERT_TRUE(s.Append({"before"}).ok());
  auto idle = OpenIdle(s.server_port(), 1100, "127.0.0.2");
  EXPECT_EQ(idle.size(), 1100u);
  const double cpu_before = CpuSeconds(s.server_pid());
  std::this_thread::sleep_for(seconds(1));
  const double cpu = CpuSeconds(s.server_pid()) - cpu_before;
  EXPECT_LT(cpu, 0.5) << "candord burned CPU while holding idle connections";
  int ok = 0;
  EXPECT_EQ(HonestHealthz(s.server_port(), 10, &ok), 10);
  EXPECT_EQ(ok, 10);
  for (int i = 0; i < 5; ++i) {
    auto appended = s.Append({"during " + std::to_string(i)});
    EXPECT_TRUE(appended.ok()) << appended.error().message;
  }
  EXPECT_LE(OpenDescriptors(s.server_pid()), 1024u);
  idle.clear();
  auto after = s.Append({"after"});
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(s.WaitForPublished(*after + 1, seconds(30)).ok());
}

// 6,000 idle connections from one address at candord and at a witness: the address gets its
// cap, honest clients are all served, and checkpoints keep being cosigned and published.
TEST_F(ServerLimitsTest, IdleHoldersDoNotLockClientsOutOrStopPublication) {
  auto stack = Stack::Create("idle", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  ASSERT_TRUE(s.Append({"a"}).ok());
  ASSERT_TRUE(s.WaitForPublished(1, seconds(30)).ok());
  auto at_server = OpenIdle(s.server_port(), 6000, "127.0.0.2");
  auto at_witness = OpenIdle(s.witness_port(0), 6000, "127.0.0.2");
  ASSERT_GT(at_server.size(), 5000u);
  ASSERT_GT(at_witness.size(), 5000u);
  EXPECT_EQ(HonestHealthz(s.server_port(), 10), 10);
  EXPECT_EQ(HonestHealthz(s.witness_port(0), 10), 10);
  // Publication goes on: every append reaches a checkpoint cosigned by both witnesses.
  for (int i = 0; i < 8; ++i) {
    auto appended = s.Append({"b" + std::to_string(i)});
    ASSERT_TRUE(appended.ok()) << appended.error().message;
  }
  auto cp = s.WaitForPublished(9, seconds(30));
  ASSERT_TRUE(cp.ok()) << cp.error().message;
  EXPECT_EQ(cp->checkpoint.size, 9u);
}

// Descriptors run out under candord (its limit lowered while it runs): the accept loop backs off
// instead of spinning, /healthz says what is wrong, and once the connections go away appends
// work again without a restart.
TEST_F(ServerLimitsTest, DescriptorExhaustionIsTransient) {
  StackOptions opts;
  opts.server_args = {"--max-connections-per-client", "100000"};
  auto stack = Stack::Create("exhaust", opts);
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  ASSERT_TRUE(s.Append({"a"}).ok());
  ASSERT_TRUE(s.WaitForPublished(1, seconds(30)).ok());
  std::vector<std::unique_ptr<RawClient>> idle;
  const pid_t pid = s.server_pid();
  rlimit old{};
  ASSERT_NO_FATAL_FAILURE(ExhaustDescriptors(pid, s.server_port(), old, idle));
  const double cpu_before = CpuSeconds(pid);
  std::this_thread::sleep_for(seconds(2));
  const double cpu = CpuSeconds(pid) - cpu_before;
  EXPECT_LT(cpu, 0.6) << "the accept loop spins when descriptors run out";
  // /healthz tells the truth (the server frees descriptors by closing idle connections, so it
  // gets through).
  bool reported = false;
  for (int i = 0; i < 20 && !reported; ++i) {
    net::HttpClient c;
    c.set_timeout(seconds(5));
    auto r = c.Get(Url(s.server_port(), "/healthz"));
    reported = r.ok() && r->status == 503 && r->body.find("accept") != std::string::npos;
  }
  EXPECT_TRUE(reported) << "/healthz did not report the descriptor shortage";
  (void)s.Append({"during"});  // may fail (no descriptor for a tile file): that is the point
  idle.clear();
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &old, nullptr), 0);
  // Appends work again without a restart, and /healthz recovers.
  Result<uint64_t> after = MakeError(Errc::kUnavailable, "not tried");
  for (int i = 0; i < 50 && !after.ok(); ++i) {
    after = s.Append({"after"});
    if (!after.ok()) std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(s.WaitForPublished(*after + 1, seconds(30)).ok());
  int ok = 0;
  for (int i = 0; i < 30 && ok == 0; ++i) {
    HonestHealthz(s.server_port(), 1, &ok);
    if (ok == 0) std::this_thread::sleep_for(seconds(1));
  }
  EXPECT_EQ(ok, 1) << "/healthz did not recover";
}

// The same shortage under messaging: candord on SQLite runs out of descriptors while accounts
// send. What fails, fails with an error (no crash, nothing half-stored), /healthz reports it,
// and once descriptors are back every message that was acknowledged arrives, once, in order.
TEST_F(ServerLimitsTest, DescriptorExhaustionUnderMessagingLosesNothingAcknowledged) {
  auto stack = MessagingStack::Create("exhaust_msg", Backend::kSqlite,
                                      R"({"max_connections_per_client": 100000})");
  ASSERT_TRUE(stack.ok()) << stack.error().ToString();
  MessagingStack& s = **stack;
  const std::string profiles = s.dir() + "/profiles/";
  auto alice =
      client::Engine::CreateAccount({profiles + "alice", nullptr}, s.trust(), "alice", "phone");
  auto bob = client::Engine::CreateAccount({profiles + "bob", nullptr}, s.trust(), "bob", "phone");
  ASSERT_TRUE(alice.ok() && bob.ok());
  std::vector<std::string> acked;
  ASSERT_TRUE((*alice)->Send("bob", "before").ok());
  acked.push_back("before");

  std::vector<std::unique_ptr<RawClient>> idle;
  const pid_t pid = s.server_pid();
  rlimit old{};
  ASSERT_NO_FATAL_FAILURE(ExhaustDescriptors(pid, s.port(), old, idle));
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string text = "during " + std::to_string(i);
    auto sent = (*alice)->Send("bob", text);
    if (sent.ok() && sent->queued == 0) {
      acked.push_back(text);  // the server confirmed it
    } else {
      ++refused;  // refused, or kept on alice's device for her next command
    }
  }
  bool reported = false;
  for (int i = 0; i < 20 && !reported; ++i) {
    net::HttpClient c;
    c.set_timeout(seconds(5));
    auto r = c.Get(Url(s.port(), "/healthz"));
    reported = r.ok() && r->status == 503;
  }
  EXPECT_TRUE(reported) << "/healthz did not report the descriptor shortage";
  // A new device needs new connections: it may be refused now, cleanly.
  auto carol =
      client::Engine::CreateAccount({profiles + "carol", nullptr}, s.trust(), "carol", "phone");
  std::printf("a registration during the shortage: %s\n",
              carol.ok() ? "went through" : carol.error().ToString().c_str());
  idle.clear();
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &old, nullptr), 0);
  std::printf("while short of descriptors: %d of 10 sends not confirmed\n", refused);

  // Descriptors are back: the server was not restarted, and everything arrives.
  EXPECT_EQ(s.server_pid(), pid);
  bool sent_after = false;
  for (int i = 0; i < 50 && !sent_after; ++i) {
    sent_after = (*alice)->Send("bob", "after").ok();
    if (!sent_after) std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_TRUE(sent_after);
  if (!carol.ok()) {
    std::filesystem::remove_all(profiles + "carol");
    carol =
        client::Engine::CreateAccount({profiles + "carol", nullptr}, s.trust(), "carol", "phone");
    ASSERT_TRUE(carol.ok()) << carol.error().ToString();
  }
  ASSERT_TRUE((*carol)->Send("bob", "from carol").ok());
  std::vector<std::string> got;
  for (int round = 0; round < 5; ++round) {
    auto r = (*bob)->Receive();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->messages) got.push_back(m.text);
  }
  // Every confirmed message arrived once and in order; a send kept on alice's device went out
  // with a later command, so it may be there too, in its place.
  std::vector<std::string> confirmed_seen;
  for (const std::string& t : got) {
    if (std::find(acked.begin(), acked.end(), t) != acked.end()) confirmed_seen.push_back(t);
  }
  EXPECT_EQ(confirmed_seen, acked);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), got.size()) << "a duplicate";
  EXPECT_NE(std::find(got.begin(), got.end(), "after"), got.end());
  EXPECT_EQ(got.back(), "from carol");
}

// A witness that stops answering (SIGSTOP: its requests hang until they time out, 5 s) holds
// up publishing, not appending: the logs' batches never wait for a thread held by a witness
// round. Once it answers again, the newest checkpoint is published.
TEST_F(ServerLimitsTest, AStalledWitnessDelaysNoAppend) {
  auto stack = Stack::Create("stalled", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  ASSERT_TRUE(s.Append({"a"}).ok());
  ASSERT_TRUE(s.WaitForPublished(1, seconds(30)).ok());
  // The second witness: its request runs on a helper while the round's caller, done with the
  // first, waits for it (both threads held).
  const pid_t witness = s.witness_pid(1);
  ASSERT_EQ(kill(witness, SIGSTOP), 0);
  auto slowest = std::chrono::steady_clock::duration::zero();
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto appended = s.Append({"entry " + std::to_string(i)});
    slowest = std::max(slowest, std::chrono::steady_clock::now() - t0);
    ASSERT_TRUE(appended.ok()) << appended.error().message;
  }
  ASSERT_EQ(kill(witness, SIGCONT), 0);
  // Each publishing round waited 5 s for the stalled witness; no append waited for a round.
  EXPECT_LT(slowest, seconds(3));
  EXPECT_TRUE(s.WaitForPublished(21, seconds(60)).ok());
}

// A 16 MiB entry bundle requested by 50 clients that never read, then by 500 that reset at
// once: memory stays bounded (streamed in 64 KiB chunks, not copied whole) and /healthz is
// answered throughout. (Latency under downloads is measured by bench/server, not here.)
TEST_F(ServerLimitsTest, LargeResponsesAreStreamedWithBoundedMemory) {
  auto stack = Stack::Create("large", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  for (int part = 0; part < 4; ++part) {
    std::vector<std::string> entries;
    for (int i = 0; i < 64; ++i)
      entries.push_back(std::string(tlog::kMaxEntrySize, static_cast<char>('a' + part)));
    ASSERT_TRUE(s.Append(entries).ok());
  }
  ASSERT_TRUE(s.WaitForPublished(256, seconds(60)).ok());
  const std::string request =
      "GET /logs/main/tile/entries/000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  // Check that the bundle really is 16 MiB and served.
  {
    auto c = RawClient::Connect(s.server_port());
    ASSERT_NE(c, nullptr);
    c->Send(request);
    const std::string r = c->ReadResponse(seconds(30));
    EXPECT_NE(r.find("Content-Length: " + std::to_string(256 * (tlog::kMaxEntrySize + 2))),
              std::string::npos)
        << r.substr(0, 300);
  }
  const uint64_t rss_before = RssBytes(s.server_pid());
  std::vector<std::unique_ptr<RawClient>> stalled;
  for (int i = 0; i < 50; ++i) {
    auto c = RawClient::Connect(s.server_port(), "127.0.0.3");
    ASSERT_NE(c, nullptr);
    c->SetReceiveBuffer(4096);
    c->Send(request);
    stalled.push_back(std::move(c));
  }
  std::this_thread::sleep_for(seconds(2));
  const uint64_t rss_stalled = RssBytes(s.server_pid());
  EXPECT_EQ(HonestHealthz(s.server_port(), 5), 5);
  // 50 x 16 MiB copied would be 800 MiB; streaming needs 64 KiB per connection.
  EXPECT_LT(rss_stalled, rss_before + (64u << 20))
      << "RSS " << (rss_before >> 20) << " MiB -> " << (rss_stalled >> 20) << " MiB";
  stalled.clear();
  // 500 requests, then a reset of every connection at once.
  std::vector<std::unique_ptr<RawClient>> burst;
  for (int i = 0; i < 500; ++i) {
    auto c = RawClient::Connect(s.server_port(), "127.0.0.4");
    if (c == nullptr) continue;
    c->Send(request);
    burst.push_back(std::move(c));
  }
  for (auto& c : burst) {
    const linger reset{1, 0};
    setsockopt(c->fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  }
  burst.clear();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(HonestHealthz(s.server_port(), 1), 1);
  const auto waited =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf(
      "[limits] RSS %llu MiB before, %llu MiB with 50 stalled 16 MiB downloads; "
      "/healthz after 500 resets answered in %lld ms\n",
      static_cast<unsigned long long>(rss_before >> 20),
      static_cast<unsigned long long>(rss_stalled >> 20), static_cast<long long>(waited.count()));
}

}  // namespace
}  // namespace candor::testing
