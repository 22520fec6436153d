// LogService and Router handlers, called without sockets (house style H9).
#include "candor/server/log_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "candor/crypto/sha256.h"
#include "candor/net/http_client.h"
#include "candor/store/sql_log_storage.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile.h"
#include "process.h"

namespace candor::server {
namespace {

// MainLog is the options of log "main" in `dir` (origin example.com/main, token "s3cret").
LogServiceOptions MainLog(const std::string& dir) {
  LogServiceOptions opts;
  opts.name = "main";
  opts.writer.dir = dir;
  opts.writer.origin = "example.com/main";
  opts.writer.min_batch_interval = std::chrono::milliseconds(1);
  opts.append_token_hash = crypto::Sha256(AsBytes("s3cret"));
  return opts;
}

class LogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTempDir("log_service");
    LogServiceOptions opts = MainLog(dir_);
    opts.max_bundle_entries = 8;
    auto key = std::make_unique<tlog::Ed25519NoteSigner>("example.com/main",
                                                         crypto::Ed25519PrivateKey::Generate());
    auto svc = LogService::Create(std::move(opts), std::move(key), pool_);
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    service_ = std::move(*svc);
    service_->Register(*router_);
  }
  void TearDown() override {
    service_.reset();  // stops the log and its publisher before the files go
    std::filesystem::remove_all(dir_);
  }

  net::HttpResponse Call(std::string method, std::string target, std::string body = {},
                         std::string token = "s3cret") {
    net::HttpRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    std::promise<net::HttpResponse> p;
    router_->Handle(std::move(req), [&p](net::HttpResponse r) { p.set_value(std::move(r)); });
    net::HttpResponse r = p.get_future().get();
    if (r.file != nullptr) {
      // What the server would stream: the file's bytes.
      r.body.resize(r.file->size());
      auto n = r.file->ReadAt(
          0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(r.body.data()), r.body.size()));
      EXPECT_TRUE(n.ok() && *n == r.body.size());
    }
    return r;
  }

  static std::string ErrorCode(const net::HttpResponse& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_discarded() ? "" : j.value("error", "");
  }

  std::string dir_;
  net::WorkerPool pool_{2};  // outlives the service
  std::unique_ptr<net::Router> router_ = std::make_unique<net::Router>();
  std::unique_ptr<LogService> service_;
};

TEST_F(LogServiceTest, AppendsAreDurableAndServed) {
  net::HttpResponse r = Call("POST", "/logs/main/append", "first");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["index"], 0);
  Bytes bundle;
  ASSERT_TRUE(tlog::AppendBundleEntry(bundle, AsBytes("second")).ok());
  ASSERT_TRUE(tlog::AppendBundleEntry(bundle, AsBytes("third")).ok());
  r = Call("POST", "/logs/main/append-bundle", std::string(AsStringView(bundle)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["first_index"], 1);
  EXPECT_EQ(nlohmann::json::parse(r.body)["count"], 2);
  // With no witnesses (quorum 0) the checkpoint is published without cosignatures.
  for (int i = 0;
       i < 200 && Call("GET", "/logs/main/checkpoint").body.find("\n3\n") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r = Call("GET", "/logs/main/checkpoint");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.substr(0, 19), "example.com/main\n3\n");
  r = Call("GET", "/logs/main/tile/entries/000.p/3");
  ASSERT_EQ(r.status, 200);
  auto entries = tlog::DecodeEntryBundle(AsBytes(r.body), 3);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(AsStringView((*entries)[2]), "third");
  std::string metrics;
  service_->AppendMetrics(metrics);
  EXPECT_NE(metrics.find("candor_log_tree_size{log=\"main\"} 3"), std::string::npos);
}

// Witnesses that never answer keep the published checkpoint behind the durable one. A client of
// an older checkpoint whose partial tile the writer deleted (its full tile is durable) still
// gets the full tile: tiles are served as soon as a durable checkpoint covers them.
TEST(LogServiceUnpublishedTest, TilesOfADurableCheckpointAreServedBeforeItIsCosigned) {
  const std::string dir = testing::FreshTempDir("log_service_unpublished");
  net::WorkerPool pool(2);
  net::Router router;
  {
    LogServiceOptions opts = MainLog(dir);
    auto witness_key = tlog::Cosigner("w.example", crypto::Ed25519PrivateKey::Generate());
    auto parsed = tlog::ParseVerifierKey(witness_key.VerifierKey());
    ASSERT_TRUE(parsed.ok());
    auto url = net::ParseUrl("http://127.0.0.1:9/");  // the discard port: nobody answers
    ASSERT_TRUE(url.ok());
    opts.witnesses.push_back({*url, std::shared_ptr<const tlog::NoteVerifier>(std::move(*parsed))});
    opts.quorum = 1;
    auto key = std::make_unique<tlog::Ed25519NoteSigner>("example.com/main",
                                                         crypto::Ed25519PrivateKey::Generate());
    auto svc = LogService::Create(std::move(opts), std::move(key), pool);
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    (*svc)->Register(router);
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE((*svc)->writer().AppendAndWait(Bytes{static_cast<uint8_t>(i)}).ok());
    }
    EXPECT_EQ((*svc)->writer().Latest().checkpoint.size, 300u);
    auto get = [&router](const std::string& target) {
      net::HttpRequest req;
      req.method = "GET";
      req.target = target;
      std::promise<net::HttpResponse> p;
      router.Handle(std::move(req), [&p](net::HttpResponse r) { p.set_value(std::move(r)); });
      return p.get_future().get();
    };
    // The full level-0 tile is durable (the partial ones before it are gone) and is served;
    // the partial tile beyond it too, and nothing past the durable size.
    EXPECT_EQ(get("/logs/main/tile/0/000").status, 200);
    EXPECT_EQ(get("/logs/main/tile/0/001.p/44").status, 200);
    EXPECT_EQ(get("/logs/main/tile/0/001.p/45").status, 404);
    EXPECT_EQ(get("/logs/main/tile/0/000.p/10").status, 404);  // superseded and deleted
  }
  std::filesystem::remove_all(dir);
}

TEST_F(LogServiceTest, BadRequestsGetTypedJsonErrors) {
  net::HttpResponse r = Call("POST", "/logs/main/append", "x", "wrong");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCode(r), "unauthenticated");
  EXPECT_EQ(Call("POST", "/logs/main/append", "x", "").status, 401);
  // An entry over 65,535 bytes is over the route's body limit.
  r = Call("POST", "/logs/main/append", std::string(70000, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r), "too_large");
  EXPECT_EQ(Call("POST", "/logs/main/append-bundle", "\x00").status, 400);  // truncated
  EXPECT_EQ(Call("POST", "/logs/main/append-bundle", "").status, 400);      // empty
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += std::string("\x00\x01y", 3);
  EXPECT_EQ(Call("POST", "/logs/main/append-bundle", nine).status, 400);  // too many
  EXPECT_EQ(Call("GET", "/logs/main/append").status, 405);
  EXPECT_EQ(Call("DELETE", "/logs/main/checkpoint").status, 405);
  r = Call("GET", "/logs/main/tile/0/../../state/checkpoint");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), "malformed");
  r = Call("GET", "/logs/main/tile/0/999");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "not_found");
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  EXPECT_TRUE(service_->Health().ok());
  // Nothing accepted was lost: the log still appends at index 0.
  r = Call("POST", "/logs/main/append", "ok");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["index"], 0);
}

// A cluster's front node serves the log the sequencer writes to the database: a reader over a
// connection of its own sees each published checkpoint and its tiles, and refuses appends.
TEST(LogServiceReaderTest, AFrontNodeServesTheLogTheSequencerWritesToTheDatabase) {
  const std::string dir = testing::FreshTempDir("log_service_reader");
  net::WorkerPool pool(2);
  {
    auto sequencer_db = store::OpenDatabase("sqlite:" + dir + "/cluster.db");
    auto front_db = store::OpenDatabase("sqlite:" + dir + "/cluster.db");
    ASSERT_TRUE(sequencer_db.ok() && front_db.ok());
    auto written = store::SqlLogStorage::Open(**sequencer_db, "main", nullptr);
    auto read = store::SqlLogStorage::Open(**front_db, "main", nullptr);
    ASSERT_TRUE(written.ok() && read.ok());
    LogServiceOptions opts = MainLog(dir + "/unused");
    opts.writer.storage = std::move(*written);
    auto key = std::make_unique<tlog::Ed25519NoteSigner>("example.com/main",
                                                         crypto::Ed25519PrivateKey::Generate());
    auto sequencer = LogService::Create(std::move(opts), std::move(key), pool);
    ASSERT_TRUE(sequencer.ok()) << sequencer.error().message;
    std::unique_ptr<LogService> front = LogService::CreateReader("main", std::move(*read), pool);
    net::Router router(&pool);
    front->Register(router);
    auto call = [&router](const std::string& method, const std::string& target) {
      net::HttpRequest req;
      req.method = method;
      req.target = target;
      if (method == "POST") req.body = "x";
      req.headers["authorization"] = "Bearer s3cret";
      std::promise<net::HttpResponse> p;
      router.Handle(std::move(req), [&p](net::HttpResponse r) { p.set_value(std::move(r)); });
      return p.get_future().get();
    };
    for (int i = 0; i < 260; ++i) {
      ASSERT_TRUE((*sequencer)->writer().AppendAndWait(Bytes{static_cast<uint8_t>(i)}).ok());
    }
    // Quorum 0: published without cosignatures, as soon as the publishing task runs.
    for (int i = 0;
         i < 300 && (*sequencer)->PublishedCheckpoint().find("\n260\n") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    net::HttpResponse r = call("GET", "/logs/main/checkpoint");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, (*sequencer)->PublishedCheckpoint());
    r = call("GET", "/logs/main/tile/entries/001.p/4");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Bytes(r.body.begin(), r.body.end()),
              *(*sequencer)->writer().ReadTile("tile/entries/001.p/4"));
    EXPECT_EQ(call("GET", "/logs/main/tile/0/000").status, 200);
    EXPECT_EQ(call("GET", "/logs/main/tile/0/001.p/5").status, 404);  // past the log
    EXPECT_EQ(call("GET", "/logs/main/tile/0/000.p/7").status, 404);  // superseded
    r = call("POST", "/logs/main/append");
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("sequencer lease"), std::string::npos) << r.body;
    EXPECT_TRUE(front->Health().ok());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace candor::server
