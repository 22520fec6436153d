// sqlite.h: a small RAII layer over SQLite for the store layer: a Database opened for durable
// writes (WAL, synchronous=FULL, foreign keys), prepared Statements with checked bind, step and
// column helpers, and a Transaction that rolls back unless committed. Every SQLite failure comes
// back as an Error naming the operation; nothing throws or aborts on what a file contains.
//
// Error codes: SQLITE_NOTADB and SQLITE_CORRUPT are kMalformed (the file is not a sound
// database), a primary-key or unique violation is kConflict, SQLITE_BUSY/LOCKED, I/O, disk-full
// and cannot-open errors are kUnavailable, anything else kInternal. A column of the wrong type is
// kMalformed naming the column.
//
// Threading: a Database and its Statements are used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/store/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace candor::store {

class Statement;

// Database is one open SQLite connection. Move-only; closing happens in the destructor.
class Database {
 public:
  // Open opens `path`, creating an empty database if it does not exist, and switches it to
  // journal_mode=WAL, synchronous=FULL and foreign_keys=ON, so that a committed transaction is
  // on disk before Commit returns. A file that is not a database is kMalformed.
  static Result<Database> Open(const std::string& path);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Exec runs `sql` (one or more statements returning no rows we read). `what` names the
  // operation in the error.
  Status Exec(std::string_view what, const std::string& sql);

  // Prepare compiles one SQL statement. The Statement must be destroyed before this Database.
  // `what` names the statement in every error it later reports.
  Result<Statement> Prepare(std::string_view what, std::string_view sql);

  // Changes is the number of rows the latest INSERT, UPDATE or DELETE changed.
  uint64_t Changes() const;

  // SyncDirectory fsyncs the directory that holds the database file, so that a file this
  // connection created (and its WAL) stays linked after a power loss; kUnavailable on failure.
  Status SyncDirectory();

  // path is the file this Database was opened on.
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  friend class Transaction;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Statement is one prepared statement. Bind* indices start at 1, Column* indices at 0 (SQLite's
// conventions). Move-only.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Reset ends the current execution and clears every binding, ready for the next use.
  void Reset();

  // BindInt64 binds an integer to parameter `index`.
  Status BindInt64(int index, int64_t value);
  // BindBlob binds a copy of `value` as a BLOB (a 0-byte view binds an empty BLOB, not NULL).
  Status BindBlob(int index, ByteView value);
  // BindText binds a copy of `value` as TEXT.
  Status BindText(int index, std::string_view value);
  // BindNull binds SQL NULL.
  Status BindNull(int index);

  // Step advances the statement: true if a row is available, false once it is done.
  Result<bool> Step();
  // Run steps a statement that returns no rows to completion, then resets it (also on failure).
  Status Run();

  // ColumnInt64 reads an INTEGER column of the current row; another type is kMalformed naming
  // `name`.
  Result<int64_t> ColumnInt64(int col, std::string_view name) const;
  // ColumnBlob reads a BLOB column of the current row; another type is kMalformed naming `name`.
  // The view stays valid until the next Step, Reset or the Statement's destruction.
  Result<ByteView> ColumnBlob(int col, std::string_view name) const;
  // ColumnCount is the number of columns the statement yields.
  int ColumnCount() const;
  // ColumnValue copies column `col` of the current row: NULL, an INTEGER (int64_t), a BLOB
  // (Bytes) or TEXT (std::string); a REAL is kMalformed.
  Result<SqlValue> ColumnValue(int col) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what)
      : db_(db), stmt_(stmt), what_(what) {}
  Error Fail(int rc, std::string_view action) const;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

// Transaction is an open transaction on a Database that rolls back when destroyed uncommitted.
// The Database must outlive it. At most one Transaction per Database at a time.
class Transaction {
 public:
  // Mode kWrite takes the write lock at once (BEGIN IMMEDIATE); kRead starts a deferred
  // transaction, a consistent snapshot for several reads.
  enum class Mode : uint8_t { kRead, kWrite };

  // Begin starts a transaction on `db`; kUnavailable if the database is locked.
  static Result<Transaction> Begin(Database& db, Mode mode);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commit commits; once it returns OK the changes are durable. On failure the transaction is
  // rolled back (by the destructor at the latest).
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or moved from
};

}  // namespace candor::store
