#include "candor/store/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

namespace candor::store {
namespace {

// CodeOf maps an SQLite (extended) result code to our error kinds; see sqlite.h.
Errc CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Errc::kMalformed;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return Errc::kConflict;
      }
      return Errc::kInternal;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return Errc::kUnavailable;
    default:
      return Errc::kInternal;
  }
}

// SqliteError builds the Error for result code `rc` of operation `what` on `db` (may be null).
Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = "sqlite: ";
  msg += what;
  msg += ": ";
  // sqlite3_errmsg describes the connection's latest failure, which is `rc` when it has one.
  const bool db_has_it = db != nullptr && sqlite3_extended_errcode(db) == rc;
  msg += db_has_it ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (code " + std::to_string(rc) + ")";
  return MakeError(CodeOf(rc), std::move(msg));
}

}  // namespace

Result<Database> Database::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // From here `db` owns the handle, which sqlite3_open_v2 may allocate even when it fails.
  Database db(raw, path);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "open " + path);
  if (raw == nullptr) return MakeError(Errc::kUnavailable, "sqlite: open " + path + ": no memory");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);

  // journal_mode answers with the mode now in force; anything but "wal" (an in-memory or
  // read-only database) would not give the durability this layer promises.
  {
    CANDOR_ASSIGN_OR_RETURN(
        Statement mode, db.Prepare("set journal_mode=WAL on " + path, "PRAGMA journal_mode=WAL"));
    CANDOR_ASSIGN_OR_RETURN(bool has_row, mode.Step());
    const unsigned char* text = has_row ? sqlite3_column_text(mode.stmt_, 0) : nullptr;
    if (text == nullptr || std::strcmp(reinterpret_cast<const char*>(text), "wal") != 0) {
      return MakeError(Errc::kUnavailable,
                       "sqlite: set journal_mode=WAL on " + path + ": the database refused WAL");
    }
  }
  CANDOR_TRY(db.Exec("set synchronous=FULL on " + path, "PRAGMA synchronous=FULL"));
  CANDOR_TRY(db.Exec("set foreign_keys=ON on " + path, "PRAGMA foreign_keys=ON"));
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() {
  // close_v2 defers the close until every statement is finalized; our Statements never outlive
  // the Database by contract, so this closes (and checkpoints the WAL) here.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Exec(std::string_view what, const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, what);
  return OkStatus();
}

uint64_t Database::Changes() const { return static_cast<uint64_t>(sqlite3_changes64(db_)); }

Status Database::SyncDirectory() {
  const size_t slash = path_.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(Errc::kUnavailable,
                     "sqlite: open directory " + dir + ": " + std::strerror(errno));
  }
  const int rc = fsync(fd);
  const int fsync_errno = errno;
  close(fd);
  if (rc != 0) {
    return MakeError(Errc::kUnavailable,
                     "sqlite: fsync directory " + dir + ": " + std::strerror(fsync_errno));
  }
  return OkStatus();
}

Result<Statement> Database::Prepare(std::string_view what, std::string_view sql) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return MakeError(Errc::kInvalidArgument, "sqlite: prepare " + std::string(what) + ": too long");
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  Statement result(db_, stmt, what);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare " + std::string(what));
  if (stmt == nullptr) {
    return MakeError(Errc::kInvalidArgument, "sqlite: prepare " + std::string(what) + ": no SQL");
  }
  return result;
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), what_(std::move(other.what_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = std::move(other.what_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Error Statement::Fail(int rc, std::string_view action) const {
  return SqliteError(db_, rc, std::string(action) + " " + what_);
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error, which Step has already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Status Statement::BindInt64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) return Fail(rc, "bind");
  return OkStatus();
}

Status Statement::BindBlob(int index, ByteView value) {
  // A null data pointer would bind SQL NULL, so an empty view binds a zero-length BLOB.
  const int rc = value.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                               : sqlite3_bind_blob64(stmt_, index, value.data(), value.size(),
                                                     SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) return Fail(rc, "bind");
  return OkStatus();
}

Status Statement::BindText(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) return Fail(rc, "bind");
  return OkStatus();
}

Status Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) return Fail(rc, "bind");
  return OkStatus();
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(rc, "step");
}

Status Statement::Run() {
  Result<bool> row = Step();
  while (row.ok() && *row) row = Step();
  Reset();
  if (!row.ok()) return std::move(row).error();
  return OkStatus();
}

Result<int64_t> Statement::ColumnInt64(int col, std::string_view name) const {
  if (sqlite3_column_type(stmt_, col) != SQLITE_INTEGER) {
    return MakeError(Errc::kMalformed,
                     "sqlite: " + what_ + ": column " + std::string(name) + " is not an INTEGER");
  }
  return static_cast<int64_t>(sqlite3_column_int64(stmt_, col));
}

Result<ByteView> Statement::ColumnBlob(int col, std::string_view name) const {
  if (sqlite3_column_type(stmt_, col) != SQLITE_BLOB) {
    return MakeError(Errc::kMalformed,
                     "sqlite: " + what_ + ": column " + std::string(name) + " is not a BLOB");
  }
  const void* data = sqlite3_column_blob(stmt_, col);
  const int len = sqlite3_column_bytes(stmt_, col);
  if (len <= 0) return ByteView{};
  if (data == nullptr) {
    return MakeError(Errc::kUnavailable,
                     "sqlite: " + what_ + ": column " + std::string(name) + ": no memory");
  }
  return ByteView{static_cast<const uint8_t*>(data), static_cast<size_t>(len)};
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

Result<SqlValue> Statement::ColumnValue(int col) const {
  switch (sqlite3_column_type(stmt_, col)) {
    case SQLITE_NULL:
      return SqlValue{};
    case SQLITE_INTEGER:
      return SqlValue{static_cast<int64_t>(sqlite3_column_int64(stmt_, col))};
    case SQLITE_BLOB: {
      CANDOR_ASSIGN_OR_RETURN(ByteView blob, ColumnBlob(col, sqlite3_column_name(stmt_, col)));
      return SqlValue{Bytes(blob.begin(), blob.end())};
    }
    case SQLITE_TEXT: {
      const unsigned char* text = sqlite3_column_text(stmt_, col);
      const int len = sqlite3_column_bytes(stmt_, col);
      if (text == nullptr && len > 0) {
        return MakeError(Errc::kUnavailable, "sqlite: " + what_ + ": no memory");
      }
      return SqlValue{std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(len))};
    }
    default:
      return MakeError(Errc::kMalformed, "sqlite: " + what_ + ": column " +
                                             sqlite3_column_name(stmt_, col) + " is a REAL");
  }
}

Result<Transaction> Transaction::Begin(Database& db, Mode mode) {
  const bool write = mode == Mode::kWrite;
  CANDOR_TRY(db.Exec(write ? "begin write transaction" : "begin read transaction",
                     write ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // Nothing to report to: a failed ROLLBACK leaves SQLite to roll back on the next open.
  if (db_ != nullptr && sqlite3_get_autocommit(db_->db_) == 0) {
    sqlite3_exec(db_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status Transaction::Commit() {
  if (db_ == nullptr) {
    return MakeError(Errc::kInvalidArgument, "sqlite: commit: transaction already ended");
  }
  CANDOR_TRY(db_->Exec("commit", "COMMIT"));
  db_ = nullptr;
  return OkStatus();
}

}  // namespace candor::store
