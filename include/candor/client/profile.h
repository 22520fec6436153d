// profile.h: a device's local state, one folder: `profile.db` (SQLite, WAL, synchronous=FULL)
// with its keys, its KEYTRANS state, contacts, groups (MLS state), message history and alarms.
// Private keys never leave it.
//
// At rest, secrets and message bodies are sealed (XChaCha20-Poly1305) under a random data key,
// itself sealed under a key derived from the passphrase (Argon2id). An unsealed profile (tests,
// the demo) keeps the data key in the clear and says so: `sealed()` is false.
//
// Schema (component "client", version 1):
//   kv(name TEXT PRIMARY KEY, value BLOB, sealed BIGINT)
//   key_packages(ref BLOB PRIMARY KEY, private BLOB, last_resort BIGINT, created_at BIGINT)
//                                                          -- private: the KeyPackage and its keys,
//                                                          sealed
//   contacts(handle TEXT PRIMARY KEY, device_list BLOB, version BIGINT, added_at BIGINT,
//            checked_at BIGINT, user_verified BIGINT)
//   groups(group_id BLOB PRIMARY KEY, name TEXT, peer TEXT, epoch BIGINT, state BLOB,
//          updated_at BIGINT)                                                  -- state sealed
//   old_epochs(group_id BLOB, epoch BIGINT, state BLOB, PRIMARY KEY (group_id, epoch))
//   messages(id INTEGER PRIMARY KEY, group_id BLOB, epoch BIGINT, sender_handle TEXT,
//            sender_device TEXT, outgoing BIGINT, at BIGINT, body BLOB)       -- body sealed
//   alarms(id INTEGER PRIMARY KEY, at BIGINT, text TEXT)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/store/sql.h"

namespace candor::client {

class Profile {
 public:
  // Create makes a new profile in `dir` (which must not hold one). With a passphrase the
  // secrets are sealed; with nullptr, the profile is unsealed. kConflict if a profile exists.
  static Result<std::unique_ptr<Profile>> Create(const std::string& dir,
                                                 const SecretBytes* passphrase);
  // Open opens the profile in `dir`. kNotFound if there is none; kVerifyFailed for a wrong
  // passphrase; kInvalidArgument if a sealed profile is opened without one.
  static Result<std::unique_ptr<Profile>> Open(const std::string& dir,
                                               const SecretBytes* passphrase);

  bool sealed() const { return sealed_; }
  const std::string& dir() const { return dir_; }
  store::SqlDatabase& db() { return *db_; }

  // Seal and Unseal protect one value under the data key, bound to `aad` (say what the value
  // is: "group-state" + its id, ...), so a value cannot be moved to another slot.
  Result<Bytes> Seal(std::string_view aad, ByteView plaintext) const;
  Result<SecretBytes> Unseal(std::string_view aad, ByteView sealed) const;

  // Get/Put a named value in `kv` within a transaction; `secret` values are sealed.
  static Result<std::optional<Bytes>> Get(store::SqlTx& tx, std::string_view name);
  Status Put(store::SqlTx& tx, std::string_view name, ByteView value) const;
  Result<std::optional<SecretBytes>> GetSecret(store::SqlTx& tx, std::string_view name) const;
  Status PutSecret(store::SqlTx& tx, std::string_view name, ByteView value) const;

  // Read and Write run a transaction on the profile database.
  Status Read(const store::SqlDatabase::Work& work) { return db_->Read(work); }
  Status Write(const store::SqlDatabase::Work& work) { return db_->Write(work); }

 private:
  Profile(std::string dir, std::unique_ptr<store::SqlDatabase> db, SecretBytes data_key,
          bool sealed)
      : dir_(std::move(dir)), db_(std::move(db)), data_key_(std::move(data_key)), sealed_(sealed) {}

  std::string dir_;
  std::unique_ptr<store::SqlDatabase> db_;
  SecretBytes data_key_;
  bool sealed_;
};

}  // namespace candor::client
