#include "candor/store/pg_database.h"

#include <libpq-fe.h>

#include <array>
#include <cstring>
#include <regex>
#include <unordered_map>

namespace candor::store {
namespace {

// PostgreSQL type OIDs (pg_type.dat) of the values we send and read.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kVarcharOid = 1043;

// SQLSTATEs we act on (PostgreSQL Appendix A).
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

std::string_view SqlStateOf(const PGresult* r) {
  const char* state = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return state == nullptr ? std::string_view() : std::string_view(state);
}

// PgError maps a failed result (or a broken connection) to our error kinds.
Error PgError(PGconn* conn, const PGresult* r, std::string_view what) {
  const std::string_view state = SqlStateOf(r);
  std::string msg = "postgresql: ";
  msg += what;
  msg += ": ";
  const char* text = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  msg += text != nullptr && *text != '\0' ? text : "no result";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (state == kUniqueViolation) return MakeError(Errc::kConflict, std::move(msg));
  if (PQstatus(conn) != CONNECTION_OK || state.substr(0, 2) == "08" || state.substr(0, 2) == "53" ||
      state.substr(0, 2) == "57" || state == kSerializationFailure || state == kDeadlockDetected) {
    // Connection, resources, operator intervention (shutdown), or a retryable conflict.
    return MakeError(Errc::kUnavailable, std::move(msg));
  }
  if (state.substr(0, 2) == "23") return MakeError(Errc::kInvalidArgument, std::move(msg));
  return MakeError(Errc::kInternal, std::move(msg));
}

void PutBigEndian64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

Result<SqlValue> ReadValue(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col) != 0) return SqlValue{};
  const char* data = PQgetvalue(r, row, col);
  const auto len = static_cast<size_t>(PQgetlength(r, row, col));
  switch (PQftype(r, col)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kBoolOid: {
      if (len != 8 && len != 4 && len != 2 && len != 1) break;
      uint64_t raw = GetBigEndian(data, len);
      // Sign-extend the narrower integer types.
      if (len < 8 && (raw >> (8 * len - 1)) != 0) raw |= ~uint64_t{0} << (8 * len);
      return SqlValue{static_cast<int64_t>(raw)};
    }
    case kByteaOid:
      return SqlValue{Bytes(reinterpret_cast<const uint8_t*>(data),
                            reinterpret_cast<const uint8_t*>(data) + len)};
    case kTextOid:
    case kVarcharOid:
      return SqlValue{std::string(data, len)};
    default:
      break;
  }
  return MakeError(Errc::kMalformed, std::string("postgresql: column ") + PQfname(r, col) +
                                         " has a type this store does not read");
}

// ToPostgresDdl rewrites the portable DDL type BLOB as BYTEA.
std::string ToPostgresDdl(std::string_view sql) {
  static const std::regex kBlob("\\bBLOB\\b");
  return std::regex_replace(std::string(sql), kBlob, "BYTEA");
}

}  // namespace

struct PgDatabase::Connection final : SqlTx {
  explicit Connection(PGconn* c) : conn(c) {}
  ~Connection() override { PQfinish(conn); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Run executes a prepared statement; a failed result is returned as the error.
  Result<PgResult> Run(std::string_view sql, std::span<const SqlValue> params) {
    std::vector<Oid> types(params.size(), 0);
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 1);
    std::vector<std::array<char, 8>> ints(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        types[i] = kInt8Oid;
        PutBigEndian64(static_cast<uint64_t>(*n), ints[i].data());
        values[i] = ints[i].data();
        lengths[i] = 8;
      } else if (const auto* b = std::get_if<Bytes>(&v)) {
        types[i] = kByteaOid;
        values[i] = b->empty() ? "" : reinterpret_cast<const char*>(b->data());
        lengths[i] = static_cast<int>(b->size());
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        types[i] = kTextOid;
        values[i] = s->c_str();
        lengths[i] = static_cast<int>(s->size());
      }
    }
    const std::string key(sql);
    auto it = prepared.find(key);
    if (it == prepared.end()) {
      const std::string name = "s" + std::to_string(prepared.size());
      PgResult prep(PQprepare(conn, name.c_str(), key.c_str(), static_cast<int>(params.size()),
                              types.data()));
      if (PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
        last_state = SqlStateOf(prep.get());
        return PgError(conn, prep.get(), "prepare " + key.substr(0, 60));
      }
      it = prepared.emplace(key, name).first;
    }
    PgResult r(PQexecPrepared(conn, it->second.c_str(), static_cast<int>(params.size()),
                              values.data(), lengths.data(), formats.data(), 1));
    const ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      last_state = SqlStateOf(r.get());
      return PgError(conn, r.get(), key.substr(0, 60));
    }
    return r;
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    CANDOR_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    std::vector<SqlRow> rows;
    const int n = PQntuples(r.get());
    const int cols = PQnfields(r.get());
    rows.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      std::vector<SqlValue> values;
      values.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        CANDOR_ASSIGN_OR_RETURN(SqlValue v, ReadValue(r.get(), i, c));
        values.push_back(std::move(v));
      }
      rows.emplace_back(std::move(values));
    }
    return rows;
  }

  Result<uint64_t> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    CANDOR_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    const char* n = PQcmdTuples(r.get());
    return n == nullptr || *n == '\0' ? uint64_t{0} : std::stoull(n);
  }

  // Simple runs a parameterless command (BEGIN, COMMIT, a DDL script).
  Status Simple(std::string_view sql) {
    PgResult r(PQexec(conn, std::string(sql).c_str()));
    const ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      last_state = SqlStateOf(r.get());
      return PgError(conn, r.get(), sql.substr(0, 40));
    }
    return OkStatus();
  }

  bool healthy() const { return PQstatus(conn) == CONNECTION_OK; }

  PGconn* conn;
  std::unordered_map<std::string, std::string> prepared;  // SQL -> statement name
  std::string last_state;  // SQLSTATE of the latest failure in this transaction
};

PgDatabase::PgDatabase(std::string conninfo, Options options)
    : conninfo_(std::move(conninfo)), options_(options) {}

PgDatabase::~PgDatabase() = default;

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& conninfo, Options options) {
  options.max_connections = std::max<size_t>(1, options.max_connections);
  std::unique_ptr<PgDatabase> db(new PgDatabase(conninfo, options));
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, db->Acquire());
  db->Release(std::move(first));
  return db;
}

Result<std::unique_ptr<PgDatabase::Connection>> PgDatabase::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || num_open_ < options_.max_connections; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++num_open_;
  }
  PGconn* raw = PQconnectdb(conninfo_.c_str());
  auto c = std::make_unique<Connection>(raw);
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    std::string msg = raw == nullptr ? "out of memory" : PQerrorMessage(raw);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    c.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      --num_open_;
    }
    cv_.notify_one();
    return MakeError(Errc::kUnavailable, "postgresql: connect: " + msg);
  }
  // Durable commits and UTC timestamps whatever the server's defaults say. A transaction whose
  // client stalls (a process paused mid-write, e.g. a sequencer holding the lease row's lock)
  // is ended by the server after 5 s, so it cannot hold its locks for ever; every transaction
  // of ours runs its statements back to back.
  Status set = c->Simple(
      "SET synchronous_commit = on; SET TIME ZONE 'UTC'; "
      "SET idle_in_transaction_session_timeout = 5000");
  if (!set.ok()) {
    c.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      --num_open_;
    }
    cv_.notify_one();
    return set.error();
  }
  return c;
}

void PgDatabase::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (conn != nullptr && conn->healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      --num_open_;  // a broken connection is closed; the next Acquire opens a new one
    }
  }
  cv_.notify_one();
}

Status PgDatabase::RunTransaction(const char* begin, const Work& work) {
  Status last = OkStatus();
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Acquire());
    c->last_state.clear();
    Status st = c->Simple(begin);
    if (st.ok()) st = work(*c);
    if (st.ok()) {
      st = c->Simple("COMMIT");
    } else if (c->healthy()) {
      (void)c->Simple("ROLLBACK");
    }
    const bool retryable =
        !st.ok() && c->healthy() &&
        (c->last_state == kSerializationFailure || c->last_state == kDeadlockDetected);
    Release(std::move(c));
    if (!retryable) return st;
    last = st;
  }
  return last;
}

Status PgDatabase::Write(const Work& work) { return RunTransaction("BEGIN", work); }

Status PgDatabase::Read(const Work& work) {
  return RunTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
}

Status PgDatabase::CreateDatabase(std::string_view name) {
  const bool valid = !name.empty() && name.size() <= 63 &&
                     name.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyz"
                         "0123456789_") == std::string_view::npos;
  if (!valid) return MakeError(Errc::kInvalidArgument, "postgresql: bad database name");
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Acquire());
  Status st = c->Simple("CREATE DATABASE " + std::string(name));
  const bool exists = !st.ok() && c->last_state == "42P04";  // duplicate_database
  Release(std::move(c));
  if (exists) return MakeError(Errc::kConflict, st.error().message);
  return st;
}

Status PgDatabase::ExecScript(std::string_view sql) {
  const std::string script = ToPostgresDdl(sql);
  return Write([&script](SqlTx& tx) { return static_cast<Connection&>(tx).Simple(script); });
}

}  // namespace candor::store
