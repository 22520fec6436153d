#include "candor/store/sql_log_storage.h"

#include <limits>
#include <optional>

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE tlog_state (
  log_name TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  checkpoint BLOB NOT NULL,
  published_size BIGINT NOT NULL,
  published BLOB
);
CREATE TABLE tlog_tiles (
  log_name TEXT NOT NULL,
  path TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (log_name, path)
))sql"},
};

Result<int64_t> ToInt(uint64_t v) {
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return MakeError(Errc::kInvalidArgument, "log store: a size above 2^63 - 1");
  }
  return static_cast<int64_t>(v);
}

Bytes ToBytes(std::string_view s) { return {s.begin(), s.end()}; }

// StoredSize reads the log's durable size in `tx`; nullopt when the log has no row yet.
Result<std::optional<uint64_t>> StoredSize(SqlTx& tx, const std::string& name) {
  CANDOR_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT size FROM tlog_state WHERE log_name = $1", {name}));
  if (rows.empty()) return std::optional<uint64_t>();
  CANDOR_ASSIGN_OR_RETURN(int64_t size, rows[0].Int(0, "tlog_state.size"));
  if (size < 0) return MakeError(Errc::kMalformed, "log store: tlog_state.size is negative");
  return std::optional<uint64_t>(static_cast<uint64_t>(size));
}

}  // namespace

Result<std::unique_ptr<SqlLogStorage>> SqlLogStorage::Open(SqlDatabase& db, std::string name,
                                                           SqlFence fence) {
  if (name.empty()) return MakeError(Errc::kInvalidArgument, "log store: a log needs a name");
  CANDOR_TRY(Migrate(db, "tlog", kMigrations));
  return std::unique_ptr<SqlLogStorage>(new SqlLogStorage(db, std::move(name), std::move(fence)));
}

Result<Bytes> SqlLogStorage::ReadColumn(std::string_view column) {
  std::optional<Bytes> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(column) +
                                                    " FROM tlog_state WHERE log_name = $1",
                                                {name_}));
    if (rows.empty() || rows[0].IsNull(0)) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(Bytes b, rows[0].Blob(0, "tlog_state." + std::string(column)));
    out = std::move(b);
    return OkStatus();
  }));
  if (!out) {
    return MakeError(Errc::kNotFound, "log " + name_ + ": no " + std::string(column) + " yet");
  }
  return std::move(*out);
}

Result<Bytes> SqlLogStorage::ReadCheckpoint() { return ReadColumn("checkpoint"); }

Result<Bytes> SqlLogStorage::ReadPublished() { return ReadColumn("published"); }

Result<Bytes> SqlLogStorage::ReadTile(const std::string& path) {
  std::optional<Bytes> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT data FROM tlog_tiles WHERE log_name = $1 AND path = $2", {name_, path}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(Bytes b, rows[0].Blob(0, "tlog_tiles.data"));
    out = std::move(b);
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "log " + name_ + ": no tile " + path);
  return std::move(*out);
}

Status SqlLogStorage::Commit(uint64_t old_size, std::span<const tlog::TileFile> tiles,
                             uint64_t new_size, std::string_view checkpoint) {
  CANDOR_ASSIGN_OR_RETURN(int64_t old_int, ToInt(old_size));
  CANDOR_ASSIGN_OR_RETURN(int64_t new_int, ToInt(new_size));
  return db_.Write([&](SqlTx& tx) -> Status {
    if (fence_) CANDOR_TRY(fence_(tx));
    CANDOR_ASSIGN_OR_RETURN(std::optional<uint64_t> stored, StoredSize(tx, name_));
    if (stored.value_or(0) != old_size) {
      return MakeError(Errc::kConflict, "log " + name_ + ": the stored log has " +
                                            std::to_string(stored.value_or(0)) + " entries, not " +
                                            std::to_string(old_size) + ": another writer appended");
    }
    if (stored) {
      CANDOR_TRY(tx.Exec(
          "UPDATE tlog_state SET size = $1, checkpoint = $2 WHERE log_name = $3 AND size = $4",
          {new_int, ToBytes(checkpoint), name_, old_int}));
    } else {
      CANDOR_TRY(
          tx.Exec("INSERT INTO tlog_state (log_name, size, checkpoint, published_size) "
                  "VALUES ($1, $2, $3, 0)",
                  {name_, new_int, ToBytes(checkpoint)}));
    }
    for (const tlog::TileFile& t : tiles) {
      // A tile is written once: a second write of one path is a defect (kConflict).
      CANDOR_TRY(tx.Exec("INSERT INTO tlog_tiles (log_name, path, data) VALUES ($1, $2, $3)",
                         {name_, t.path, t.data}));
      if (t.path.find(".p/") != std::string::npos) continue;
      // The partial tiles of a tile that is now full are superseded (tlog-tiles allows
      // deleting them): paths "<full>.p/<width>", the range ["<full>.p/", "<full>.p0").
      CANDOR_TRY(tx.Exec("DELETE FROM tlog_tiles WHERE log_name = $1 AND path >= $2 AND path < $3",
                         {name_, t.path + ".p/", t.path + ".p0"}));
    }
    return OkStatus();
  });
}

Status SqlLogStorage::WritePublished(uint64_t size, std::string_view note) {
  CANDOR_ASSIGN_OR_RETURN(int64_t size_int, ToInt(size));
  return db_.Write([&](SqlTx& tx) -> Status {
    if (fence_) CANDOR_TRY(fence_(tx));
    CANDOR_ASSIGN_OR_RETURN(uint64_t n,
                            tx.Exec("UPDATE tlog_state SET published = $1, published_size = $2 "
                                    "WHERE log_name = $3 AND published_size <= $2 AND size >= $2",
                                    {ToBytes(note), size_int, name_}));
    if (n != 1) {
      return MakeError(Errc::kConflict, "log " + name_ + ": a checkpoint of " +
                                            std::to_string(size) +
                                            " entries is older than the published one, or "
                                            "newer than the stored log");
    }
    return OkStatus();
  });
}

}  // namespace candor::store
