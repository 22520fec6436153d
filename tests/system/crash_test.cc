// Invariant I6 for the log: kill -9 candord at random moments while a client appends; after each
// restart every acknowledged entry is present at its index, every checkpoint seen before is
// consistent with the new one (no fork), and both witnesses keep cosigning (they would refuse a
// fork with 422). Tiles: a tile no published checkpoint covers is never served (404), tiles a
// lost batch left past the recovered size are gone after the restart, and a tile once served
// never comes back with other bytes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "candor/base/file.h"
#include "candor/client/log_client.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile.h"
#include "stack.h"

namespace candor::testing {
namespace {

// DurableSize reads the size of the log's durable checkpoint from disk (server stopped).
uint64_t DurableSize(const std::string& log_dir) {
  auto note = ReadFile(log_dir + "/state/checkpoint");
  if (!note.ok()) return 0;
  auto parsed = tlog::ParseNote(AsStringView(*note));
  if (!parsed.ok()) return 0;
  auto cp = tlog::ParseCheckpoint(parsed->text);
  return cp.ok() ? cp->size : 0;
}

// TilesBeyond lists the tile files on disk that the `size`-leaf tree does not cover.
std::vector<std::string> TilesBeyond(const std::string& log_dir, uint64_t size) {
  std::vector<std::string> out;
  std::error_code ec;
  const std::string root = log_dir + "/";
  for (auto it = std::filesystem::recursive_directory_iterator(root + "tile", ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file()) continue;
    const std::string path = it->path().string().substr(root.size());
    auto id = tlog::ParseTilePath(path);
    if (id.ok() && !tlog::TileCoveredBy(*id, size)) out.push_back(path);
  }
  return out;
}

// EdgeTiles lists the tiles at the right edge of a `size`-leaf tree and the ones just past it.
std::vector<tlog::TileId> EdgeTiles(uint64_t size, std::vector<tlog::TileId>* beyond) {
  std::vector<tlog::TileId> covered;
  for (uint8_t level = 0; level < 3; ++level) {
    const uint64_t count = size >> (8 * level);
    const uint64_t n = count / tlog::kTileWidth;
    const auto width = static_cast<uint32_t>(count % tlog::kTileWidth);
    for (bool entries : {false, true}) {
      if (entries && level > 0) continue;
      if (width > 0) covered.push_back({entries, level, n, width});
      if (n > 0) covered.push_back({entries, level, n - 1, tlog::kTileWidth});
      beyond->push_back({entries, level, n, tlog::kTileWidth});
      if (width + 1 < tlog::kTileWidth) beyond->push_back({entries, level, n, width + 1});
    }
  }
  return covered;
}

TEST(CrashTest, KillNineNeverLosesAckedEntriesOrForks) {
  auto stack = Stack::Create("crash", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  std::mt19937_64 rng(std::random_device{}());
  std::map<uint64_t, std::string> acked;  // index -> entry
  std::vector<tlog::VerifiedCheckpoint> seen;
  uint64_t seq = 0;
  int num_witness_restarts = 0;
  int num_rounds_with_stale_tiles = 0;
  size_t num_tiles_checked = 0;
  std::map<std::string, Bytes> served;  // every tile fetched, by path
  constexpr int kRounds = 60;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::thread writer([&] {
      Stack* sp = &s;
      while (!stop.load()) {
        std::vector<std::string> batch;
        // Mostly small appends, some large ones: a large batch spends long enough writing
        // tiles that a kill often lands between its tiles and its checkpoint.
        const size_t n = rng() % 4 == 0 ? 500 + rng() % 3000 : 1 + rng() % 40;
        {
          std::lock_guard<std::mutex> lock(mu);
          for (size_t i = 0; i < n; ++i)
            batch.push_back("round" + std::to_string(round) + "-" + std::to_string(seq++));
        }
        auto first = sp->Append(batch);
        if (!first.ok()) return;  // the server died under us: the batch is not acknowledged
        std::lock_guard<std::mutex> lock(mu);
        for (size_t i = 0; i < n; ++i) acked[*first + i] = batch[i];
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 300));
    s.KillServer();
    stop = true;
    writer.join();
    if (round % 3 == 2) {
      // Also kill -9 a witness: after its restart it must still know the largest checkpoint
      // it cosigned (else it could be talked into cosigning a fork).
      const size_t w = static_cast<size_t>(round / 3) % 2;
      auto before = s.WitnessCheckpoint(w);
      ASSERT_TRUE(s.RestartWitness(w).ok());
      if (before.ok()) {
        auto after = s.WitnessCheckpoint(w);
        ASSERT_TRUE(after.ok()) << "witness forgot its state";
        EXPECT_EQ(*after, *before);
        ++num_witness_restarts;
      }
    }
    const uint64_t durable = DurableSize(s.log_dir());
    if (!TilesBeyond(s.log_dir(), durable).empty()) ++num_rounds_with_stale_tiles;
    ASSERT_TRUE(s.StartServer().ok());
    const uint64_t need = acked.empty() ? 0 : acked.rbegin()->first + 1;
    auto cp = s.WaitForPublished(need, std::chrono::seconds(30));
    ASSERT_TRUE(cp.ok()) << "round " << round << ": " << cp.error().message;
    client::LogClient client(s.log_url(), s.trust());
    // Recovery removed what the lost batch left past the durable size...
    const std::vector<std::string> left = TilesBeyond(s.log_dir(), cp->checkpoint.size);
    for (const std::string& path : left) {
      // (a batch may be writing past the published size right now: only durable-size ones count)
      auto id = tlog::ParseTilePath(path);
      EXPECT_TRUE(id.ok() && tlog::TileCoveredBy(*id, DurableSize(s.log_dir()) + 65536))
          << "round " << round << ": " << path << " survived recovery";
    }
    // ...and tiles past the durable size at the kill (a batch that was lost) are never served.
    // Tiles between the published and the durable size may be: the server serves what a
    // durable checkpoint covers, since such a tile never changes (the restarted server
    // publishes that head once the witnesses cosign it, which may not have happened yet).
    std::vector<tlog::TileId> beyond;
    const std::vector<tlog::TileId> edge = EdgeTiles(cp->checkpoint.size, &beyond);
    for (const tlog::TileId& id : beyond) {
      if (tlog::TileCoveredBy(id, durable)) continue;
      auto got = client.Fetch(tlog::TilePath(id));
      EXPECT_FALSE(got.ok()) << "round " << round << ": served " << tlog::TilePath(id)
                             << " past the durable size " << durable;
    }
    // ...and no tile ever served changes.
    for (const tlog::TileId& id : edge) {
      auto got = client.Fetch(tlog::TilePath(id));
      if (got.ok()) served.emplace(tlog::TilePath(id), *got);
    }
    for (const auto& [path, bytes] : served) {
      auto again = client.Fetch(path);
      // A partial tile may be gone once its full tile exists; it must not differ.
      if (!again.ok()) {
        EXPECT_NE(path.find(".p/"), std::string::npos) << path << " vanished";
        continue;
      }
      EXPECT_EQ(*again, bytes) << "round " << round << ": " << path << " changed";
      ++num_tiles_checked;
    }
    for (const tlog::VerifiedCheckpoint& old : seen) {
      auto again = client.FetchCheckpoint(old);
      ASSERT_TRUE(again.ok()) << "checkpoint of size " << old.checkpoint.size
                              << " is not consistent with the restarted log";
    }
    seen.push_back(*cp);
  }
  // Every acknowledged entry is in the log, at its index, under the cosigned root.
  client::LogClient client(s.log_url(), s.trust());
  auto cp = client.FetchCheckpoint();
  ASSERT_TRUE(cp.ok());
  std::map<uint64_t, std::vector<Bytes>> bundles;
  size_t num_checked = 0;
  for (const auto& [index, entry] : acked) {
    auto tile = tlog::TileForLevelHash(0, index, cp->checkpoint.size);
    ASSERT_TRUE(tile.ok());
    tile->entries = true;
    auto& b = bundles[tile->index];
    if (b.empty()) {
      auto data = client.Fetch(tlog::TilePath(*tile));
      ASSERT_TRUE(data.ok());
      auto entries = tlog::DecodeEntryBundle(*data, tile->width);
      ASSERT_TRUE(entries.ok());
      for (ByteView e : *entries) b.emplace_back(e.begin(), e.end());
    }
    ASSERT_EQ(AsStringView(b[index % tlog::kTileWidth]), entry) << index;
    ++num_checked;
  }
  auto proof = client.ProveEntry(acked.begin()->first, *cp);
  EXPECT_TRUE(proof.ok());
  std::printf(
      "[crash] %d kill -9 rounds (and %d witness kill -9s), %zu acknowledged entries all "
      "present, final size %llu; %d rounds left tiles past the durable size (all removed), "
      "%zu re-fetches of %zu served tiles all identical\n",
      kRounds, num_witness_restarts, num_checked,
      static_cast<unsigned long long>(cp->checkpoint.size), num_rounds_with_stale_tiles,
      num_tiles_checked, served.size());
  EXPECT_GT(num_witness_restarts, 0);
  ASSERT_GT(num_checked, 0u);
}

}  // namespace
}  // namespace candor::testing
