// sqlite_directory_store.h: the embedded default kt::DirectoryStore, one SQLite file in WAL mode
// with synchronous=FULL. Each AppendEntry is one transaction, durable when it returns.
//
// Schema (version 2; a version 1 file, which lacks vrf_proofs, is upgraded when opened; the
// PostgreSQL store uses the same tables, with BIGINT for INTEGER and BYTEA for BLOB):
//   schema_version(version INTEGER NOT NULL)            -- one row
//   entries(position INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL)
//   versions(label BLOB, version INTEGER, position INTEGER REFERENCES entries, slot INTEGER,
//            opening BLOB, value BLOB, suffix_signature BLOB, vrf_output BLOB, commitment BLOB,
//            vrf_proofs BLOB NOT NULL DEFAULT X'' -- kt/stored_proofs.h; empty: none stored
//            PRIMARY KEY (label, version), UNIQUE (position, slot))
// `slot` is the version's index within its entry, so an entry reads back in the order written.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/kt/directory_store.h"
#include "candor/store/sqlite.h"

namespace candor::store {

// kSqliteSchemaVersion is the schema this build writes and reads.
inline constexpr int64_t kSqliteSchemaVersion = 2;

// SqliteDirectoryStore persists KT log entries in an SQLite file. Not thread-safe; one directory
// (one process) uses a file at a time.
class SqliteDirectoryStore final : public kt::DirectoryStore {
 public:
  // Open opens the store at `path`, creating the file and schema if the file does not exist or
  // is empty. A file that is not an SQLite database, or is corrupt, is kMalformed; an SQLite
  // database without our schema (another program's file) is kInvalidArgument, and so is one with
  // a schema version other than 1 (upgraded in place) or kSqliteSchemaVersion; an unreadable or
  // locked file is kUnavailable.
  static Result<std::unique_ptr<SqliteDirectoryStore>> Open(const std::string& path);

  // AppendEntry implements kt::DirectoryStore in one transaction. kConflict on a wrong position
  // or on a label version already stored (or repeated within `entry`); kInvalidArgument for a
  // label outside 1..255 bytes or a position or timestamp above 2^63 - 1. Nothing is written on
  // failure.
  Status AppendEntry(const kt::StoredEntry& entry) override;
  // EntryCount implements kt::DirectoryStore.
  Result<uint64_t> EntryCount() override;
  // LoadEntries implements kt::DirectoryStore: it reads one consistent snapshot with two
  // cursors and holds one entry in memory at a time. A row that breaks the schema's invariants
  // (a gap in positions, a field of the wrong size) is kMalformed naming the field. `visit` may
  // read from this store (GetVersion) but not append to it.
  Status LoadEntries(const std::function<Status(kt::StoredEntry&&)>& visit) override;
  // GetVersion implements kt::DirectoryStore.
  Result<kt::StoredVersion> GetVersion(ByteView label, uint32_t version) override;

 private:
  SqliteDirectoryStore(Database db, Statement count, Statement insert_entry,
                       Statement insert_version, Statement get_version);
  Result<uint64_t> CountLocked();

  // Declared first so that it is destroyed last, after its statements.
  Database db_;
  Statement count_;
  Statement insert_entry_;
  Statement insert_version_;
  Statement get_version_;
};

}  // namespace candor::store
