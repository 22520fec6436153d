// test_database.h: fresh databases for tests that run against both store backends. SQLite: a
// new file in a fresh temporary folder. PostgreSQL: a new database in the throw-away cluster
// that ctest's `postgres` fixture started (tests/store/pg-cluster.sh), whose connection string
// is in the file named by CANDOR_PG_CONNINFO_FILE. A test that needs PostgreSQL fails (it is
// never skipped) when the cluster is missing.
#pragma once

#include <memory>
#include <string>

#include "candor/base/result.h"
#include "candor/store/sql.h"

namespace candor::testing {

enum class Backend { kSqlite, kPostgres };

// BackendName is "sqlite" or "postgres" (for parameterized test names).
std::string BackendName(Backend b);

// FreshDatabaseSpec makes a new empty database and returns its OpenDatabase spec.
Result<std::string> FreshDatabaseSpec(Backend b, const std::string& name);

// FreshDatabase makes a new empty database and opens it.
Result<std::unique_ptr<store::SqlDatabase>> FreshDatabase(Backend b, const std::string& name);

}  // namespace candor::testing
