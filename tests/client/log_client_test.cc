// LogClient against a malicious log double: an HTTP server on loopback that serves whatever the
// test puts in it (forks, rollbacks, missing cosignatures, tampered tiles and entries). The
// client must refuse each one with kVerifyFailed.
#include "candor/client/log_client.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "candor/net/http_server.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/tile_builder.h"

namespace candor::client {
namespace {

class MapHandler : public net::HttpHandler {
 public:
  void Handle(net::HttpRequest request, net::Responder respond) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(request.target);
    if (it == files_.end()) {
      respond(net::MakeResponse(404, "text/plain", "not found"));
      return;
    }
    respond(net::MakeResponse(200, "application/octet-stream", it->second));
  }
  void Erase(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(path);
  }
  void Put(const std::string& path, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[path] = std::move(body);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
};

// A log the double serves: entries, tiles and checkpoints we sign with real keys.
class EvilLogTest : public ::testing::Test {
 protected:
  EvilLogTest()
      : log_("example.com/log", crypto::Ed25519PrivateKey::Generate()),
        w1_("w1.example", crypto::Ed25519PrivateKey::Generate()),
        w2_("w2.example", crypto::Ed25519PrivateKey::Generate()) {}

  void SetUp() override {
    auto server = net::HttpServer::Start(net::HttpServerOptions{}, handler_);
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    base_.host = "127.0.0.1";
    base_.port = server_->port();
    base_.path = "/log/";
    trust_ = *tlog::ParseLogTrust(log_.VerifierKey(), {w1_.VerifierKey(), w2_.VerifierKey()}, 2);
  }

  // Grow appends entries and publishes the tiles of the new size.
  void Grow(tlog::TileBuilder& b, int n, const std::string& tag) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(b.Append(AsBytes(tag + std::to_string(b.size()))).ok());
    for (tlog::TileFile& f : b.TakeChanged())
      handler_.Put("/log/" + f.path, std::string(AsStringView(f.data)));
  }

  std::string Note(uint64_t size, const Hash32& root, bool cosign1, bool cosign2) {
    tlog::Checkpoint cp{"example.com/log", size, root, {}};
    tlog::Note n{cp.Text(), {{log_.name(), log_.key_id(), log_.Sign(cp.Text())}}};
    if (cosign1) n.signatures.push_back(w1_.Cosign(cp.Text(), 1700000000));
    if (cosign2) n.signatures.push_back(w2_.Cosign(cp.Text(), 1700000000));
    return n.Format();
  }

  tlog::Ed25519NoteSigner log_;
  tlog::Cosigner w1_, w2_;
  MapHandler handler_;
  std::unique_ptr<net::HttpServer> server_;
  net::Url base_;
  tlog::LogTrust trust_;
};

TEST_F(EvilLogTest, HonestLogVerifies) {
  tlog::TileBuilder b;
  Grow(b, 300, "e");
  handler_.Put("/log/checkpoint", Note(300, b.Root(), true, true));
  LogClient client(base_, trust_);
  auto cp = client.FetchCheckpoint();
  ASSERT_TRUE(cp.ok()) << cp.error().message;
  EXPECT_EQ(cp->cosigners.size(), 2u);
  auto proof = client.ProveEntry(257, *cp);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_EQ(AsStringView(proof->entry), "e257");
}

TEST_F(EvilLogTest, OldCheckpointProvesFromFullTilesOncePartialsAreGone) {
  tlog::TileBuilder b;
  Grow(b, 260, "e");
  const std::string old_note = Note(260, b.Root(), true, true);
  Grow(b, 252, "e");  // 512 entries: tiles 0/001 and entries/001 are now full
  handler_.Erase("/log/tile/0/001.p/4");
  handler_.Erase("/log/tile/entries/001.p/4");
  handler_.Put("/log/checkpoint", old_note);
  LogClient client(base_, trust_);
  auto cp = client.FetchCheckpoint();
  ASSERT_TRUE(cp.ok());
  auto proof = client.ProveEntry(258, *cp);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_EQ(AsStringView(proof->entry), "e258");
}

TEST_F(EvilLogTest, MissingCosignatureIsRefused) {
  tlog::TileBuilder b;
  Grow(b, 10, "e");
  handler_.Put("/log/checkpoint", Note(10, b.Root(), true, false));
  LogClient client(base_, trust_);
  EXPECT_EQ(client.FetchCheckpoint().error().code, Errc::kVerifyFailed);
}

TEST_F(EvilLogTest, RollbackAndForkAreRefused) {
  tlog::TileBuilder b;
  Grow(b, 20, "e");
  handler_.Put("/log/checkpoint", Note(20, b.Root(), true, true));
  LogClient client(base_, trust_);
  auto seen = client.FetchCheckpoint();
  ASSERT_TRUE(seen.ok());
  // Rollback: a validly cosigned checkpoint of an earlier size.
  tlog::TileBuilder small;
  Grow(small, 10, "e");
  handler_.Put("/log/checkpoint", Note(10, small.Root(), true, true));
  EXPECT_EQ(client.FetchCheckpoint(*seen).error().code, Errc::kVerifyFailed);
  // Fork: a different tree of a larger size whose prefix differs (entry 3 replaced), with
  // colluding cosigners; its tiles are served too, so only the consistency check can catch it.
  tlog::TileBuilder fork;
  Grow(fork, 3, "e");
  Grow(fork, 1, "evil");
  Grow(fork, 30, "e");
  handler_.Put("/log/checkpoint", Note(34, fork.Root(), true, true));
  EXPECT_EQ(client.FetchCheckpoint(*seen).error().code, Errc::kVerifyFailed);
  // Same size, different root.
  handler_.Put("/log/checkpoint", Note(20, fork.Root(), true, true));
  EXPECT_EQ(client.FetchCheckpoint(*seen).error().code, Errc::kVerifyFailed);
}

TEST_F(EvilLogTest, TamperedTilesAndEntriesAreRefused) {
  tlog::TileBuilder b;
  Grow(b, 600, "e");
  handler_.Put("/log/checkpoint", Note(600, b.Root(), true, true));
  LogClient client(base_, trust_);
  auto cp = client.FetchCheckpoint();
  ASSERT_TRUE(cp.ok());
  // Swap entry 10 for another entry of the same bundle: its leaf hash no longer proves.
  Bytes bundle;
  for (int i = 0; i < 256; ++i) {
    ASSERT_TRUE(
        tlog::AppendBundleEntry(bundle, AsBytes(i == 10 ? "forged" : "e" + std::to_string(i)))
            .ok());
  }
  handler_.Put("/log/tile/entries/000", std::string(AsStringView(bundle)));
  EXPECT_EQ(client.ProveEntry(10, *cp).error().code, Errc::kVerifyFailed);
  // A flipped hash in a level-0 tile breaks proofs that use it.
  auto tile = client.Fetch("tile/0/001");
  ASSERT_TRUE(tile.ok());
  (*tile)[0] ^= 1;
  handler_.Put("/log/tile/0/001", std::string(AsStringView(*tile)));
  EXPECT_EQ(client.ProveEntry(300, *cp).error().code, Errc::kVerifyFailed);
  // A truncated tile is refused too, never read past its end.
  handler_.Put("/log/tile/0/001", "short");
  EXPECT_FALSE(client.ProveEntry(300, *cp).ok());
}

}  // namespace
}  // namespace candor::client
