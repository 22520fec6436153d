#include "candor/store/sql_directory_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace candor::store {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
constexpr size_t kMaxLabelLen = 255;
constexpr int64_t kPage = 1024;

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE kt_entries (
  position BIGINT PRIMARY KEY,
  timestamp BIGINT NOT NULL
);
CREATE TABLE kt_versions (
  label BLOB NOT NULL,
  version BIGINT NOT NULL,
  position BIGINT NOT NULL REFERENCES kt_entries (position),
  slot BIGINT NOT NULL,
  opening BLOB NOT NULL,
  value BLOB NOT NULL,
  suffix_signature BLOB NOT NULL,
  vrf_output BLOB NOT NULL,
  commitment BLOB NOT NULL,
  PRIMARY KEY (label, version),
  UNIQUE (position, slot)
))sql"},
    // The VRF proofs made at publish (kt/stored_proofs.h); NULL in rows written before.
    {2, "ALTER TABLE kt_versions ADD COLUMN vrf_proofs BLOB"},
};

constexpr std::string_view kVersionColumns =
    "label, version, opening, value, suffix_signature, vrf_output, commitment, vrf_proofs";

template <size_t N>
Status CopyFixed(const Bytes& b, std::string_view name, std::array<uint8_t, N>& out) {
  if (b.size() != N) {
    return MakeError(Errc::kMalformed, "kt store: " + std::string(name) + ": length " +
                                           std::to_string(b.size()) + " != " + std::to_string(N));
  }
  std::copy(b.begin(), b.end(), out.begin());
  return OkStatus();
}

// ReadVersion decodes kVersionColumns starting at column `c`.
Result<kt::StoredVersion> ReadVersion(const SqlRow& row, size_t c) {
  kt::StoredVersion v;
  CANDOR_ASSIGN_OR_RETURN(v.label, row.Blob(c, "kt_versions.label"));
  if (v.label.empty() || v.label.size() > kMaxLabelLen) {
    return MakeError(Errc::kMalformed, "kt store: kt_versions.label: length " +
                                           std::to_string(v.label.size()) + " outside 1..255");
  }
  CANDOR_ASSIGN_OR_RETURN(int64_t version, row.Int(c + 1, "kt_versions.version"));
  if (version < 0 || version > int64_t{std::numeric_limits<uint32_t>::max()}) {
    return MakeError(Errc::kMalformed, "kt store: kt_versions.version: " + std::to_string(version) +
                                           " is not a uint32");
  }
  v.version = static_cast<uint32_t>(version);
  CANDOR_ASSIGN_OR_RETURN(Bytes opening, row.Blob(c + 2, "kt_versions.opening"));
  CANDOR_TRY(CopyFixed(opening, "kt_versions.opening", v.opening));
  CANDOR_ASSIGN_OR_RETURN(v.value, row.Blob(c + 3, "kt_versions.value"));
  CANDOR_ASSIGN_OR_RETURN(v.suffix_signature, row.Blob(c + 4, "kt_versions.suffix_signature"));
  CANDOR_ASSIGN_OR_RETURN(Bytes vrf, row.Blob(c + 5, "kt_versions.vrf_output"));
  CANDOR_TRY(CopyFixed(vrf, "kt_versions.vrf_output", v.vrf_output));
  CANDOR_ASSIGN_OR_RETURN(Bytes commitment, row.Blob(c + 6, "kt_versions.commitment"));
  CANDOR_TRY(CopyFixed(commitment, "kt_versions.commitment", v.commitment));
  if (!row.IsNull(c + 7)) {
    CANDOR_ASSIGN_OR_RETURN(v.vrf_proofs, row.Blob(c + 7, "kt_versions.vrf_proofs"));
  }
  return v;
}

Status CheckEntry(const kt::StoredEntry& entry) {
  if (entry.position > static_cast<uint64_t>(kMaxInt64) ||
      entry.timestamp > static_cast<uint64_t>(kMaxInt64)) {
    return MakeError(Errc::kInvalidArgument, "kt store: position or timestamp above 2^63 - 1");
  }
  std::set<std::pair<Bytes, uint32_t>> seen;
  for (const kt::StoredVersion& v : entry.versions) {
    if (v.label.empty() || v.label.size() > kMaxLabelLen) {
      return MakeError(Errc::kInvalidArgument, "kt store: label length outside 1..255");
    }
    if (!seen.insert({v.label, v.version}).second) {
      return MakeError(Errc::kConflict, "kt store: a label version repeats within the entry");
    }
  }
  return OkStatus();
}

// CountEntries is the number of stored entries: one past the greatest position (positions have
// no gaps), found through the primary key rather than by counting rows.
Result<int64_t> CountEntries(SqlTx& tx) {
  CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT MAX(position) FROM kt_entries", {}));
  if (rows.empty() || rows[0].IsNull(0)) return int64_t{0};
  CANDOR_ASSIGN_OR_RETURN(int64_t greatest, rows[0].Int(0, "MAX(position)"));
  return greatest + 1;
}

}  // namespace

Result<std::unique_ptr<SqlDirectoryStore>> SqlDirectoryStore::Open(SqlDatabase& db,
                                                                   SqlFence fence) {
  CANDOR_TRY(Migrate(db, "kt", kMigrations));
  return std::unique_ptr<SqlDirectoryStore>(new SqlDirectoryStore(db, std::move(fence)));
}

Status SqlDirectoryStore::AppendEntry(const kt::StoredEntry& entry) {
  CANDOR_TRY(CheckEntry(entry));
  return db_.Write([this, &entry](SqlTx& tx) -> Status {
    if (fence_) CANDOR_TRY(fence_(tx));
    CANDOR_ASSIGN_OR_RETURN(int64_t count, CountEntries(tx));
    if (static_cast<uint64_t>(count) != entry.position) {
      return MakeError(Errc::kConflict, "kt store: entry " + std::to_string(entry.position) +
                                            " appended at size " + std::to_string(count));
    }
    CANDOR_TRY(
        tx.Exec("INSERT INTO kt_entries (position, timestamp) VALUES ($1, $2)",
                {static_cast<int64_t>(entry.position), static_cast<int64_t>(entry.timestamp)}));
    int64_t slot = 0;
    for (const kt::StoredVersion& v : entry.versions) {
      auto inserted = tx.Exec(
          "INSERT INTO kt_versions (label, version, position, slot, opening, value, "
          "suffix_signature, vrf_output, commitment, vrf_proofs) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          {v.label, static_cast<int64_t>(v.version), static_cast<int64_t>(entry.position), slot++,
           Bytes(v.opening.begin(), v.opening.end()), v.value, v.suffix_signature,
           Bytes(v.vrf_output.begin(), v.vrf_output.end()),
           Bytes(v.commitment.begin(), v.commitment.end()), v.vrf_proofs});
      if (!inserted.ok()) return std::move(inserted).error();
    }
    return OkStatus();
  });
}

Result<uint64_t> SqlDirectoryStore::EntryCount() {
  int64_t count = 0;
  CANDOR_TRY(db_.Read([&count](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(count, CountEntries(tx));
    return OkStatus();
  }));
  return static_cast<uint64_t>(count);
}

Status SqlDirectoryStore::LoadEntries(const std::function<Status(kt::StoredEntry&&)>& visit) {
  return LoadEntriesFrom(0, static_cast<uint64_t>(kMaxInt64), visit);
}

Status SqlDirectoryStore::LoadEntriesFrom(uint64_t first, uint64_t end,
                                          const std::function<Status(kt::StoredEntry&&)>& visit) {
  const int64_t stop = static_cast<int64_t>(std::min<uint64_t>(end, kMaxInt64));
  int64_t next = static_cast<int64_t>(std::min<uint64_t>(first, kMaxInt64));  // next position
  while (next < stop) {
    const int64_t page_end = next + std::min(kPage, stop - next);
    std::vector<kt::StoredEntry> page;
    CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
      page.clear();
      CANDOR_ASSIGN_OR_RETURN(
          auto entries,
          tx.Query("SELECT position, timestamp FROM kt_entries WHERE position >= $1 AND "
                   "position < $2 ORDER BY position",
                   {next, page_end}));
      std::map<int64_t, size_t> index;
      for (const SqlRow& row : entries) {
        CANDOR_ASSIGN_OR_RETURN(int64_t position, row.Int(0, "kt_entries.position"));
        CANDOR_ASSIGN_OR_RETURN(int64_t timestamp, row.Int(1, "kt_entries.timestamp"));
        if (position != next + static_cast<int64_t>(page.size()) || timestamp < 0) {
          return MakeError(Errc::kMalformed,
                           "kt store: kt_entries.position: expected " +
                               std::to_string(next + static_cast<int64_t>(page.size())) +
                               ", found " + std::to_string(position));
        }
        index[position] = page.size();
        page.push_back({static_cast<uint64_t>(position), static_cast<uint64_t>(timestamp), {}});
      }
      CANDOR_ASSIGN_OR_RETURN(
          auto versions, tx.Query("SELECT position, slot, " + std::string(kVersionColumns) +
                                      " FROM kt_versions WHERE position >= $1 AND position < $2 "
                                      "ORDER BY position, slot",
                                  {next, page_end}));
      for (const SqlRow& row : versions) {
        CANDOR_ASSIGN_OR_RETURN(int64_t position, row.Int(0, "kt_versions.position"));
        CANDOR_ASSIGN_OR_RETURN(int64_t slot, row.Int(1, "kt_versions.slot"));
        auto it = index.find(position);
        if (it == index.end() || slot != static_cast<int64_t>(page[it->second].versions.size())) {
          return MakeError(Errc::kMalformed, "kt store: kt_versions.slot: a gap at position " +
                                                 std::to_string(position));
        }
        CANDOR_ASSIGN_OR_RETURN(kt::StoredVersion v, ReadVersion(row, 2));
        page[it->second].versions.push_back(std::move(v));
      }
      return OkStatus();
    }));
    if (page.empty()) return OkStatus();
    const bool last_page = next + static_cast<int64_t>(page.size()) < page_end;
    next += static_cast<int64_t>(page.size());
    for (kt::StoredEntry& e : page) CANDOR_TRY(visit(std::move(e)));
    if (last_page) return OkStatus();
  }
  return OkStatus();
}

Result<kt::StoredVersion> SqlDirectoryStore::GetVersion(ByteView label, uint32_t version) {
  std::optional<kt::StoredVersion> found;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT " + std::string(kVersionColumns) +
                                " FROM kt_versions WHERE label = $1 AND version = $2",
                            {Bytes(label.begin(), label.end()), static_cast<int64_t>(version)}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(found, ReadVersion(rows[0], 0));
    return OkStatus();
  }));
  if (!found) return MakeError(Errc::kNotFound, "kt store: no such label version");
  return std::move(*found);
}

}  // namespace candor::store
