// Invariant I6 for the log: kill -9 candord at random moments while a client appends; after each
// restart every acknowledged entry is present at its index, every checkpoint seen before is
// consistent with the new one (no fork), and both witnesses keep cosigning (they would refuse a
// fork with 422).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "candor/client/log_client.h"
#include "candor/tlog/tile.h"
#include "stack.h"

namespace candor::testing {
namespace {

TEST(CrashTest, KillNineNeverLosesAckedEntriesOrForks) {
  auto stack = Stack::Create("crash", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  std::mt19937_64 rng(std::random_device{}());
  std::map<uint64_t, std::string> acked;  // index -> entry
  std::vector<tlog::VerifiedCheckpoint> seen;
  uint64_t seq = 0;
  int num_witness_restarts = 0;
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::thread writer([&] {
      Stack* sp = &s;
      while (!stop.load()) {
        std::vector<std::string> batch;
        const size_t n = 1 + rng() % 40;
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
    ASSERT_TRUE(s.StartServer().ok());
    const uint64_t need = acked.empty() ? 0 : acked.rbegin()->first + 1;
    auto cp = s.WaitForPublished(need, std::chrono::seconds(30));
    ASSERT_TRUE(cp.ok()) << "round " << round << ": " << cp.error().message;
    client::LogClient client(s.log_url(), s.trust());
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
      "present, final size %llu\n",
      kRounds, num_witness_restarts, num_checked,
      static_cast<unsigned long long>(cp->checkpoint.size));
  EXPECT_GT(num_witness_restarts, 0);
  ASSERT_GT(num_checked, 0u);
}

}  // namespace
}  // namespace candor::testing
