// sqlite_database.h: the embedded SqlDatabase backend. One SQLite file in WAL mode with
// synchronous=FULL: a committed transaction is on disk before Write returns.
//
// Group commit (as LevelDB's writer queue): concurrent Write calls queue up; the first one in
// the queue becomes the leader, runs the work of up to `max_batch` queued writers in one SQLite
// transaction (each inside its own SAVEPOINT, so a failing work rolls back alone) and commits
// them with one fsync, then wakes them with their results. No thread is started: writers are
// the callers' own threads. Reads run on a small pool of reader connections, concurrently with
// the writer (WAL).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "candor/store/sql.h"
#include "candor/store/sqlite.h"

namespace candor::store {

class SqliteDatabase final : public SqlDatabase {
 public:
  struct Options {
    size_t max_batch = 64;   // writers committed together at most
    size_t max_readers = 8;  // reader connections kept open
  };

  // Open opens (creating if needed) the database file at `path` and fsyncs its directory.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path) {
    return Open(path, Options{});
  }
  ~SqliteDatabase() override;

  Status Write(const Work& work) override;
  Status Read(const Work& work) override;
  Status ExecScript(std::string_view sql) override;
  SqlDialect dialect() const override { return SqlDialect::kSqlite; }

  // num_commits counts SQLite transactions committed by Write (for tests and metrics: with
  // group commit it is below the number of Write calls under concurrency).
  uint64_t num_commits() const;

  // Connection is one SQLite connection with its statement cache (internal).
  struct Connection;

 private:
  struct Writer {
    const Work* work = nullptr;
    Status status;
    bool done = false;
    std::condition_variable cv;
  };

  SqliteDatabase(std::string path, Options options, std::unique_ptr<Connection> writer);
  Result<std::unique_ptr<Connection>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> conn);
  // CommitBatch runs `batch` in one transaction on the writer connection (leader only).
  void CommitBatch(const std::vector<Writer*>& batch);

  const std::string path_;
  const Options options_;
  mutable std::mutex mu_;
  std::deque<Writer*> writers_;         // front is the leader
  std::unique_ptr<Connection> writer_;  // leader only
  std::vector<std::unique_ptr<Connection>> readers_;
  uint64_t num_commits_ = 0;
};

}  // namespace candor::store
