// auth_store.h: device authentication state: single-use challenges and session tokens (only
// their SHA-256 is stored). On a SqlDatabase, so every server node sees the same sessions.
//
// Schema (component "auth", version 1):
//   auth_challenges(challenge BLOB PRIMARY KEY, handle TEXT, device_id TEXT, expires_at BIGINT)
//   auth_sessions(token_hash BLOB PRIMARY KEY, handle TEXT, device_id TEXT, expires_at BIGINT)
// Version 2 adds the device-link rendezvous:
//   auth_links(id BLOB, slot TEXT, body BLOB, expires_at BIGINT, PRIMARY KEY (id, slot))
#pragma once

#include <memory>

#include "candor/base/bytes.h"
#include "candor/store/device_address.h"
#include "candor/store/sql.h"

namespace candor::store {

class AuthStore {
 public:
  // Open migrates the schema; `db` must outlive the store.
  static Result<std::unique_ptr<AuthStore>> Open(SqlDatabase& db);

  // PutChallenge records a challenge issued to `device`, valid until `expires_at` (ms).
  Status PutChallenge(ByteView challenge, const DeviceAddress& device, uint64_t expires_at);
  // TakeChallenge removes the challenge and returns whom it was issued to; kNotFound if it was
  // never issued, was already taken, or expired before `now`.
  Result<DeviceAddress> TakeChallenge(ByteView challenge, uint64_t now);
  // PutSession records a session token's hash for `device` until `expires_at`.
  Status PutSession(const Hash32& token_hash, const DeviceAddress& device, uint64_t expires_at);
  // GetSession returns the device of a live session; kNotFound if unknown or expired.
  Result<DeviceAddress> GetSession(const Hash32& token_hash, uint64_t now);
  // RemoveExpired deletes challenges, sessions and link messages expired before `now`; returns
  // how many.
  Result<uint64_t> RemoveExpired(uint64_t now);

  // PutLink stores the `slot` message of link rendezvous `id` (opaque to the server) until
  // `expires_at`; kConflict if that slot holds one already.
  Status PutLink(ByteView id, std::string_view slot, ByteView body, uint64_t expires_at);
  // GetLink returns it; kNotFound if absent or expired.
  Result<Bytes> GetLink(ByteView id, std::string_view slot, uint64_t now);

 private:
  explicit AuthStore(SqlDatabase& db) : db_(db) {}
  SqlDatabase& db_;
};

}  // namespace candor::store
