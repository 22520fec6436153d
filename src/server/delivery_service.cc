#include "candor/server/delivery_service.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <set>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/group_view.h"
#include "candor/mls/mls_message.h"
#include "json_util.h"

namespace candor::server {
namespace {

using store::DeviceAddress;

std::string KindName(store::QueueKind k) {
  switch (k) {
    case store::QueueKind::kCommit:
      return "commit";
    case store::QueueKind::kWelcome:
      return "welcome";
    case store::QueueKind::kApplication:
      return "application";
  }
  return "application";
}

Json EntryJson(const store::QueueEntry& e) {
  return {{"seq", e.seq},
          {"kind", KindName(e.kind)},
          {"group_id", B64(e.group_id)},
          {"epoch", e.epoch},
          {"message", B64(e.message)},
          {"sender", {{"handle", e.sender.handle}, {"device_id", e.sender.device_id}}},
          {"received_at", e.received_at}};
}

// QueryParam returns the value of `name` in the target's query string, or "".
std::string QueryParam(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      return std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

Result<uint64_t> ParseUint(const std::string& s, uint64_t fallback, const char* what) {
  if (s.empty()) return fallback;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return MakeError(Errc::kMalformed, std::string(what) + " must be a decimal number");
  }
  return v;
}

// Base64UrlToBytes decodes the URL-safe unpadded base64 of a path segment.
Result<Bytes> GroupIdFromPath(std::string segment) {
  for (char& c : segment) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (segment.size() % 4 != 0) segment += '=';
  auto b = Base64Decode(segment);
  if (!b.ok() || b->empty()) return MakeError(Errc::kMalformed, "bad group id in the path");
  return std::move(*b);
}

Result<mls::MLSMessage> DecodeMessage(const Bytes& wire) {
  auto m = tls::DecodeExact<mls::MLSMessage>(wire);
  if (!m.ok()) return MakeError(Errc::kMalformed, "not an MLSMessage: " + m.error().message);
  return std::move(*m);
}

// MemberOf maps a leaf's credential to its device; kInvalidArgument if it is not a
// CandorIdentity.
Result<DeviceAddress> DeviceOfLeaf(const mls::LeafNode& leaf) {
  if (leaf.credential.credential_type != mls::CredentialType::basic) {
    return MakeError(Errc::kInvalidArgument, "a member's credential is not a basic credential");
  }
  auto id = mls::DecodeCandorIdentity(leaf.credential.identity);
  if (!id.ok()) {
    return MakeError(Errc::kInvalidArgument, "a member's credential is not a CandorIdentity");
  }
  return DeviceAddress{id->handle, id->device_id};
}

Result<std::vector<store::GroupMember>> MembersOf(const mls::GroupView& view) {
  std::vector<store::GroupMember> out;
  const mls::PublicTree& tree = view.tree();
  for (uint32_t i = 0; i < tree.num_leaves(); ++i) {
    const mls::LeafNode* leaf = tree.leaf_node(mls::LeafIndex{i});
    if (leaf == nullptr) continue;
    CANDOR_ASSIGN_OR_RETURN(DeviceAddress d, DeviceOfLeaf(*leaf));
    out.push_back({i, std::move(d)});
  }
  return out;
}

bool IsMember(const std::vector<store::GroupMember>& members, const DeviceAddress& d) {
  for (const auto& m : members) {
    if (m.device == d) return true;
  }
  return false;
}

bool HandleIsMember(const std::vector<store::GroupMember>& members, const std::string& handle) {
  for (const auto& m : members) {
    if (m.device.handle == handle) return true;
  }
  return false;
}

}  // namespace

// QueueSocket pushes one device's queue over its WebSocket: at most `max_in_flight` entries
// pushed and not acknowledged; a wake-up (new entries, an acknowledgement) schedules one read
// of the store on the pool.
class QueueSocket : public net::WebSocketHandler, public std::enable_shared_from_this<QueueSocket> {
 public:
  QueueSocket(DeliveryService& service, DeviceAddress device, uint64_t after)
      : service_(service), device_(std::move(device)), sent_(after), acked_(after) {}

  void OnOpen(std::shared_ptr<net::WebSocketConnection> connection) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      connection_ = std::move(connection);
    }
    service_.Attach(device_, shared_from_this());
    Wake();
  }

  void OnMessage(std::string_view text) override {
    Json j = Json::parse(text, nullptr, false);
    auto ack =
        j.is_object() ? UintField(j, "ack") : Result<uint64_t>(MakeError(Errc::kMalformed, ""));
    if (!ack.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (connection_) connection_->Close(1008, "expected {\"ack\": seq}");
      return;
    }
    auto self = shared_from_this();
    service_.pool().Post([self, up_to = *ack] {
      auto acked = self->service_.store().Ack(self->device_, up_to);
      if (!acked.ok()) return;
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        self->acked_ = std::max(self->acked_, *acked);
      }
      self->Wake();
    });
  }

  void OnClose() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    connection_.reset();
    service_.Detach(device_, this);
  }

  // Wake schedules a push round unless one is scheduled already.
  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || scheduled_) {
        again_ = true;
        return;
      }
      scheduled_ = true;
      again_ = false;
    }
    auto self = shared_from_this();
    service_.pool().Post([self] { self->Push(); });
  }

  void Close(uint16_t code, const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    if (connection_) connection_->Close(code, reason);
  }

 private:
  void Push() {
    uint64_t after = 0;
    size_t room = 0;
    std::shared_ptr<net::WebSocketConnection> conn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      after = sent_;
      const uint64_t in_flight = sent_ - std::min(sent_, acked_);
      room = in_flight >= service_.options().max_in_flight
                 ? 0
                 : service_.options().max_in_flight - in_flight;
      conn = connection_;
    }
    if (conn != nullptr && room > 0) {
      auto entries = service_.store().Fetch(device_, after, room);
      if (entries.ok()) {
        const uint64_t now = service_.clock()();
        for (const store::QueueEntry& e : *entries) {
          if (!conn->Send(EntryJson(e).dump())) break;
          if (now >= e.received_at) {
            service_.push_latency().Observe(static_cast<double>(now - e.received_at) / 1000.0);
          }
          std::lock_guard<std::mutex> lock(mu_);
          sent_ = e.seq;
        }
      }
    }
    bool again = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      scheduled_ = false;
      again = again_ && !closed_;
    }
    if (again) Wake();
  }

  DeliveryService& service_;
  const DeviceAddress device_;
  std::mutex mu_;
  std::shared_ptr<net::WebSocketConnection> connection_;
  uint64_t sent_;   // newest seq pushed
  uint64_t acked_;  // newest seq the device acknowledged
  bool scheduled_ = false;
  bool again_ = false;
  bool closed_ = false;
};

DeliveryService::DeliveryService(store::DeliveryStore& store, const DirectoryService& directory,
                                 Clock clock, Metrics& metrics, net::WorkerPool& pool,
                                 DeliveryServiceOptions options)
    : store_(store),
      directory_(directory),
      clock_(std::move(clock)),
      pool_(pool),
      options_(options),
      messages_(metrics.CounterFor("candor_delivery_messages_total", "application messages")),
      commits_(metrics.CounterFor("candor_delivery_commits_total", "commits accepted")),
      commit_conflicts_(metrics.CounterFor("candor_delivery_commit_conflicts_total",
                                           "commits refused for a stale epoch")),
      queued_(metrics.CounterFor("candor_delivery_queue_entries_total", "queue entries made")),
      push_latency_(metrics.HistogramFor("candor_delivery_push_seconds",
                                         "time from acceptance to WebSocket push",
                                         {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5})) {
  metrics.AddGauge("candor_delivery_websockets", "connected WebSockets", [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<double>(sockets_.size());
  });
}

void DeliveryService::Register(net::Router& router) {
  const size_t body = options_.max_message * 3 + 4096;  // JSON with base64 of a few messages
  router.Add("POST", "/v1/groups", {body, true, true},
             [this](const net::RouteRequest& r) { return CreateGroup(r); });
  router.Add("POST", "/v1/groups/commit", {body, true, true},
             [this](const net::RouteRequest& r) { return Commit(r); });
  router.Add("POST", "/v1/groups/message", {body, true, true},
             [this](const net::RouteRequest& r) { return Message(r); });
  router.Add("GET", "/v1/groups/{group}", {0, true, true},
             [this](const net::RouteRequest& r) { return GetGroup(r); });
  router.Add("GET", "/v1/groups/{group}/group-info", {0, true, true},
             [this](const net::RouteRequest& r) { return GroupInfo(r); });
  router.Add("GET", "/v1/queue", {0, true, true},
             [this](const net::RouteRequest& r) { return Fetch(r); });
  router.Add("POST", "/v1/queue/ack", {1024, true, true},
             [this](const net::RouteRequest& r) { return Ack(r); });
  router.AddAsync(
      "GET", "/v1/ws", {0, true, true},
      [this](const net::RouteRequest& r, const net::Responder& respond) {
        auto after = ParseUint(QueryParam(r.http.target, "after"), 0, "after");
        if (!after.ok()) {
          respond(net::JsonError(after.error()));
          return;
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (draining_) {
            respond(net::JsonError(MakeError(Errc::kUnavailable, "the server is shutting down")));
            return;
          }
        }
        net::HttpResponse answer;
        answer.websocket = std::make_shared<QueueSocket>(
            *this, DeviceAddress{r.principal.handle, r.principal.device_id}, *after);
        respond(std::move(answer));
      });
}

Result<net::HttpResponse> DeliveryService::CreateGroup(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"group_info"}));
  CANDOR_ASSIGN_OR_RETURN(Bytes wire, Base64Field(body, "group_info", options_.max_message));
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage msg, DecodeMessage(wire));
  const auto* info = std::get_if<mls::GroupInfo>(&msg.message);
  if (info == nullptr) return MakeError(Errc::kMalformed, "group_info is not a GroupInfo");
  CANDOR_ASSIGN_OR_RETURN(mls::GroupView view, mls::GroupView::FromGroupInfo(*info));
  if (view.epoch() != 0) return MakeError(Errc::kInvalidArgument, "a new group starts at epoch 0");
  CANDOR_ASSIGN_OR_RETURN(std::vector<store::GroupMember> members, MembersOf(view));
  const DeviceAddress me{req.principal.handle, req.principal.device_id};
  if (members.size() != 1 || !(members[0].device == me)) {
    return MakeError(Errc::kInvalidArgument, "a new group has its creator as its only member");
  }
  CANDOR_ASSIGN_OR_RETURN(kt::Device device, directory_.FindDevice(me.handle, me.device_id));
  if (view.tree().leaf_node(mls::LeafIndex{members[0].leaf})->signature_key !=
      device.mls_signature_key) {
    return MakeError(Errc::kVerifyFailed, "the creator's leaf key is not its device's MLS key");
  }
  store::GroupRecord record{view.context().group_id, 0, tls::Encode(view), wire, members};
  CANDOR_TRY(store_.CreateGroup(record, clock_()));
  return JsonAnswer({{"group_id", B64(record.group_id)}, {"epoch", 0}});
}

Result<net::HttpResponse> DeliveryService::Commit(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body,
                          ParseObject(req.http.body, {"commit", "welcome", "group_info"}));
  CANDOR_ASSIGN_OR_RETURN(Bytes commit_wire, Base64Field(body, "commit", options_.max_message));
  CANDOR_ASSIGN_OR_RETURN(Bytes info_wire, Base64Field(body, "group_info", options_.max_message));
  CANDOR_ASSIGN_OR_RETURN(std::optional<Bytes> welcome_wire,
                          OptionalBase64Field(body, "welcome", options_.max_message));
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage commit, DecodeMessage(commit_wire));
  const auto* pub = std::get_if<mls::PublicMessage>(&commit.message);
  if (pub == nullptr) return MakeError(Errc::kMalformed, "a commit must be a PublicMessage");
  CANDOR_ASSIGN_OR_RETURN(store::GroupRecord record, store_.GetGroup(pub->content.group_id));
  CANDOR_ASSIGN_OR_RETURN(mls::GroupView view, tls::DecodeExact<mls::GroupView>(record.view));
  auto observed = view.ApplyCommit(commit, clock_() / 1000);
  if (!observed.ok()) {
    if (observed.error().code == Errc::kConflict) {
      commit_conflicts_.Add();
      Json j = {
          {"error", "conflict"}, {"detail", observed.error().message}, {"epoch", record.epoch}};
      return JsonAnswer(j, 409);
    }
    return observed.error();
  }
  // The committer must be the authenticated device (a member; or, joining by external commit,
  // a device of an account that is in the group already).
  const DeviceAddress me{req.principal.handle, req.principal.device_id};
  const mls::LeafNode* committer_leaf = (observed->external ? observed->next.tree() : view.tree())
                                            .leaf_node(mls::LeafIndex{observed->committer});
  if (committer_leaf == nullptr) return MakeError(Errc::kInternal, "committer leaf vanished");
  CANDOR_ASSIGN_OR_RETURN(DeviceAddress committer, DeviceOfLeaf(*committer_leaf));
  if (!(committer == me)) {
    return MakeError(Errc::kPermissionDenied, "the commit is not signed by this device's leaf");
  }
  if (observed->external && !HandleIsMember(record.members, me.handle)) {
    return MakeError(Errc::kPermissionDenied,
                     "only a device of an account already in the group may join it by itself");
  }
  // A device that rejoins by itself (a resync) may remove its own old leaf, and no other.
  for (uint32_t leaf : observed->external ? observed->removed : std::vector<uint32_t>{}) {
    const mls::LeafNode* old = view.tree().leaf_node(mls::LeafIndex{leaf});
    if (old == nullptr) return MakeError(Errc::kInternal, "removed leaf vanished");
    CANDOR_ASSIGN_OR_RETURN(DeviceAddress removed, DeviceOfLeaf(*old));
    if (!(removed == me)) {
      return MakeError(Errc::kPermissionDenied,
                       "a device joining by itself may remove only its own old leaf");
    }
  }
  // ... and its new leaf holds the MLS key that its account's published list names for it.
  if (observed->external) {
    auto device = directory_.FindDevice(me.handle, me.device_id);
    if (!device.ok() || device->mls_signature_key != committer_leaf->signature_key) {
      return MakeError(Errc::kVerifyFailed,
                       "the joining leaf does not hold this device's published MLS key");
    }
  }
  // The new epoch's GroupInfo, from the committer, must describe the epoch we computed.
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage info_msg, DecodeMessage(info_wire));
  const auto* info = std::get_if<mls::GroupInfo>(&info_msg.message);
  if (info == nullptr || info->signer != observed->committer) {
    return MakeError(Errc::kInvalidArgument, "group_info must be the committer's GroupInfo");
  }
  CANDOR_TRY(observed->next.CheckGroupInfo(*info));
  CANDOR_ASSIGN_OR_RETURN(std::vector<store::GroupMember> next_members, MembersOf(observed->next));
  // Added members must be devices their accounts' published lists name, with their MLS keys.
  std::vector<DeviceAddress> added;
  for (uint32_t leaf : observed->added) {
    const mls::LeafNode* node = observed->next.tree().leaf_node(mls::LeafIndex{leaf});
    if (node == nullptr) return MakeError(Errc::kInternal, "added leaf vanished");
    CANDOR_ASSIGN_OR_RETURN(DeviceAddress d, DeviceOfLeaf(*node));
    auto device = directory_.FindDevice(d.handle, d.device_id);
    if (!device.ok() || device->mls_signature_key != node->signature_key) {
      return MakeError(Errc::kVerifyFailed,
                       "an added member is not a device of " + d.handle + " with that MLS key");
    }
    added.push_back(std::move(d));
  }
  if (!added.empty()) {
    if (!welcome_wire)
      return MakeError(Errc::kInvalidArgument, "a commit that adds needs its Welcome");
    CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage welcome, DecodeMessage(*welcome_wire));
    if (!std::holds_alternative<mls::Welcome>(welcome.message)) {
      return MakeError(Errc::kMalformed, "welcome is not a Welcome");
    }
  }
  // Everyone of the old epoch hears of the commit (removed members learn they are out); the
  // new members get the Welcome.
  std::vector<DeviceAddress> old_members;
  for (const auto& m : record.members) {
    if (!(m.device == me)) old_members.push_back(m.device);
  }
  std::vector<store::Delivery> deliveries;
  deliveries.push_back(
      {store::QueueKind::kCommit, record.group_id, record.epoch, commit_wire, me, old_members});
  if (!added.empty()) {
    deliveries.push_back(
        {store::QueueKind::kWelcome, record.group_id, record.epoch + 1, *welcome_wire, me, added});
  }
  store::GroupRecord next{record.group_id, record.epoch + 1, tls::Encode(observed->next), info_wire,
                          std::move(next_members)};
  CANDOR_ASSIGN_OR_RETURN(
      store::CommitOutcome outcome,
      store_.CommitEpoch(record.group_id, record.epoch, next, deliveries, clock_()));
  if (!outcome.won) {
    commit_conflicts_.Add();
    Json j = {{"error", "conflict"},
              {"detail", "another commit won epoch " + std::to_string(record.epoch)},
              {"epoch", outcome.epoch}};
    return JsonAnswer(j, 409);
  }
  commits_.Add();
  queued_.Add(old_members.size() + added.size());
  std::vector<DeviceAddress> wake = old_members;
  wake.insert(wake.end(), added.begin(), added.end());
  Notify(wake);
  return JsonAnswer({{"epoch", outcome.epoch}});
}

Result<net::HttpResponse> DeliveryService::Message(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"message"}));
  CANDOR_ASSIGN_OR_RETURN(Bytes wire, Base64Field(body, "message", options_.max_message));
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage msg, DecodeMessage(wire));
  const auto* priv = std::get_if<mls::PrivateMessage>(&msg.message);
  if (priv == nullptr) return MakeError(Errc::kMalformed, "a message must be a PrivateMessage");
  CANDOR_ASSIGN_OR_RETURN(store::GroupRecord record, store_.GetGroup(priv->group_id));
  const DeviceAddress me{req.principal.handle, req.principal.device_id};
  if (!IsMember(record.members, me)) {
    return MakeError(Errc::kPermissionDenied, "this device is not a member of the group");
  }
  if (priv->epoch > record.epoch) {
    return JsonAnswer({{"error", "conflict"},
                       {"detail", "the message is for an epoch the group has not reached"},
                       {"epoch", record.epoch}},
                      409);
  }
  std::vector<DeviceAddress> to;
  for (const auto& m : record.members) {
    if (!(m.device == me)) to.push_back(m.device);
  }
  CANDOR_ASSIGN_OR_RETURN(
      store::DeliverOutcome made,
      store_.Deliver({store::QueueKind::kApplication, record.group_id, priv->epoch, wire, me, to},
                     clock_()));
  if (made.duplicate) return JsonAnswer({{"delivered", 0}, {"duplicate", true}});
  messages_.Add();
  queued_.Add(made.queued);
  Notify(to);
  return JsonAnswer({{"delivered", made.queued}});
}

Result<net::HttpResponse> DeliveryService::GetGroup(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Bytes id, GroupIdFromPath(req.Param("group")));
  CANDOR_ASSIGN_OR_RETURN(store::GroupRecord record, store_.GetGroup(id));
  if (!IsMember(record.members, {req.principal.handle, req.principal.device_id})) {
    return MakeError(Errc::kNotFound, "no such group");  // not a member: as if absent
  }
  Json members = Json::array();
  for (const auto& m : record.members) {
    members.push_back(
        {{"leaf", m.leaf}, {"handle", m.device.handle}, {"device_id", m.device.device_id}});
  }
  return JsonAnswer({{"group_id", B64(id)}, {"epoch", record.epoch}, {"members", members}});
}

Result<net::HttpResponse> DeliveryService::GroupInfo(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Bytes id, GroupIdFromPath(req.Param("group")));
  CANDOR_ASSIGN_OR_RETURN(store::GroupRecord record, store_.GetGroup(id));
  if (!HandleIsMember(record.members, req.principal.handle)) {
    return MakeError(Errc::kNotFound, "no such group");
  }
  return JsonAnswer({{"group_info", B64(record.group_info)}, {"epoch", record.epoch}});
}

Result<net::HttpResponse> DeliveryService::Fetch(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(uint64_t after,
                          ParseUint(QueryParam(req.http.target, "after"), 0, "after"));
  CANDOR_ASSIGN_OR_RETURN(uint64_t limit, ParseUint(QueryParam(req.http.target, "limit"),
                                                    options_.fetch_limit, "limit"));
  limit = std::min<uint64_t>(std::max<uint64_t>(limit, 1), options_.fetch_limit);
  const DeviceAddress me{req.principal.handle, req.principal.device_id};
  CANDOR_ASSIGN_OR_RETURN(auto entries, store_.Fetch(me, after, static_cast<size_t>(limit)));
  CANDOR_ASSIGN_OR_RETURN(uint64_t last, store_.LastSeq(me));
  Json list = Json::array();
  for (const auto& e : entries) list.push_back(EntryJson(e));
  return JsonAnswer({{"entries", list}, {"last_seq", last}});
}

Result<net::HttpResponse> DeliveryService::Ack(const net::RouteRequest& req) {
  CANDOR_ASSIGN_OR_RETURN(Json body, ParseObject(req.http.body, {"up_to"}));
  CANDOR_ASSIGN_OR_RETURN(uint64_t up_to, UintField(body, "up_to"));
  CANDOR_ASSIGN_OR_RETURN(uint64_t acked,
                          store_.Ack({req.principal.handle, req.principal.device_id}, up_to));
  return JsonAnswer({{"acked", acked}});
}

void DeliveryService::Attach(const DeviceAddress& device,
                             const std::shared_ptr<QueueSocket>& socket) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sockets_.emplace(device, socket);
  }
  if (presence_ == nullptr) return;
  // Off the IO thread. A presence write that fails (or lands out of order with a detach) only
  // costs hints: the sweep and the device's reconnect repair that.
  pool_.Post([presence = presence_, device, now = clock_()] {
    if (Status st = presence->Attach(device, now); !st.ok()) {
      spdlog::warn("delivery: presence of {}/{}: {}", device.handle, device.device_id,
                   st.error().ToString());
    }
  });
}

void DeliveryService::Detach(const DeviceAddress& device, const QueueSocket* socket) {
  bool none_left = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [begin, end] = sockets_.equal_range(device);
    for (auto it = begin; it != end;) {
      auto s = it->second.lock();
      if (s == nullptr || s.get() == socket) {
        it = sockets_.erase(it);
      } else {
        ++it;
      }
    }
    none_left = sockets_.count(device) == 0;
  }
  if (presence_ == nullptr || !none_left) return;
  pool_.Post([presence = presence_, device] { (void)presence->Detach(device); });
}

void DeliveryService::WakeAll() {
  std::vector<std::shared_ptr<QueueSocket>> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [device, socket] : sockets_) {
      if (auto s = socket.lock()) wake.push_back(std::move(s));
    }
  }
  for (auto& s : wake) s->Wake();
}

void DeliveryService::Notify(const std::vector<DeviceAddress>& devices) {
  std::vector<std::shared_ptr<QueueSocket>> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const DeviceAddress& d : devices) {
      auto [begin, end] = sockets_.equal_range(d);
      for (auto it = begin; it != end; ++it) {
        if (auto s = it->second.lock()) wake.push_back(std::move(s));
      }
    }
  }
  for (auto& s : wake) s->Wake();
}

void DeliveryService::Collect() {
  const uint64_t age = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.max_age).count());
  const uint64_t now = clock_();
  auto dropped = store_.Collect(now > age ? now - age : 0);
  if (dropped.ok() && *dropped > 0) {
    spdlog::info("delivery: dropped {} queue entries older than {} h", *dropped,
                 options_.max_age.count());
  }
}

void DeliveryService::Drain() {
  std::vector<std::shared_ptr<QueueSocket>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    for (auto& [d, w] : sockets_) {
      if (auto s = w.lock()) all.push_back(std::move(s));
    }
  }
  for (auto& s : all) s->Close(1013, "the server is restarting; reconnect");
}

}  // namespace candor::server
