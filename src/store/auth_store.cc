#include "candor/store/auth_store.h"

#include <optional>

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE auth_challenges (
  challenge BLOB PRIMARY KEY,
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE auth_sessions (
  token_hash BLOB PRIMARY KEY,
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL
))sql"},
    {2, R"sql(
CREATE TABLE auth_links (
  id BLOB NOT NULL,
  slot TEXT NOT NULL,
  body BLOB NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (id, slot)
))sql"},
};

Result<DeviceAddress> ReadDevice(const SqlRow& row, size_t c) {
  DeviceAddress d;
  CANDOR_ASSIGN_OR_RETURN(d.handle, row.Text(c, "handle"));
  CANDOR_ASSIGN_OR_RETURN(d.device_id, row.Text(c + 1, "device_id"));
  return d;
}

}  // namespace

Result<std::unique_ptr<AuthStore>> AuthStore::Open(SqlDatabase& db) {
  CANDOR_TRY(Migrate(db, "auth", kMigrations));
  return std::unique_ptr<AuthStore>(new AuthStore(db));
}

Status AuthStore::PutChallenge(ByteView challenge, const DeviceAddress& device,
                               uint64_t expires_at) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO auth_challenges (challenge, handle, device_id, expires_at) "
                "VALUES ($1, $2, $3, $4)",
                {Bytes(challenge.begin(), challenge.end()), device.handle, device.device_id,
                 static_cast<int64_t>(expires_at)}));
    return OkStatus();
  });
}

Result<DeviceAddress> AuthStore::TakeChallenge(ByteView challenge, uint64_t now) {
  std::optional<DeviceAddress> out;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    out.reset();
    // DELETE ... RETURNING takes it exactly once, also when two requests race with it.
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("DELETE FROM auth_challenges WHERE challenge = $1 "
                                                "RETURNING handle, device_id, expires_at",
                                                {Bytes(challenge.begin(), challenge.end())}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(int64_t expires, rows[0].Int(2, "expires_at"));
    if (static_cast<uint64_t>(expires) < now) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(out, ReadDevice(rows[0], 0));
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "unknown, used or expired challenge");
  return std::move(*out);
}

Status AuthStore::PutSession(const Hash32& token_hash, const DeviceAddress& device,
                             uint64_t expires_at) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO auth_sessions (token_hash, handle, device_id, expires_at) "
                "VALUES ($1, $2, $3, $4)",
                {Bytes(token_hash.begin(), token_hash.end()), device.handle, device.device_id,
                 static_cast<int64_t>(expires_at)}));
    return OkStatus();
  });
}

Result<DeviceAddress> AuthStore::GetSession(const Hash32& token_hash, uint64_t now) {
  std::optional<DeviceAddress> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT handle, device_id FROM auth_sessions "
                                                "WHERE token_hash = $1 AND expires_at >= $2",
                                                {Bytes(token_hash.begin(), token_hash.end()),
                                                 static_cast<int64_t>(now)}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(out, ReadDevice(rows[0], 0));
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "unknown or expired session");
  return std::move(*out);
}

Result<uint64_t> AuthStore::RemoveExpired(uint64_t now) {
  uint64_t removed = 0;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    const auto t = static_cast<int64_t>(now);
    CANDOR_ASSIGN_OR_RETURN(uint64_t a,
                            tx.Exec("DELETE FROM auth_challenges WHERE expires_at < $1", {t}));
    CANDOR_ASSIGN_OR_RETURN(uint64_t b,
                            tx.Exec("DELETE FROM auth_sessions WHERE expires_at < $1", {t}));
    CANDOR_ASSIGN_OR_RETURN(uint64_t c,
                            tx.Exec("DELETE FROM auth_links WHERE expires_at < $1", {t}));
    removed = a + b + c;
    return OkStatus();
  }));
  return removed;
}

Status AuthStore::PutLink(ByteView id, std::string_view slot, ByteView body, uint64_t expires_at) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO auth_links (id, slot, body, expires_at) VALUES ($1, $2, $3, $4)",
                {Bytes(id.begin(), id.end()), std::string(slot), Bytes(body.begin(), body.end()),
                 static_cast<int64_t>(expires_at)}));
    return OkStatus();
  });
}

Result<Bytes> AuthStore::GetLink(ByteView id, std::string_view slot, uint64_t now) {
  std::optional<Bytes> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT body FROM auth_links WHERE id = $1 AND slot = $2 AND "
                 "expires_at >= $3",
                 {Bytes(id.begin(), id.end()), std::string(slot), static_cast<int64_t>(now)}));
    if (rows.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(out, rows[0].Blob(0, "body"));
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "no such link message");
  return std::move(*out);
}

}  // namespace candor::store
