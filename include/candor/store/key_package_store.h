// key_package_store.h: the KeyPackages devices upload for others to add them to groups
// (RFC 9750 §5.1, §8.4.2). An ordinary KeyPackage is handed out at most once, also when many
// clients (and many server nodes) claim at the same moment; the last-resort one is handed out
// when none is left, and stays until its owner replaces it. Expired ones are never handed out.
//
// Schema (component "keypackages", version 1):
//   key_packages(handle TEXT, device_id TEXT, ref BLOB, body BLOB, last_resort BIGINT,
//                expires_at BIGINT, PRIMARY KEY (handle, device_id, ref))
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/store/device_address.h"
#include "candor/store/sql.h"

namespace candor::store {

// StoredKeyPackage is one KeyPackage as uploaded: its KeyPackageRef, the encoded MLSMessage and
// the end of its lifetime (seconds since the Unix epoch, RFC 9420 Lifetime.not_after).
struct StoredKeyPackage {
  Bytes ref;
  Bytes body;
  uint64_t not_after = 0;
};

// ClaimedKeyPackage is what a claim hands out.
struct ClaimedKeyPackage {
  Bytes body;
  bool last_resort = false;
};

// KeyPackageStock is what a device has left.
struct KeyPackageStock {
  uint64_t available = 0;  // ordinary, unexpired
  bool last_resort = false;
};

class KeyPackageStore {
 public:
  // Open migrates the schema; `db` must outlive the store.
  static Result<std::unique_ptr<KeyPackageStore>> Open(SqlDatabase& db);

  // Add stores ordinary KeyPackages and, if given, replaces the device's last-resort one, in one
  // transaction. kConflict if a ref is already stored; kTooLarge if the device would then hold
  // more than `max_stored` ordinary ones (nothing is stored then).
  Status Add(const DeviceAddress& device, const std::vector<StoredKeyPackage>& ordinary,
             const std::optional<StoredKeyPackage>& last_resort, uint64_t max_stored);
  // Claim hands out one KeyPackage of `device` valid at `now_seconds`: an ordinary one (removed
  // in the same transaction) or, when none is left, the last-resort one (kept). kNotFound if
  // the device has neither.
  Result<ClaimedKeyPackage> Claim(const DeviceAddress& device, uint64_t now_seconds);
  // Stock counts what `device` has left at `now_seconds`.
  Result<KeyPackageStock> Stock(const DeviceAddress& device, uint64_t now_seconds);
  // RemoveExpired deletes KeyPackages expired before `now_seconds`; returns how many.
  Result<uint64_t> RemoveExpired(uint64_t now_seconds);

 private:
  explicit KeyPackageStore(SqlDatabase& db) : db_(db) {}
  SqlDatabase& db_;
};

}  // namespace candor::store
