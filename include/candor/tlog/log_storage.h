// log_storage.h: where a LogWriter keeps its tiles and checkpoints. Two kinds:
// FileLogStorage (below: files under one folder, what a single candord uses) and
// store::SqlLogStorage (a database every node of a cluster reads, with writes fenced by the
// sequencer's lease). The writer is the only one that commits; readers (the HTTP service of
// any node) read tiles and checkpoints at any time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/tlog/tile_builder.h"

namespace candor::tlog {

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // ReadCheckpoint returns the newest durable checkpoint note (signed by the log key only), or
  // kNotFound for a log that never committed one.
  virtual Result<Bytes> ReadCheckpoint() = 0;

  // ReadTile returns a stored tile or entry bundle by TilePath, or kNotFound.
  virtual Result<Bytes> ReadTile(const std::string& path) = 0;

  // Commit makes `tiles` and then `checkpoint` (the note of the `new_size` tree) durable. The
  // durable checkpoint must be of `old_size` (kConflict otherwise: another writer moved the
  // log). When Commit fails, the caller must read the durable state again before the next
  // commit: the checkpoint may or may not have become durable.
  virtual Status Commit(uint64_t old_size, std::span<const TileFile> tiles, uint64_t new_size,
                        std::string_view checkpoint) = 0;

  // DropBeyond removes what a commit that never became durable left past the durable `size`
  // (called once at recovery, before any commit).
  virtual void DropBeyond(uint64_t size) = 0;

  // ReadPublished returns the newest checkpoint published with its witness cosignatures, or
  // kNotFound. WritePublished durably replaces it with `note`, a checkpoint of `size` entries.
  virtual Result<Bytes> ReadPublished() = 0;
  virtual Status WritePublished(uint64_t size, std::string_view note) = 0;

  // FileOf returns the file that holds the tile at `path`, for serving it without a copy;
  // empty when the storage does not keep tiles in files. The file may be absent (a partial
  // tile is removed once its full tile is durable).
  virtual std::string FileOf(std::string_view path) const = 0;
};

// FileLogStorage keeps the log under `dir`: tiles under tile/ (servable by any static file
// server), the durable checkpoint in state/checkpoint, the published one in checkpoint. A
// commit writes and fsyncs the tiles, then the checkpoint, then removes the partial tiles a
// full tile replaced. Only one writer (one process) may commit; Commit does not read the
// stored size back.
class FileLogStorage final : public LogStorage {
 public:
  explicit FileLogStorage(std::string dir) : dir_(std::move(dir)) {}

  Result<Bytes> ReadCheckpoint() override;
  Result<Bytes> ReadTile(const std::string& path) override;
  Status Commit(uint64_t old_size, std::span<const TileFile> tiles, uint64_t new_size,
                std::string_view checkpoint) override;
  // DropBeyond deletes tiles and bundles past `size`: a commit writes tiles before its
  // checkpoint, so a lost one leaves them behind.
  void DropBeyond(uint64_t size) override;
  Result<Bytes> ReadPublished() override;
  Status WritePublished(uint64_t size, std::string_view note) override;
  std::string FileOf(std::string_view path) const override;

  const std::string& dir() const { return dir_; }

 private:
  const std::string dir_;
};

}  // namespace candor::tlog
