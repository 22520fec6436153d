// A transparency log kept in the database (SqlLogStorage) on both backends: the same log as the
// file storage, tile for tile; a commit conditional on the stored size; and fencing by the
// sequencer lease, so a writer that lost the lease changes nothing.
#include "candor/store/sql_log_storage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "candor/net/worker_pool.h"
#include "candor/store/lease_store.h"
#include "candor/tlog/log_writer.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/tile.h"
#include "test_database.h"

namespace candor::store {
namespace {

using testing::Backend;

constexpr char kOrigin[] = "example.com/sql-log";

std::unique_ptr<tlog::Ed25519NoteSigner> Signer() {
  auto key = crypto::Ed25519PrivateKey::FromSeed(Bytes(32, 9));
  return std::make_unique<tlog::Ed25519NoteSigner>(kOrigin, std::move(*key));
}

// Append appends `entries` as one batch and waits for the answer.
Result<uint64_t> Append(tlog::LogWriter& w, std::vector<Bytes> entries) {
  std::promise<Result<uint64_t>> done;
  auto answer = done.get_future();
  w.Append(std::move(entries), [&done](Result<uint64_t> r) { done.set_value(std::move(r)); });
  return answer.get();
}

std::vector<Bytes> Entries(uint64_t first, uint64_t count) {
  std::vector<Bytes> out;
  for (uint64_t i = first; i < first + count; ++i) {
    const std::string s = "entry " + std::to_string(i);
    out.emplace_back(s.begin(), s.end());
  }
  return out;
}

class SqlLogStorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto db = testing::FreshDatabase(GetParam(), "log_" + name);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    dir_ = ::testing::TempDir() + "candor_sql_log_" + std::to_string(getpid()) + "_" +
           std::to_string(static_cast<int>(GetParam()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<SqlLogStorage> Storage(SqlFence fence = nullptr) {
    auto s = SqlLogStorage::Open(*db_, "main", std::move(fence));
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::shared_ptr<SqlLogStorage>(std::move(*s)) : nullptr;
  }
  Result<std::unique_ptr<tlog::LogWriter>> Writer(std::shared_ptr<tlog::LogStorage> storage) {
    tlog::LogWriterOptions opts;
    opts.storage = std::move(storage);
    opts.dir = dir_;  // used when `storage` is null
    opts.origin = kOrigin;
    opts.min_batch_interval = std::chrono::milliseconds(0);
    return tlog::LogWriter::Open(opts, Signer(), pool_);
  }

  net::WorkerPool pool_{2};  // outlives every writer
  std::unique_ptr<SqlDatabase> db_;
  std::string dir_;
};

TEST_P(SqlLogStorageTest, HoldsTheSameLogAsFilesAndResumesAfterReopen) {
  auto files = Writer(nullptr);
  ASSERT_TRUE(files.ok()) << files.error().message;
  auto storage = Storage();
  ASSERT_NE(storage, nullptr);
  auto sql = Writer(storage);
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  // Batches of uneven sizes: partial tiles of many widths, then full tiles that replace them.
  uint64_t size = 0;
  for (uint64_t batch : {1u, 2u, 5u, 60u, 200u, 3u, 300u, 1u, 40u}) {
    auto f = Append(**files, Entries(size, batch));
    auto s = Append(**sql, Entries(size, batch));
    ASSERT_TRUE(f.ok()) << f.error().message;
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(*s, size);
    size += batch;
    ASSERT_EQ((*sql)->Latest().checkpoint, (*files)->Latest().checkpoint) << "size " << size;
  }
  ASSERT_EQ(size, 612u);
  // Every tile of the final tree, byte for byte.
  const std::vector<std::string> paths = {
      "tile/0/000",       "tile/0/001",       "tile/0/002.p/100",      "tile/1/000.p/2",
      "tile/entries/000", "tile/entries/001", "tile/entries/002.p/100"};
  for (const std::string& path : paths) {
    auto a = (*files)->ReadTile(path);
    auto b = (*sql)->ReadTile(path);
    ASSERT_TRUE(a.ok()) << path << ": " << a.error().message;
    ASSERT_TRUE(b.ok()) << path << ": " << b.error().message;
    EXPECT_EQ(*a, *b) << path;
  }
  // The partial tiles of a full tile are gone, and nothing past the checkpoint was stored.
  EXPECT_EQ((*sql)->ReadTile("tile/0/000.p/3").error().code, Errc::kNotFound);
  EXPECT_EQ((*sql)->ReadTile("tile/0/002.p/101").error().code, Errc::kNotFound);
  // Proofs read from the database verify against the checkpoint.
  const tlog::Checkpoint cp = (*sql)->Latest().checkpoint;
  auto inclusion = (*sql)->ProveInclusion(300, size);
  ASSERT_TRUE(inclusion.ok()) << inclusion.error().message;
  EXPECT_TRUE(
      tlog::VerifyInclusion(300, size, tlog::HashLeaf(Entries(300, 1)[0]), *inclusion, cp.root)
          .ok());

  // A new writer on the same database resumes at the same checkpoint.
  const tlog::SignedCheckpoint before = (*sql)->Latest();
  sql->reset();
  auto reopened = Writer(Storage());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->Latest().note, before.note);
  ASSERT_TRUE(Append(**reopened, Entries(size, 7)).ok());
  ASSERT_TRUE(Append(**files, Entries(size, 7)).ok());
  EXPECT_EQ((*reopened)->Latest().checkpoint, (*files)->Latest().checkpoint);
}

TEST_P(SqlLogStorageTest, CommitsAreConditionalOnTheStoredSize) {
  // Two writers that both believe they own the log (no lease): the second to commit fails,
  // and the log holds only what the first wrote.
  auto one = Writer(Storage());
  auto two = Writer(Storage());
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_TRUE(Append(**one, Entries(0, 3)).ok());
  auto lost = Append(**two, Entries(100, 2));
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.error().message.find("another writer appended"), std::string::npos)
      << lost.error().message;
  auto stored = Storage()->ReadCheckpoint();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(AsStringView(*stored), (*one)->Latest().note);
  // The published checkpoint never moves backwards, nor past the stored log.
  auto storage = Storage();
  EXPECT_EQ(storage->ReadPublished().error().code, Errc::kNotFound);
  ASSERT_TRUE(storage->WritePublished(3, "three").ok());
  EXPECT_EQ(storage->WritePublished(2, "two").error().code, Errc::kConflict);
  EXPECT_EQ(storage->WritePublished(4, "four").error().code, Errc::kConflict);
  EXPECT_EQ(AsStringView(*storage->ReadPublished()), "three");
}

TEST_P(SqlLogStorageTest, AWriterThatLostTheLeaseChangesNothing) {
  auto leases = LeaseStore::Open(*db_);
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  auto a = (*leases)->Acquire("node-a", 1000, 500);
  ASSERT_TRUE(a.ok());
  auto fence_a = Storage([lease = *a](SqlTx& tx) { return LeaseStore::CheckFence(tx, lease); });
  auto writer_a = Writer(fence_a);
  ASSERT_TRUE(writer_a.ok()) << writer_a.error().message;
  ASSERT_TRUE(Append(**writer_a, Entries(0, 10)).ok());
  ASSERT_TRUE(fence_a->WritePublished(10, "cosigned 10").ok());
  const std::string last_note = (*writer_a)->Latest().note;

  // node-a pauses past its lease; node-b takes over (term 2).
  auto b = (*leases)->Acquire("node-b", 2000, 500);
  ASSERT_TRUE(b.ok());
  // node-a wakes up: its appends and its publication fail and leave nothing.
  auto stale = Append(**writer_a, Entries(10, 5));
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("fenced"), std::string::npos) << stale.error().message;
  EXPECT_EQ(fence_a->WritePublished(10, "stale").error().code, Errc::kConflict);
  EXPECT_EQ(AsStringView(*fence_a->ReadCheckpoint()), last_note);
  EXPECT_EQ(fence_a->ReadTile("tile/entries/000.p/15").error().code, Errc::kNotFound);
  EXPECT_EQ(AsStringView(*fence_a->ReadPublished()), "cosigned 10");

  // node-b resumes the log where node-a's last durable commit left it.
  auto writer_b =
      Writer(Storage([lease = *b](SqlTx& tx) { return LeaseStore::CheckFence(tx, lease); }));
  ASSERT_TRUE(writer_b.ok()) << writer_b.error().message;
  EXPECT_EQ((*writer_b)->Latest().note, last_note);
  auto next = Append(**writer_b, Entries(10, 5));
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(*next, 10u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlLogStorageTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return testing::BackendName(info.param);
                         });

}  // namespace
}  // namespace candor::store
