#include "test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "candor/base/file.h"
#include "candor/store/pg_database.h"
#include "process.h"

namespace candor::testing {

std::string BackendName(Backend b) { return b == Backend::kSqlite ? "sqlite" : "postgres"; }

Result<std::string> FreshDatabaseSpec(Backend b, const std::string& name) {
  if (b == Backend::kSqlite) return "sqlite:" + FreshTempDir(name) + "/candor.db";
  const char* file = std::getenv("CANDOR_PG_CONNINFO_FILE");
  if (file == nullptr) {
    return MakeError(Errc::kUnavailable,
                     "CANDOR_PG_CONNINFO_FILE is not set: run this test through ctest, whose "
                     "`postgres` fixture starts the throw-away cluster");
  }
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(file));
  std::string admin(AsStringView(raw));
  while (!admin.empty() && (admin.back() == '\n' || admin.back() == ' ')) admin.pop_back();
  static std::atomic<int> counter{0};
  std::string db = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  for (char c : name) db += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
  db = db.substr(0, 60);
  CANDOR_ASSIGN_OR_RETURN(auto pg, store::PgDatabase::Open(admin));
  CANDOR_TRY(pg->CreateDatabase(db));
  return "postgresql:" + admin + " dbname=" + db;
}

Result<std::unique_ptr<store::SqlDatabase>> FreshDatabase(Backend b, const std::string& name) {
  CANDOR_ASSIGN_OR_RETURN(std::string spec, FreshDatabaseSpec(b, name));
  return store::OpenDatabase(spec);
}

}  // namespace candor::testing
