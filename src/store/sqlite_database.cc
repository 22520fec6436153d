#include "candor/store/sqlite_database.h"

#include <cctype>

namespace candor::store {
namespace {

// ToSqliteParams rewrites the portable `$N` parameters as SQLite's `?N` (same numbering).
std::string ToSqliteParams(std::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1])) != 0) out[i] = '?';
  }
  return out;
}

Status Bind(Statement& st, std::span<const SqlValue> params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const SqlValue& v = params[i];
    if (std::holds_alternative<std::monostate>(v)) {
      CANDOR_TRY(st.BindNull(index));
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      CANDOR_TRY(st.BindInt64(index, *n));
    } else if (const auto* b = std::get_if<Bytes>(&v)) {
      CANDOR_TRY(st.BindBlob(index, *b));
    } else {
      CANDOR_TRY(st.BindText(index, std::get<std::string>(v)));
    }
  }
  return OkStatus();
}

}  // namespace

struct SqliteDatabase::Connection final : SqlTx {
  explicit Connection(Database d) : db(std::move(d)) {}

  Result<Statement*> Prepare(std::string_view sql) {
    auto it = cache.find(std::string(sql));
    if (it != cache.end()) return &it->second;
    CANDOR_ASSIGN_OR_RETURN(Statement st, db.Prepare(sql.substr(0, 60), ToSqliteParams(sql)));
    return &cache.emplace(std::string(sql), std::move(st)).first->second;
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    CANDOR_ASSIGN_OR_RETURN(Statement * st, Prepare(sql));
    std::vector<SqlRow> rows;
    Status bound = Bind(*st, params);
    Result<bool> has = bound.ok() ? st->Step() : Result<bool>(bound.error());
    while (has.ok() && *has) {
      std::vector<SqlValue> values;
      for (int c = 0; c < st->ColumnCount() && has.ok(); ++c) {
        auto v = st->ColumnValue(c);
        if (!v.ok()) {
          has = v.error();
          break;
        }
        values.push_back(std::move(*v));
      }
      if (!has.ok()) break;
      rows.emplace_back(std::move(values));
      has = st->Step();
    }
    st->Reset();
    if (!has.ok()) return std::move(has).error();
    return rows;
  }

  Result<uint64_t> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    CANDOR_ASSIGN_OR_RETURN(Statement * st, Prepare(sql));
    Status bound = Bind(*st, params);
    if (!bound.ok()) {
      st->Reset();
      return std::move(bound).error();
    }
    CANDOR_TRY(st->Run());
    return db.Changes();
  }

  Database db;
  std::unordered_map<std::string, Statement> cache;  // destroyed before `db` (declared after)
};

SqliteDatabase::SqliteDatabase(std::string path, Options options,
                               std::unique_ptr<Connection> writer)
    : path_(std::move(path)), options_(options), writer_(std::move(writer)) {}

SqliteDatabase::~SqliteDatabase() = default;

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                             Options options) {
  CANDOR_ASSIGN_OR_RETURN(Database db, Database::Open(path));
  CANDOR_TRY(db.SyncDirectory());
  auto writer = std::make_unique<Connection>(std::move(db));
  options.max_batch = std::max<size_t>(1, options.max_batch);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(path, options, std::move(writer)));
}

void SqliteDatabase::CommitBatch(const std::vector<Writer*>& batch) {
  Connection& c = *writer_;
  Status begun = c.db.Exec("begin", "BEGIN IMMEDIATE");
  if (!begun.ok()) {
    for (Writer* w : batch) w->status = begun;
    return;
  }
  for (Writer* w : batch) {
    Status st = c.db.Exec("savepoint", "SAVEPOINT candor_writer");
    if (st.ok()) st = (*w->work)(c);
    if (st.ok()) {
      st = c.db.Exec("release savepoint", "RELEASE candor_writer");
    } else {
      // Undo this writer's changes only; the others in the batch stay.
      (void)c.db.Exec("rollback to savepoint", "ROLLBACK TO candor_writer");
      (void)c.db.Exec("release savepoint", "RELEASE candor_writer");
    }
    w->status = std::move(st);
  }
  Status committed = c.db.Exec("commit", "COMMIT");
  if (!committed.ok()) {
    (void)c.db.Exec("rollback", "ROLLBACK");
    for (Writer* w : batch) {
      if (w->status.ok()) w->status = committed;
    }
  }
}

Status SqliteDatabase::Write(const Work& work) {
  Writer self;
  self.work = &work;
  std::unique_lock<std::mutex> lock(mu_);
  writers_.push_back(&self);
  while (!self.done && writers_.front() != &self) self.cv.wait(lock);
  if (self.done) return std::move(self.status);
  // The leader takes what is queued behind it, up to max_batch.
  std::vector<Writer*> batch;
  for (Writer* w : writers_) {
    batch.push_back(w);
    if (batch.size() == options_.max_batch) break;
  }
  lock.unlock();
  CommitBatch(batch);
  lock.lock();
  ++num_commits_;
  for (Writer* w : batch) {
    writers_.pop_front();
    w->done = true;
    if (w != &self) w->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return std::move(self.status);
}

Result<std::unique_ptr<SqliteDatabase::Connection>> SqliteDatabase::AcquireReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  CANDOR_ASSIGN_OR_RETURN(Database db, Database::Open(path_));
  return std::make_unique<Connection>(std::move(db));
}

void SqliteDatabase::ReleaseReader(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (readers_.size() < options_.max_readers) readers_.push_back(std::move(conn));
}

Status SqliteDatabase::Read(const Work& work) {
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, AcquireReader());
  Status st = c->db.Exec("begin read", "BEGIN");
  if (st.ok()) st = work(*c);
  // Ending a read transaction cannot lose anything; a failure to end it is reported.
  Status ended = c->db.Exec("end read", st.ok() ? "COMMIT" : "ROLLBACK");
  if (st.ok()) st = ended;
  if (ended.ok()) ReleaseReader(std::move(c));
  return st;
}

Status SqliteDatabase::ExecScript(std::string_view sql) {
  const std::string script(sql);
  return Write([&script](SqlTx& tx) {
    return static_cast<Connection&>(tx).db.Exec("schema script", script);
  });
}

uint64_t SqliteDatabase::num_commits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return num_commits_;
}

}  // namespace candor::store
