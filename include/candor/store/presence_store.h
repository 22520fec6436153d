// presence_store.h: cross-node wake-ups for the delivery queues (issue 13). The queues live in
// the shared database; a device's WebSocket is held by one node. When a node queues messages,
// the transaction that queues them also sends each other node that holds a recipient's socket a
// hint (PostgreSQL NOTIFY on that node's channel, delivered only once the transaction commits,
// one per node however many recipients it holds). The node that receives the hint reads the
// queues. A lost hint (a listening connection that dropped) is repaired by the node's sweep and
// by the device's reconnect from its last acknowledged sequence; hints are never the record.
//
// Schema (component "presence", version 1):
//   delivery_presence(handle TEXT, device_id TEXT, node TEXT, seen_ms BIGINT,
//                     PRIMARY KEY (handle, device_id, node))
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/store/device_address.h"
#include "candor/store/sql.h"

namespace candor::store {

class PresenceStore {
 public:
  // Open migrates the schema; `node` names this process (letters and digits, 1 to 40);
  // `db` must outlive the store.
  static Result<std::unique_ptr<PresenceStore>> Open(SqlDatabase& db, std::string node);

  // ChannelOf is the LISTEN channel of `node`; its hints are wake_hint.h payloads.
  static std::string ChannelOf(std::string_view node);

  const std::string& node() const { return node_; }
  const std::string& channel() const { return channel_; }

  // Attach records that this node holds a socket of `device`; Detach that it holds none now.
  Status Attach(const DeviceAddress& device, uint64_t now_ms);
  Status Detach(const DeviceAddress& device);
  // Refresh marks every row of this node alive at `now_ms`; Collect drops the rows of nodes
  // that stopped refreshing before `oldest_ms` (a node that crashed).
  Status Refresh(uint64_t now_ms);
  Status Collect(uint64_t oldest_ms);

  // HintInTx runs inside the transaction that queued messages for `devices`: every other node
  // holding a socket of one of them gets one hint, at commit. Nothing on SQLite (one node).
  Status HintInTx(SqlTx& tx, const std::vector<DeviceAddress>& devices) const;

 private:
  PresenceStore(SqlDatabase& db, std::string node)
      : db_(db), node_(std::move(node)), channel_(ChannelOf(node_)) {}
  SqlDatabase& db_;
  const std::string node_;
  const std::string channel_;
};

}  // namespace candor::store
