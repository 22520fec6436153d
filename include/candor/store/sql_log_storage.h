// sql_log_storage.h: a transparency log's tiles and checkpoints in the database
// (tlog::LogStorage), so that every node of a cluster serves the log the sequencer writes
// (issue 13). One commit is one transaction: the tiles, the checkpoint and the removal of
// superseded partial tiles become visible together, so every stored tile is covered by the
// stored checkpoint. A commit is conditional on the stored size (kConflict if another writer
// moved the log) and runs the caller's fence (the sequencer lease's CheckFence) in the same
// transaction, so a writer that lost its lease cannot change the log, even by one tile.
//
// Why the database and not shared files: the database already carries every other piece of
// shared state, with its replication and backups; a commit is atomic (no tiles past the
// checkpoint to clean up after a crash); and the fence and the size check sit in the same
// transaction as the write. A tile is at most 8 KiB of hashes or one entry bundle, well within
// a row.
//
// Schema (component "tlog", version 1):
//   tlog_state(log_name TEXT PRIMARY KEY, size BIGINT, checkpoint BLOB,
//              published_size BIGINT, published BLOB NULL)
//   tlog_tiles(log_name TEXT, path TEXT, data BLOB, PRIMARY KEY (log_name, path))
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "candor/store/sql.h"
#include "candor/tlog/log_storage.h"

namespace candor::store {

class SqlLogStorage final : public tlog::LogStorage {
 public:
  // Open migrates the schema and returns the storage of log `name` in `db` (which must outlive
  // it). `fence` may be empty (a single node, or a reader that never writes).
  static Result<std::unique_ptr<SqlLogStorage>> Open(SqlDatabase& db, std::string name,
                                                     SqlFence fence);

  Result<Bytes> ReadCheckpoint() override;
  Result<Bytes> ReadTile(const std::string& path) override;
  // Commit implements tlog::LogStorage in one transaction. kConflict when the stored size is
  // not `old_size`, when a tile is stored already, or when the fence fails.
  Status Commit(uint64_t old_size, std::span<const tlog::TileFile> tiles, uint64_t new_size,
                std::string_view checkpoint) override;
  // DropBeyond has nothing to drop: a commit is atomic.
  void DropBeyond(uint64_t /*size*/) override {}
  Result<Bytes> ReadPublished() override;
  // WritePublished is fenced like Commit and never moves the published size backwards
  // (kConflict).
  Status WritePublished(uint64_t size, std::string_view note) override;
  std::string FileOf(std::string_view /*path*/) const override { return {}; }

 private:
  SqlLogStorage(SqlDatabase& db, std::string name, SqlFence fence)
      : db_(db), name_(std::move(name)), fence_(std::move(fence)) {}
  // ReadColumn reads one BLOB column of the log's tlog_state row; kNotFound without the row or
  // when the column is NULL.
  Result<Bytes> ReadColumn(std::string_view column);

  SqlDatabase& db_;
  const std::string name_;
  const SqlFence fence_;
};

}  // namespace candor::store
