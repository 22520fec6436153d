#include "candor/store/presence_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "candor/store/wake_hint.h"

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE delivery_presence (
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  node TEXT NOT NULL,
  seen_ms BIGINT NOT NULL,
  PRIMARY KEY (handle, device_id, node)
);
CREATE INDEX delivery_presence_node ON delivery_presence (node))sql"},
};

int64_t I(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

}  // namespace

Result<std::unique_ptr<PresenceStore>> PresenceStore::Open(SqlDatabase& db, std::string node) {
  if (node.empty() || node.size() > 40 || !std::all_of(node.begin(), node.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      })) {
    return MakeError(Errc::kInvalidArgument, "a node name is 1 to 40 of a-z 0-9");
  }
  CANDOR_TRY(Migrate(db, "presence", kMigrations));
  return std::unique_ptr<PresenceStore>(new PresenceStore(db, std::move(node)));
}

std::string PresenceStore::ChannelOf(std::string_view node) {
  return "candor_wake_" + std::string(node);
}

Status PresenceStore::Attach(const DeviceAddress& device, uint64_t now_ms) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO delivery_presence (handle, device_id, node, seen_ms) VALUES "
                "($1, $2, $3, $4) ON CONFLICT (handle, device_id, node) DO UPDATE SET "
                "seen_ms = excluded.seen_ms",
                {device.handle, device.device_id, node_, I(now_ms)}));
    return OkStatus();
  });
}

Status PresenceStore::Detach(const DeviceAddress& device) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("DELETE FROM delivery_presence WHERE handle = $1 AND device_id = $2 AND node = $3",
                {device.handle, device.device_id, node_}));
    return OkStatus();
  });
}

Status PresenceStore::Refresh(uint64_t now_ms) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("UPDATE delivery_presence SET seen_ms = $1 WHERE node = $2", {I(now_ms), node_}));
    return OkStatus();
  });
}

Status PresenceStore::Collect(uint64_t oldest_ms) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(tx.Exec("DELETE FROM delivery_presence WHERE seen_ms < $1", {I(oldest_ms)}));
    return OkStatus();
  });
}

Status PresenceStore::HintInTx(SqlTx& tx, const std::vector<DeviceAddress>& devices) const {
  if (db_.dialect() != SqlDialect::kPostgres || devices.empty()) return OkStatus();
  std::map<std::string, std::set<DeviceAddress>> by_node;
  for (const DeviceAddress& d : devices) {
    CANDOR_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT node FROM delivery_presence WHERE handle = $1 AND "
                                     "device_id = $2 AND node <> $3",
                                     {d.handle, d.device_id, node_}));
    for (const SqlRow& row : rows) {
      CANDOR_ASSIGN_OR_RETURN(std::string node, row.Text(0, "delivery_presence.node"));
      by_node[node].insert(d);
    }
  }
  for (const auto& [node, held] : by_node) {
    const std::string payload = FormatHint({held.begin(), held.end()});
    // pg_notify returns void, which no column decoder reads: count its one row instead.
    CANDOR_TRY(tx.Query("SELECT count(*) FROM (SELECT pg_notify($1, $2)) AS hint",
                        {ChannelOf(node), payload}));
  }
  return OkStatus();
}

}  // namespace candor::store
