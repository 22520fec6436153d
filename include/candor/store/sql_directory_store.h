// sql_directory_store.h: the KEYTRANS directory's durable state (kt::DirectoryStore) on a
// SqlDatabase, so the same code serves the embedded SQLite store and PostgreSQL. Each
// AppendEntry is one transaction, durable when it returns.
//
// Schema (component "kt", version 1):
//   kt_entries(position BIGINT PRIMARY KEY, timestamp BIGINT)
//   kt_versions(label BLOB, version BIGINT, position BIGINT REFERENCES kt_entries, slot BIGINT,
//               opening BLOB, value BLOB, suffix_signature BLOB, vrf_output BLOB,
//               commitment BLOB, PRIMARY KEY (label, version), UNIQUE (position, slot))
// `slot` is the version's index within its entry, so an entry reads back in the order written.
#pragma once

#include <functional>
#include <memory>

#include "candor/kt/directory_store.h"
#include "candor/store/sql.h"

namespace candor::store {

class SqlDirectoryStore final : public kt::DirectoryStore {
 public:
  // Open migrates the schema and returns a store over `db`, which must outlive it. `fence`
  // (the sequencer lease's, in a cluster) runs in every AppendEntry transaction.
  static Result<std::unique_ptr<SqlDirectoryStore>> Open(SqlDatabase& db, SqlFence fence = {});

  // AppendEntry implements kt::DirectoryStore. kConflict on a wrong position, a label version
  // already stored (or repeated within `entry`), or a failed fence; kInvalidArgument for a label
  // outside 1..255 bytes or a position or timestamp above 2^63 - 1. Nothing is written on failure.
  Status AppendEntry(const kt::StoredEntry& entry) override;
  Result<uint64_t> EntryCount() override;
  // LoadEntries reads the entries in pages of 1,024 (each page one snapshot; appends may not
  // run meanwhile, as for every DirectoryStore). A row that breaks the invariants (a gap in
  // positions, a field of the wrong size) is kMalformed naming the field.
  Status LoadEntries(const std::function<Status(kt::StoredEntry&&)>& visit) override;
  Status LoadEntriesFrom(uint64_t first, uint64_t end,
                         const std::function<Status(kt::StoredEntry&&)>& visit) override;
  Result<kt::StoredVersion> GetVersion(ByteView label, uint32_t version) override;

 private:
  SqlDirectoryStore(SqlDatabase& db, SqlFence fence) : db_(db), fence_(std::move(fence)) {}
  SqlDatabase& db_;
  const SqlFence fence_;
};

}  // namespace candor::store
