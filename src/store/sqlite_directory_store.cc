#include "candor/store/sqlite_directory_store.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <utility>

namespace candor::store {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
constexpr size_t kMaxLabelLen = 255;

// kCreateSchema is schema version 2 (see sqlite_directory_store.h).
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE entries (
  position INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL
);
CREATE TABLE versions (
  label BLOB NOT NULL,
  version INTEGER NOT NULL,
  position INTEGER NOT NULL REFERENCES entries (position),
  slot INTEGER NOT NULL,
  opening BLOB NOT NULL,
  value BLOB NOT NULL,
  suffix_signature BLOB NOT NULL,
  vrf_output BLOB NOT NULL,
  commitment BLOB NOT NULL,
  vrf_proofs BLOB NOT NULL DEFAULT X'',
  PRIMARY KEY (label, version),
  UNIQUE (position, slot)
);
)sql";

// kUpgradeFrom1 brings a version 1 schema to version 2: the VRF proofs made at publish
// (kt/stored_proofs.h), empty in the rows written before.
constexpr const char* kUpgradeFrom1 = R"sql(
ALTER TABLE versions ADD COLUMN vrf_proofs BLOB NOT NULL DEFAULT X'';
UPDATE schema_version SET version = 2;
)sql";

// The columns of one label version, in the order ReadVersion expects them.
#define CANDOR_VERSION_COLUMNS \
  "label, version, opening, value, suffix_signature, vrf_output, commitment, vrf_proofs"

// ResetOnExit resets a cached statement when a query that reads rows from it ends.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& stmt) : stmt_(stmt) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { stmt_.Reset(); }

 private:
  Statement& stmt_;
};

// ReadFixed copies a BLOB column that must be exactly N bytes long.
template <size_t N>
Status ReadFixed(const Statement& s, int col, std::string_view name, std::array<uint8_t, N>& out) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, s.ColumnBlob(col, name));
  if (b.size() != N) {
    return MakeError(Errc::kMalformed, "kt store: " + std::string(name) + ": length " +
                                           std::to_string(b.size()) + " != " + std::to_string(N));
  }
  std::copy(b.begin(), b.end(), out.begin());
  return OkStatus();
}

// ReadVersion decodes CANDOR_VERSION_COLUMNS of the current row of `s`, starting at column 0.
Result<kt::StoredVersion> ReadVersion(const Statement& s) {
  kt::StoredVersion v;
  CANDOR_ASSIGN_OR_RETURN(ByteView label, s.ColumnBlob(0, "versions.label"));
  if (label.empty() || label.size() > kMaxLabelLen) {
    return MakeError(Errc::kMalformed, "kt store: versions.label: length " +
                                           std::to_string(label.size()) + " outside 1..255");
  }
  v.label.assign(label.begin(), label.end());
  CANDOR_ASSIGN_OR_RETURN(int64_t version, s.ColumnInt64(1, "versions.version"));
  if (version < 0 || version > int64_t{std::numeric_limits<uint32_t>::max()}) {
    return MakeError(Errc::kMalformed,
                     "kt store: versions.version: " + std::to_string(version) + " is not a uint32");
  }
  v.version = static_cast<uint32_t>(version);
  CANDOR_TRY(ReadFixed(s, 2, "versions.opening", v.opening));
  CANDOR_ASSIGN_OR_RETURN(ByteView value, s.ColumnBlob(3, "versions.value"));
  v.value.assign(value.begin(), value.end());
  CANDOR_ASSIGN_OR_RETURN(ByteView sig, s.ColumnBlob(4, "versions.suffix_signature"));
  v.suffix_signature.assign(sig.begin(), sig.end());
  CANDOR_TRY(ReadFixed(s, 5, "versions.vrf_output", v.vrf_output));
  CANDOR_TRY(ReadFixed(s, 6, "versions.commitment", v.commitment));
  CANDOR_ASSIGN_OR_RETURN(ByteView proofs, s.ColumnBlob(7, "versions.vrf_proofs"));
  v.vrf_proofs.assign(proofs.begin(), proofs.end());
  return v;
}

// CountRows runs `sql`, a `SELECT COUNT(*) ...`, and returns the count.
Result<int64_t> CountRows(Database& db, std::string_view what, std::string_view sql) {
  CANDOR_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(what, sql));
  CANDOR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return MakeError(Errc::kInternal, "kt store: " + std::string(what) + ": no row");
  return stmt.ColumnInt64(0, "COUNT(*)");
}

// CheckSchema creates the schema in an empty database (setting `created`), or checks that an
// existing one is ours and of kSqliteSchemaVersion. Runs inside a write transaction.
Status CheckSchema(Database& db, bool& created) {
  CANDOR_ASSIGN_OR_RETURN(
      int64_t num, CountRows(db, "count schema objects", "SELECT COUNT(*) FROM sqlite_master"));
  if (num == 0) {
    CANDOR_TRY(db.Exec("create schema", kCreateSchema));
    CANDOR_ASSIGN_OR_RETURN(
        Statement set,
        db.Prepare("set schema version", "INSERT INTO schema_version (version) VALUES (?1)"));
    CANDOR_TRY(set.BindInt64(1, kSqliteSchemaVersion));
    CANDOR_TRY(set.Run());
    created = true;
    return OkStatus();
  }

  CANDOR_ASSIGN_OR_RETURN(int64_t found,
                          CountRows(db, "find schema_version",
                                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                    "name = 'schema_version'"));
  if (found != 1) {
    return MakeError(Errc::kInvalidArgument, "kt store: " + db.path() +
                                                 " is an SQLite database but not a Candor KT "
                                                 "store (it has no schema_version table)");
  }
  CANDOR_ASSIGN_OR_RETURN(Statement get,
                          db.Prepare("read schema version", "SELECT version FROM schema_version"));
  CANDOR_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) {
    return MakeError(Errc::kMalformed, "kt store: schema_version: the table is empty");
  }
  CANDOR_ASSIGN_OR_RETURN(int64_t version, get.ColumnInt64(0, "schema_version.version"));
  CANDOR_ASSIGN_OR_RETURN(row, get.Step());
  if (row) {
    return MakeError(Errc::kMalformed, "kt store: schema_version: more than one row");
  }
  if (version == 1) return db.Exec("upgrade schema 1 to 2", kUpgradeFrom1);
  if (version != kSqliteSchemaVersion) {
    return MakeError(Errc::kInvalidArgument,
                     "kt store: " + db.path() + " has schema version " + std::to_string(version) +
                         "; this build reads only version " + std::to_string(kSqliteSchemaVersion) +
                         " (written by another release?)");
  }
  return OkStatus();
}

}  // namespace

SqliteDirectoryStore::SqliteDirectoryStore(Database db, Statement count, Statement insert_entry,
                                           Statement insert_version, Statement get_version)
    : db_(std::move(db)),
      count_(std::move(count)),
      insert_entry_(std::move(insert_entry)),
      insert_version_(std::move(insert_version)),
      get_version_(std::move(get_version)) {}

Result<std::unique_ptr<SqliteDirectoryStore>> SqliteDirectoryStore::Open(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(Database db, Database::Open(path));
  {
    CANDOR_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Transaction::Mode::kWrite));
    bool created = false;
    CANDOR_TRY(CheckSchema(db, created));
    CANDOR_TRY(txn.Commit());
    // A new file's directory entry must be durable before any entry is acknowledged.
    if (created) CANDOR_TRY(db.SyncDirectory());
  }
  // The highest position, not COUNT(*): positions are gap-free from 0, and this reads one row.
  CANDOR_ASSIGN_OR_RETURN(
      Statement count,
      db.Prepare("count entries", "SELECT position FROM entries ORDER BY position DESC LIMIT 1"));
  CANDOR_ASSIGN_OR_RETURN(
      Statement insert_entry,
      db.Prepare("insert entry", "INSERT INTO entries (position, timestamp) VALUES (?1, ?2)"));
  CANDOR_ASSIGN_OR_RETURN(
      Statement insert_version,
      db.Prepare("insert version",
                 "INSERT INTO versions (label, version, position, slot, opening, value, "
                 "suffix_signature, vrf_output, commitment, vrf_proofs) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  CANDOR_ASSIGN_OR_RETURN(
      Statement get_version,
      db.Prepare("get version", "SELECT " CANDOR_VERSION_COLUMNS
                                " FROM versions WHERE label = ?1 AND version = ?2"));
  return std::unique_ptr<SqliteDirectoryStore>(
      new SqliteDirectoryStore(std::move(db), std::move(count), std::move(insert_entry),
                               std::move(insert_version), std::move(get_version)));
}

Result<uint64_t> SqliteDirectoryStore::CountLocked() {
  ResetOnExit reset(count_);
  CANDOR_ASSIGN_OR_RETURN(bool row, count_.Step());
  if (!row) return uint64_t{0};
  CANDOR_ASSIGN_OR_RETURN(int64_t last, count_.ColumnInt64(0, "entries.position"));
  if (last < 0 || last == kMaxInt64) {
    return MakeError(Errc::kMalformed,
                     "kt store: entries.position: " + std::to_string(last) + " out of range");
  }
  return static_cast<uint64_t>(last) + 1;
}

Result<uint64_t> SqliteDirectoryStore::EntryCount() { return CountLocked(); }

Status SqliteDirectoryStore::AppendEntry(const kt::StoredEntry& entry) {
  if (entry.position > static_cast<uint64_t>(kMaxInt64) ||
      entry.timestamp > static_cast<uint64_t>(kMaxInt64)) {
    return MakeError(Errc::kInvalidArgument,
                     "kt store: entry position or timestamp above 2^63 - 1");
  }
  for (const kt::StoredVersion& v : entry.versions) {
    if (v.label.empty() || v.label.size() > kMaxLabelLen) {
      return MakeError(
          Errc::kInvalidArgument,
          "kt store: label length " + std::to_string(v.label.size()) + " outside 1..255");
    }
  }

  CANDOR_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Mode::kWrite));
  CANDOR_ASSIGN_OR_RETURN(uint64_t count, CountLocked());
  if (entry.position != count) {
    return MakeError(Errc::kConflict, "kt store: entry position " + std::to_string(entry.position) +
                                          " is not the next one (" + std::to_string(count) + ")");
  }
  const auto position = static_cast<int64_t>(entry.position);
  insert_entry_.Reset();
  CANDOR_TRY(insert_entry_.BindInt64(1, position));
  CANDOR_TRY(insert_entry_.BindInt64(2, static_cast<int64_t>(entry.timestamp)));
  CANDOR_TRY(insert_entry_.Run());

  for (size_t slot = 0; slot < entry.versions.size(); ++slot) {
    const kt::StoredVersion& v = entry.versions[slot];
    Statement& s = insert_version_;
    s.Reset();
    CANDOR_TRY(s.BindBlob(1, v.label));
    CANDOR_TRY(s.BindInt64(2, int64_t{v.version}));
    CANDOR_TRY(s.BindInt64(3, position));
    CANDOR_TRY(s.BindInt64(4, static_cast<int64_t>(slot)));
    CANDOR_TRY(s.BindBlob(5, v.opening));
    CANDOR_TRY(s.BindBlob(6, v.value));
    CANDOR_TRY(s.BindBlob(7, v.suffix_signature));
    CANDOR_TRY(s.BindBlob(8, v.vrf_output));
    CANDOR_TRY(s.BindBlob(9, v.commitment));
    CANDOR_TRY(s.BindBlob(10, v.vrf_proofs));
    Status inserted = s.Run();
    if (!inserted.ok()) {
      if (inserted.error().code == Errc::kConflict) {
        return MakeError(Errc::kConflict, "kt store: label version " + std::to_string(v.version) +
                                              " already stored");
      }
      return inserted;
    }
  }
  return txn.Commit();
}

Status SqliteDirectoryStore::LoadEntries(const std::function<Status(kt::StoredEntry&&)>& visit) {
  // One snapshot for both cursors, so that a concurrent writer cannot split an entry.
  CANDOR_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Transaction::Mode::kRead));
  CANDOR_ASSIGN_OR_RETURN(
      Statement entries,
      db_.Prepare("load entries", "SELECT position, timestamp FROM entries ORDER BY position"));
  CANDOR_ASSIGN_OR_RETURN(
      Statement versions,
      db_.Prepare("load versions", "SELECT " CANDOR_VERSION_COLUMNS
                                   ", position, slot FROM versions ORDER BY position, slot"));
  CANDOR_ASSIGN_OR_RETURN(bool have_version, versions.Step());
  for (int64_t expected = 0;; ++expected) {
    CANDOR_ASSIGN_OR_RETURN(bool have_entry, entries.Step());
    if (!have_entry) break;
    CANDOR_ASSIGN_OR_RETURN(int64_t position, entries.ColumnInt64(0, "entries.position"));
    CANDOR_ASSIGN_OR_RETURN(int64_t timestamp, entries.ColumnInt64(1, "entries.timestamp"));
    if (position != expected) {
      return MakeError(Errc::kMalformed, "kt store: entries.position: expected " +
                                             std::to_string(expected) + ", found " +
                                             std::to_string(position));
    }
    if (timestamp < 0) {
      return MakeError(Errc::kMalformed, "kt store: entries.timestamp: negative at position " +
                                             std::to_string(position));
    }
    kt::StoredEntry entry;
    entry.position = static_cast<uint64_t>(position);
    entry.timestamp = static_cast<uint64_t>(timestamp);
    while (have_version) {
      CANDOR_ASSIGN_OR_RETURN(int64_t owner, versions.ColumnInt64(8, "versions.position"));
      if (owner > position) break;
      if (owner < position) {
        return MakeError(Errc::kMalformed,
                         "kt store: versions.position: " + std::to_string(owner) + " has no entry");
      }
      CANDOR_ASSIGN_OR_RETURN(int64_t slot, versions.ColumnInt64(9, "versions.slot"));
      if (slot < 0 || static_cast<uint64_t>(slot) != entry.versions.size()) {
        return MakeError(Errc::kMalformed, "kt store: versions.slot: expected " +
                                               std::to_string(entry.versions.size()) + ", found " +
                                               std::to_string(slot) + " at position " +
                                               std::to_string(position));
      }
      CANDOR_ASSIGN_OR_RETURN(kt::StoredVersion v, ReadVersion(versions));
      entry.versions.push_back(std::move(v));
      CANDOR_ASSIGN_OR_RETURN(have_version, versions.Step());
    }
    CANDOR_TRY(visit(std::move(entry)));
  }
  if (have_version) {
    CANDOR_ASSIGN_OR_RETURN(int64_t owner, versions.ColumnInt64(8, "versions.position"));
    return MakeError(Errc::kMalformed,
                     "kt store: versions.position: " + std::to_string(owner) + " has no entry");
  }
  return txn.Commit();
}

Result<kt::StoredVersion> SqliteDirectoryStore::GetVersion(ByteView label, uint32_t version) {
  ResetOnExit reset(get_version_);
  get_version_.Reset();
  CANDOR_TRY(get_version_.BindBlob(1, label));
  CANDOR_TRY(get_version_.BindInt64(2, int64_t{version}));
  CANDOR_ASSIGN_OR_RETURN(bool row, get_version_.Step());
  if (!row) return MakeError(Errc::kNotFound, "kt store: no such label version");
  return ReadVersion(get_version_);
}

}  // namespace candor::store
