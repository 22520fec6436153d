// sql.h: one small SQL interface that the services' stores are written against once, with two
// backends: SQLite (embedded default, sqlite_database.h) and PostgreSQL through libpq
// (pg_database.h). Statements use portable SQL with numbered parameters `$1`, `$2`, ...; DDL may
// say BLOB, which the PostgreSQL backend reads as BYTEA. Values are NULL, 64-bit integers, byte
// strings (BLOB/BYTEA) and text.
//
// Work runs in transactions: Write(work) runs `work` in one read-write transaction and returns
// only once it is committed and durable (or rolled back: then nothing of it is visible). A
// backend may retry `work` after a serialization failure, so `work` must derive everything it
// writes from what it reads in that same call. Read(work) runs `work` on a consistent snapshot.
// Both block the calling thread: call them from a worker pool, never from an IO thread.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::store {

// SqlValue is one parameter or column value.
using SqlValue = std::variant<std::monostate, int64_t, Bytes, std::string>;

// SqlRow is one result row. Accessors name the column in their kMalformed error on a type
// mismatch (a NULL is a mismatch too, except for IsNull).
class SqlRow {
 public:
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t col) const;
  Result<int64_t> Int(size_t col, std::string_view name) const;
  Result<Bytes> Blob(size_t col, std::string_view name) const;
  Result<std::string> Text(size_t col, std::string_view name) const;

 private:
  std::vector<SqlValue> values_;
};

// SqlTx is the statement runner inside one transaction. Errors: a unique or primary-key
// violation is kConflict; a lost connection or a full disk kUnavailable; a malformed statement
// kInternal. After an error the transaction is rolled back: return the error from `work`.
class SqlTx {
 public:
  virtual ~SqlTx() = default;
  // Query runs one statement and returns every row it yields.
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            std::span<const SqlValue> params) = 0;
  // Exec runs one statement and returns the number of rows it inserted, updated or deleted.
  virtual Result<uint64_t> Exec(std::string_view sql, std::span<const SqlValue> params) = 0;

  Result<std::vector<SqlRow>> Query(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Query(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  Result<uint64_t> Exec(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Exec(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
};

// SqlFence runs first in a write transaction of a store that a lease guards (the sequencer's,
// lease_store.h); an error aborts the write. Empty: no fence.
using SqlFence = std::function<Status(SqlTx&)>;

enum class SqlDialect : uint8_t { kSqlite, kPostgres };

class SqlDatabase {
 public:
  using Work = std::function<Status(SqlTx&)>;
  virtual ~SqlDatabase() = default;
  // Write runs `work` in a read-write transaction: if `work` returns OK the transaction is
  // committed and durable before Write returns OK; otherwise (or if the commit fails) it is
  // rolled back and Write returns the error. Thread-safe.
  virtual Status Write(const Work& work) = 0;
  // Read runs `work` in a read-only transaction (a consistent snapshot). Thread-safe.
  virtual Status Read(const Work& work) = 0;
  // ExecScript runs DDL (several statements, no parameters) in one write transaction.
  virtual Status ExecScript(std::string_view sql) = 0;
  virtual SqlDialect dialect() const = 0;
};

// OpenDatabase opens the store named by `spec`: "sqlite:<path>" (created if missing) or
// "postgresql:<libpq conninfo or URI>". kInvalidArgument for another scheme, kUnavailable if the
// database cannot be reached.
Result<std::unique_ptr<SqlDatabase>> OpenDatabase(const std::string& spec);

// Migration is one schema step of a component: applied once, in version order.
struct Migration {
  int64_t version;
  std::string_view sql;  // DDL; BLOB means BYTEA on PostgreSQL
};

// Migrate applies the migrations of `component` that the database has not seen, each in its own
// transaction together with its record in `schema_migrations`. Safe when several processes
// migrate the same database at once. kInternal if the database records a version of
// `component` newer than any in `migrations` (a newer candord wrote it).
Status Migrate(SqlDatabase& db, std::string_view component, std::span<const Migration> migrations);

}  // namespace candor::store
