// Scale-out with real processes (issue 13 §2, `ctest -L scale`): two sequencer candidates and
// three front nodes, each its own candord, over one PostgreSQL database of the throw-away
// cluster, with the two witnesses of messaging_stack.h; clients are the real engine, each
// talking to one node.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <deque>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/client/engine.h"
#include "candor/kt/messages.h"
#include "candor/net/http_client.h"
#include "candor/net/worker_pool.h"
#include "candor/store/lease_store.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile.h"
#include "group_checks.h"
#include "lossy_proxy.h"
#include "messaging_stack.h"

namespace candor::testing {
namespace {

using Json = nlohmann::json;
using client::Engine;

// FreePort returns a loopback port that nothing listens on now (a sequencer must know its URL
// before it binds: it advertises it in the lease while on standby).
uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

struct Node {
  std::string name;
  std::string dir;
  uint16_t port = 0;
  std::optional<ChildProcess> process;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MessagingStackOptions options;
    options.start_server = false;
    auto s = MessagingStack::Create(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), Backend::kPostgres,
        R"({"directory": {"publish_interval_ms": 100, "accounts_per_minute_per_address": 100000}})",
        options);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
  }
  void TearDown() override {
    for (Node& n : nodes_) {
      if (n.process) n.process->Signal(SIGKILL);
    }
  }

  // AddNode makes a node from a copy of the server's folder (the same keys and database).
  Node& AddNode(const std::string& name, const std::string& role) {
    Node n;
    n.name = name;
    n.dir = stack_->dir() + "/nodes/" + name;
    n.port = FreePort();
    std::filesystem::create_directories(stack_->dir() + "/nodes");
    std::filesystem::copy(stack_->server_dir(), n.dir, std::filesystem::copy_options::recursive);
    auto raw = ReadFile(n.dir + "/candord.json");
    EXPECT_TRUE(raw.ok());
    Json c = Json::parse(AsStringView(*raw));
    c["listen"] = "127.0.0.1:" + std::to_string(n.port);
    c["cluster"] = {{"role", role},
                    {"advertise_url", n.url()},
                    {"lease_ms", 1500},
                    {"follow_interval_ms", 100}};
    c.merge_patch(config_patch_);
    EXPECT_TRUE(WriteFileDurable(n.dir + "/candord.json", AsBytes(c.dump(2))).ok());
    nodes_.push_back(std::move(n));
    return nodes_.back();
  }

  void Start(Node& n) {
    auto p = ChildProcess::Start({CANDORD_PATH, "serve", "--dir", n.dir}, n.dir + ".log");
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    n.process.emplace(std::move(*p));
  }
  void Kill(Node& n) {
    n.process->Signal(SIGKILL);
    n.process->Wait();
    n.process.reset();
  }
  static bool Healthy(const Node& n) {
    net::HttpClient http;
    http.set_timeout(std::chrono::seconds(2));
    auto r = http.Get(*net::ParseUrl(n.url() + "healthz"));
    return r.ok() && r->status == 200;
  }
  void WaitHealthy(const Node& n) {
    for (int i = 0; i < 300 && !Healthy(n); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(Healthy(n)) << n.name << " does not answer; see " << n.dir << ".log";
  }

  // WarmTakeover reads the sizes of the directory before and after a standby's takeover from
  // the last such line of its log.
  static std::optional<std::pair<uint64_t, uint64_t>> WarmTakeover(const Node& n) {
    auto raw = ReadFile(n.dir + ".log");
    if (!raw.ok()) return std::nullopt;
    const std::string text(AsStringView(*raw));
    const std::string marker = "the warm directory went from size ";
    const size_t at = text.rfind(marker);
    if (at == std::string::npos) return std::nullopt;
    std::istringstream in(text.substr(at + marker.size()));
    uint64_t from = 0;
    uint64_t to = 0;
    std::string word;
    in >> from >> word >> to;
    if (!in || word != "to") return std::nullopt;
    return std::make_pair(from, to);
  }

  // StartCluster adds and starts `sequencers` candidates ("seq-a", "seq-b", ...; the first
  // takes the lease, the others wait on standby) and `fronts` front nodes ("front-1", ...),
  // and returns once the first sequencer and every front node serve. Sequencers come first.
  std::vector<Node*> StartCluster(size_t sequencers, size_t fronts) {
    std::vector<Node*> out;
    for (size_t i = 0; i < sequencers; ++i) {
      out.push_back(&AddNode(std::string("seq-") + static_cast<char>('a' + i), "sequencer"));
    }
    for (size_t i = 0; i < fronts; ++i) {
      out.push_back(&AddNode("front-" + std::to_string(i + 1), "front"));
    }
    Start(*out[0]);
    WaitHealthy(*out[0]);
    for (size_t i = 1; i < out.size(); ++i) Start(*out[i]);
    for (size_t i = sequencers; i < out.size(); ++i) WaitHealthy(*out[i]);
    return out;
  }

  // Sequencer is the node that holds the lease now (the database says).
  Result<std::string> SequencerUrl() {
    CANDOR_ASSIGN_OR_RETURN(auto db, store::OpenDatabase(stack_->database()));
    CANDOR_ASSIGN_OR_RETURN(auto leases, store::LeaseStore::Open(*db));
    CANDOR_ASSIGN_OR_RETURN(store::Lease lease, leases->Current());
    return lease.holder.substr(0, lease.holder.find(' '));
  }
  Result<uint64_t> Term() {
    CANDOR_ASSIGN_OR_RETURN(auto db, store::OpenDatabase(stack_->database()));
    CANDOR_ASSIGN_OR_RETURN(auto leases, store::LeaseStore::Open(*db));
    CANDOR_ASSIGN_OR_RETURN(store::Lease lease, leases->Current());
    return lease.term;
  }

  client::ClientTrust TrustOf(const Node& n) {
    auto raw = ReadFile(n.dir + "/client-trust.json");
    EXPECT_TRUE(raw.ok());
    auto t = client::ParseClientTrust(AsStringView(*raw));
    EXPECT_TRUE(t.ok());
    return *t;
  }
  Engine::Options Profile(const std::string& who) const {
    return {stack_->dir() + "/profiles/" + who, nullptr, &pool_, SystemClock()};
  }
  std::unique_ptr<Engine> Account(const Node& n, const std::string& handle) {
    auto e = Engine::CreateAccount(Profile(handle), TrustOf(n), handle, "phone");
    EXPECT_TRUE(e.ok()) << handle << " on " << n.name << ": " << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }
  // AddContact retries while the node has not yet followed the sequencer to the handle's
  // entry (a front node reads new entries every follow_interval_ms).
  static Status AddContact(Engine& e, const std::string& handle) {
    for (int i = 0;; ++i) {
      auto c = e.AddContact(handle);
      if (c.ok() || c.error().code != Errc::kNotFound || i == 50) {
        return c.ok() ? OkStatus() : Status(c.error());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  static std::vector<std::string> Receive(Engine& e) {
    std::vector<std::string> out;
    auto r = e.Receive();
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    if (r.ok()) {
      for (const auto& m : r->messages) out.push_back(m.text);
    }
    return out;
  }

  Json config_patch_ = Json::object();  // merged into every node's candord.json by AddNode
  mutable net::WorkerPool pool_{2};     // the engines' executor; outlives every engine
  std::unique_ptr<MessagingStack> stack_;
  std::deque<Node> nodes_;  // stable addresses
};

TEST_F(ClusterTest, ClientsOnThreeFrontNodesTalkThroughOneSequencer) {
  const std::vector<Node*> nodes = StartCluster(2, 3);
  Node& seq_a = *nodes[0];
  Node& seq_b = *nodes[1];
  Node& f1 = *nodes[2];
  Node& f2 = *nodes[3];
  Node& f3 = *nodes[4];
  EXPECT_FALSE(Healthy(seq_b));  // on standby: it does not serve until it holds the lease
  auto holder = SequencerUrl();
  ASSERT_TRUE(holder.ok()) << holder.error().ToString();
  EXPECT_EQ(*holder, seq_a.url());

  // Accounts made through three front nodes: the updates go to the sequencer.
  auto alice = Account(f1, "alice");
  auto bob = Account(f2, "bob");
  auto carol = Account(f3, "carol");
  ASSERT_TRUE(alice && bob && carol);
  ASSERT_TRUE(AddContact(*alice, "bob").ok());
  ASSERT_TRUE(AddContact(*alice, "carol").ok());
  ASSERT_TRUE(AddContact(*bob, "alice").ok());
  ASSERT_TRUE(AddContact(*carol, "alice").ok());

  // One to one across nodes: every message once, in order.
  std::vector<std::string> sent;
  for (int i = 0; i < 10; ++i) {
    sent.push_back("a->b " + std::to_string(i));
    ASSERT_TRUE(alice->Send("bob", sent.back()).ok());
  }
  EXPECT_EQ(Receive(*bob), sent);
  EXPECT_TRUE(Receive(*bob).empty());
  ASSERT_TRUE(bob->Send("alice", "b->a").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"b->a"});

  // A group whose members sit on three nodes.
  ASSERT_TRUE(alice->CreateGroup("trio", {"bob", "carol"}).ok());
  ASSERT_TRUE(alice->Send("trio", "hello trio").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"hello trio"});
  EXPECT_EQ(Receive(*carol), std::vector<std::string>{"hello trio"});
  ASSERT_TRUE(carol->Send("trio", "carol here").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"carol here"});
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"carol here"});

  // Every front node serves the heads log the sequencer wrote: the same cosigned checkpoint.
  net::HttpClient http;
  auto from_a = http.Get(*net::ParseUrl(seq_a.url() + "logs/kt-heads/checkpoint"));
  ASSERT_TRUE(from_a.ok() && from_a->status == 200);
  for (Node* f : {&f1, &f2, &f3}) {
    auto got = http.Get(*net::ParseUrl(f->url() + "logs/kt-heads/checkpoint"));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->status, 200) << f->name;
  }
}

// Two commits for one epoch through two nodes at once: the database takes exactly one; the
// loser processes the winner and commits again, and every member ends in one agreed epoch.
// The directory's rate limits hold for the whole cluster, not per node: the sequencer applies
// them to the updates of every front node, per client address (the front node names it).
TEST_F(ClusterTest, NewAccountsAreLimitedPerAddressAcrossFrontNodes) {
  config_patch_ = {{"directory", {{"accounts_per_minute_per_address", 0.5}}}};  // burst 20
  const std::vector<Node*> nodes = StartCluster(1, 2);
  int made = 0;
  int limited = 0;
  for (int i = 0; i < 30 && limited < 3; ++i) {
    const Node& via = *nodes[i % 2 == 0 ? 1 : 2];
    const std::string handle = "r" + std::to_string(i);
    auto e = Engine::CreateAccount(Profile(handle), TrustOf(via), handle, "phone");
    if (e.ok()) {
      ++made;
    } else {
      ASSERT_EQ(e.error().code, Errc::kRateLimited) << e.error().ToString();
      ++limited;
    }
  }
  EXPECT_EQ(made, 20);  // per node, each front would have taken 20
  EXPECT_EQ(limited, 3);
  net::HttpClient http;
  auto metrics = http.Get(*net::ParseUrl(nodes[0]->url() + "metrics"));
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("candor_kt_rate_limited_total 3\n"), std::string::npos);

  // An update with the cluster token must name the client's address; without the token the
  // header is not believed (the limit still counts this test's own address: refused).
  auto token = ReadFile(nodes[0]->dir + "/keys/cluster.token");
  ASSERT_TRUE(token.ok());
  std::string bearer(AsStringView(*token));
  while (!bearer.empty() && bearer.back() == '\n') bearer.pop_back();
  auto bytes = [](std::string_view text) {
    const ByteView view = AsBytes(text);
    return Bytes(view.begin(), view.end());
  };
  const kt::UpdateRequest fresh{
      std::nullopt, bytes("nobody-yet"), std::nullopt, {kt::LabelValue{bytes("v")}}};
  const Bytes body = tls::Encode(fresh);
  const net::Url update = *net::ParseUrl(nodes[0]->url() + "v1/directory/update");
  auto unnamed = http.Request(
      "POST", update, std::string(body.begin(), body.end()),
      {{"Content-Type", "application/octet-stream"}, {"Authorization", "Bearer " + bearer}});
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->status, 400) << unnamed->body;
  auto spoofed = http.Request(
      "POST", update, std::string(body.begin(), body.end()),
      {{"Content-Type", "application/octet-stream"}, {"Candor-Client-Address", "10.9.8.7"}});
  ASSERT_TRUE(spoofed.ok());
  EXPECT_EQ(spoofed->status, 429) << spoofed->body;
}

TEST_F(ClusterTest, ConcurrentCommitsThroughTwoNodesHaveOneWinner) {
  const std::vector<Node*> nodes = StartCluster(1, 3);
  Node& f1 = *nodes[1];
  Node& f2 = *nodes[2];
  Node& f3 = *nodes[3];
  auto alice = Account(f1, "alice");
  auto bob = Account(f2, "bob");
  auto carol = Account(f3, "carol");
  auto dave = Account(f3, "dave");
  ASSERT_TRUE(alice && bob && carol && dave);
  for (const char* h : {"bob", "carol", "dave"}) ASSERT_TRUE(AddContact(*alice, h).ok()) << h;
  for (const char* h : {"alice", "carol", "dave"}) ASSERT_TRUE(AddContact(*bob, h).ok()) << h;
  ASSERT_TRUE(alice->CreateGroup("team", {"bob", "carol"}).ok());
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(*carol).empty());

  AddAndRemoveAtOnce(*alice, *bob, "team", "dave", "carol");  // through front-1 and front-2
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(Receive(*alice).empty());
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(*dave).empty());
  ExpectOneAgreedGroup({alice.get(), bob.get(), dave.get()},
                       {"alice/phone", "bob/phone", "dave/phone"});
  ASSERT_TRUE(bob->Send("team", "who is here").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"who is here"});
  EXPECT_EQ(Receive(*dave), std::vector<std::string>{"who is here"});
}

// A message queued through one node reaches a WebSocket held by another at once: the queueing
// transaction hints the node that holds the recipient's socket (PostgreSQL NOTIFY), long
// before the 30 s sweep would find it.
TEST_F(ClusterTest, AMessageReachesAWebSocketOnAnotherNodeThroughItsHint) {
  const std::vector<Node*> nodes = StartCluster(1, 2);
  Node& f1 = *nodes[1];
  Node& f2 = *nodes[2];
  auto alice = Account(f1, "alice");
  auto bob = Account(f2, "bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(AddContact(*alice, "bob").ok());
  ASSERT_TRUE(AddContact(*bob, "alice").ok());
  ASSERT_TRUE(alice->Send("bob", "before").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"before"});

  constexpr int kMessages = 20;
  std::mutex mu;
  std::vector<std::string> got;
  std::vector<std::chrono::steady_clock::time_point> arrived;
  std::atomic<bool> stop{false};
  std::thread listener([&] {
    Status st = bob->Listen(
        [&](const client::StoredMessage& m) {
          std::lock_guard<std::mutex> lock(mu);
          got.push_back(m.text);
          arrived.push_back(std::chrono::steady_clock::now());
        },
        [](const client::Notice&) {}, [&] { return stop.load(); });
    EXPECT_TRUE(st.ok()) << st.error().ToString();
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the socket is open and recorded
  std::vector<std::string> sent;
  std::vector<std::chrono::steady_clock::time_point> sent_at;
  for (int i = 0; i < kMessages; ++i) {
    sent.push_back("across " + std::to_string(i));
    sent_at.push_back(std::chrono::steady_clock::now());
    ASSERT_TRUE(alice->Send("bob", sent.back()).ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (got.size() >= sent.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  listener.join();
  ASSERT_EQ(got, sent);  // every message once, in order, pushed by the other node
  std::vector<int64_t> ms;
  for (size_t i = 0; i < sent.size(); ++i) {
    ms.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(arrived[i] - sent_at[i]).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("send (front-1) to push (front-2): median %lld ms, max %lld ms over %d messages\n",
              static_cast<long long>(ms[ms.size() / 2]), static_cast<long long>(ms.back()),
              kMessages);
  // Without the hint, the push waits for something else to wake the socket: about 4 s here
  // (measured with the hint removed), 30 s for the sweep.
  EXPECT_LT(ms.back(), 2000);
}

// Kill -9 a front node that holds a device's WebSocket: the device reconnects (a load balancer,
// here a proxy, sends it to another node) and reads from its last acknowledged sequence, so
// every message arrives, once and in order, including those sent while it was cut off.
TEST_F(ClusterTest, KillingAFrontNodeMovesItsDevicesWithoutLosingAMessage) {
  const std::vector<Node*> nodes = StartCluster(1, 3);
  Node& f1 = *nodes[1];
  Node& f2 = *nodes[2];
  Node& f3 = *nodes[3];
  auto balancer = LossyProxy::Start(f2.port);
  ASSERT_NE(balancer, nullptr);
  auto alice = Account(f1, "alice");
  client::ClientTrust via_balancer = TrustOf(f2);
  via_balancer.server.port = balancer->port();
  auto made = Engine::CreateAccount(Profile("bob"), via_balancer, "bob", "phone");
  ASSERT_TRUE(alice && made.ok()) << (made.ok() ? "" : made.error().ToString());
  std::unique_ptr<Engine> bob = std::move(*made);
  ASSERT_TRUE(AddContact(*alice, "bob").ok());
  ASSERT_TRUE(AddContact(*bob, "alice").ok());
  ASSERT_TRUE(alice->Send("bob", "m0").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"m0"});

  std::mutex mu;
  std::vector<std::string> got;
  std::atomic<bool> stop{false};
  std::thread listener([&] {
    while (!stop) {
      (void)bob->Listen(
          [&](const client::StoredMessage& m) {
            std::lock_guard<std::mutex> lock(mu);
            got.push_back(m.text);
          },
          [](const client::Notice&) {}, [&] { return stop.load(); });
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto wait_for = [&](size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (got.size() >= n) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::vector<std::string> sent;
  for (int i = 1; i <= 5; ++i) {
    sent.push_back("m" + std::to_string(i));
    ASSERT_TRUE(alice->Send("bob", sent.back()).ok());
  }
  wait_for(sent.size());
  // front-2 dies with bob's socket; the balancer sends new connections to front-3.
  Kill(f2);
  balancer->SetUpstream(f3.port);
  for (int i = 6; i <= 15; ++i) {
    sent.push_back("m" + std::to_string(i));
    ASSERT_TRUE(alice->Send("bob", sent.back()).ok());
  }
  wait_for(sent.size());
  stop = true;
  listener.join();
  std::lock_guard<std::mutex> lock(mu);
  // m6..m15 can only have come through front-3: front-2 is dead. (Listen reconnects by
  // itself when its socket closes.)
  EXPECT_EQ(got, sent);
}

// A sequencer that is paused past its lease (SIGSTOP: a long GC pause, a frozen VM) and wakes
// up after the standby took over writes nothing more: its next write is fenced, it steps down
// and exits with an error, and the log it left goes on as the new sequencer writes it.
TEST_F(ClusterTest, APausedSequencerThatWakesUpStepsDownWithoutWriting) {
  const std::vector<Node*> nodes = StartCluster(2, 1);
  Node& seq_a = *nodes[0];
  Node& seq_b = *nodes[1];
  Node& front = *nodes[2];
  auto alice = Account(front, "alice");
  ASSERT_TRUE(alice);
  seq_a.process->Signal(SIGSTOP);
  WaitHealthy(seq_b);  // took the lease once seq-a's expired
  EXPECT_EQ(*SequencerUrl(), seq_b.url());
  auto bob = Account(front, "bob");  // published by seq-b
  ASSERT_TRUE(bob);
  seq_a.process->Signal(SIGCONT);
  const int status = seq_a.process->Wait();  // it stops by itself
  seq_a.process.reset();
  EXPECT_NE(status, 0);
  auto log = ReadFile(seq_a.dir + ".log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(AsStringView(*log).find("stepping down"), std::string::npos);
  // The directory and its log went on without a fork: both accounts are found, and the
  // sequencer that stayed keeps publishing.
  ASSERT_TRUE(AddContact(*alice, "bob").ok());
  ASSERT_TRUE(AddContact(*bob, "alice").ok());
  ASSERT_TRUE(alice->Send("bob", "still here").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"still here"});
  EXPECT_EQ(*SequencerUrl(), seq_b.url());
}

// A sequencer that stops answering holds up the directory updates forwarded to it, not the
// front node: they wait on threads of their own, and messages through that node keep flowing.
TEST_F(ClusterTest, UpdatesWaitingOnAHungSequencerDoNotStallTheFrontNode) {
  // Two worker threads on each node, fewer than the updates that will hang; a lease long
  // enough that the front node keeps forwarding to the hung sequencer meanwhile.
  config_patch_ = {{"blocking_threads", 2}, {"cluster", {{"lease_ms", 20000}}}};
  const std::vector<Node*> nodes = StartCluster(1, 1);
  Node& seq = *nodes[0];
  Node& front = *nodes[1];
  auto alice = Account(front, "alice");
  auto bob = Account(front, "bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(AddContact(*alice, "bob").ok());
  ASSERT_TRUE(alice->Send("bob", "before").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"before"});

  seq.process->Signal(SIGSTOP);
  std::atomic<int> made{0};
  std::vector<std::thread> makers;
  for (int i = 0; i < 4; ++i) {
    makers.emplace_back([&, i] {
      const std::string handle = "waiting" + std::to_string(i);
      if (Engine::CreateAccount(Profile(handle), TrustOf(front), handle, "phone").ok()) ++made;
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the four updates wait on it
  const auto start = std::chrono::steady_clock::now();
  const auto sent = alice->Send("bob", "while the sequencer hangs");
  const std::vector<std::string> received = sent.ok() ? Receive(*bob) : std::vector<std::string>{};
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(made.load(), 0);  // they were still waiting
  seq.process->Signal(SIGCONT);
  for (std::thread& t : makers) t.join();
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(received, std::vector<std::string>{"while the sequencer hangs"});
  // Held behind the waiting updates it would take until the forwards time out (40 s).
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(made.load(), 4);  // and were published once it woke up
}

// Kill -9 the sequencer while accounts are being made through the front nodes, several times:
// the standby takes over (a new term), every acknowledged update stays published, the heads
// log only grows (each checkpoint seen is a prefix of the last), and every client's view stays
// consistent.
TEST_F(ClusterTest, KillingTheSequencerHandsOverWithoutLosingAnUpdate) {
  const std::vector<Node*> nodes = StartCluster(2, 2);
  Node& seq_a = *nodes[0];
  Node& seq_b = *nodes[1];
  Node& f1 = *nodes[2];
  Node& f2 = *nodes[3];
  auto watcher = Account(f1, "watcher");
  ASSERT_TRUE(watcher);

  std::mt19937 rng(20261207);
  std::vector<std::string> acknowledged;
  std::vector<tlog::Checkpoint> seen;
  net::HttpClient http;
  auto checkpoint_at = [&http](const Node& n) -> std::optional<tlog::Checkpoint> {
    auto r = http.Get(*net::ParseUrl(n.url() + "logs/kt-heads/checkpoint"));
    if (!r.ok() || r->status != 200) return std::nullopt;
    auto note = tlog::ParseNote(r->body);
    if (!note.ok()) return std::nullopt;
    auto cp = tlog::ParseCheckpoint(note->text);
    return cp.ok() ? std::optional<tlog::Checkpoint>(*cp) : std::nullopt;
  };
  uint64_t term = *Term();
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    Node& active = *SequencerUrl() == seq_a.url() ? seq_a : seq_b;
    Node& front = round % 2 == 0 ? f1 : f2;
    // Accounts made through a front node while the sequencer dies at a random moment; an
    // attempt that fails (503 during the fail-over) is retried under a new handle.
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::thread maker([&, round] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string handle = "u" + std::to_string(round) + "x" + std::to_string(i);
        auto e = Engine::CreateAccount(Profile(handle), TrustOf(front), handle, "phone");
        if (e.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(handle);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1200));
    Kill(active);
    const auto killed = std::chrono::steady_clock::now();
    // The standby holds the lease within the lease time and serves.
    Node& standby = &active == &seq_a ? seq_b : seq_a;
    WaitHealthy(standby);
    std::printf("round %d: %s serves %lld ms after the kill\n", round, standby.name.c_str(),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - killed)
                                           .count()));
    // It had followed the directory on standby: taking over read the last entry or none, not
    // the whole directory.
    auto took_over = WarmTakeover(standby);
    ASSERT_TRUE(took_over.has_value()) << "no takeover line in " << standby.dir << ".log";
    std::printf("round %d: the warm directory went from size %llu to %llu\n", round,
                static_cast<unsigned long long>(took_over->first),
                static_cast<unsigned long long>(took_over->second));
    EXPECT_GT(took_over->first, 0u) << "round " << round;
    EXPECT_LE(took_over->second, took_over->first + 1) << "round " << round;
    auto next_term = Term();
    ASSERT_TRUE(next_term.ok());
    EXPECT_GT(*next_term, term) << "round " << round;
    term = *next_term;
    EXPECT_EQ(*SequencerUrl(), standby.url());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // updates go on after it
    stop = true;
    maker.join();
    Start(active);  // back as the standby
    if (auto cp = checkpoint_at(f1)) seen.push_back(*cp);
  }
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(kRounds));
  std::printf("%zu accounts acknowledged over %d fail-overs (term %llu)\n", acknowledged.size(),
              kRounds, static_cast<unsigned long long>(term));

  // Every acknowledged account is published, found through either front node.
  auto reader = Account(f2, "reader");
  ASSERT_TRUE(reader);
  for (const std::string& handle : acknowledged) {
    EXPECT_TRUE(AddContact(*reader, handle).ok()) << handle;
  }
  EXPECT_TRUE(AddContact(*watcher, acknowledged.back()).ok());

  // The heads log only grew: every checkpoint seen is consistent with the last one.
  auto last = checkpoint_at(f2);
  ASSERT_TRUE(last.has_value());
  tlog::TileHashReader tiles(last->size, [&http, &f2](const std::string& path) -> Result<Bytes> {
    CANDOR_ASSIGN_OR_RETURN(net::HttpResponse r,
                            http.Get(*net::ParseUrl(f2.url() + "logs/kt-heads/" + path)));
    if (r.status != 200) return MakeError(Errc::kNotFound, path);
    return Bytes(r.body.begin(), r.body.end());
  });
  for (const tlog::Checkpoint& old : seen) {
    if (old.size == 0 || old.size == last->size) continue;
    auto proof = tlog::ProveConsistency(old.size, last->size, tiles);
    ASSERT_TRUE(proof.ok()) << proof.error().ToString();
    EXPECT_TRUE(tlog::VerifyConsistency(old.size, last->size, old.root, last->root, *proof).ok())
        << "checkpoint " << old.size << " is not a prefix of " << last->size;
  }
}

}  // namespace
}  // namespace candor::testing
