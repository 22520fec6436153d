#include "candor/store/key_package_store.h"

#include <limits>

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE key_packages (
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  ref BLOB NOT NULL,
  body BLOB NOT NULL,
  last_resort BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (handle, device_id, ref)
);
CREATE INDEX key_packages_expiry ON key_packages (expires_at))sql"},
    // The KeyPackages handed out, until they expire: an upload that brings one back (a replayed
    // request) is refused, so none is handed out twice.
    {2, R"sql(
CREATE TABLE key_packages_used (
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  ref BLOB NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (handle, device_id, ref)
);
CREATE INDEX key_packages_used_expiry ON key_packages_used (expires_at))sql"},
};

int64_t Clamp(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

}  // namespace

Result<std::unique_ptr<KeyPackageStore>> KeyPackageStore::Open(SqlDatabase& db) {
  CANDOR_TRY(Migrate(db, "keypackages", kMigrations));
  return std::unique_ptr<KeyPackageStore>(new KeyPackageStore(db));
}

Status KeyPackageStore::Add(const DeviceAddress& device,
                            const std::vector<StoredKeyPackage>& ordinary,
                            const std::optional<StoredKeyPackage>& last_resort,
                            uint64_t max_stored) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT COUNT(*) FROM key_packages WHERE handle = $1 AND "
                                     "device_id = $2 AND last_resort = 0",
                                     {device.handle, device.device_id}));
    CANDOR_ASSIGN_OR_RETURN(int64_t held, rows.at(0).Int(0, "COUNT(*)"));
    if (static_cast<uint64_t>(held) + ordinary.size() > max_stored) {
      return MakeError(Errc::kTooLarge, "a device holds at most " + std::to_string(max_stored) +
                                            " KeyPackages (it has " + std::to_string(held) + ")");
    }
    for (const StoredKeyPackage& kp : ordinary) {
      CANDOR_ASSIGN_OR_RETURN(auto used,
                              tx.Query("SELECT 1 FROM key_packages_used WHERE handle = $1 AND "
                                       "device_id = $2 AND ref = $3",
                                       {device.handle, device.device_id, kp.ref}));
      if (!used.empty()) {
        return MakeError(Errc::kConflict,
                         "a KeyPackage of this upload was handed out already (a replay?)");
      }
      CANDOR_TRY(tx.Exec(
          "INSERT INTO key_packages (handle, device_id, ref, body, last_resort, expires_at) "
          "VALUES ($1, $2, $3, $4, 0, $5)",
          {device.handle, device.device_id, kp.ref, kp.body, Clamp(kp.not_after)}));
    }
    if (last_resort) {
      CANDOR_TRY(
          tx.Exec("DELETE FROM key_packages WHERE handle = $1 AND device_id = $2 AND "
                  "last_resort = 1",
                  {device.handle, device.device_id}));
      CANDOR_TRY(tx.Exec(
          "INSERT INTO key_packages (handle, device_id, ref, body, last_resort, expires_at) "
          "VALUES ($1, $2, $3, $4, 1, $5)",
          {device.handle, device.device_id, last_resort->ref, last_resort->body,
           Clamp(last_resort->not_after)}));
    }
    return OkStatus();
  });
}

Result<ClaimedKeyPackage> KeyPackageStore::Claim(const DeviceAddress& device,
                                                 uint64_t now_seconds) {
  std::optional<ClaimedKeyPackage> out;
  // On PostgreSQL concurrent claims skip each other's rows (FOR UPDATE SKIP LOCKED, the usual
  // work-queue idiom); SQLite runs one writer at a time. Should two claims still pick the same
  // row, the DELETE of the second removes nothing (PostgreSQL re-checks the row after the first
  // commits) and it tries again: every round either hands one out or sees none left.
  const std::string pick =
      std::string(
          "SELECT ref FROM key_packages WHERE handle = $1 AND device_id = $2 AND "
          "last_resort = 0 AND expires_at >= $3 ORDER BY ref LIMIT 1") +
      (db_.dialect() == SqlDialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "");
  for (int attempt = 0; attempt < 1000 && !out; ++attempt) {
    bool raced = false;
    CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
      out.reset();
      raced = false;
      const auto now = Clamp(now_seconds);
      CANDOR_ASSIGN_OR_RETURN(auto picked, tx.Query(pick, {device.handle, device.device_id, now}));
      if (!picked.empty()) {
        CANDOR_ASSIGN_OR_RETURN(Bytes ref, picked[0].Blob(0, "ref"));
        CANDOR_ASSIGN_OR_RETURN(
            auto taken, tx.Query("DELETE FROM key_packages WHERE handle = $1 AND device_id = $2 "
                                 "AND ref = $3 RETURNING body, expires_at",
                                 {device.handle, device.device_id, ref}));
        if (taken.empty()) {
          raced = true;
          return OkStatus();
        }
        CANDOR_ASSIGN_OR_RETURN(Bytes body, taken[0].Blob(0, "body"));
        CANDOR_ASSIGN_OR_RETURN(int64_t expires_at, taken[0].Int(1, "expires_at"));
        CANDOR_TRY(
            tx.Exec("INSERT INTO key_packages_used (handle, device_id, ref, expires_at) "
                    "VALUES ($1, $2, $3, $4)",
                    {device.handle, device.device_id, ref, expires_at}));
        out = ClaimedKeyPackage{std::move(body), false};
        return OkStatus();
      }
      CANDOR_ASSIGN_OR_RETURN(auto last,
                              tx.Query("SELECT body FROM key_packages WHERE handle = $1 AND "
                                       "device_id = $2 AND last_resort = 1 AND expires_at >= $3",
                                       {device.handle, device.device_id, now}));
      if (!last.empty()) {
        CANDOR_ASSIGN_OR_RETURN(Bytes body, last[0].Blob(0, "body"));
        out = ClaimedKeyPackage{std::move(body), true};
      }
      return OkStatus();
    }));
    if (!raced) break;
  }
  if (!out) return MakeError(Errc::kNotFound, "the device has no KeyPackage left");
  return std::move(*out);
}

Result<KeyPackageStock> KeyPackageStore::Stock(const DeviceAddress& device, uint64_t now_seconds) {
  KeyPackageStock stock;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT last_resort, COUNT(*) FROM key_packages WHERE handle = $1 "
                            "AND device_id = $2 AND expires_at >= $3 GROUP BY last_resort",
                            {device.handle, device.device_id, Clamp(now_seconds)}));
    for (const SqlRow& row : rows) {
      CANDOR_ASSIGN_OR_RETURN(int64_t last_resort, row.Int(0, "last_resort"));
      CANDOR_ASSIGN_OR_RETURN(int64_t n, row.Int(1, "COUNT(*)"));
      if (last_resort != 0) {
        stock.last_resort = n > 0;
      } else {
        stock.available = static_cast<uint64_t>(n);
      }
    }
    return OkStatus();
  }));
  return stock;
}

Result<uint64_t> KeyPackageStore::RemoveExpired(uint64_t now_seconds) {
  uint64_t removed = 0;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        removed, tx.Exec("DELETE FROM key_packages WHERE expires_at < $1", {Clamp(now_seconds)}));
    // Past its expiry a KeyPackage is refused on upload anyway (never handed out expired).
    CANDOR_TRY(
        tx.Exec("DELETE FROM key_packages_used WHERE expires_at < $1", {Clamp(now_seconds)}));
    return OkStatus();
  }));
  return removed;
}

}  // namespace candor::store
