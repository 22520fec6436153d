#include "candor/store/lease_store.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE sequencer_lease (
  id BIGINT PRIMARY KEY,
  holder TEXT NOT NULL,
  term BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL
))sql"},
};

int64_t Clamp(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

uint64_t Until(uint64_t now_ms, uint64_t ttl_ms) {
  return ttl_ms > std::numeric_limits<uint64_t>::max() - now_ms
             ? std::numeric_limits<uint64_t>::max()
             : now_ms + ttl_ms;
}

Result<std::optional<Lease>> Load(SqlTx& tx) {
  CANDOR_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT holder, term, expires_ms FROM sequencer_lease WHERE id = 1", {}));
  if (rows.empty()) return std::optional<Lease>();
  Lease l;
  CANDOR_ASSIGN_OR_RETURN(l.holder, rows[0].Text(0, "holder"));
  CANDOR_ASSIGN_OR_RETURN(int64_t term, rows[0].Int(1, "term"));
  CANDOR_ASSIGN_OR_RETURN(int64_t expires, rows[0].Int(2, "expires_ms"));
  if (term < 1 || expires < 0) return MakeError(Errc::kMalformed, "sequencer_lease: bad row");
  l.term = static_cast<uint64_t>(term);
  l.expires_ms = static_cast<uint64_t>(expires);
  return std::optional<Lease>(std::move(l));
}

Error HeldBy(const Lease& l) {
  return MakeError(Errc::kConflict, "the sequencer lease is held by " + l.holder + " (term " +
                                        std::to_string(l.term) + ") until " +
                                        std::to_string(l.expires_ms) + " ms");
}

// Extend moves the expiry of the holding (holder, term) to `until`; kConflict if the row no
// longer holds that term for that holder (a conditional update: atomic on both backends).
Status Extend(SqlTx& tx, const Lease& l, uint64_t until) {
  CANDOR_ASSIGN_OR_RETURN(uint64_t n, tx.Exec("UPDATE sequencer_lease SET expires_ms = $1 WHERE "
                                              "id = 1 AND term = $2 AND holder = $3",
                                              {Clamp(until), Clamp(l.term), l.holder}));
  if (n != 1) return MakeError(Errc::kConflict, "the sequencer lease changed hands");
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<LeaseStore>> LeaseStore::Open(SqlDatabase& db) {
  CANDOR_TRY(Migrate(db, "sequencer", kMigrations));
  return std::unique_ptr<LeaseStore>(new LeaseStore(db));
}

Result<Lease> LeaseStore::Acquire(const std::string& holder, uint64_t now_ms, uint64_t ttl_ms) {
  if (holder.empty()) return MakeError(Errc::kInvalidArgument, "a lease holder needs a name");
  Lease out;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(std::optional<Lease> current, Load(tx));
    const uint64_t until = Until(now_ms, ttl_ms);
    if (!current) {
      // Two first acquirers: the primary key lets one insert; the other gets kConflict.
      CANDOR_TRY(tx.Exec(
          "INSERT INTO sequencer_lease (id, holder, term, expires_ms) VALUES (1, $1, 1, $2)",
          {holder, Clamp(until)}));
      out = Lease{holder, 1, until};
      return OkStatus();
    }
    if (current->holder == holder && current->expires_ms > now_ms) {
      CANDOR_TRY(Extend(tx, *current, until));
      out = Lease{holder, current->term, until};
      return OkStatus();
    }
    if (current->expires_ms > now_ms) return HeldBy(*current);
    // Expired: a new term. Conditional on the term read, so two standbys cannot both win.
    CANDOR_ASSIGN_OR_RETURN(
        uint64_t n,
        tx.Exec("UPDATE sequencer_lease SET holder = $1, term = $2, expires_ms = $3 "
                "WHERE id = 1 AND term = $4",
                {holder, Clamp(current->term + 1), Clamp(until), Clamp(current->term)}));
    if (n != 1) return MakeError(Errc::kConflict, "another node took the sequencer lease");
    out = Lease{holder, current->term + 1, until};
    return OkStatus();
  }));
  return out;
}

Result<Lease> LeaseStore::Renew(const Lease& mine, uint64_t now_ms, uint64_t ttl_ms) {
  Lease out = mine;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(std::optional<Lease> current, Load(tx));
    if (!current || current->holder != mine.holder || current->term != mine.term) {
      return MakeError(Errc::kConflict, "the sequencer lease changed hands");
    }
    if (current->expires_ms <= now_ms) {
      return MakeError(Errc::kConflict, "the sequencer lease expired; acquire it again");
    }
    out.expires_ms = Until(now_ms, ttl_ms);
    return Extend(tx, mine, out.expires_ms);
  }));
  return out;
}

Status LeaseStore::Release(const Lease& mine) {
  return db_.Write([&](SqlTx& tx) -> Status {
    // Expired now, same term: the next acquirer starts a new term at once.
    CANDOR_TRY(tx.Exec(
        "UPDATE sequencer_lease SET expires_ms = 0 WHERE id = 1 AND term = $1 AND holder = $2",
        {Clamp(mine.term), mine.holder}));
    return OkStatus();
  });
}

Result<Lease> LeaseStore::Current() {
  std::optional<Lease> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(out, Load(tx));
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "nobody has held the sequencer lease");
  return *out;
}

Status LeaseStore::CheckFence(SqlTx& tx, const Lease& mine) {
  // A no-op update that matches only while `mine` holds the lease. On PostgreSQL it takes the
  // row lock: a takeover (itself an update of this row) waits for this transaction to end.
  CANDOR_ASSIGN_OR_RETURN(
      uint64_t n, tx.Exec("UPDATE sequencer_lease SET term = term WHERE id = 1 AND term = $1 AND "
                          "holder = $2",
                          {Clamp(mine.term), mine.holder}));
  if (n != 1) {
    return MakeError(Errc::kConflict, "fenced: " + mine.holder + " no longer holds term " +
                                          std::to_string(mine.term) + " of the sequencer lease");
  }
  return OkStatus();
}

}  // namespace candor::store
