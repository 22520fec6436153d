// A hostile client against a real candord (messaging_stack.h, SQLite): malformed and random
// bodies on every route, bad credentials, oversized bodies, garbage on the WebSocket, request
// floods, slow WebSocket readers and writers, replayed and reordered requests of an honest
// client. The server answers each with a 4xx and a JSON error (or, for a replay, the answer it
// gave before), never a 5xx, keeps serving, and honest clients still talk afterwards.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "candor/client/engine.h"
#include "candor/client/profile.h"
#include "candor/kt/device_list.h"
#include "candor/kt/messages.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/net/http_client.h"
#include "candor/net/websocket_client.h"
#include "lossy_proxy.h"
#include "messaging_stack.h"
#include "raw_client.h"

namespace candor::testing {
namespace {

using client::Engine;
using Json = nlohmann::json;

struct Route {
  const char* method;
  std::string path;
  bool json;  // a JSON body (else binary TLS)
  bool auth;
};

// The routes of docs/formats/messaging-api.md that take a body or a path parameter.
std::vector<Route> Routes() {
  return {
      {"POST", "v1/auth/challenge", true, false},
      {"POST", "v1/auth/session", true, false},
      {"POST", "v1/keypackages", true, true},
      {"POST", "v1/keypackages/claim", true, true},
      {"POST", "v1/groups", true, true},
      {"POST", "v1/groups/commit", true, true},
      {"POST", "v1/groups/message", true, true},
      {"POST", "v1/queue/ack", true, true},
      {"POST", "v1/directory/search", false, false},
      {"POST", "v1/directory/update", false, false},
      {"POST", "v1/directory/monitor", false, false},
      {"POST", "v1/directory/owner-init", false, false},
      {"POST", "v1/directory/owner-monitor", false, false},
      {"POST", "v1/directory/distinguished", false, false},
  };
}

class HostileClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = MessagingStack::Create("hostile", Backend::kSqlite);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
    // An honest account whose session token the hostile client uses, as a member would.
    const std::string dir = stack_->dir() + "/profiles/alice";
    {
      auto alice = Engine::CreateAccount({dir, nullptr}, stack_->trust(), "alice", "phone");
      ASSERT_TRUE(alice.ok()) << alice.error().ToString();
    }
    auto profile = client::Profile::Open(dir, nullptr);
    ASSERT_TRUE(profile.ok()) << profile.error().ToString();
    ASSERT_TRUE((*profile)
                    ->Read([&](store::SqlTx& tx) -> Status {
                      CANDOR_ASSIGN_OR_RETURN(auto saved, (*profile)->GetSecret(tx, "session"));
                      if (!saved) return MakeError(Errc::kNotFound, "no session");
                      tls::Reader r(saved->view());
                      CANDOR_TRY(r.U64());
                      CANDOR_ASSIGN_OR_RETURN(ByteView token, r.OpaqueV());
                      token_ = std::string(AsStringView(token));
                      return OkStatus();
                    })
                    .ok());
  }

  // Call sends one request and checks the answer is a 4xx with a JSON error.
  void ExpectRefused(const char* method, const std::string& path, const std::string& body,
                     bool json, bool auth, const std::string& why) {
    net::HttpClient http;
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", json ? "application/json" : "application/octet-stream"}};
    if (auth) headers.emplace_back("Authorization", "Bearer " + token_);
    auto r = http.Request(method, stack_->trust().server.Join(path), body, headers);
    ASSERT_TRUE(r.ok()) << method << " " << path << " (" << why << "): " << r.error().ToString();
    EXPECT_GE(r->status, 400) << method << " " << path << " (" << why << "): " << r->body;
    EXPECT_LT(r->status, 500) << method << " " << path << " (" << why << "): " << r->body;
    const Json j = Json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error"))
        << method << " " << path << " (" << why << ") answered " << r->body;
    ++refused_;
  }

  bool Healthy() {
    net::HttpClient http;
    auto r = http.Get(stack_->trust().server.Join("healthz"));
    return r.ok() && r->status == 200;
  }

  std::unique_ptr<MessagingStack> stack_;
  std::string token_;
  int refused_ = 0;
};

TEST_F(HostileClientTest, MalformedBodiesAreRefusedWithJsonErrors) {
  const std::string big_b64 = Base64Encode(Bytes(300 << 10, 0x41));
  for (const Route& route : Routes()) {
    std::vector<std::pair<std::string, std::string>> bodies;
    if (route.json) {
      bodies = {
          {"", "empty"},
          {"{", "truncated JSON"},
          {"[]", "an array"},
          {"null", "null"},
          {"{\"handle\":5,\"device_id\":[],\"key_packages\":\"x\",\"message\":7}", "wrong types"},
          {"{\"handle\":\"Alice Smith\",\"device_id\":\"phone\",\"challenge\":\"!!\","
           "\"signature\":\"AA==\",\"key_packages\":[\"AAAA\"],\"group_info\":\"AAAA\","
           "\"commit\":\"AAAA\",\"message\":\"AAAA\",\"up_to\":\"x\"}",
           "fields that do not decode"},
          {"{\"message\":\"" + big_b64 + "\",\"group_info\":\"" + big_b64 + "\"}",
           "oversized fields"},
          {std::string("{\"handle\":\"\xff\xfe\"}"), "invalid UTF-8"},
          {"{\"handle\":\"alice\",\"device_id\":\"phone\",\"extra\":1}", "an unknown field"}};
    } else {
      bodies = {{"", "empty"},
                {std::string(3, '\xff'), "truncated"},
                {std::string(64, '\0'), "zeros"},
                {std::string(5000, '\x7f'), "long garbage"}};
    }
    for (const auto& [body, why] : bodies) {
      ExpectRefused(route.method, route.path, body, route.json, route.auth, why);
    }
  }
  // Random bodies, 40 per route (fixed seed: a failure can be replayed).
  std::mt19937 rng(20261206);
  for (const Route& route : Routes()) {
    for (int i = 0; i < 40; ++i) {
      std::string body(rng() % 600, '\0');
      for (char& c : body) c = static_cast<char>(rng());
      if (route.json && i % 2 == 0) body = "{\"" + body + "\":1}";
      ExpectRefused(route.method, route.path, body, route.json, route.auth, "random");
    }
  }
  // Path parameters and queries that do not parse.
  ExpectRefused("GET", "v1/groups/%%%", "", true, true, "group id");
  ExpectRefused("GET", "v1/groups/AAAA/group-info", "", true, true, "unknown group");
  ExpectRefused("GET", "v1/queue?after=abc", "", true, true, "after");
  ExpectRefused("GET", "v1/queue?after=1&limit=-4", "", true, true, "limit");
  ExpectRefused("GET", "v1/directory/auditor-update/abc", "", false, false, "position");
  // The link mailbox holds opaque sealed boxes: it checks their size and that a slot is
  // written once.
  const std::string link = "v1/link/00112233445566778899aabbccddeeff/request";
  ExpectRefused("PUT", link, "", false, false, "empty link message");
  ExpectRefused("PUT", link, std::string(39, 'x'), false, false, "short link message");
  {
    net::HttpClient http;
    auto first = http.Request("PUT", stack_->trust().server.Join(link), std::string(64, 'x'),
                              {{"Content-Type", "application/octet-stream"}});
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->status, 200) << first->body;
  }
  ExpectRefused("PUT", link, std::string(64, 'y'), false, false, "slot written twice");
  ExpectRefused("PUT", link, std::string(17 << 10, 'y'), false, false, "oversized link message");
  ExpectRefused("PUT", "v1/link/zz/request", "x", false, false, "link id");
  // Slot names: request, reply, history-0 to history-255; history only after a reply.
  {
    net::HttpClient http;
    const std::string base = "v1/link/00112233445566778899aabbccddeeff/";
    for (const char* slot : {"other", "history-", "history-256", "history-01", "history-1x",
                             "history--1", "history-99999999999"}) {
      auto r = http.Get(stack_->trust().server.Join(base + slot));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 404) << slot;
      EXPECT_NE(r->body.find("a link slot is"), std::string::npos) << slot << ": " << r->body;
    }
    auto early = http.Request("PUT", stack_->trust().server.Join(base + "history-0"),
                              std::string(64, 'x'), {{"Content-Type", "application/octet-stream"}});
    ASSERT_TRUE(early.ok());
    EXPECT_EQ(early->status, 404) << early->body;
    EXPECT_NE(early->body.find("no finished link"), std::string::npos) << early->body;
  }
  ExpectRefused("GET", "v1/nothing/here", "", true, false, "unknown route");
  ExpectRefused("DELETE", "v1/groups", "", true, true, "method");
  EXPECT_GT(refused_, 100);
  EXPECT_TRUE(Healthy());
}

TEST_F(HostileClientTest, CredentialsAreChecked) {
  for (const Route& route : Routes()) {
    if (!route.auth) continue;
    net::HttpClient http;
    for (const std::string& header :
         {std::string(), std::string("Bearer"), std::string("Bearer AAAA"),
          std::string("Basic ") + token_, std::string("Bearer ") + token_ + "x"}) {
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Content-Type", "application/json"}};
      if (!header.empty()) headers.emplace_back("Authorization", header);
      auto r = http.Request(route.method, stack_->trust().server.Join(route.path), "{}", headers);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 401) << route.path << " with '" << header << "': " << r->body;
    }
  }
  // A session challenge signed by the wrong key buys nothing.
  net::HttpClient http;
  auto c = http.Request("POST", stack_->trust().server.Join("v1/auth/challenge"),
                        R"({"handle":"alice","device_id":"phone"})",
                        {{"Content-Type", "application/json"}});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->status, 200) << c->body;
  const Json challenge = Json::parse(c->body);
  const Json forged = {{"handle", "alice"},
                       {"device_id", "phone"},
                       {"challenge", challenge["challenge"]},
                       {"signature", Base64Encode(Bytes(64, 1))}};
  auto s = http.Request("POST", stack_->trust().server.Join("v1/auth/session"), forged.dump(),
                        {{"Content-Type", "application/json"}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->status, 401) << s->body;
  EXPECT_TRUE(Healthy());
}

TEST_F(HostileClientTest, OversizedBodiesAreRefusedBeforeTheyAreRead) {
  auto c = RawClient::Connect(stack_->port());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /v1/groups/message HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      token_ +
                      "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"));
  const std::string answer = c->ReadResponse(std::chrono::seconds(5));
  EXPECT_NE(answer.find(" 413 "), std::string::npos) << answer;
  EXPECT_TRUE(Healthy());
}

TEST_F(HostileClientTest, WebSocketGarbageClosesOnlyThatSocket) {
  net::Url ws = stack_->trust().server.Join("v1/ws?after=0");
  EXPECT_FALSE(net::WebSocketClient::Connect(ws, {}).ok());  // no token
  EXPECT_FALSE(net::WebSocketClient::Connect(ws, {{"Authorization", "Bearer nope"}}).ok());
  for (const std::string& junk :
       {std::string("not json"), std::string("{\"ack\":\"x\"}"), std::string("{\"ack\":-1}"),
        std::string("[1,2,3]"), std::string(70000, 'x'), std::string("{\"ack\":99999999}")}) {
    auto socket = net::WebSocketClient::Connect(ws, {{"Authorization", "Bearer " + token_}});
    ASSERT_TRUE(socket.ok()) << socket.error().ToString();
    (void)(*socket)->Send(junk);
    (void)(*socket)->Receive(std::chrono::milliseconds(300));
    EXPECT_TRUE(Healthy());
  }
  // Raw frames that are not even WebSocket frames.
  auto raw = RawClient::Connect(stack_->port());
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(
      raw->Send("GET /v1/ws?after=0 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                token_ + "\r\n\r\n"));
  const std::string upgraded = raw->Read(std::chrono::milliseconds(500));
  EXPECT_NE(upgraded.find(" 101 "), std::string::npos) << upgraded;
  (void)raw->Send(std::string(2000, '\xff'));
  EXPECT_TRUE(raw->PeerClosed(std::chrono::seconds(5)));
  EXPECT_TRUE(Healthy());
}

TEST_F(HostileClientTest, FloodsAreRateLimitedAndHonestClientsGoOn) {
  net::HttpClient http;
  int limited = 0;
  int served = 0;
  for (int i = 0; i < 300; ++i) {
    auto r = http.Request("POST", stack_->trust().server.Join("v1/auth/challenge"),
                          R"({"handle":"alice","device_id":"phone"})",
                          {{"Content-Type", "application/json"}});
    ASSERT_TRUE(r.ok());
    if (r->status == 429) {
      ++limited;
      EXPECT_NE(r->body.find("\"error\""), std::string::npos) << r->body;
    } else {
      EXPECT_EQ(r->status, 200) << r->body;
      ++served;
    }
  }
  EXPECT_GT(limited, 0);
  EXPECT_GT(served, 0);
  EXPECT_LE(served, 200);  // 120 a minute, with a burst
  // The operator sees the refusals.
  auto metrics = http.Get(stack_->trust().server.Join("metrics"));
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("candor_auth_rate_limited_total " + std::to_string(limited) + "\n"),
            std::string::npos)
      << metrics->body;

  // Honest clients (other accounts; the flood came from the same loopback address as they do,
  // and challenges are limited per address, so they wait for the budget to refill) still talk.
  auto bob = Engine::CreateAccount({stack_->dir() + "/profiles/bob", nullptr}, stack_->trust(),
                                   "bob", "phone");
  ASSERT_TRUE(bob.ok()) << bob.error().ToString();
  auto alice = Engine::Open({stack_->dir() + "/profiles/alice", nullptr});
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE((*alice)->Send("bob", "still here").ok());
  auto got = (*bob)->Receive();
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].text, "still here");
}

// A device whose WebSocket never reads (its receive buffer shrunk), and one that stalls in the
// middle of a frame, while 40 messages of 4 KB are sent to that account: the server's pushes to
// the reader stop at its in-flight bound instead of buffering without end, others are served
// meanwhile, and the stuck device still gets every message, once and in order, when it fetches.
TEST_F(HostileClientTest, SlowWebSocketReadersAndWritersHoldUpNobody) {
  const std::string upgrade =
      "GET /v1/ws?after=0 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
      token_ + "\r\n\r\n";
  auto reader = RawClient::Connect(stack_->port());
  ASSERT_NE(reader, nullptr);
  reader->SetReceiveBuffer(1024);
  ASSERT_TRUE(reader->Send(upgrade));
  auto writer = RawClient::Connect(stack_->port());
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Send(upgrade));
  EXPECT_NE(writer->Read(std::chrono::milliseconds(500)).find(" 101 "), std::string::npos);
  ASSERT_TRUE(writer->Send(std::string("\x81\xfe", 2)));  // a masked text frame, then nothing

  auto bob = Engine::CreateAccount({stack_->dir() + "/profiles/bob", nullptr}, stack_->trust(),
                                   "bob", "phone");
  ASSERT_TRUE(bob.ok()) << bob.error().ToString();
  auto dave = Engine::CreateAccount({stack_->dir() + "/profiles/dave", nullptr}, stack_->trust(),
                                    "dave", "phone");
  ASSERT_TRUE(dave.ok()) << dave.error().ToString();
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.push_back(std::to_string(i) + ":" + std::string(4000, static_cast<char>('a' + i % 26)));
    ASSERT_TRUE((*bob)->Send("alice", sent.back()).ok()) << i;
    // Honest traffic between others goes on while the pushes to alice's reader are stuck.
    if (i % 10 == 9) {
      const auto t0 = std::chrono::steady_clock::now();
      ASSERT_TRUE((*dave)->Send("bob", "ping " + std::to_string(i)).ok());
      auto got = (*bob)->Receive();
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      ASSERT_EQ(got->messages.size(), 1u);
      EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
      EXPECT_TRUE(Healthy());
    }
  }
  // The stuck device fetches over HTTP: everything, once, in order.
  auto alice = Engine::Open({stack_->dir() + "/profiles/alice", nullptr});
  ASSERT_TRUE(alice.ok());
  std::vector<std::string> got;
  for (int round = 0; round < 5 && got.size() < sent.size(); ++round) {
    auto r = (*alice)->Receive();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->messages) got.push_back(m.text);
  }
  EXPECT_EQ(got, sent);
}

// StatusOf returns the status code of an HTTP/1.1 response ("HTTP/1.1 200 OK..."), 0 if none.
int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

// Every write request of an honest client (carol: registration, KeyPackages, a conversation, a
// message, acknowledgements), recorded on the wire and sent again by a hostile client, first in
// order and then in reverse, with carol's own valid credentials. Each replay gets the answer it
// got before or a 4xx with a JSON error, never a 5xx; no message is delivered twice, no
// directory version or KeyPackage appears that carol did not make, and afterwards a new contact
// still reaches carol (a replayed upload must not hand out a KeyPackage already used).
TEST_F(HostileClientTest, ReplayedAndReorderedRequestsChangeNothing) {
  auto proxy = LossyProxy::Start(stack_->port());
  ASSERT_TRUE(proxy);
  proxy->RecordRequests("POST /v1/");
  client::ClientTrust via_proxy = stack_->trust();
  via_proxy.server.port = proxy->port();
  auto carol = Engine::CreateAccount({stack_->dir() + "/profiles/carol", nullptr}, via_proxy,
                                     "carol", "phone");
  ASSERT_TRUE(carol.ok()) << carol.error().ToString();
  auto alice = Engine::Open({stack_->dir() + "/profiles/alice", nullptr});
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE((*alice)->Send("carol", "one").ok());  // claims one of carol's KeyPackages
  auto got = (*carol)->Receive();
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got->messages.size(), 1u);
  ASSERT_TRUE((*carol)->Send("alice", "two").ok());
  proxy->RecordRequests("");
  const std::vector<std::string> recorded = proxy->Recorded();
  ASSERT_GE(recorded.size(), 6u);

  std::vector<std::string> replays = recorded;
  replays.insert(replays.end(), recorded.rbegin(), recorded.rend());
  int refused = 0;
  for (const std::string& request : replays) {
    auto raw = RawClient::Connect(stack_->port());
    ASSERT_TRUE(raw);
    ASSERT_TRUE(raw->Send(request));
    const std::string answer = raw->ReadResponse(std::chrono::seconds(30));
    const std::string line = request.substr(0, request.find('\r'));
    const int status = StatusOf(answer);
    ASSERT_GT(status, 0) << line << " got no answer: " << answer;
    EXPECT_LT(status, 500) << line << ": " << answer;
    if (status >= 400) {
      ++refused;
      const Json j = Json::parse(answer.substr(answer.find("\r\n\r\n") + 4), nullptr, false);
      EXPECT_TRUE(j.is_object() && j.contains("error")) << line << ": " << answer;
    }
  }
  std::printf("%zu recorded requests replayed twice: %d refused, the others answered as before\n",
              recorded.size(), refused);
  EXPECT_TRUE(Healthy());

  // alice gets carol's message once; carol got nothing new.
  auto alice_got = (*alice)->Receive();
  ASSERT_TRUE(alice_got.ok()) << alice_got.error().ToString();
  ASSERT_EQ(alice_got->messages.size(), 1u);
  EXPECT_EQ(alice_got->messages[0].text, "two");
  auto carol_got = (*carol)->Receive();
  ASSERT_TRUE(carol_got.ok()) << carol_got.error().ToString();
  EXPECT_TRUE(carol_got->messages.empty());
  // carol's entry is still the one version she made, and a new contact reaches her.
  auto dave = Engine::CreateAccount({stack_->dir() + "/profiles/dave", nullptr}, stack_->trust(),
                                    "dave", "phone");
  ASSERT_TRUE(dave.ok()) << dave.error().ToString();
  ASSERT_TRUE((*dave)->Send("carol", "three").ok());
  auto carol_third = (*carol)->Receive();
  ASSERT_TRUE(carol_third.ok()) << carol_third.error().ToString();
  ASSERT_EQ(carol_third->messages.size(), 1u);
  EXPECT_EQ(carol_third->messages[0].text, "three");
  EXPECT_TRUE(carol_third->notices.empty() ||
              carol_third->notices[0].kind != client::Notice::Kind::kAlarm);
}

// alice is in a conversation with bob and joins it again by external commit (her session is
// valid), removing bob's leaf instead of her own old one, with a leaf key of her choosing.
// The server refuses it: a device joining by itself may remove only its own old place, and
// its new leaf must hold the MLS key its account published. The honest resync is accepted.
TEST_F(HostileClientTest, AnExternalCommitMayRemoveOnlyTheJoinersOwnLeaf) {
  const std::string dir = stack_->dir() + "/profiles/alice";
  std::optional<Bytes> group_id;
  {
    auto bob = Engine::CreateAccount({stack_->dir() + "/profiles/bob", nullptr}, stack_->trust(),
                                     "bob", "phone");
    ASSERT_TRUE(bob.ok()) << bob.error().ToString();
    auto alice = Engine::Open({dir, nullptr});
    ASSERT_TRUE(alice.ok()) << alice.error().ToString();
    auto g = (*alice)->CreateGroup("pair", {"bob"});
    ASSERT_TRUE(g.ok()) << g.error().ToString();
    group_id = g->group_id;
  }
  SecretBytes mls_key;
  {
    auto profile = client::Profile::Open(dir, nullptr);
    ASSERT_TRUE(profile.ok());
    ASSERT_TRUE((*profile)
                    ->Read([&](store::SqlTx& tx) -> Status {
                      CANDOR_ASSIGN_OR_RETURN(auto key, (*profile)->GetSecret(tx, "mls_key"));
                      if (!key) return MakeError(Errc::kNotFound, "no mls_key");
                      mls_key = std::move(*key);
                      return OkStatus();
                    })
                    .ok());
  }
  const auto& cs =
      *mls::GetCipherSuiteParams(mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519)
           .value();
  auto signer = crypto::SignaturePrivateKey::FromBytes(cs.signature, mls_key.view());
  ASSERT_TRUE(signer.ok());

  std::string id = Base64Encode(*group_id);
  while (!id.empty() && id.back() == '=') id.pop_back();
  for (char& c : id) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  net::HttpClient http;
  auto answer =
      http.Request("GET", stack_->trust().server.Join("v1/groups/" + id + "/group-info"), "", auth);
  ASSERT_TRUE(answer.ok() && answer->status == 200);
  auto info_wire = Base64Decode(Json::parse(answer->body).value("group_info", ""));
  ASSERT_TRUE(info_wire.ok());
  auto info_msg = tls::DecodeExact<mls::MLSMessage>(*info_wire);
  ASSERT_TRUE(info_msg.ok());
  const auto& info = std::get<mls::GroupInfo>(info_msg->message);

  // An external commit of alice/phone with leaf signature key `key` that removes `leaf`, as a
  // POST body.
  auto external_commit = [&](const crypto::SignaturePrivateKey& key, uint32_t leaf) -> std::string {
    mls::Credential credential;
    credential.identity = *mls::EncodeCandorIdentity({"alice", "phone"});
    auto kp = mls::CreateKeyPackage(cs, key, credential,
                                    mls::Lifetime{0, std::numeric_limits<uint64_t>::max()});
    EXPECT_TRUE(kp.ok());
    const mls::KeyPackagePrivateKeys keys{kp->init_private_key.Clone(),
                                          kp->encryption_private_key.Clone(),
                                          SecretBytes(key.private_key())};
    auto joined =
        mls::GroupState::JoinExternal(kp->key_package, keys, info, nullptr, mls::LeafIndex{leaf});
    EXPECT_TRUE(joined.ok()) << joined.error().ToString();
    mls::MLSMessage next_info;
    next_info.message = *joined->second.GroupInfoForJoiners();
    return Json({{"commit", Base64Encode(tls::Encode(joined->first))},
                 {"group_info", Base64Encode(tls::Encode(next_info))}})
        .dump();
  };
  // Leaf 0 is alice's (she made the group), leaf 1 bob's.
  const auto other = crypto::SignaturePrivateKey::Generate(cs.signature);
  const net::Url commit_path = stack_->trust().server.Join("v1/groups/commit");
  auto hostile = http.Request("POST", commit_path, external_commit(other, 1), auth);
  ASSERT_TRUE(hostile.ok());
  EXPECT_EQ(hostile->status, 403) << hostile->body;
  EXPECT_NE(hostile->body.find("only its own old leaf"), std::string::npos) << hostile->body;
  auto foreign_key = http.Request("POST", commit_path, external_commit(other, 0), auth);
  ASSERT_TRUE(foreign_key.ok());
  EXPECT_GE(foreign_key->status, 400);
  EXPECT_LT(foreign_key->status, 500);
  EXPECT_NE(foreign_key->body.find("published MLS key"), std::string::npos) << foreign_key->body;
  auto resync = http.Request("POST", commit_path, external_commit(*signer, 0), auth);
  ASSERT_TRUE(resync.ok());
  EXPECT_EQ(resync->status, 200) << resync->body;
}

// A client holding alice's account key (a buggy or stolen device) floods the directory with
// valid, signed, ever newer device lists for her handle, 30 at once. The per-handle budget
// (a burst of 10, then 30 a minute) lets the first ones through, of which the directory
// publishes one and refuses the others as stale (409), and refuses the rest with 429; no answer
// is a 5xx; another account registers meanwhile; and a new contact's verified lookup of alice
// still succeeds.
TEST_F(HostileClientTest, AFloodOfValidSignedUpdatesIsHeldToTheHandlesBudget) {
  const std::string dir = stack_->dir() + "/profiles/alice";
  SecretBytes account_key;
  kt::DeviceList current;
  {
    auto profile = client::Profile::Open(dir, nullptr);
    ASSERT_TRUE(profile.ok());
    ASSERT_TRUE((*profile)
                    ->Read([&](store::SqlTx& tx) -> Status {
                      CANDOR_ASSIGN_OR_RETURN(auto key, (*profile)->GetSecret(tx, "account_key"));
                      CANDOR_ASSIGN_OR_RETURN(auto list, client::Profile::Get(tx, "own_list"));
                      if (!key || !list) return MakeError(Errc::kNotFound, "no account key");
                      account_key = std::move(*key);
                      CANDOR_ASSIGN_OR_RETURN(current, tls::DecodeExact<kt::DeviceList>(*list));
                      return OkStatus();
                    })
                    .ok());
  }
  auto signer =
      crypto::SignaturePrivateKey::FromBytes(current.list.account_scheme, account_key.view());
  ASSERT_TRUE(signer.ok());
  constexpr int kFlood = 30;
  std::vector<std::string> bodies;
  for (int i = 1; i <= kFlood; ++i) {
    kt::DeviceListTBS next = current.list;
    next.sequence += static_cast<uint64_t>(i);
    auto signed_list = kt::SignDeviceList(*signer, AsBytes("alice"), next);
    ASSERT_TRUE(signed_list.ok());
    kt::UpdateRequest req;
    req.label = Bytes{'a', 'l', 'i', 'c', 'e'};
    req.greatest_version = 0;  // alice's registration; the directory takes one change on it
    req.values.push_back(kt::LabelValue{tls::Encode(*signed_list)});
    const Bytes wire = tls::Encode(req);
    bodies.emplace_back(wire.begin(), wire.end());
  }
  std::vector<int> status(kFlood, 0);
  std::vector<std::string> answers(kFlood);
  std::vector<std::thread> flood;
  for (int i = 0; i < kFlood; ++i) {
    flood.emplace_back([&, i] {
      net::HttpClient http;
      auto r = http.Request("POST", stack_->trust().server.Join("v1/directory/update"),
                            bodies[static_cast<size_t>(i)],
                            {{"Content-Type", "application/octet-stream"}});
      status[static_cast<size_t>(i)] = r.ok() ? r->status : -1;
      answers[static_cast<size_t>(i)] = r.ok() ? r->body.substr(0, 200) : r.error().message;
    });
  }
  auto bob = Engine::CreateAccount({stack_->dir() + "/profiles/bob", nullptr}, stack_->trust(),
                                   "bob", "phone");
  for (auto& t : flood) t.join();
  ASSERT_TRUE(bob.ok()) << bob.error().ToString();
  int accepted = 0;
  int stale = 0;
  int limited = 0;
  std::string seen;
  for (int i = 0; i < kFlood; ++i) {
    const int code = status[static_cast<size_t>(i)];
    accepted += code == 200 ? 1 : 0;
    stale += code == 409 ? 1 : 0;
    limited += code == 429 ? 1 : 0;
    seen += std::to_string(code) + " " + answers[static_cast<size_t>(i)] + "\n";
  }
  // Every answer is a publication (200), a change on a version that is no longer the newest
  // (409), or the handle's budget (429); never a 5xx.
  EXPECT_EQ(accepted + stale + limited, kFlood) << seen;
  EXPECT_GE(accepted, 1) << seen;
  // The budget: a burst of 10 (alice's registration spent one), and what refills meanwhile.
  EXPECT_LE(accepted + stale, 11) << seen;
  EXPECT_GE(limited, kFlood - 11) << seen;
  // A new contact's verified lookup of alice returns one of the lists the flood signed.
  auto contact = (*bob)->AddContact("alice");
  ASSERT_TRUE(contact.ok()) << contact.error().ToString();
  EXPECT_TRUE(Healthy());
}

}  // namespace
}  // namespace candor::testing
