#include "candor/client/profile.h"

#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/crypto/random.h"
#include "candor/crypto/sealing.h"
#include "candor/store/sqlite_database.h"

namespace candor::client {
namespace {

constexpr store::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE kv (name TEXT PRIMARY KEY, value BLOB NOT NULL, sealed BIGINT NOT NULL);
CREATE TABLE key_packages (ref BLOB PRIMARY KEY, private BLOB NOT NULL, last_resort BIGINT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE TABLE contacts (handle TEXT PRIMARY KEY, device_list BLOB NOT NULL, version BIGINT NOT NULL,
  added_at BIGINT NOT NULL, checked_at BIGINT NOT NULL, user_verified BIGINT NOT NULL);
CREATE TABLE groups (group_id BLOB PRIMARY KEY, name TEXT NOT NULL, peer TEXT NOT NULL,
  epoch BIGINT NOT NULL, state BLOB NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE old_epochs (group_id BLOB NOT NULL, epoch BIGINT NOT NULL, state BLOB NOT NULL,
  PRIMARY KEY (group_id, epoch));
CREATE TABLE messages (id INTEGER PRIMARY KEY, group_id BLOB NOT NULL, epoch BIGINT NOT NULL,
  sender_handle TEXT NOT NULL, sender_device TEXT NOT NULL, outgoing BIGINT NOT NULL,
  at BIGINT NOT NULL, body BLOB NOT NULL);
CREATE INDEX messages_group ON messages (group_id, id);
CREATE TABLE alarms (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, text TEXT NOT NULL))sql"},
    {2, R"sql(
CREATE TABLE outbox (id INTEGER PRIMARY KEY, group_id BLOB NOT NULL, message BLOB NOT NULL,
  created_at BIGINT NOT NULL);
CREATE TABLE pending_commits (group_id BLOB PRIMARY KEY, from_epoch BIGINT NOT NULL,
  request TEXT NOT NULL, next_state BLOB NOT NULL))sql"},
    {3, R"sql(
CREATE TABLE departures (group_id BLOB NOT NULL, handle TEXT NOT NULL,
  PRIMARY KEY (group_id, handle)))sql"},
};

// The data key's slot: struct { uint8 sealed; opaque salt<V>; uint64 ops; uint64 mem;
// opaque key_or_sealed_key<V>; } in kv "data_key" (never sealed itself).
constexpr std::string_view kDataKey = "data_key";

Result<std::unique_ptr<store::SqlDatabase>> OpenDb(const std::string& dir) {
  CANDOR_TRY(MakeDirs(dir));
  CANDOR_ASSIGN_OR_RETURN(auto db, store::SqliteDatabase::Open(dir + "/profile.db"));
  std::unique_ptr<store::SqlDatabase> out = std::move(db);
  CANDOR_TRY(store::Migrate(*out, "client", kMigrations));
  return out;
}

}  // namespace

Result<std::unique_ptr<Profile>> Profile::Create(const std::string& dir,
                                                 const SecretBytes* passphrase) {
  if (FileExists(dir + "/profile.db")) {
    return MakeError(Errc::kConflict, "a profile exists in " + dir);
  }
  CANDOR_ASSIGN_OR_RETURN(auto db, OpenDb(dir));
  SecretBytes data_key(crypto::RandomBytes(crypto::kSealKeySize));
  tls::Writer slot;
  if (passphrase != nullptr) {
    const Bytes salt = crypto::RandomBytes(crypto::kSealSaltSize);
    const crypto::PassphraseCost cost;
    CANDOR_ASSIGN_OR_RETURN(
        SecretBytes kek, crypto::KeyFromPassphrase(AsStringView(passphrase->view()), salt, cost));
    CANDOR_ASSIGN_OR_RETURN(Bytes sealed_key,
                            crypto::Seal(kek.view(), AsBytes("candor data key"), data_key.view()));
    slot.U8(1);
    slot.OpaqueV(salt);
    slot.U64(cost.ops);
    slot.U64(cost.mem_bytes);
    slot.OpaqueV(sealed_key);
  } else {
    slot.U8(0);
    slot.OpaqueV({});
    slot.U64(0);
    slot.U64(0);
    slot.OpaqueV(data_key.view());
  }
  const Bytes slot_bytes = slot.Take();
  CANDOR_TRY(db->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(tx.Exec("INSERT INTO kv (name, value, sealed) VALUES ($1, $2, 0)",
                       {std::string(kDataKey), slot_bytes}));
    return OkStatus();
  }));
  return std::unique_ptr<Profile>(
      new Profile(dir, std::move(db), std::move(data_key), passphrase != nullptr));
}

Result<std::unique_ptr<Profile>> Profile::Open(const std::string& dir,
                                               const SecretBytes* passphrase) {
  if (!FileExists(dir + "/profile.db")) {
    return MakeError(Errc::kNotFound, "no profile in " + dir + " (run `candor account create`)");
  }
  CANDOR_ASSIGN_OR_RETURN(auto db, OpenDb(dir));
  std::optional<Bytes> slot_bytes;
  CANDOR_TRY(db->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(slot_bytes, Get(tx, kDataKey));
    return OkStatus();
  }));
  if (!slot_bytes) return MakeError(Errc::kMalformed, "the profile has no data key");
  tls::Reader r(*slot_bytes);
  CANDOR_ASSIGN_OR_RETURN(uint8_t is_sealed, r.U8("data_key.sealed"));
  CANDOR_ASSIGN_OR_RETURN(ByteView salt, r.OpaqueV("data_key.salt"));
  crypto::PassphraseCost cost;
  CANDOR_ASSIGN_OR_RETURN(cost.ops, r.U64("data_key.ops"));
  CANDOR_ASSIGN_OR_RETURN(cost.mem_bytes, r.U64("data_key.mem"));
  CANDOR_ASSIGN_OR_RETURN(ByteView key, r.OpaqueV("data_key.key"));
  CANDOR_TRY(r.ExpectEnd("data_key"));
  if (is_sealed == 0) {
    if (key.size() != crypto::kSealKeySize) return MakeError(Errc::kMalformed, "data key size");
    return std::unique_ptr<Profile>(new Profile(dir, std::move(db), SecretBytes(key), false));
  }
  if (passphrase == nullptr) {
    return MakeError(Errc::kInvalidArgument,
                     "the profile is sealed: give its passphrase (--passphrase-file or "
                     "CANDOR_PASSPHRASE)");
  }
  if (cost.mem_bytes > (uint64_t{4} << 30)) return MakeError(Errc::kMalformed, "data key cost");
  CANDOR_ASSIGN_OR_RETURN(SecretBytes kek,
                          crypto::KeyFromPassphrase(AsStringView(passphrase->view()), salt, cost));
  auto data_key = crypto::Unseal(kek.view(), AsBytes("candor data key"), key);
  if (!data_key.ok()) return MakeError(Errc::kVerifyFailed, "wrong passphrase");
  return std::unique_ptr<Profile>(new Profile(dir, std::move(db), std::move(*data_key), true));
}

Result<Bytes> Profile::Seal(std::string_view aad, ByteView plaintext) const {
  return crypto::Seal(data_key_.view(), AsBytes(aad), plaintext);
}

Result<SecretBytes> Profile::Unseal(std::string_view aad, ByteView sealed) const {
  return crypto::Unseal(data_key_.view(), AsBytes(aad), sealed);
}

Result<std::optional<Bytes>> Profile::Get(store::SqlTx& tx, std::string_view name) {
  CANDOR_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT value FROM kv WHERE name = $1", {std::string(name)}));
  if (rows.empty()) return std::optional<Bytes>();
  CANDOR_ASSIGN_OR_RETURN(Bytes v, rows[0].Blob(0, "kv.value"));
  return std::optional<Bytes>(std::move(v));
}

Status Profile::Put(store::SqlTx& tx, std::string_view name, ByteView value) const {
  CANDOR_TRY(tx.Exec(
      "INSERT INTO kv (name, value, sealed) VALUES ($1, $2, 0) ON CONFLICT (name) DO UPDATE SET "
      "value = excluded.value, sealed = 0",
      {std::string(name), Bytes(value.begin(), value.end())}));
  return OkStatus();
}

Result<std::optional<SecretBytes>> Profile::GetSecret(store::SqlTx& tx,
                                                      std::string_view name) const {
  CANDOR_ASSIGN_OR_RETURN(std::optional<Bytes> sealed, Get(tx, name));
  if (!sealed) return std::optional<SecretBytes>();
  CANDOR_ASSIGN_OR_RETURN(SecretBytes v, Unseal("kv:" + std::string(name), *sealed));
  return std::optional<SecretBytes>(std::move(v));
}

Status Profile::PutSecret(store::SqlTx& tx, std::string_view name, ByteView value) const {
  CANDOR_ASSIGN_OR_RETURN(Bytes sealed, Seal("kv:" + std::string(name), value));
  CANDOR_TRY(tx.Exec(
      "INSERT INTO kv (name, value, sealed) VALUES ($1, $2, 1) ON CONFLICT (name) DO UPDATE SET "
      "value = excluded.value, sealed = 1",
      {std::string(name), sealed}));
  return OkStatus();
}

}  // namespace candor::client
