#include "candor/store/sql.h"

#include "candor/store/pg_database.h"
#include "candor/store/sqlite_database.h"

namespace candor::store {
namespace {

Error WrongType(std::string_view name, std::string_view want) {
  return MakeError(Errc::kMalformed,
                   "store: column " + std::string(name) + " is not " + std::string(want));
}

constexpr std::string_view kMigrationsTable = R"(
CREATE TABLE IF NOT EXISTS schema_migrations (
  component TEXT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (component, version)
))";

}  // namespace

bool SqlRow::IsNull(size_t col) const {
  return col >= values_.size() || std::holds_alternative<std::monostate>(values_[col]);
}

Result<int64_t> SqlRow::Int(size_t col, std::string_view name) const {
  if (col < values_.size()) {
    if (const auto* v = std::get_if<int64_t>(&values_[col])) return *v;
  }
  return WrongType(name, "an integer");
}

Result<Bytes> SqlRow::Blob(size_t col, std::string_view name) const {
  if (col < values_.size()) {
    if (const auto* v = std::get_if<Bytes>(&values_[col])) return *v;
  }
  return WrongType(name, "a byte string");
}

Result<std::string> SqlRow::Text(size_t col, std::string_view name) const {
  if (col < values_.size()) {
    if (const auto* v = std::get_if<std::string>(&values_[col])) return *v;
  }
  return WrongType(name, "text");
}

Result<std::unique_ptr<SqlDatabase>> OpenDatabase(const std::string& spec) {
  constexpr std::string_view kSqlite = "sqlite:";
  constexpr std::string_view kPostgres = "postgresql:";
  if (spec.rfind(kSqlite, 0) == 0) {
    CANDOR_ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(spec.substr(kSqlite.size())));
    return std::unique_ptr<SqlDatabase>(std::move(db));
  }
  if (spec.rfind(kPostgres, 0) == 0) {
    std::string conninfo = spec.substr(kPostgres.size());
    // "postgresql://..." is a libpq URI as it stands.
    if (conninfo.rfind("//", 0) == 0) conninfo = spec;
    CANDOR_ASSIGN_OR_RETURN(auto db, PgDatabase::Open(conninfo));
    return std::unique_ptr<SqlDatabase>(std::move(db));
  }
  return MakeError(Errc::kInvalidArgument,
                   "store: database must be sqlite:<path> or postgresql:<conninfo>, not " +
                       spec.substr(0, spec.find(':')));
}

Status Migrate(SqlDatabase& db, std::string_view component, std::span<const Migration> migrations) {
  // Two processes migrating at once: the loser of a race fails on the schema_migrations key
  // (or on a CREATE of the winner's table) and, on the retry, finds the step done.
  Status last = OkStatus();
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = db.ExecScript(kMigrationsTable);
    if (!last.ok()) continue;
    int64_t newest = 0;
    last = db.Read([&](SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(auto rows,
                              tx.Query("SELECT version FROM schema_migrations WHERE component = $1",
                                       {std::string(component)}));
      for (const SqlRow& row : rows) {
        CANDOR_ASSIGN_OR_RETURN(int64_t v, row.Int(0, "version"));
        newest = std::max(newest, v);
      }
      return OkStatus();
    });
    if (!last.ok()) continue;
    int64_t known = 0;
    for (const Migration& m : migrations) known = std::max(known, m.version);
    if (newest > known) {
      return MakeError(Errc::kInternal, "store: the database holds " + std::string(component) +
                                            " schema version " + std::to_string(newest) +
                                            ", newer than this program's " + std::to_string(known));
    }
    for (const Migration& m : migrations) {
      if (m.version <= newest) continue;
      // The DDL and its record commit together.
      last = db.ExecScript(std::string(m.sql) + ";\nINSERT INTO schema_migrations VALUES ('" +
                           std::string(component) + "', " + std::to_string(m.version) + ")");
      if (!last.ok()) break;
      newest = m.version;
    }
    if (last.ok()) return last;
  }
  return last;
}

}  // namespace candor::store
