#include "candor/store/sqlite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace candor::store {
namespace {

std::string TempDbPath(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "candor_sqlite_" + name + "_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

Result<int64_t> CountRows(Database& db, const std::string& sql) {
  CANDOR_ASSIGN_OR_RETURN(Statement s, db.Prepare("count", sql));
  CANDOR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return MakeError(Errc::kInternal, "no row");
  return s.ColumnInt64(0, "count");
}

TEST(SqliteTest, OpenSetsDurableSettings) {
  const std::string path = TempDbPath("pragmas");
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  auto synchronous = CountRows(*db, "PRAGMA synchronous");
  ASSERT_TRUE(synchronous.ok()) << synchronous.error().ToString();
  EXPECT_EQ(*synchronous, 2);  // FULL
  auto foreign_keys = CountRows(*db, "PRAGMA foreign_keys");
  ASSERT_TRUE(foreign_keys.ok());
  EXPECT_EQ(*foreign_keys, 1);
  auto wal = CountRows(*db, "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'");
  ASSERT_TRUE(wal.ok()) << wal.error().ToString();
  EXPECT_EQ(*wal, 1);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  const std::string path = TempDbPath("txn");
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  ASSERT_TRUE(db->Exec("create", "CREATE TABLE t (x INTEGER NOT NULL)").ok());
  {
    auto txn = Transaction::Begin(*db, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.error().ToString();
    ASSERT_TRUE(db->Exec("insert", "INSERT INTO t VALUES (1)").ok());
  }  // destroyed uncommitted: rolled back
  auto n = CountRows(*db, "SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 0);
  {
    auto txn = Transaction::Begin(*db, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("insert", "INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
    auto again = txn->Commit();
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, Errc::kInvalidArgument);
  }
  n = CountRows(*db, "SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST(SqliteTest, CommittedDataSurvivesReopen) {
  const std::string path = TempDbPath("reopen");
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("create", "CREATE TABLE t (x INTEGER NOT NULL)").ok());
    auto txn = Transaction::Begin(*db, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("insert", "INSERT INTO t VALUES (7)").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  auto n = CountRows(*db, "SELECT x FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 7);
}

TEST(SqliteTest, BlobsRoundTripIncludingEmpty) {
  const std::string path = TempDbPath("blob");
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("create", "CREATE TABLE b (k INTEGER PRIMARY KEY, v BLOB NOT NULL)").ok());
  auto ins = db->Prepare("insert blob", "INSERT INTO b (k, v) VALUES (?1, ?2)");
  ASSERT_TRUE(ins.ok()) << ins.error().ToString();
  const Bytes three = {1, 2, 3};
  ASSERT_TRUE(ins->BindInt64(1, 1).ok());
  ASSERT_TRUE(ins->BindBlob(2, three).ok());
  ASSERT_TRUE(ins->Run().ok());
  ASSERT_TRUE(ins->BindInt64(1, 2).ok());
  ASSERT_TRUE(ins->BindBlob(2, ByteView{}).ok());  // empty BLOB, not NULL: NOT NULL holds
  ASSERT_TRUE(ins->Run().ok());

  auto sel = db->Prepare("select blob", "SELECT v, k FROM b ORDER BY k");
  ASSERT_TRUE(sel.ok());
  auto row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  auto v = sel->ColumnBlob(0, "b.v");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Bytes(v->begin(), v->end()), three);
  row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  v = sel->ColumnBlob(0, "b.v");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
  // Strict column types: an INTEGER is not a BLOB and vice versa; the error names the column.
  auto wrong = sel->ColumnBlob(1, "b.k");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::kMalformed);
  EXPECT_NE(wrong.error().message.find("b.k"), std::string::npos);
  auto wrong_int = sel->ColumnInt64(0, "b.v");
  ASSERT_FALSE(wrong_int.ok());
  EXPECT_EQ(wrong_int.error().code, Errc::kMalformed);
  row = sel->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(SqliteTest, ErrorsNameTheOperation) {
  const std::string path = TempDbPath("errors");
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  auto bad = db->Prepare("my broken query", "SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("my broken query"), std::string::npos);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos);

  ASSERT_TRUE(db->Exec("create", "CREATE TABLE u (k INTEGER PRIMARY KEY)").ok());
  auto ins = db->Prepare("insert key", "INSERT INTO u (k) VALUES (?1)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->BindInt64(1, 5).ok());
  ASSERT_TRUE(ins->Run().ok());
  ASSERT_TRUE(ins->BindInt64(1, 5).ok());
  auto dup = ins->Run();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  EXPECT_NE(dup.error().message.find("insert key"), std::string::npos);

  auto bind = ins->BindInt64(9, 1);  // no such parameter
  ASSERT_FALSE(bind.ok());
  EXPECT_EQ(bind.error().code, Errc::kInternal);
}

TEST(SqliteTest, OpenFailures) {
  auto missing_dir = Database::Open("/nonexistent-candor-dir/x.db");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code, Errc::kUnavailable);
  EXPECT_NE(missing_dir.error().message.find("/nonexistent-candor-dir/x.db"), std::string::npos);

  const std::string path = TempDbPath("notadb");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string text(8192, 'x');
    ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
    ASSERT_EQ(std::fclose(f), 0);
  }
  auto notadb = Database::Open(path);
  ASSERT_FALSE(notadb.ok());
  EXPECT_EQ(notadb.error().code, Errc::kMalformed);
  EXPECT_NE(notadb.error().message.find("not a database"), std::string::npos)
      << notadb.error().message;
}

}  // namespace
}  // namespace candor::store
