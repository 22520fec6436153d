#include "candor/store/delivery_store.h"

#include <limits>
#include <optional>

#include "candor/crypto/random.h"
#include "candor/crypto/sha256.h"

namespace candor::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE delivery_groups (
  group_id BLOB PRIMARY KEY,
  epoch BIGINT NOT NULL,
  view BLOB NOT NULL,
  group_info BLOB NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE delivery_members (
  group_id BLOB NOT NULL,
  leaf BIGINT NOT NULL,
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  PRIMARY KEY (group_id, leaf)
);
CREATE INDEX delivery_members_device ON delivery_members (handle, device_id);
CREATE TABLE delivery_messages (
  id BIGINT PRIMARY KEY,
  body BLOB NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE delivery_queue (
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  message_id BIGINT NOT NULL,
  kind BIGINT NOT NULL,
  group_id BLOB NOT NULL,
  epoch BIGINT NOT NULL,
  sender_handle TEXT NOT NULL,
  sender_device TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (handle, device_id, seq)
);
CREATE INDEX delivery_queue_message ON delivery_queue (message_id);
CREATE INDEX delivery_queue_age ON delivery_queue (received_at);
CREATE TABLE delivery_heads (
  handle TEXT NOT NULL,
  device_id TEXT NOT NULL,
  last_seq BIGINT NOT NULL,
  acked BIGINT NOT NULL,
  PRIMARY KEY (handle, device_id)
))sql"},
    {2, R"sql(
CREATE TABLE delivery_seen (
  digest BLOB PRIMARY KEY,
  created_at BIGINT NOT NULL
))sql"},
};

int64_t I(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

// NewMessageId is a random positive 63-bit id: no counter row for every node to contend on.
int64_t NewMessageId() {
  const Bytes r = crypto::RandomBytes(8);
  uint64_t v = 0;
  for (uint8_t b : r) v = (v << 8) | b;
  v &= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(v == 0 ? 1 : v);
}

Status WriteMembers(SqlTx& tx, const GroupRecord& g) {
  CANDOR_TRY(tx.Exec("DELETE FROM delivery_members WHERE group_id = $1", {g.group_id}));
  for (const GroupMember& m : g.members) {
    CANDOR_TRY(tx.Exec(
        "INSERT INTO delivery_members (group_id, leaf, handle, device_id) VALUES ($1, $2, $3, $4)",
        {g.group_id, static_cast<int64_t>(m.leaf), m.device.handle, m.device.device_id}));
  }
  return OkStatus();
}

// Enqueue stores `d`'s body once and appends an entry to each recipient's queue.
Result<uint64_t> Enqueue(SqlTx& tx, const Delivery& d, uint64_t now, uint64_t max_queue) {
  if (d.recipients.empty()) return uint64_t{0};
  const int64_t id = NewMessageId();
  CANDOR_TRY(tx.Exec("INSERT INTO delivery_messages (id, body, created_at) VALUES ($1, $2, $3)",
                     {id, d.message, I(now)}));
  for (const DeviceAddress& to : d.recipients) {
    CANDOR_ASSIGN_OR_RETURN(
        auto head, tx.Query("INSERT INTO delivery_heads (handle, device_id, last_seq, acked) "
                            "VALUES ($1, $2, 1, 0) ON CONFLICT (handle, device_id) DO UPDATE SET "
                            "last_seq = delivery_heads.last_seq + 1 RETURNING last_seq, acked",
                            {to.handle, to.device_id}));
    CANDOR_ASSIGN_OR_RETURN(int64_t seq, head.at(0).Int(0, "last_seq"));
    CANDOR_ASSIGN_OR_RETURN(int64_t acked, head.at(0).Int(1, "acked"));
    if (static_cast<uint64_t>(seq - acked) > max_queue) {
      return MakeError(Errc::kRateLimited, "the queue of " + to.handle + "/" + to.device_id +
                                               " is full (" + std::to_string(max_queue) +
                                               " unacknowledged messages)");
    }
    CANDOR_TRY(tx.Exec(
        "INSERT INTO delivery_queue (handle, device_id, seq, message_id, kind, group_id, epoch, "
        "sender_handle, sender_device, received_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {to.handle, to.device_id, seq, id, static_cast<int64_t>(d.kind), d.group_id, I(d.epoch),
         d.sender.handle, d.sender.device_id, I(now)}));
  }
  return static_cast<uint64_t>(d.recipients.size());
}

Result<GroupMember> ReadMember(const SqlRow& row) {
  GroupMember m;
  CANDOR_ASSIGN_OR_RETURN(int64_t leaf, row.Int(0, "leaf"));
  if (leaf < 0 || leaf > std::numeric_limits<uint32_t>::max()) {
    return MakeError(Errc::kMalformed, "delivery store: leaf out of range");
  }
  m.leaf = static_cast<uint32_t>(leaf);
  CANDOR_ASSIGN_OR_RETURN(m.device.handle, row.Text(1, "handle"));
  CANDOR_ASSIGN_OR_RETURN(m.device.device_id, row.Text(2, "device_id"));
  return m;
}

}  // namespace

Result<std::unique_ptr<DeliveryStore>> DeliveryStore::Open(SqlDatabase& db, DeliveryLimits limits) {
  CANDOR_TRY(Migrate(db, "delivery", kMigrations));
  return std::unique_ptr<DeliveryStore>(new DeliveryStore(db, limits));
}

Status DeliveryStore::CreateGroup(const GroupRecord& group, uint64_t now) {
  return db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY(
        tx.Exec("INSERT INTO delivery_groups (group_id, epoch, view, group_info, updated_at) "
                "VALUES ($1, $2, $3, $4, $5)",
                {group.group_id, I(group.epoch), group.view, group.group_info, I(now)}));
    return WriteMembers(tx, group);
  });
}

Result<GroupRecord> DeliveryStore::GetGroup(ByteView group_id) {
  std::optional<GroupRecord> out;
  const Bytes id(group_id.begin(), group_id.end());
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    out.reset();
    CANDOR_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT epoch, view, group_info FROM delivery_groups WHERE group_id = $1", {id}));
    if (rows.empty()) return OkStatus();
    GroupRecord g;
    g.group_id = id;
    CANDOR_ASSIGN_OR_RETURN(int64_t epoch, rows[0].Int(0, "epoch"));
    g.epoch = static_cast<uint64_t>(epoch);
    CANDOR_ASSIGN_OR_RETURN(g.view, rows[0].Blob(1, "view"));
    CANDOR_ASSIGN_OR_RETURN(g.group_info, rows[0].Blob(2, "group_info"));
    CANDOR_ASSIGN_OR_RETURN(auto members,
                            tx.Query("SELECT leaf, handle, device_id FROM delivery_members WHERE "
                                     "group_id = $1 ORDER BY leaf",
                                     {id}));
    for (const SqlRow& row : members) {
      CANDOR_ASSIGN_OR_RETURN(GroupMember m, ReadMember(row));
      g.members.push_back(std::move(m));
    }
    out = std::move(g);
    return OkStatus();
  }));
  if (!out) return MakeError(Errc::kNotFound, "no such group");
  return std::move(*out);
}

Result<CommitOutcome> DeliveryStore::CommitEpoch(ByteView group_id, uint64_t from_epoch,
                                                 const GroupRecord& next,
                                                 const std::vector<Delivery>& deliveries,
                                                 uint64_t now) {
  CommitOutcome outcome;
  const Bytes id(group_id.begin(), group_id.end());
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    outcome = CommitOutcome{};
    // The first commit for an epoch wins: the update only matches while the group is still at
    // `from_epoch`.
    CANDOR_ASSIGN_OR_RETURN(
        uint64_t updated,
        tx.Exec("UPDATE delivery_groups SET epoch = $3, view = $4, group_info = $5, "
                "updated_at = $6 WHERE group_id = $1 AND epoch = $2",
                {id, I(from_epoch), I(next.epoch), next.view, next.group_info, I(now)}));
    if (updated == 0) {
      CANDOR_ASSIGN_OR_RETURN(
          auto rows, tx.Query("SELECT epoch FROM delivery_groups WHERE group_id = $1", {id}));
      if (rows.empty()) return MakeError(Errc::kNotFound, "no such group");
      CANDOR_ASSIGN_OR_RETURN(int64_t epoch, rows[0].Int(0, "epoch"));
      outcome.epoch = static_cast<uint64_t>(epoch);
      return OkStatus();
    }
    CANDOR_TRY(WriteMembers(tx, next));
    std::vector<DeviceAddress> woken;
    for (const Delivery& d : deliveries) {
      CANDOR_TRY(Enqueue(tx, d, now, limits_.max_queue));
      woken.insert(woken.end(), d.recipients.begin(), d.recipients.end());
    }
    if (presence_ != nullptr) CANDOR_TRY(presence_->HintInTx(tx, woken));
    outcome.won = true;
    outcome.epoch = next.epoch;
    return OkStatus();
  }));
  return outcome;
}

Result<DeliverOutcome> DeliveryStore::Deliver(const Delivery& delivery, uint64_t now) {
  DeliverOutcome outcome;
  const Hash32 digest = crypto::Sha256(delivery.message);
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto fresh, tx.Query("INSERT INTO delivery_seen (digest, created_at) VALUES ($1, $2) "
                             "ON CONFLICT (digest) DO NOTHING RETURNING digest",
                             {Bytes(digest.begin(), digest.end()), I(now)}));
    if (fresh.empty()) {
      outcome.duplicate = true;
      return OkStatus();
    }
    CANDOR_ASSIGN_OR_RETURN(outcome.queued, Enqueue(tx, delivery, now, limits_.max_queue));
    if (presence_ != nullptr) CANDOR_TRY(presence_->HintInTx(tx, delivery.recipients));
    return OkStatus();
  }));
  return outcome;
}

Result<std::vector<QueueEntry>> DeliveryStore::Fetch(const DeviceAddress& device, uint64_t after,
                                                     size_t limit) {
  std::vector<QueueEntry> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    out.clear();
    CANDOR_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT q.seq, q.kind, q.group_id, q.epoch, m.body, q.sender_handle, "
                 "q.sender_device, q.received_at FROM delivery_queue q JOIN delivery_messages m "
                 "ON m.id = q.message_id WHERE q.handle = $1 AND q.device_id = $2 AND q.seq > $3 "
                 "ORDER BY q.seq LIMIT $4",
                 {device.handle, device.device_id, I(after), I(limit)}));
    for (const SqlRow& row : rows) {
      QueueEntry e;
      CANDOR_ASSIGN_OR_RETURN(int64_t seq, row.Int(0, "seq"));
      CANDOR_ASSIGN_OR_RETURN(int64_t kind, row.Int(1, "kind"));
      if (kind < 1 || kind > 3) return MakeError(Errc::kMalformed, "delivery store: bad kind");
      e.seq = static_cast<uint64_t>(seq);
      e.kind = static_cast<QueueKind>(kind);
      CANDOR_ASSIGN_OR_RETURN(e.group_id, row.Blob(2, "group_id"));
      CANDOR_ASSIGN_OR_RETURN(int64_t epoch, row.Int(3, "epoch"));
      e.epoch = static_cast<uint64_t>(epoch);
      CANDOR_ASSIGN_OR_RETURN(e.message, row.Blob(4, "body"));
      CANDOR_ASSIGN_OR_RETURN(e.sender.handle, row.Text(5, "sender_handle"));
      CANDOR_ASSIGN_OR_RETURN(e.sender.device_id, row.Text(6, "sender_device"));
      CANDOR_ASSIGN_OR_RETURN(int64_t received, row.Int(7, "received_at"));
      e.received_at = static_cast<uint64_t>(received);
      out.push_back(std::move(e));
    }
    return OkStatus();
  }));
  return out;
}

Result<uint64_t> DeliveryStore::Ack(const DeviceAddress& device, uint64_t up_to) {
  uint64_t acked = 0;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto head, tx.Query("SELECT last_seq, acked FROM delivery_heads WHERE handle = $1 AND "
                            "device_id = $2",
                            {device.handle, device.device_id}));
    if (head.empty()) {
      acked = 0;
      return OkStatus();
    }
    CANDOR_ASSIGN_OR_RETURN(int64_t last, head[0].Int(0, "last_seq"));
    CANDOR_ASSIGN_OR_RETURN(int64_t was, head[0].Int(1, "acked"));
    const int64_t to = std::min<int64_t>(I(up_to), last);
    if (to <= was) {
      acked = static_cast<uint64_t>(was);
      return OkStatus();
    }
    CANDOR_TRY(
        tx.Exec("DELETE FROM delivery_queue WHERE handle = $1 AND device_id = $2 AND "
                "seq <= $3",
                {device.handle, device.device_id, to}));
    CANDOR_TRY(tx.Exec("UPDATE delivery_heads SET acked = $3 WHERE handle = $1 AND device_id = $2",
                       {device.handle, device.device_id, to}));
    acked = static_cast<uint64_t>(to);
    return OkStatus();
  }));
  return acked;
}

Result<uint64_t> DeliveryStore::LastSeq(const DeviceAddress& device) {
  uint64_t last = 0;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto head,
                            tx.Query("SELECT last_seq FROM delivery_heads WHERE handle = $1 AND "
                                     "device_id = $2",
                                     {device.handle, device.device_id}));
    if (head.empty()) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(int64_t v, head[0].Int(0, "last_seq"));
    last = static_cast<uint64_t>(v);
    return OkStatus();
  }));
  return last;
}

Result<std::vector<Bytes>> DeliveryStore::GroupsOf(const DeviceAddress& device) {
  std::vector<Bytes> out;
  CANDOR_TRY(db_.Read([&](SqlTx& tx) -> Status {
    out.clear();
    CANDOR_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT DISTINCT group_id FROM delivery_members WHERE handle = $1 "
                            "AND device_id = $2",
                            {device.handle, device.device_id}));
    for (const SqlRow& row : rows) {
      CANDOR_ASSIGN_OR_RETURN(Bytes g, row.Blob(0, "group_id"));
      out.push_back(std::move(g));
    }
    return OkStatus();
  }));
  return out;
}

Result<uint64_t> DeliveryStore::Collect(uint64_t oldest) {
  uint64_t dropped = 0;
  CANDOR_TRY(db_.Write([&](SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        dropped, tx.Exec("DELETE FROM delivery_queue WHERE received_at < $1", {I(oldest)}));
    if (dropped > 0) {
      // What expired counts as gone for the queue limit; a device that comes back sees a gap
      // in the sequence numbers after its last acknowledged one.
      CANDOR_TRY(tx.Exec(
          "UPDATE delivery_heads SET acked = COALESCE((SELECT MIN(q.seq) - 1 FROM delivery_queue "
          "q WHERE q.handle = delivery_heads.handle AND q.device_id = delivery_heads.device_id), "
          "last_seq) WHERE acked < last_seq",
          {}));
    }
    CANDOR_TRY(tx.Exec("DELETE FROM delivery_seen WHERE created_at < $1", {I(oldest)}));
    CANDOR_TRY(
        tx.Exec("DELETE FROM delivery_messages WHERE NOT EXISTS (SELECT 1 FROM "
                "delivery_queue q WHERE q.message_id = delivery_messages.id)",
                {}));
    return OkStatus();
  }));
  return dropped;
}

}  // namespace candor::store
