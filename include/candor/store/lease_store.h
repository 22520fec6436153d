// lease_store.h: the sequencer's lease (issue 13). Many candord nodes share one database; one
// of them at a time, the sequencer, publishes the key directory and appends to the
// transparency logs. It holds a lease: a row with the holder, a term that grows with every
// change of holder, and an expiry. A standby takes the lease once it has expired.
//
// Safety does not rest on clocks: every write the sequencer makes runs CheckFence in the same
// transaction, which fails once another node holds a newer term. An old sequencer that was
// paused past its lease (a long GC pause, a frozen VM) and wakes up cannot write anything, even
// if its own clock says the lease is still its own. Clocks only decide when a standby may take
// over.
//
// Schema (component "sequencer", version 1):
//   sequencer_lease(id BIGINT PRIMARY KEY (always 1), holder TEXT, term BIGINT,
//                   expires_ms BIGINT)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "candor/base/result.h"
#include "candor/store/sql.h"

namespace candor::store {

// Lease is one holding of the sequencer lease.
struct Lease {
  std::string holder;       // the node's identity for this run (unique per process start)
  uint64_t term = 0;        // 1 for the first holder; grows with every change of holder
  uint64_t expires_ms = 0;  // ms since the Unix epoch, by the clock of the node that renewed
  bool operator==(const Lease&) const = default;
};

class LeaseStore {
 public:
  // Open migrates the schema; `db` must outlive the store.
  static Result<std::unique_ptr<LeaseStore>> Open(SqlDatabase& db);

  // Acquire takes the lease for `holder` at `now_ms` for `ttl_ms`: when nobody holds it, when
  // it expired (a new term), or when `holder` holds it already (same term, extended).
  // kConflict, naming the holder and the expiry, while another node holds it.
  Result<Lease> Acquire(const std::string& holder, uint64_t now_ms, uint64_t ttl_ms);
  // Renew extends `mine` to now_ms + ttl_ms. kConflict if the lease changed hands (the caller
  // must stop writing at once), or if it expired: a holder that let it expire acquires again
  // (a new term), so that nothing it wrote under the old term can be confused with the new.
  Result<Lease> Renew(const Lease& mine, uint64_t now_ms, uint64_t ttl_ms);
  // Release gives the lease up (a clean shutdown), so a standby need not wait for the expiry.
  // Does nothing if `mine` is no longer the holding.
  Status Release(const Lease& mine);
  // Current returns the lease as stored (kNotFound if nobody ever held it).
  Result<Lease> Current();

  // CheckFence is the fence: called inside the write transaction of every sequencer write, it
  // fails with kConflict unless `mine` (holder and term) still holds the lease. On PostgreSQL it
  // locks the lease row until the transaction ends, so no takeover interleaves with the write.
  static Status CheckFence(SqlTx& tx, const Lease& mine);

 private:
  explicit LeaseStore(SqlDatabase& db) : db_(db) {}
  SqlDatabase& db_;
};

}  // namespace candor::store
