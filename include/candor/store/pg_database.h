// pg_database.h: the server-grade SqlDatabase backend, PostgreSQL through libpq. A pool of
// connections (at most `max_connections`, opened on demand); each Write runs in its own
// transaction at READ COMMITTED and is durable once COMMIT returns (synchronous_commit=on);
// serialization failures and deadlocks are retried. A connection whose transaction sits idle
// for 5 s (its process paused mid-write) is ended by the server, releasing its locks. Statements
// are prepared once per connection; parameters and results travel in binary. Integer columns must
// be BIGINT.
//
// No libpq type appears here: the connections live in pg_database.cc.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "candor/store/sql.h"

namespace candor::store {

class PgDatabase final : public SqlDatabase {
 public:
  struct Options {
    size_t max_connections = 16;
    int max_retries = 5;  // of a Write that hit a serialization failure or deadlock
  };

  // Open connects once to check `conninfo` (a libpq connection string or URI); kUnavailable
  // with libpq's message if the server cannot be reached.
  static Result<std::unique_ptr<PgDatabase>> Open(const std::string& conninfo, Options options);
  static Result<std::unique_ptr<PgDatabase>> Open(const std::string& conninfo) {
    return Open(conninfo, Options{});
  }
  ~PgDatabase() override;

  Status Write(const Work& work) override;
  Status Read(const Work& work) override;
  Status ExecScript(std::string_view sql) override;
  SqlDialect dialect() const override { return SqlDialect::kPostgres; }

  // CreateDatabase runs CREATE DATABASE (which cannot run inside a transaction) for `name`,
  // 1 to 63 characters of [a-z0-9_]. kConflict if it exists; kInvalidArgument for a bad name.
  Status CreateDatabase(std::string_view name);

  // Connection is one libpq connection with its prepared statements (internal).
  struct Connection;

 private:
  PgDatabase(std::string conninfo, Options options);
  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> conn);
  // RunTransaction runs `work` between `begin` and COMMIT on one connection.
  Status RunTransaction(const char* begin, const Work& work);

  const std::string conninfo_;
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t num_open_ = 0;
};

}  // namespace candor::store
