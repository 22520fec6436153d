#include "candor/tlog/log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "candor/base/file.h"
#include "candor/net/worker_pool.h"
#include "candor/tlog/tile.h"

namespace candor::tlog {
namespace {

Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "candor_log_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::unique_ptr<LogWriter>> OpenLog() {
    auto key = crypto::Ed25519PrivateKey::FromSeed(Bytes(32, 7));
    LogWriterOptions opts;
    opts.dir = dir_;
    opts.origin = "example.com/test-log";
    opts.min_batch_interval = std::chrono::milliseconds(2);
    return LogWriter::Open(opts, std::make_unique<Ed25519NoteSigner>(opts.origin, std::move(*key)),
                           pool_);
  }

  net::WorkerPool pool_{2};  // declared first of what uses it: outlives every writer
  std::string dir_;
};

TEST_F(LogWriterTest, ConcurrentAppendsGetDistinctDurableIndices) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ((*log)->Latest().checkpoint.size, 0u);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> indices;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        auto idx = (*log)->AppendAndWait(Bytes{static_cast<uint8_t>(t), static_cast<uint8_t>(i)});
        ASSERT_TRUE(idx.ok());
        std::lock_guard<std::mutex> lock(mu);
        indices.insert(*idx);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(indices.size(), 600u);
  EXPECT_EQ(*indices.rbegin(), 599u);
  const SignedCheckpoint cp = (*log)->Latest();
  EXPECT_EQ(cp.checkpoint.size, 600u);
  log->reset();

  // Reopen: the same checkpoint, tiles that reproduce the root, and proofs that verify.
  auto again = OpenLog();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->Latest().note, cp.note);
  auto proof = (*again)->ProveInclusion(300, 600);
  ASSERT_TRUE(proof.ok());
  auto bundle = (*again)->ReadTile("tile/entries/001");
  ASSERT_TRUE(bundle.ok());
  auto entries = DecodeEntryBundle(*bundle, 256);
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(
      VerifyInclusion(300, 600, HashLeaf((*entries)[300 - 256]), *proof, cp.checkpoint.root).ok());
  EXPECT_EQ(*(*again)->AppendAndWait(Text("next")), 600u);
}

TEST_F(LogWriterTest, BatchAppendAndConsistencyBetweenCheckpoints) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok());
  std::vector<SignedCheckpoint> seen;
  for (int round = 0; round < 5; ++round) {
    std::vector<Bytes> batch;
    for (int i = 0; i < 300; ++i)
      batch.push_back(Text("r" + std::to_string(round) + "-" + std::to_string(i)));
    std::promise<Result<uint64_t>> p;
    (*log)->Append(std::move(batch), [&p](Result<uint64_t> r) { p.set_value(std::move(r)); });
    auto first = p.get_future().get();
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, static_cast<uint64_t>(round) * 300);
    seen.push_back((*log)->Latest());
  }
  const SignedCheckpoint& last = seen.back();
  for (const SignedCheckpoint& old : seen) {
    auto proof = (*log)->ProveConsistency(old.checkpoint.size, last.checkpoint.size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyConsistency(old.checkpoint.size, last.checkpoint.size, old.checkpoint.root,
                                  last.checkpoint.root, *proof)
                    .ok());
  }
}

TEST_F(LogWriterTest, RejectsBadAppends) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->AppendAndWait(Bytes(65536)).error().code, Errc::kInvalidArgument);
  std::promise<Result<uint64_t>> p;
  (*log)->Append({}, [&p](Result<uint64_t> r) { p.set_value(std::move(r)); });
  EXPECT_EQ(p.get_future().get().error().code, Errc::kInvalidArgument);
  EXPECT_EQ((*log)->ReadTile("../state/checkpoint").error().code, Errc::kMalformed);
}

TEST_F(LogWriterTest, RecoveryIgnoresTilesOfAnUnacknowledgedBatch) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE((*log)->AppendAndWait(Text("e" + std::to_string(i))).ok());
  }
  // A crash after writing tiles but before the checkpoint leaves tiles for a larger size.
  ASSERT_TRUE(WriteFileDurable(dir_ + "/tile/0/000.p/11", Bytes(11 * 32, 0xaa)).ok());
  auto log = OpenLog();
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ((*log)->Latest().checkpoint.size, 10u);
  EXPECT_EQ(*(*log)->AppendAndWait(Text("e10")), 10u);
  auto tile = ReadFile(dir_ + "/tile/0/000.p/11");
  ASSERT_TRUE(tile.ok());
  EXPECT_NE(*tile, Bytes(11 * 32, 0xaa));  // rewritten by the real batch
}

// A lost batch can leave whole tiles past the recovered size (a crash test saw the full
// tile/0/319 and tile/entries/319 for entries 81,664-81,919 beyond a recovered 81,916). They must
// not survive recovery: a cache that fetched one would keep bytes that a later checkpoint
// contradicts.
TEST_F(LogWriterTest, RecoveryDeletesTilesBeyondTheDurableSize) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok());
    std::vector<Bytes> batch;
    for (int i = 0; i < 300; ++i) batch.push_back(Text("e" + std::to_string(i)));
    std::promise<Result<uint64_t>> p;
    (*log)->Append(std::move(batch), [&p](Result<uint64_t> r) { p.set_value(std::move(r)); });
    ASSERT_TRUE(p.get_future().get().ok());
  }
  // Size 300: tile 0/000 full, 0/001.p/44 partial. Leftovers of a lost batch of ~300 more:
  const std::vector<std::string> stale = {
      "tile/0/001",      "tile/entries/001", "tile/0/001.p/45", "tile/entries/001.p/200",
      "tile/0/002.p/88", "tile/0/002",       "tile/1/000.p/2",  "tile/0/001.p/44.tmp.1.2"};
  for (const std::string& path : stale) {
    ASSERT_TRUE(WriteFileDurable(dir_ + "/" + path, Bytes(32, 0xaa)).ok());
  }
  auto log = OpenLog();
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ((*log)->Latest().checkpoint.size, 300u);
  for (const std::string& path : stale) {
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/" + path)) << path;
  }
  // What the durable checkpoint covers stays.
  for (const std::string& path : {"tile/0/000", "tile/entries/000", "tile/0/001.p/44",
                                  "tile/entries/001.p/44", "tile/1/000.p/1"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/" + std::string(path))) << path;
  }
  EXPECT_EQ(*(*log)->AppendAndWait(Text("next")), 300u);
}

// Storage that fails for a while (no descriptors, a full disk) fails the appends of that
// moment, shows in Health(), and stops mattering once it works again: nothing latches.
TEST_F(LogWriterTest, StorageFailuresDoNotLatch) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(*(*log)->AppendAndWait(Text("a")), 0u);
  // Replace the tile folder by a file: every tile write fails (even for root).
  const std::string tiles = dir_ + "/tile";
  std::filesystem::rename(tiles, dir_ + "/tile.away");
  ASSERT_TRUE(WriteFileDurable(tiles, Text("not a folder")).ok());
  for (int i = 0; i < 3; ++i) {
    auto failed = (*log)->AppendAndWait(Text("b"));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, Errc::kUnavailable);
    EXPECT_FALSE((*log)->Health().ok());
  }
  EXPECT_EQ((*log)->Latest().checkpoint.size, 1u);
  std::filesystem::remove(tiles);
  std::filesystem::rename(dir_ + "/tile.away", tiles);
  // Storage is back: appends continue at the next index and health recovers.
  ASSERT_EQ(*(*log)->AppendAndWait(Text("c")), 1u);
  EXPECT_TRUE((*log)->Health().ok());
  ASSERT_EQ(*(*log)->AppendAndWait(Text("d")), 2u);
  log->reset();
  auto reopened = OpenLog();
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->Latest().checkpoint.size, 3u);
}

// A batch that failed after its checkpoint became durable is in the log: the writer picks that
// checkpoint up instead of overwriting its entries with the next batch (which would fork).
TEST_F(LogWriterTest, ResyncAdoptsACheckpointThatBecameDurable) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(*(*log)->AppendAndWait(Text("a")), 0u);
  // Simulate: tiles and checkpoint of a 2-entry tree written (by a batch whose answer failed),
  // then a failure. Build them with a second writer over a copy of the folder.
  const std::string copy = dir_ + ".copy";
  std::filesystem::remove_all(copy);
  std::filesystem::copy(dir_, copy, std::filesystem::copy_options::recursive);
  {
    auto key = crypto::Ed25519PrivateKey::FromSeed(Bytes(32, 7));
    LogWriterOptions opts;
    opts.dir = copy;
    opts.origin = "example.com/test-log";
    auto other = LogWriter::Open(
        opts, std::make_unique<Ed25519NoteSigner>(opts.origin, std::move(*key)), pool_);
    ASSERT_TRUE(other.ok());
    ASSERT_EQ(*(*other)->AppendAndWait(Text("b")), 1u);
  }
  // Make the next batch fail, then put the "durable but unanswered" state in place.
  const std::string tiles = dir_ + "/tile";
  std::filesystem::rename(tiles, dir_ + "/tile.away");
  ASSERT_TRUE(WriteFileDurable(tiles, Text("not a folder")).ok());
  ASSERT_FALSE((*log)->AppendAndWait(Text("x")).ok());
  std::filesystem::remove(tiles);
  std::filesystem::remove_all(dir_ + "/tile.away");
  std::filesystem::copy(copy + "/tile", tiles, std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(copy + "/state/checkpoint", dir_ + "/state/checkpoint",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove_all(copy);
  // The next append lands after "b", not over it.
  ASSERT_EQ(*(*log)->AppendAndWait(Text("c")), 2u);
  TileHashReader reader(3, [this](const std::string& p) { return ReadFile(dir_ + "/" + p); });
  auto root = TreeRoot(3, reader);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, (*log)->Latest().checkpoint.root);
}

TEST_F(LogWriterTest, RefusesToOpenOverTamperedTiles) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE((*log)->AppendAndWait(Text("e" + std::to_string(i))).ok());
  }
  auto tile = ReadFile(dir_ + "/tile/0/000.p/3");
  ASSERT_TRUE(tile.ok());
  (*tile)[0] ^= 1;
  ASSERT_TRUE(WriteFileDurable(dir_ + "/tile/0/000.p/3", *tile).ok());
  auto log = OpenLog();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, Errc::kInternal);
}

TEST_F(LogWriterTest, SupersededPartialTilesAreRemovedAndOldSizesStillProve) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok());
  std::vector<SignedCheckpoint> seen;
  for (int i = 0; i < 40; ++i) {
    std::vector<Bytes> batch;
    for (int j = 0; j < 7; ++j) batch.push_back(Text(std::to_string(i) + "/" + std::to_string(j)));
    std::promise<Result<uint64_t>> p;
    (*log)->Append(std::move(batch), [&p](Result<uint64_t> r) { p.set_value(std::move(r)); });
    ASSERT_TRUE(p.get_future().get().ok());
    seen.push_back((*log)->Latest());
  }
  // 280 entries: tile 0/000 is full, so its partials are gone; tile 0/001 is partial.
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tile/0/000.p"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/tile/entries/000.p"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/tile/0/001.p/24"));
  // An old checkpoint's partial tile is read from the full tile: proofs still verify.
  const SignedCheckpoint& old = seen[3];  // size 28
  TileHashReader reader(old.checkpoint.size,
                        [this](const std::string& path) { return ReadFile(dir_ + "/" + path); });
  auto root = TreeRoot(old.checkpoint.size, reader);
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, old.checkpoint.root);
  auto proof = (*log)->ProveConsistency(old.checkpoint.size, seen.back().checkpoint.size);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyConsistency(old.checkpoint.size, seen.back().checkpoint.size,
                                old.checkpoint.root, seen.back().checkpoint.root, *proof)
                  .ok());
}

}  // namespace
}  // namespace candor::tlog
