// System tests of Third-Party Auditing: candord in thirdPartyAuditing mode, its witnesses and a
// real `candor-auditor` process (messaging_stack.h), clients that are the real client engine.
// The auditor is killed, stopped, cut off and fed a forged update; clients accept answers only
// while an auditor they trust vouches for the directory, and the auditor never vouches for a
// directory it caught lying.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "candor/auditor/auditor_record.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/client/engine.h"
#include "candor/kt/messages.h"
#include "candor/net/http_client.h"
#include "candor/net/http_server.h"
#include "candor/net/router.h"
#include "candor/net/worker_pool.h"
#include "messaging_stack.h"

namespace candor::testing {
namespace {

using client::Engine;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The directory heartbeats every second; clients refuse an auditor head 4 s behind the log.
constexpr char kFastHeartbeat[] = R"({"directory":{"heartbeat_interval_ms":1000}})";
constexpr uint64_t kMaxLagMs = 4000;

// Eventually polls `ok` every 100 ms for up to `limit`.
template <class F>
bool Eventually(F ok, milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return ok();
}

// ForgingProxy stands between the auditor and candord: it passes the auditor's requests on,
// except that the AuditorUpdate of entry `forged_position` comes back with its timestamp set to
// 0, as a directory that rewrites its history would send it.
class ForgingProxy {
 public:
  ForgingProxy(net::Url upstream, uint64_t forged_position)
      : upstream_(std::move(upstream)), forged_position_(forged_position) {
    router_.Add("GET", "/v1/directory/auditor-update/{position}", {0, false, true},
                [this](const net::RouteRequest& req) -> Result<net::HttpResponse> {
                  CANDOR_ASSIGN_OR_RETURN(net::HttpResponse r, Forward(req));
                  if (r.status != 200 || std::stoull(req.Param("position")) != forged_position_) {
                    return r;
                  }
                  CANDOR_ASSIGN_OR_RETURN(auto update,
                                          tls::DecodeExact<kt::AuditorUpdate>(AsBytes(r.body)));
                  update.timestamp = 0;
                  r.body = std::string(AsStringView(tls::Encode(update)));
                  return r;
                });
    router_.Add("POST", "/v1/directory/auditor-head", {1 << 16, false, true},
                [this](const net::RouteRequest& req) { return Forward(req); });
    auto server = net::HttpServer::Start({}, router_);
    EXPECT_TRUE(server.ok());
    if (server.ok()) server_ = std::move(*server);
  }
  ~ForgingProxy() {
    if (server_) server_->Stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/"; }

 private:
  Result<net::HttpResponse> Forward(const net::RouteRequest& req) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!req.http.Header("authorization").empty()) {
      headers.emplace_back("Authorization", std::string(req.http.Header("authorization")));
    }
    return http_.Request(req.http.method, upstream_.Join(req.http.target.substr(1)), req.http.body,
                         headers);
  }

  net::Url upstream_;
  uint64_t forged_position_;
  std::mutex mu_;
  net::HttpClient http_;
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

class AuditorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto s = MessagingStack::Create(name.substr(0, 40), Backend::kSqlite, kFastHeartbeat,
                                    {true, kMaxLagMs});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
  }

  std::unique_ptr<Engine> Account(const std::string& handle) {
    auto e = Engine::CreateAccount(
        {stack_->dir() + "/profiles/" + handle, nullptr, &pool_, SystemClock()}, stack_->trust(),
        handle, "phone");
    EXPECT_TRUE(e.ok()) << handle << ": " << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  // AuditedUpTo waits until candord holds an auditor head for its whole log.
  bool AuditedUpTo() {
    return Eventually(
        [&] {
          auto size = stack_->Metric("candor_kt_tree_size");
          auto audited = stack_->Metric("candor_kt_auditor_tree_size");
          return size.ok() && audited.ok() && *size > 0 && *size == *audited;
        },
        seconds(20));
  }

  net::WorkerPool pool_{2};
  std::unique_ptr<MessagingStack> stack_;
};

TEST_F(AuditorProcessTest, ClientsVerifyTheHeadsOfAnAuditorKilledAtRandomMoments) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->AddContact("bob").ok());
  ASSERT_TRUE(alice->Send("bob", "audited hello").ok());
  auto got = bob->Receive();
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].text, "audited hello");

  // Accounts are created while the auditor is killed (SIGKILL) and restarted at random moments.
  std::atomic<bool> done{false};
  std::vector<std::string> created;
  std::thread creator([&] {
    for (int i = 0; i < 8; ++i) {
      const std::string handle = "user" + std::to_string(i);
      // An update is answered once published, whatever the auditor does meanwhile.
      if (Account(handle)) created.push_back(handle);
    }
    done = true;
  });
  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  while (!done) {
    std::this_thread::sleep_for(milliseconds(100 + rng() % 600));
    stack_->KillAuditor();
    ++kills;
    const Status started = stack_->StartAuditor();
    EXPECT_TRUE(started.ok()) << started.error().ToString();
  }
  creator.join();
  EXPECT_GE(kills, 3);
  ASSERT_EQ(created.size(), 8u);

  // The restarted auditor resumes from its durable record and catches up; candord takes each
  // head only if its signature verifies over candord's own log root at that size.
  ASSERT_TRUE(AuditedUpTo()) << stack_->AuditorLog();
  EXPECT_EQ(stack_->AuditorLog().find("ALARM"), std::string::npos) << stack_->AuditorLog();
  // Every new account verifies for alice, auditor head included (proved against her own view).
  for (const std::string& handle : created) {
    auto c = alice->AddContact(handle);
    EXPECT_TRUE(c.ok()) << handle << ": " << c.error().ToString();
  }
  auto record = ReadFile(stack_->auditor_dir() + "/auditor.record");
  ASSERT_TRUE(record.ok());
}

TEST_F(AuditorProcessTest, ClientsRefuseTheDirectoryOnceItsAuditorFallsBehind) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->AddContact("bob").ok());

  // The auditor stops (cleanly); the directory keeps adding entries (heartbeats), so the
  // auditor's newest head falls behind by more than max_auditor_lag.
  EXPECT_EQ(stack_->StopAuditor(), 0);
  std::this_thread::sleep_for(milliseconds(kMaxLagMs + 1500));
  auto refused = alice->AddContact("bob");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kVerifyFailed) << refused.error().ToString();
  EXPECT_NE(refused.error().message.find("max_auditor_lag"), std::string::npos)
      << refused.error().ToString();

  // Back, it catches up and clients accept answers again.
  ASSERT_TRUE(stack_->StartAuditor().ok());
  ASSERT_TRUE(AuditedUpTo()) << stack_->AuditorLog();
  auto again = alice->AddContact("bob");
  EXPECT_TRUE(again.ok()) << again.error().ToString();

  // candord keeps auditor heads in memory only: after a restart it serves no answer until the
  // auditor, which re-posts its newest head when idle, has given it one.
  stack_->KillServer();
  ASSERT_TRUE(stack_->StartServer().ok());
  ASSERT_TRUE(AuditedUpTo()) << stack_->AuditorLog();
  auto after_restart = alice->AddContact("bob");
  EXPECT_TRUE(after_restart.ok()) << after_restart.error().ToString();
}

TEST_F(AuditorProcessTest, AnAuditorFedAForgedUpdateRaisesTheAlarmAndSignsNoMore) {
  ASSERT_TRUE(AuditedUpTo());
  auto size = stack_->Metric("candor_kt_tree_size");
  ASSERT_TRUE(size.ok());
  // The auditor now reaches candord through a proxy that forges the next entry's update.
  stack_->KillAuditor();
  const auto forged = static_cast<uint64_t>(*size) + 1;
  ForgingProxy proxy(stack_->trust().server, forged);
  stack_->set_auditor_server(proxy.url());
  ASSERT_TRUE(stack_->StartAuditor().ok());

  const std::string alarm = stack_->auditor_dir() + "/alarm";
  ASSERT_TRUE(Eventually([&] { return FileExists(alarm); }, seconds(20))) << stack_->AuditorLog();
  EXPECT_EQ(stack_->StopAuditor(), 3);  // it exited by itself, with the alarm's status
  auto text = ReadFile(alarm);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(AsStringView(*text).find("entry " + std::to_string(forged) + ": auditor step 1"),
            std::string::npos)
      << AsStringView(*text);
  // candord never got a head for the forged entry.
  auto audited = stack_->Metric("candor_kt_auditor_tree_size");
  ASSERT_TRUE(audited.ok());
  EXPECT_LT(*audited, static_cast<double>(forged + 1));

  // Restarted, even straight to candord, it refuses to sign anything for this directory.
  stack_->set_auditor_server("");
  const CommandResult rerun = stack_->RunAuditorToEnd();
  EXPECT_EQ(rerun.status, 3);
  EXPECT_NE(rerun.output.find("signs nothing more for it"), std::string::npos) << rerun.output;
}

TEST_F(AuditorProcessTest, OnlyTheAuditorsTokenAndSignatureSetTheAuditorHead) {
  ASSERT_TRUE(AuditedUpTo());
  auto token = ReadFile(stack_->server_dir() + "/keys/auditor.token");
  ASSERT_TRUE(token.ok());
  std::string bearer = "Bearer " + std::string(AsStringView(*token));
  while (bearer.back() == '\n') bearer.pop_back();
  auto record_raw = ReadFile(stack_->auditor_dir() + "/auditor.record");
  ASSERT_TRUE(record_raw.ok());
  auto record = tls::DecodeExact<auditor::AuditorRecord>(*record_raw);
  ASSERT_TRUE(record.ok() && record->head);
  const net::Url url = stack_->trust().server.Join("v1/directory/auditor-head");
  net::HttpClient http;
  auto post = [&](const Bytes& body, const std::string& auth) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!auth.empty()) headers.emplace_back("Authorization", auth);
    auto r = http.Request("POST", url, std::string(AsStringView(body)), headers);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : net::HttpResponse{};
  };
  const Bytes good = tls::Encode(*record->head);
  // The auditor's own newest head, without or with a wrong token: 401.
  EXPECT_EQ(post(good, "").status, 401);
  EXPECT_EQ(post(good, "Bearer not-the-token").status, 401);
  // With the token: garbage is 400, a head the auditor did not sign is 400, its own head is
  // taken again (the re-post of an idle auditor), and an older one than held is 409.
  EXPECT_EQ(post(Bytes{1, 2, 3}, bearer).status, 400);
  kt::AuditorTreeHead forged = *record->head;
  forged.signature[0] ^= 1;
  const net::HttpResponse refused = post(tls::Encode(forged), bearer);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("signature does not verify"), std::string::npos) << refused.body;
  EXPECT_EQ(post(good, bearer).status, 200);
  // Heartbeats go on; once candord holds a newer auditor head, this one is older: 409.
  const auto held = static_cast<double>(record->state.tree_size);
  ASSERT_TRUE(Eventually(
      [&] {
        auto audited = stack_->Metric("candor_kt_auditor_tree_size");
        return audited.ok() && *audited > held;
      },
      seconds(10)));
  EXPECT_EQ(post(good, bearer).status, 409);
}

}  // namespace
}  // namespace candor::testing
