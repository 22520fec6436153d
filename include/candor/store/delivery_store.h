// delivery_store.h: the Delivery Service's durable state (RFC 9750 §5-§7): each group's public
// view, its newest GroupInfo and members, and one queue per device with strictly increasing
// sequence numbers. A message is stored once and referenced from every recipient's queue.
//
// Ordering: CommitEpoch moves a group from epoch e to e + 1 with a conditional update
// (`... WHERE group_id = g AND epoch = e`) in the same transaction that queues the commit and
// its Welcome, so exactly one commit per epoch wins, also across server nodes.
//
// Schema (component "delivery", version 1):
//   delivery_groups(group_id BLOB PRIMARY KEY, epoch BIGINT, view BLOB, group_info BLOB,
//                   updated_at BIGINT)
//   delivery_members(group_id BLOB, leaf BIGINT, handle TEXT, device_id TEXT,
//                    PRIMARY KEY (group_id, leaf))
//   delivery_messages(id BIGINT PRIMARY KEY, body BLOB, created_at BIGINT)
//   delivery_queue(handle TEXT, device_id TEXT, seq BIGINT, message_id BIGINT, kind BIGINT,
//                  group_id BLOB, epoch BIGINT, sender_handle TEXT, sender_device TEXT,
//                  received_at BIGINT, PRIMARY KEY (handle, device_id, seq))
//   delivery_heads(handle TEXT, device_id TEXT, last_seq BIGINT, acked BIGINT,
//                  PRIMARY KEY (handle, device_id))
// Version 2 remembers the SHA-256 of every application message delivered, until Collect drops
// it with the queue entries of its age, so that a message sent again (its sender did not see
// the answer) is queued once:
//   delivery_seen(digest BLOB PRIMARY KEY, created_at BIGINT)
#pragma once

#include <memory>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/store/device_address.h"
#include "candor/store/presence_store.h"
#include "candor/store/sql.h"

namespace candor::store {

enum class QueueKind : uint8_t { kCommit = 1, kWelcome = 2, kApplication = 3 };

// QueueEntry is one entry of a device's queue.
struct QueueEntry {
  uint64_t seq = 0;
  QueueKind kind = QueueKind::kApplication;
  Bytes group_id;
  uint64_t epoch = 0;
  Bytes message;  // the MLSMessage, opaque to the store
  DeviceAddress sender;
  uint64_t received_at = 0;  // ms
};

// GroupMember maps a leaf of a group's tree to the device whose credential it holds.
struct GroupMember {
  uint32_t leaf = 0;
  DeviceAddress device;
  bool operator==(const GroupMember&) const = default;
};

// GroupRecord is a group as the Delivery Service keeps it.
struct GroupRecord {
  Bytes group_id;
  uint64_t epoch = 0;
  Bytes view;        // the public view (mls::GroupView encoding)
  Bytes group_info;  // the newest signed GroupInfo (an encoded MLSMessage)
  std::vector<GroupMember> members;
};

// Delivery is one message for a set of devices.
struct Delivery {
  QueueKind kind = QueueKind::kApplication;
  Bytes group_id;
  uint64_t epoch = 0;
  Bytes message;
  DeviceAddress sender;
  std::vector<DeviceAddress> recipients;
};

// DeliverOutcome says how many queue entries a delivery made, or that the same message was
// delivered before (and nothing was queued again).
struct DeliverOutcome {
  uint64_t queued = 0;
  bool duplicate = false;
};

// CommitOutcome says whether a commit won its epoch, and the group's epoch afterwards.
struct CommitOutcome {
  bool won = false;
  uint64_t epoch = 0;
};

struct DeliveryLimits {
  uint64_t max_queue = 10000;  // unacknowledged entries per device
};

class DeliveryStore {
 public:
  // Open migrates the schema; `db` must outlive the store.
  static Result<std::unique_ptr<DeliveryStore>> Open(SqlDatabase& db, DeliveryLimits limits);

  // SetPresence makes every transaction that queues messages also hint the other nodes that
  // hold a recipient's socket (presence_store.h). `presence` must outlive the store.
  void SetPresence(const PresenceStore* presence) { presence_ = presence; }

  // CreateGroup stores a new group at its epoch. kConflict if the group id exists.
  Status CreateGroup(const GroupRecord& group, uint64_t now);
  // GetGroup returns a group with its members; kNotFound if there is none.
  Result<GroupRecord> GetGroup(ByteView group_id);
  // CommitEpoch replaces the group at `from_epoch` by `next` (whose epoch is from_epoch + 1) and
  // queues `deliveries`, all in one transaction. If the group is no longer at `from_epoch`
  // nothing is written and the outcome says so (with the current epoch). kRateLimited if a
  // recipient's queue is full (nothing written); kNotFound for an unknown group.
  Result<CommitOutcome> CommitEpoch(ByteView group_id, uint64_t from_epoch, const GroupRecord& next,
                                    const std::vector<Delivery>& deliveries, uint64_t now);
  // Deliver queues one message for its recipients in one transaction, unless the same bytes
  // were delivered before. kRateLimited (naming the device) if a recipient's queue is full.
  Result<DeliverOutcome> Deliver(const Delivery& delivery, uint64_t now);
  // Fetch returns up to `limit` entries of `device`'s queue after sequence `after`, in order.
  Result<std::vector<QueueEntry>> Fetch(const DeviceAddress& device, uint64_t after, size_t limit);
  // Ack removes `device`'s entries up to `up_to` (never beyond the last queued) and returns the
  // device's acknowledged sequence.
  Result<uint64_t> Ack(const DeviceAddress& device, uint64_t up_to);
  // LastSeq is the sequence of the newest entry ever queued for `device` (0 if none).
  Result<uint64_t> LastSeq(const DeviceAddress& device);
  // GroupsOf lists the groups `device` is a member of.
  Result<std::vector<Bytes>> GroupsOf(const DeviceAddress& device);
  // Collect drops queue entries and message digests older than `oldest` (ms) and message
  // bodies no queue references any longer; returns the number of entries dropped.
  Result<uint64_t> Collect(uint64_t oldest);

 private:
  DeliveryStore(SqlDatabase& db, DeliveryLimits limits) : db_(db), limits_(limits) {}
  SqlDatabase& db_;
  const DeliveryLimits limits_;
  const PresenceStore* presence_ = nullptr;
};

}  // namespace candor::store
